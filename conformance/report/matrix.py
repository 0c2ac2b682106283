"""The compatibility matrix: which implementation does what, clause family by clause family.

Each column is one implementation's raw results (however they were run: `wbimage-conformance
matrix`, or results saved earlier, report.matrix_saved). A cell gives the cases passed out of
those run (skipped ones are counted apart) and the headline: the cause (wbimage_conformance.triage)
that explains most of the family's deviations, with the clause it breaks; where no cause
explains them, the clause most often broken with the reason from the implementation's shipped
expectations file (same name, version in range, the one measured with the same Pillow) or the
kind of failure. Each implementation's top causes over the whole suite head the table, and
each column's environment (Python, NumPy, Pillow, torch, sandbox) is listed below it, because
the results of older releases depend on them. This module is the table's model; it is written
out by report.matrix_render.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from wbimage_conformance.model import UNEXPECTED, Environment, Result, Status
from wbimage_conformance.run import expectations as expectation_files
from wbimage_conformance.triage import Triage, triage


@dataclass(frozen=True)
class Column:
    """One implementation's raw results, and the expectations file used for its reasons."""

    label: str
    environment: Environment
    results: tuple[Result, ...]
    expectations: expectation_files.Expectations | None = None


@dataclass(frozen=True)
class Cell:
    passed: int
    ran: int
    skipped: int
    headline: str          # "" when everything that ran passed
    headline_count: int


@dataclass(frozen=True)
class Matrix:
    columns: tuple[Column, ...]
    families: tuple[str, ...]
    cells: dict[tuple[str, int], Cell]
    case_set_digest: str
    triages: tuple[Triage, ...] = ()


# -- which expectations explain a column ---------------------------------------------------------


def shipped_expectations(environment: Environment) -> expectation_files.Expectations | None:
    """The shipped file describing this implementation and version; among several, the one
    recorded as drafted under the same Pillow."""
    fitting = []
    for path in sorted(expectation_files.SHIPPED_DIR.glob("*.yaml")):
        try:
            loaded = expectation_files.load(path)
        except expectation_files.ExpectationsError:
            continue
        if loaded.implementation != environment.implementation:
            continue
        version = environment.implementation_version
        if loaded.versions is not None and (
                version is None or not expectation_files.version_in_range(version, loaded.versions)):
            continue
        fitting.append((path, loaded))
    if len(fitting) > 1 and environment.pillow:
        same_pillow = [f for f in fitting if f[1].environment.get("pillow") == environment.pillow]
        fitting = same_pillow or fitting
    return fitting[0][1] if fitting else None


def unexpected(column: Column) -> list[Result]:
    """The column's results that its expectations (the shipped file that fits) do not foresee."""
    verdicts = expectation_files.apply(column.expectations, column.results)
    return [r for r in verdicts if r.status in UNEXPECTED]


# -- the table ----------------------------------------------------------------------------------


def cause(result: Result, expectations: expectation_files.Expectations | None) -> tuple[str, str]:
    """(clause broken, reason in a few words) for one case that did not pass."""
    entry = expectations.deviations.get(result.case.id) if expectations else None
    if entry is not None:
        return entry.clause or result.case.clauses[0], entry.reason.split(": ")[0]
    clause = result.case.clauses[0]
    if result.status is Status.ERROR and result.observation is not None and result.observation.error_type:
        return clause, f"raises {result.observation.error_type}"
    if result.status in (Status.TIMEOUT, Status.CRASH):
        return clause, result.status.value
    fields = sorted({m.field.split(".")[0] for m in result.mismatches})
    return clause, ("wrong " + ", ".join(fields)) if fields else result.status.value


def _cause_headline(found: Triage, bad: list[Result]) -> tuple[str, int]:
    """The cause explaining most of `bad`, as "[clause] title", and how many it explains."""
    ids = {r.case.id for r in bad}
    best = max(found.causes, key=lambda g: len(ids & set(g.explains)), default=None)
    count = len(ids & set(best.explains)) if best else 0
    if best is None or not count:
        return "", 0
    return f"[{best.clauses[0]}] {best.title}", count


def build(columns: Sequence[Column]) -> Matrix:
    triages = tuple(triage(column.results, column.environment) for column in columns)
    families = sorted({result.case.family for column in columns for result in column.results})
    cells = {(family, index): _cell([r for r in column.results if r.case.family == family], column, triages[index])
             for index, column in enumerate(columns) for family in families}
    digest = columns[0].environment.case_set_digest if columns else ""
    return Matrix(tuple(columns), tuple(families), cells, digest, triages)


def _cell(mine: list[Result], column: Column, found: Triage) -> Cell:
    """One family's results in one column: counts, and the headline of those that did not pass."""
    skipped = sum(1 for r in mine if r.status is Status.SKIPPED)
    passed = sum(1 for r in mine if r.status is Status.PASSED)
    bad = [r for r in mine if r.status not in (Status.PASSED, Status.SKIPPED)]
    headline, count = _cause_headline(found, bad) if bad else ("", 0)
    if bad and not headline:
        headline, count = _commonest_cause(bad, column.expectations)
    return Cell(passed, len(mine) - skipped, skipped, headline, count)


def _commonest_cause(bad: list[Result], expectations: expectation_files.Expectations | None) -> tuple[str, int]:
    """Where no triaged cause explains them: the clause most often broken, with its commonest reason."""
    causes = [cause(r, expectations) for r in bad]
    clause, _ = Counter(c for c, _ in causes).most_common(1)[0]
    reason, count = Counter(r for c, r in causes if c == clause).most_common(1)[0]
    return f"[{clause}] {reason}", count
