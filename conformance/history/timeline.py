"""A folder of saved runs read as one history: what each release passed, per clause family, and
where each cause of deviation begins and ends.

A cause is followed by its title (triage's words, which the release rules resolve per
release): it "shows" in a release when it explains at least one case there. Its span is the
first and the last release showing it; releases in between that do not show it are listed as
gaps, so a cause that went away and came back is not reported as continuous.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from packaging.version import Version

from wbimage_conformance.history.record import SavedRun

#: Statuses that are a deviation (triage explains these).
DEVIATING = frozenset({"failed", "error", "timeout", "crash"})


@dataclass(frozen=True)
class FamilyCount:
    passed: int
    ran: int       # not skipped
    total: int


@dataclass
class CauseSpan:
    """One cause across the history: the releases showing it, with the cases it explains in each."""

    title: str
    id: str
    clauses: list[str] = field(default_factory=list)
    cases: dict[str, int] = field(default_factory=dict)    # release -> cases explained

    @property
    def releases(self) -> list[str]:
        return sorted(self.cases, key=Version)

    @property
    def first(self) -> str:
        return self.releases[0]

    @property
    def last(self) -> str:
        return self.releases[-1]


@dataclass(frozen=True)
class History:
    runs: tuple[SavedRun, ...]

    @classmethod
    def of(cls, runs: Sequence[SavedRun]) -> History:
        return cls(tuple(sorted(runs, key=lambda r: Version(r.version))))

    @property
    def versions(self) -> list[str]:
        return [r.version for r in self.runs]

    def run(self, version: str) -> SavedRun | None:
        return next((r for r in self.runs if r.version == version), None)

    @property
    def families(self) -> list[str]:
        return sorted({c.family for r in self.runs for c in r.cases})

    def spans(self) -> list[CauseSpan]:
        """Every cause, oldest first (by first release), then by the cases it explains."""
        found: dict[str, CauseSpan] = {}
        for run in self.runs:
            counts: Counter[int] = Counter(i for c in run.cases for i in c.causes)
            for index, count in counts.items():
                cause = run.causes[index]
                span = found.setdefault(cause.title, CauseSpan(cause.title, cause.id))
                span.cases[run.version] = span.cases.get(run.version, 0) + count
                span.clauses += [c for c in cause.clauses if c not in span.clauses]
        return sorted(found.values(), key=lambda s: (Version(s.first), -max(s.cases.values()), s.title))

    def gaps(self, span: CauseSpan) -> list[str]:
        """Releases between the span's first and last that do not show it."""
        inside = [v for v in self.versions if Version(span.first) <= Version(v) <= Version(span.last)]
        return [v for v in inside if v not in span.cases]


def releases_showing(history: History) -> dict[tuple[str, str], list[str]]:
    """(cause title, clause) -> the releases, oldest first, where a cause of that title explains
    at least one case and breaks that clause."""
    out: dict[tuple[str, str], list[str]] = {}
    for run in history.runs:
        used = {i for c in run.cases for i in c.causes}
        for index in sorted(used):
            cause = run.causes[index]
            for clause in cause.clauses:
                versions = out.setdefault((cause.title, clause), [])
                if not versions or versions[-1] != run.version:
                    versions.append(run.version)
    return out


def family_counts(run: SavedRun) -> dict[str, FamilyCount]:
    out: dict[str, list[int]] = {}
    for case in run.cases:
        counts = out.setdefault(case.family, [0, 0, 0])
        counts[0] += case.status == "passed"
        counts[1] += case.status != "skipped"
        counts[2] += 1
    return {family: FamilyCount(*counts) for family, counts in sorted(out.items())}


def totals(run: SavedRun) -> FamilyCount:
    return FamilyCount(sum(c.status == "passed" for c in run.cases), sum(c.status != "skipped" for c in run.cases),
                       len(run.cases))


def unexplained(run: SavedRun) -> list[str]:
    """Cases that deviate and that no cause explains."""
    return [c.case_id for c in run.cases if c.status in DEVIATING and not c.causes]


def release_family(version: str) -> str:
    """`0.21.x` for 0.21.3: releases sharing a minor version."""
    release = Version(version).release
    return f"{release[0]}.{release[1] if len(release) > 1 else 0}.x"


def by_release_family(history: History) -> list[tuple[str, list[SavedRun]]]:
    groups: dict[str, list[SavedRun]] = {}
    for run in history.runs:
        groups.setdefault(release_family(run.version), []).append(run)
    return list(groups.items())


def changed_cases(before: SavedRun, after: SavedRun) -> list[str]:
    """Cases written the same way in both runs whose status or causes differ."""
    out = []
    for now in after.cases:
        then = before.outcome(now.case_id)
        if then is None or then.fingerprint != now.fingerprint:
            continue
        if then.status != now.status or sorted(before.cause_titles(then)) != sorted(after.cause_titles(now)):
            out.append(now.case_id)
    return out


def top_causes(run: SavedRun, limit: int = 3, family: str | None = None) -> list[tuple[str, int]]:
    """The causes explaining most cases of a run (or of one clause family in it): (title, cases)."""
    counts: Counter[int] = Counter(i for c in run.cases if family in (None, c.family) for i in c.causes)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], run.causes[item[0]].title))
    return [(run.causes[i].title, n) for i, n in ranked[:limit]]
