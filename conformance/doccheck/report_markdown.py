"""`docs check` as Markdown, for a CI step summary ($GITHUB_STEP_SUMMARY): the verdict, the
counts, the findings per locale and per check, the errors and warnings with their places, and
the rest (notes, pages, pages left out) folded away. Text from pages and messages is escaped
as the run report escapes it (report.markdown), so a page's `|` or `<script>` stays text.
"""

from __future__ import annotations

from collections import Counter

from wbimage_conformance.doccheck.findings import DocsReport, Finding, Severity
from wbimage_conformance.doccheck import report as text_report
from wbimage_conformance.report.markdown import inline_code, text

#: Findings listed in full; more are counted, the JSON report has them all.
MAX_LISTED = 200


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|",
            *("| " + " | ".join(row) + " |" for row in rows), ""]


def _findings(found: list[Finding]) -> list[str]:
    lines = []
    for f in found[:MAX_LISTED]:
        lines.append(f"- {inline_code(f'{f.file}:{f.line}')} **{f.severity.value}** \\[{text(f.check)}\\] "
                     f"{text(f.subject)}: {text(f.message)}")
    if len(found) > MAX_LISTED:
        lines.append(f"- … and {len(found) - MAX_LISTED} more (the JSON report lists every one)")
    return lines + [""]


def _folded(summary: str, body: list[str]) -> list[str]:
    return ["<details>", f"<summary>{summary}</summary>", "", *body, "</details>", ""]


def render(report: DocsReport) -> str:
    """The step summary: the verdict and counts, tables by locale and check, errors and
    warnings in full, notes, pages and left-out pages folded."""
    lines = _heading(report) + _tallies(report)
    for severity, title in ((Severity.ERROR, "Errors"), (Severity.WARNING, "Warnings")):
        found = [f for f in report.findings if f.severity is severity]
        if found:
            lines += [f"### {title} ({len(found)})", "", *_findings(found)]
    found = [f for f in report.findings if f.severity is Severity.NOTE]
    if found:
        lines += _folded(f"Notes ({len(found)})", _findings(found))
    if report.pages:
        lines += _pages(report)
    if report.skipped:
        lines += _left_out(report)
    return "\n".join(lines)


def _heading(report: DocsReport) -> list[str]:
    verdict = "OK" if report.ok else "FAILED"
    errors, warnings, notes = (report.count(s) for s in Severity)
    scope = f"{len(report.pages)} page(s) checked"
    if report.walked:
        scope += f" of {report.walked} walked"
    if report.skipped:
        scope += f", {len(report.skipped)} left out"
    if report.shard is not None:
        scope += f" (shard {report.shard.index}/{report.shard.count})"
    return [f"## wbimage-conformance docs check: {verdict}", "",
            f"**{errors} error(s), {warnings} warning(s), {notes} note(s)**; {scope}; "
            f"{len(report.runs)} example(s) run against {text(report.implementation)} in {report.duration_s:.1f} s",
            ""]


def _tallies(report: DocsReport) -> list[str]:
    lines: list[str] = []
    locales = text_report.by_locale(report)
    if locales:
        lines += _table(["locale", "pages", "errors", "warnings", "notes"],
                        [[text(locale), str(c["pages"]), str(c["errors"]), str(c["warnings"]), str(c["notes"])]
                         for locale, c in locales.items()])
    checks = text_report.by_check(report)
    if checks:
        lines += _table(["check", "errors", "warnings", "notes"],
                        [[text(check), str(c["errors"]), str(c["warnings"]), str(c["notes"])]
                         for check, c in checks.items()])
    return lines


def _pages(report: DocsReport) -> list[str]:
    errors = Counter(f.file for f in report.findings if f.severity is Severity.ERROR)
    rows = [[inline_code(p.path), text(p.locale), text(p.doc or "-"), str(len(p.blocks)), str(errors[p.path])]
            for p in report.pages]
    return _folded(f"Pages ({len(report.pages)})", _table(["page", "locale", "document", "blocks", "errors"], rows))


def _left_out(report: DocsReport) -> list[str]:
    reasons = Counter(s.reason for s in report.skipped)
    body = [f"- {n}: {text(reason)}" for reason, n in reasons.most_common()] + [""]
    body += [f"- {inline_code(s.path)}: {text(s.reason)}" for s in report.skipped[:MAX_LISTED]]
    if len(report.skipped) > MAX_LISTED:
        body.append(f"- … and {len(report.skipped) - MAX_LISTED} more (the JSON report lists every one)")
    return _folded(f"Left out ({len(report.skipped)})", body + [""])
