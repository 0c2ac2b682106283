"""The causes of a run's unexpected results, as every report format shows them.

Reports lead with these: a cause, how many cases it explains, the clause(s) it breaks with
the clause's sentence from SPEC.md, one representative reproduction and a one-line hint;
then the unexpected results no cause explains. The triage itself is
wbimage_conformance.triage; this module only picks what a reader needs from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from wbimage_conformance.model import Result, RunReport
from wbimage_conformance.report import summary
from wbimage_conformance.report.describe import describe
from wbimage_conformance.triage import CauseGroup, Triage, triage_report


@dataclass(frozen=True)
class CauseView:
    group: CauseGroup
    count: int
    clauses: tuple[tuple[str, str], ...]   # (clause id, its sentence)
    example: Result
    example_note: str                      # what differs in the example, one line

    @property
    def headline(self) -> str:
        return f"{self.group.title} ({self.count} case{'s' if self.count != 1 else ''})"


def triaged(report: RunReport) -> Triage:
    return triage_report(report)


def views(report: RunReport) -> list[CauseView]:
    return [view(group) for group in triaged(report).causes]


def view(group: CauseGroup) -> CauseView:
    example = group.example
    return CauseView(group, len(group.results), tuple(group.clause_sentences()), example, note(example))


def note(result: Result) -> str:
    """What went wrong in one result, in one line: its first mismatch, or its message."""
    if result.mismatches:
        return describe(result.mismatches[0])
    return (summary.message_beyond_mismatches(result) or result.message).split("\n")[0]


def cause_of(report: RunReport) -> dict[str, str]:
    """Case id -> id of the cause that explains it (the first, for a case two causes explain)."""
    out: dict[str, str] = {}
    for group in triaged(report).causes:
        for case_id in group.explains:
            out.setdefault(case_id, group.id)
    return out


def unexplained(report: RunReport) -> list[Result]:
    return list(triaged(report).unexplained)
