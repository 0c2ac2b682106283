"""From a run's unexpected results to causes: which hypothesis explains which case.

Every failed, erroring, timed-out or crashed result is tested against the hypotheses (for a
known real implementation, its measured behaviours first, in their order; then the generic
ones). A pipeline variant the run's other unexpected results contradict is then withdrawn
(wbimage_conformance.triage.evidence: a case it reproduced by coincidence does not make it
a cause). A result can be explained by several; results are then grouped greedily: the cause
that explains most results takes them, then the next, so the groups are few and large. Where
two explain as many, the passed results decide: a variant that would have got some of them
wrong is the less likely one. A
result no single cause explains is tried against pairs of the pipeline variants that
explained something else in the run (two bugs at once), and is listed under both. What is
left is unexplained. Each result's verdict is cached, so a run's several report formats and
the pytest summary triage it once.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from wbimage_conformance.model import Environment, Result, RunReport, SavedCause, Status
from wbimage_conformance.triage import clauses as clause_texts
from wbimage_conformance.triage.cause import Cause
from wbimage_conformance.triage.context import Context, context
from wbimage_conformance.triage.evidence import RunEvidence
from wbimage_conformance.triage.hypotheses import GENERIC, pairable
from wbimage_conformance.triage.variants import Variant

#: Statuses a cause can explain; xpassed results are stale expectations, not bugs.
TRIAGED = frozenset({Status.FAILED, Status.ERROR, Status.TIMEOUT, Status.CRASH})


@dataclass(frozen=True)
class Candidate:
    """One cause as resolved for one result."""

    key: str
    title: str
    clause: str
    hint: str
    cause: Cause | None  # None: read back from a pytest worker's report, where only the texts travel


@dataclass(frozen=True)
class CauseGroup:
    """One cause and the results it explains (run order); `together` are the ids it explains
    only with another cause."""

    id: str
    title: str
    hint: str
    clauses: tuple[str, ...]
    results: tuple[Result, ...]
    together: tuple[str, ...] = ()

    @property
    def explains(self) -> tuple[str, ...]:
        return tuple(r.case.id for r in self.results)

    @property
    def example(self) -> Result:
        return self.results[0]

    def clause_sentences(self) -> list[tuple[str, str]]:
        return [(c, clause_texts.sentence(c)) for c in self.clauses]


@dataclass(frozen=True)
class Triage:
    causes: tuple[CauseGroup, ...]
    unexplained: tuple[Result, ...]

    @property
    def explained_count(self) -> int:
        return len({case_id for group in self.causes for case_id in group.explains})


# -- profiles ----------------------------------------------------------------------------------


def profile(environment: Environment | None) -> tuple[list[Cause], str, str | None, str | None]:
    """(the measured behaviours of a known real implementation, in order; impl; version;
    Pillow). Unknown implementations get none: only the generic hypotheses."""
    if environment is None:
        return [], "", None, None
    from wbimage_conformance.triage import release_rules as rules  # the release rules use this module's model

    impl, version = environment.implementation, environment.implementation_version
    try:
        measured = rules.rules_for(impl, rules.version_tuple(version))
    except KeyError:
        return [], "", None, None
    return measured, impl, version, environment.pillow


# -- one result ----------------------------------------------------------------------------------

_CACHE: dict[tuple[int, int], tuple[Result, list[Candidate]]] = {}
_CACHE_LIMIT = 20000


class _Contexts:
    """The contexts of one triage's results, each built once, on first use."""

    def __init__(self, impl: str, version: str | None, pillow: str | None) -> None:
        self.where = (impl, version, pillow)
        self._built: dict[int, tuple[Result, Context]] = {}

    def of(self, result: Result) -> Context:
        hit = self._built.get(id(result))
        if hit is None or hit[0] is not result:
            hit = self._built[id(result)] = (result, context(result, *self.where))
        return hit[1]


def _resolve(cause: Cause, ctx: Context) -> Candidate:
    return Candidate(cause.key(ctx), cause.text(ctx), cause.clause_for(ctx), cause.hint_for(ctx), cause)


def candidates(result: Result, measured: Sequence[Cause], impl: str = "", version: str | None = None,
               pillow: str | None = None, ctx: Context | None = None) -> tuple[list[Candidate], Context]:
    """Every cause that holds for `result`: the first measured behaviour that holds (they are
    ordered, most specific first), else every generic hypothesis that holds."""
    ctx = ctx or context(result, impl, version, pillow)
    for cause in measured:
        if cause.holds(ctx):
            return [_resolve(cause, ctx)], ctx
    return [_resolve(cause, ctx) for cause in GENERIC if cause.holds(ctx)], ctx


