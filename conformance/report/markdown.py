"""Markdown for a CI step summary (GitHub's $GITHUB_STEP_SUMMARY and the like).

Everything that comes from a case, an implementation, an exception or a saved report is
escaped: step summaries render HTML, so an error message or a cause id holding `<script>` or a
`|` must not change the page's structure. Short literals (versions, cause ids, file:line) go in
code spans and prose in text escaped only where Markdown would read it otherwise, so `0.1.0`
stays `0.1.0` in the raw file as on the page. Reproduction lines go in code fences longer than any backtick run they
contain, so they are shown verbatim and can be copied as they are.
"""

from __future__ import annotations

import html
import re

from wbimage_conformance.model import Result, RunReport, Status
from wbimage_conformance.report import causes, summary
from wbimage_conformance.report.describe import describe, printable

_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
#: What turns the start of a line into a block: a heading (`#` to `######` then a space), a
#: list item (`-`, `+`, or digits and `.` or `)`, then a space), a quote (`>`), or a line of
#: `=` or `-` alone (a heading's underline). `0.1.0` or `-1` starts none of them.
_BLOCK_START = re.compile(r"^(#{1,6}(?=\s|$)|[+-](?=\s|$)|>|\d{1,9}[.)](?=\s|$)|[=-]+\s*$)")


def text(value: str, *, line_start: bool = False) -> str:
    """Inline text, shown literally: HTML escaped (so `<img onerror=...>` stays text), Markdown
    punctuation backslashed, one line.

    Only the characters that can start emphasis, code, links, tables or strike-through
    inside a line are escaped; at the start of a line (`line_start`), also whatever would turn
    it into a heading, list, quote or underline. The rest stays as it is, readable in the raw
    Markdown too.
    """
    flat = " ".join(printable(str(value)).split())
    escaped = _SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))
    return _BLOCK_START.sub(_escape_block_start, escaped) if line_start else escaped


def _escape_block_start(match: re.Match[str]) -> str:
    marker = match.group()
    if marker[0].isdigit():
        return marker[:-1] + "\\" + marker[-1]
    return "\\" + marker


def inline_code(value: str, *, in_table: bool = False) -> str:
    """A short literal (a file:line, a version, a cause id) as a code span, where GitHub shows
    `<`, `_` or `*` as themselves without escapes; as escaped text when it holds a backtick or
    a newline. In a table cell a `|` would end the cell even inside a code span: `\\|` there."""
    value = printable(str(value))
    if "`" in value or "\n" in value or not value.strip():
        return text(value)
    return f"`{value.replace('|', chr(92) + '|')}`" if in_table else f"`{value}`"


def code_block(content: str, language: str = "") -> str:
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{content}\n{fence}"


def table(head: list[str], rows: list[list[str]]) -> list[str]:
    """A GitHub table of cells already escaped (`text`, `inline_code(..., in_table=True)`)."""
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _environment(report: RunReport) -> list[str]:
    return table(["environment", ""], [[f"**{label}**", inline_code(value, in_table=True)]
                                       for label, value in summary.header_rows(report)])


def _families(report: RunReport) -> list[str]:
    keys = [summary.SUMMARY_KEYS[s] for s in Status]
    rows = []
    for name, counts in summary.by_family(report).items():
        rows.append([text(name), str(counts.total)] + [str(counts[s]) for s in Status])
    totals = summary.totals(report)
    rows.append(["**total**", f"**{totals.total}**"] + [f"**{totals[s]}**" for s in Status])
    return table(["family", "total", *keys], rows)


def _result(result: Result) -> list[str]:
    case = result.case
    lines = [
        f"#### {result.status.value.upper()}: {text(case.id)}",
        "",
        f"{text(case.title, line_start=True)}  ",
        f"at {inline_code(case.location)} · clauses: {text(', '.join(case.clauses) or 'none')}",
        "",
    ]
    if result.reproduction:
        lines += [code_block(printable(result.reproduction), "python"), ""]
    bullets = []
    message = summary.message_beyond_mismatches(result)
    if message:
        bullets.append(f"- message: {text(message)}")
    if result.expectation_reason:
        bullets.append(f"- expectation: {text(result.expectation_reason)}")
    bullets += [f"- {text(describe(m))}" for m in result.mismatches]
    return lines + bullets + ([""] if bullets else [])


def _causes(report: RunReport) -> list[str]:
    views = causes.views(report)
    if not views:
        return []
    explained = causes.triaged(report).explained_count
    lines = [(f"### Causes ({len(views)}, explaining {explained} of {len(summary.unexpected_results(report))} "
             "unexpected results)"), ""]
    for number, view in enumerate(views, start=1):
        group, example = view.group, view.example
        lines += [f"{number}. **{text(group.title)}**: {view.count} case(s) {inline_code(group.id)}", ""]
        for clause, sentence in view.clauses:
            lines.append(f"   - breaks **\\[{text(clause)}\\]**: {text(sentence)}")
        if group.hint:
            lines.append(f"   - hint: {text(group.hint)}")
        lines.append(f"   - example: {text(example.case.id)} at {inline_code(example.case.location)}: "
                     f"{text(view.example_note)}")
        if group.together:
            lines.append(f"   - {len(group.together)} of these only together with another cause above")
        lines.append(f"   - cases: {text(', '.join(group.explains))}")
        if example.reproduction:
            lines += ["", "   " + code_block(printable(example.reproduction), "python").replace("\n", "\n   ")]
        lines.append("")
    return lines


def render(report: RunReport, *, color: bool = False) -> str:
    counts = summary.totals(report)
    verdict = "every case as expected" if report.ok else f"{counts.unexpected} unexpected result(s)"
    lines = [
        f"## wbimage-conformance: {text(summary.implementation_label(report))}: {verdict}",
        "",
        f"**{summary.short_line(counts)}** ({summary.long_line(counts)})",
        "",
        *_causes(report),
    ]
    unexplained = causes.unexplained(report)
    if unexplained:
        title = "Unexplained results" if causes.views(report) else "Unexpected results"
        lines += ["<details open>", f"<summary>{title} ({len(unexplained)})</summary>", ""]
        for result in unexplained:
            lines += _result(result)
        lines += ["</details>", ""]
    lines += [
        *_environment(report),
        "",
        "### Summary by clause family",
        "",
        *_families(report),
        "",
    ]
    by_case = causes.cause_of(report)
    explained = [r for r in summary.unexpected_results(report) if r.case.id in by_case]
    if explained:
        lines += ["<details>", f"<summary>Explained by a cause above ({len(explained)})</summary>", ""]
        for result in explained:
            lines += _result(result)
        lines += ["</details>", ""]
    return "\n".join(lines)
