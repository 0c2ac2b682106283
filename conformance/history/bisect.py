"""The first release where a case's outcome changes.

A case's outcome on a release is its status and the causes triage named for it. Outcomes
come from saved runs where a run of that release exists and holds the case as it is written
now (same fingerprint); any other release is probed: the one case run in that release's
virtualenv. With every release known, the answer is read off in order and exact. Otherwise it
is a binary search between the first release and the first known one whose outcome differs
(or the last release), probing midpoints: like `git bisect`, it assumes the outcome changes
once in that stretch, and says so.

A probe triages its one result alone, while a saved run triaged the whole suite, where a
result several generic hypotheses explain goes to the one explaining most; so an outcome from
a probe and one from a saved run are compared by status only, and by causes too when both come
from the same kind of source.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from wbimage_conformance.history.record import SavedRun


@dataclass(frozen=True)
class Outcome:
    status: str
    causes: tuple[str, ...] = ()     # cause titles, sorted
    probed: bool = False             # from a run of this one case, not a saved run

    def same_as(self, other: Outcome) -> bool:
        if self.status != other.status:
            return False
        return self.probed != other.probed or self.causes == other.causes

    @property
    def text(self) -> str:
        return self.status + (f" ({'; '.join(self.causes)})" if self.causes else "")


@dataclass(frozen=True)
class Bisection:
    case_id: str
    releases: tuple[str, ...]
    outcomes: dict[str, Outcome]         # every release whose outcome became known
    first_change: str | None             # None: no change found
    before: str | None                   # the release just before it that kept the first outcome
    exact: bool                          # every release of the range was known

    @property
    def probed(self) -> list[str]:
        return [v for v in self.releases if v in self.outcomes and self.outcomes[v].probed]


def saved_outcome(run: SavedRun, case_id: str, fingerprint: str) -> Outcome | None:
    """The case's outcome in a saved run; None when the run lacks it or holds another version of it."""
    found = run.outcome(case_id)
    if found is None or found.fingerprint != fingerprint:
        return None
    return Outcome(found.status, tuple(sorted(run.cause_titles(found))))


def first_change(case_id: str, releases: Sequence[str], known: dict[str, Outcome],
                 probe: Callable[[str], Outcome]) -> Bisection:
    """Where the outcome of `case_id` first differs from its outcome on `releases[0]`."""
    versions = tuple(releases)
    outcomes = dict((v, known[v]) for v in versions if v in known)
    exact = all(v in outcomes for v in versions)

    def get(index: int) -> Outcome:
        version = versions[index]
        if version not in outcomes:
            outcomes[version] = probe(version)
        return outcomes[version]

    start = get(0)
    differing = [i for i in range(1, len(versions)) if versions[i] in outcomes and not outcomes[versions[i]].same_as(start)]
    if differing:
        high = differing[0]
    elif len(versions) > 1 and not get(len(versions) - 1).same_as(start):
        high = len(versions) - 1
    else:
        return Bisection(case_id, versions, outcomes, None, None, exact)
    low = max(i for i in range(high) if versions[i] in outcomes)
    while high - low > 1:
        middle = (low + high) // 2
        if get(middle).same_as(start):
            low = middle
        else:
            high = middle
    return Bisection(case_id, versions, outcomes, versions[high], versions[low], exact)