def _cached(result: Result, measured: Sequence[Cause], contexts: _Contexts) -> list[Candidate]:
    key = (id(result), id(measured))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is result:
        return hit[1]
    found, _ctx = candidates(result, measured, *contexts.where, ctx=contexts.of(result))
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    _CACHE[key] = (result, found)
    return found


# -- a run ----------------------------------------------------------------------------------------

_TRIAGES: dict[int, tuple[RunReport, Triage]] = {}


def triage_report(report: RunReport) -> Triage:
    """The causes of a report's unexpected results (cached per report object)."""
    hit = _TRIAGES.get(id(report))
    if hit is not None and hit[0] is report:
        return hit[1]
    if report.saved_causes is not None:
        found = from_saved(report.results, report.saved_causes)
    else:
        found = triage(report.results, report.environment)
    if len(_TRIAGES) > 64:
        _TRIAGES.clear()
    _TRIAGES[id(report)] = (report, found)
    return found


def triage(results: Iterable[Result], environment: Environment | None = None) -> Triage:
    measured, impl, version, pillow = profile(environment)
    results = list(results)
    contexts = _Contexts(impl, version, pillow)
    pending = [r for r in results if r.status in TRIAGED]
    found = {i: _cached(result, measured, contexts) for i, result in enumerate(pending)}
    passed_results = [r for r in results if r.status is Status.PASSED]
    passed = _PassedResults(passed_results, contexts)
    found = _consistent(pending, found, RunEvidence([contexts.of(r) for r in pending]))
    groups = {key: [candidate, [pending[i] for i in members], clause_set]
              for key, (candidate, members, clause_set) in greedy(found, passed.contradictions).items()}
    paired = _pairs(pending, found, groups, contexts)
    return _assemble(results, pending, groups, paired)


def _consistent(pending: list[Result], found: dict[int, list[Candidate]],
                evidence: RunEvidence) -> dict[int, list[Candidate]]:
    """The candidates without the pipeline variants the rest of the run contradicts
    (wbimage_conformance.triage.evidence). A result a variant explains together with another
    pipeline variant does not contradict it, as `_pairs` may explain it so. Each verdict
    depends on that variant's own support and the run alone, so one pass decides them all."""
    partners = [c.variant for c in pairable(GENERIC) if c.variant is not None]
    present = {c.key: c.cause.variant for listed in found.values() for c in listed if c.cause is not None and c.cause.variant is not None}
    doubtful = set()
    for key, variant in present.items():
        support = {id(pending[i]) for i, listed in found.items() if any(c.key == key for c in listed)}
        if not evidence.holds(variant, support, partners):
            doubtful.add(key)
    return {i: [c for c in listed if c.key not in doubtful] for i, listed in found.items()}


def _assemble(results: list[Result], pending: list[Result], groups: dict[str, list],
              paired: dict[str, tuple[Candidate, list[Result]]]) -> Triage:
    explained = {id(r) for g in groups.values() for r in g[1]} | {id(r) for g in paired.values() for r in g[1]}
    for key, (candidate, extra) in paired.items():
        group = groups.setdefault(key, [candidate, [], []])
        group[1].extend(extra)
        if candidate.clause not in group[2]:
            group[2].append(candidate.clause)
    built = []
    for key, (candidate, members, clause_set) in groups.items():
        ordered = tuple(r for r in pending if any(r is m for m in members))
        together = tuple(r.case.id for r in paired[key][1]) if key in paired else ()
        built.append(CauseGroup(key, candidate.title, candidate.hint, tuple(clause_set), ordered, together))
    built.sort(key=lambda g: (-len(g.results), g.id))
    unexplained = tuple(r for r in results if summary_unexpected(r) and id(r) not in explained)
    return Triage(tuple(built), unexplained)


def from_saved(results: Sequence[Result], saved: Iterable[SavedCause]) -> Triage:
    """The triage a saved report recorded, over its results (those it names that are not
    there, for instance in a merge, are left out)."""
    groups = []
    for cause in saved:
        explains = set(cause.explains)
        members = tuple(r for r in results if r.case.id in explains)
        if members:
            groups.append(CauseGroup(cause.id, cause.title, cause.hint, cause.clauses, members, cause.together))
    groups.sort(key=lambda g: (-len(g.results), g.id))
    explained = {case_id for g in groups for case_id in g.explains}
    return Triage(tuple(groups), tuple(r for r in results if summary_unexpected(r) and r.case.id not in explained))


