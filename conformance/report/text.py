"""The terminal report: causes first, then the unexpected results no cause explains, then
header, summary by clause family, the explained results one line each, skips and totals.

Plain text first: without colour every line still says everything (statuses are words, not
colours), so a CI log reads the same as a terminal. ANSI colour is only decoration on top.
"""

from __future__ import annotations

from collections import Counter

from wbimage_conformance.model import Result, RunReport, Status
from wbimage_conformance.report import causes, summary
from wbimage_conformance.report.describe import describe, printable

_COLOURS = {
    Status.PASSED: "32",
    Status.XFAILED: "33",
    Status.SKIPPED: "33",
    Status.FAILED: "31",
    Status.ERROR: "31",
    Status.XPASSED: "31",
    Status.TIMEOUT: "35",
    Status.CRASH: "35",
}


class _Paint:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled and text else text

    def status(self, text: str, status: Status) -> str:
        return self(text, "1;" + _COLOURS[status])


def _indent(text: str, prefix: str) -> str:
    """Continuation lines of a multi-line value line up under its first line."""
    return ("\n" + prefix).join(printable(text).split("\n"))


def _title(report: RunReport, paint: _Paint) -> str:
    counts = summary.totals(report)
    verdict = "every case as expected" if report.ok else f"{counts.unexpected} unexpected result(s)"
    return paint(f"wbimage-conformance report: {printable(summary.implementation_label(report))}: {verdict}", "1")


def _header(report: RunReport, paint: _Paint) -> list[str]:
    rows = summary.header_rows(report)
    width = max(len(label) for label, _ in rows)
    lines = [paint("Environment", "1")]
    lines += [f"  {label:<{width}}  {printable(value)}" for label, value in rows]
    return lines


def _family_table(report: RunReport, paint: _Paint) -> list[str]:
    families = summary.by_family(report)
    keys = [summary.SUMMARY_KEYS[s] for s in Status]
    names = list(families) + ["total"]
    first = max([len("family")] + [len(n) for n in names])
    widths = [max(len(k), 5) for k in keys]
    head = f"{'family':<{first}}  {'total':>5}  " + "  ".join(f"{k:>{w}}" for k, w in zip(keys, widths, strict=True))
    lines = [paint(head, "1")]

    def row(name: str, counts: summary.Counts) -> str:
        cells = []
        for status, width in zip(Status, widths, strict=True):
            n = counts[status]
            cell = f"{n:>{width}}"
            cells.append(paint.status(cell, status) if n else paint(cell, "2"))
        return f"{name:<{first}}  {counts.total:>5}  " + "  ".join(cells)

    lines += [row(printable(name), counts) for name, counts in families.items()]
    lines.append("-" * len(head))
    lines.append(row("total", summary.totals(report)))
    return lines


def _result_block(result: Result, paint: _Paint) -> list[str]:
    case = result.case
    label = result.status.value.upper()
    lines = [f"{paint.status(label, result.status)} {paint(printable(case.id), '1')}  {printable(case.title)}"]
    field = "    {:<11} {}"
    pad = " " * 16
    lines.append(field.format("at", printable(case.location)))
    lines.append(field.format("clauses", printable(", ".join(case.clauses) or "none")))
    if result.reproduction:
        lines.append(field.format("reproduce", _indent(result.reproduction, pad)))
    message = summary.message_beyond_mismatches(result)
    if message:
        lines.append(field.format("message", _indent(message, pad)))
    if result.expectation_reason:
        lines.append(field.format("expectation", _indent(result.expectation_reason, pad)))
    for mismatch in result.mismatches:
        lines.append("    " + _indent(describe(mismatch), "      "))
    return lines


def _causes(report: RunReport, paint: _Paint) -> list[str]:
    views = causes.views(report)
    if not views:
        return []
    explained = causes.triaged(report).explained_count
    total = len(summary.unexpected_results(report))
    lines = [paint(f"Causes ({len(views)}, explaining {explained} of {total} unexpected results)", "1")]
    for number, view in enumerate(views, start=1):
        group = view.group
        lines += ["", f"{number}. {paint(printable(group.title), '1')}: {view.count} case(s)  [{printable(group.id)}]"]
        field = "    {:<11} {}"
        pad = " " * 16
        for clause, sentence in view.clauses:
            lines.append(field.format("breaks", _indent(f"[{clause}] {sentence}".rstrip(), pad)))
        if group.hint:
            lines.append(field.format("hint", _indent(group.hint, pad)))
        example = view.example
        lines.append(field.format("example", f"{printable(example.case.id)}  {printable(example.case.location)}"))
        if example.reproduction:
            lines.append(field.format("reproduce", _indent(example.reproduction, pad)))
        if view.example_note:
            lines.append(field.format("observed", _indent(view.example_note, pad)))
        if group.together:
            lines.append(field.format("together", f"{len(group.together)} of these only with another cause above"))
        lines.append(field.format("cases", _indent(_wrapped(group.explains), pad)))
    return lines


def _wrapped(ids: tuple[str, ...], width: int = 100) -> str:
    lines, line = [], ""
    for case_id in ids:
        piece = printable(case_id)
        if line and len(line) + 2 + len(piece) > width:
            lines.append(line + ",")
            line = piece
        else:
            line = f"{line}, {piece}" if line else piece
    return "\n".join(lines + [line])


def _explained_lines(report: RunReport, paint: _Paint) -> list[str]:
    by_case = causes.cause_of(report)
    rows = [r for r in summary.unexpected_results(report) if r.case.id in by_case]
    if not rows:
        return []
    lines = [paint(f"Explained by a cause above ({len(rows)})", "1")]
    for r in rows:
        lines.append(f"  {paint.status(r.status.value.upper(), r.status)} {printable(r.case.id)}  "
                     f"{printable(r.case.location)}  ({printable(by_case[r.case.id])})")
    return lines


def _skips(report: RunReport) -> list[str]:
    reasons = Counter(r.message or "no reason given" for r in report.results if r.status is Status.SKIPPED)
    ordered = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    return [f"  {n} x {_indent(reason, '      ')}" for reason, n in ordered]


def render(report: RunReport, *, color: bool = False) -> str:
    paint = _Paint(color)
    lines = [_title(report, paint)]
    found = _causes(report, paint)
    if found:
        lines += ["", *found]
    unexplained = causes.unexplained(report)
    if unexplained:
        title = "Unexplained results" if found else "Unexpected results"
        lines += ["", paint(f"{title} ({len(unexplained)})", "1")]
        for result in unexplained:
            lines += ["", *_result_block(result, paint)]
    lines += ["", *_header(report, paint), "", *(_family_table(report, paint))]
    explained = _explained_lines(report, paint)
    if explained:
        lines += ["", *explained]
    skips = _skips(report)
    if skips:
        lines += ["", paint("Skipped, by reason", "1"), *skips]
    counts = summary.totals(report)
    if report.ok:
        verdict = paint("every case as expected", "1;32")
    else:
        verdict = paint(f"{counts.unexpected} unexpected result(s)", "1;31")
    lines += ["", f"verdict: {verdict}", summary.long_line(counts), summary.short_line(counts)]
    return "\n".join(lines) + "\n"