def saved(found: Triage) -> tuple[SavedCause, ...]:
    """A triage as a report saves it."""
    return tuple(SavedCause(g.id, g.title, g.hint, g.clauses, g.explains, g.together) for g in found.causes)


def merged(triages: Sequence[Triage]) -> tuple[SavedCause, ...]:
    """The causes of several runs of one implementation put together: each cause explains what
    it explained in any of them. Every claim stays one that recomputation made."""
    out: dict[str, SavedCause] = {}
    for found in triages:
        for cause in saved(found):
            old = out.get(cause.id)
            if old is None:
                out[cause.id] = cause
                continue
            out[cause.id] = SavedCause(
                old.id, old.title, old.hint, old.clauses + tuple(c for c in cause.clauses if c not in old.clauses),
                old.explains + cause.explains, old.together + cause.together)
    return tuple(out.values())


def summary_unexpected(result: Result) -> bool:
    return result.status in TRIAGED or result.status is Status.XPASSED


class _PassedResults:
    """A run's passed results as evidence against causes: a pipeline variant that would have
    got some of them wrong is less likely than one that explains as much and got none wrong."""

    SAMPLE = 400

    def __init__(self, passed: list[Result], contexts: _Contexts) -> None:
        self._passed, self._contexts = passed[:self.SAMPLE], contexts
        self._counts: dict[str, int] = {}

    def contradictions(self, candidate: Candidate) -> int:
        variant = candidate.cause.variant if candidate.cause is not None else None
        if variant is None:
            return 0
        if candidate.key not in self._counts:
            self._counts[candidate.key] = sum(self._contexts.of(r).contradicts(variant) for r in self._passed)
        return self._counts[candidate.key]


def greedy(found: dict[int, list[Candidate]],
           contradictions: Callable[[Candidate], int] = lambda candidate: 0,
           ) -> dict[str, tuple[Candidate, list[int], list[str]]]:
    """Cause key -> (candidate, indices of the results it takes, clauses), the cause that
    explains most of the results left taking them first; among causes that explain as many,
    the one the passed results contradict least, then the one tried first."""
    left = {i for i in found if found[i]}
    first_seen: dict[str, tuple[int, Candidate]] = {}
    for i in sorted(found):
        for c in found[i]:
            first_seen.setdefault(c.key, (len(first_seen), c))
    groups: dict[str, tuple[Candidate, list[int], list[str]]] = {}
    while left:
        counts: dict[str, int] = {}
        for i in left:
            for c in found[i]:
                counts[c.key] = counts.get(c.key, 0) + 1
        most = max(counts.values())
        tied = [k for k in counts if counts[k] == most]
        best = min(tied, key=lambda k: (contradictions(first_seen[k][1]) if len(tied) > 1 else 0, first_seen[k][0]))
        members, clause_set = [], []
        for i in sorted(left):
            match = next((c for c in found[i] if c.key == best), None)
            if match is not None:
                members.append(i)
                if match.clause not in clause_set:
                    clause_set.append(match.clause)
        left -= set(members)
        groups[best] = (first_seen[best][1], members, clause_set)
    return groups


def _pairs(pending: list[Result], found: dict[int, list[Candidate]], groups: dict[str, list],
           contexts: _Contexts) -> dict[str, tuple[Candidate, list[Result]]]:
    """Results no single cause explains, explained by a pipeline variant found in this run
    together with one other: cause key -> those results. A pair is tried on a result only
    where each of its two variants can change that result's output."""
    found_here = pairable([groups[k][0].cause for k in groups])
    if not found_here:
        return {}
    combos: list[tuple[Cause, Cause, Variant, Variant, Variant]] = []
    for a, b in itertools.product(found_here, pairable(GENERIC)):
        if a.variant is None or b.variant is None:  # pairable causes all have one
            continue
        merged = a.variant.merged(b.variant)
        if b is not a and merged is not None and not any(merged == m for *_, m in combos):
            combos.append((a, b, a.variant, b.variant, merged))
    out: dict[str, tuple[Candidate, list[Result]]] = {}
    for i, result in enumerate(pending):
        if found[i] or result.status not in (Status.FAILED, Status.ERROR):
            continue
        ctx = contexts.of(result)
        call = ctx.call()
        if call is None:
            continue
        for a, b, a_variant, b_variant, merged in combos:
            if a_variant.applies(call) and b_variant.applies(call) and ctx.reproduces(merged):
                for cause in (a, b):
                    candidate = _resolve(cause, ctx)
                    out.setdefault(candidate.key, (candidate, []))[1].append(result)
                break
    return out
