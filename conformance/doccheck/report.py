"""`docs check` reports: text for people, JSON for CI (schema:
conformance/schemas/docs-report.schema.json).

Text: one line per finding, `FILE:LINE: SEVERITY [CHECK] SUBJECT: MESSAGE`, sorted by file
and line, then one line per page, the pages a walk left out (one line; each with its reason
when verbose), the findings per locale and per check, and a verdict line. What comes from
pages, file names and examples (an exception's message) goes through `shown`: the one
sanitizer (report.terminal.printable) shows control characters (escape sequences that retitle
or clear a terminal, or write its clipboard), bidi overrides and lone surrogates as escapes,
and a newline becomes `\\n`, so a field can neither drive the terminal nor
forge a line of the report.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import IO, Any

from wbimage_conformance.doccheck.findings import CHECKS, DocsReport, Finding, Severity
from wbimage_conformance.report.terminal import printable

SCHEMA_ID = "wbimage-conformance/docs-report/1"


def _counts(findings: Iterable[Finding]) -> dict[str, int]:
    counted = Counter(f.severity for f in findings)
    return {"errors": counted[Severity.ERROR], "warnings": counted[Severity.WARNING],
            "notes": counted[Severity.NOTE]}


def by_locale(report: DocsReport) -> dict[str, dict[str, int]]:
    """Per locale (in the order pages list them): its pages and the findings on them."""
    locale_of = {p.path: p.locale for p in report.pages}
    out: dict[str, dict[str, int]] = {}
    for locale in dict.fromkeys(p.locale for p in report.pages):
        pages = sum(1 for p in report.pages if p.locale == locale)
        out[locale] = {"pages": pages, **_counts(f for f in report.findings if locale_of.get(f.file) == locale)}
    return out


def by_check(report: DocsReport) -> dict[str, dict[str, int]]:
    """Per check that found anything, in the order CHECKS lists them."""
    checks = sorted({f.check for f in report.findings},
                    key=lambda c: CHECKS.index(c) if c in CHECKS else len(CHECKS))
    return {check: _counts(f for f in report.findings if f.check == check) for check in checks}


def to_json(report: DocsReport) -> dict[str, Any]:
    return {
        "schema": SCHEMA_ID,
        "ok": report.ok,
        "implementation": report.implementation,
        "summary": {
            "pages": len(report.pages),
            "walked": report.walked,
            "skipped": len(report.skipped),
            "examples_run": len(report.runs),
            "errors": report.count(Severity.ERROR),
            "warnings": report.count(Severity.WARNING),
            "notes": report.count(Severity.NOTE),
            "duration_s": report.duration_s,
            "locales": by_locale(report),
            "checks": by_check(report),
        },
        "shard": None if report.shard is None else {
            "index": report.shard.index, "count": report.shard.count, "selection": list(report.shard.selection)},
        "skipped": [{"path": s.path, "reason": s.reason} for s in report.skipped],
        "environment": dict(report.environment),
        "pages": [
            {
                "path": p.path, "locale": p.locale, "locale_source": p.locale_source, "doc": p.doc,
                "title": p.title, "identifier": p.identifier, "translation_key": p.translation_key,
                "generator": p.generator, "doc_evidence": list(p.doc_evidence),
                "blocks": [{"line": b.line, "kind": b.kind, "subject": b.subject, "clauses": list(b.clauses),
                            "cases": list(b.cases), "status": b.status} for b in p.blocks],
            }
            for p in report.pages
        ],
        "runs": [
            {"file": r.file, "line": r.line, "example": r.subject, "status": r.status, "duration_s": r.duration_s,
             "images": r.images, "logged": list(r.logged), "message": r.message}
            for r in report.runs
        ],
        "findings": [
            {"severity": f.severity.value, "check": f.check, "file": f.file, "line": f.line, "subject": f.subject,
             "message": f.message, "clauses": list(f.clauses), "cases": list(f.cases),
             "related": [{"file": r.file, "line": r.line} for r in f.related]}
            for f in report.findings
        ],
        "sentences": [
            {"file": r.file, "line": r.line, "text": r.text, "statements": list(r.statements),
             "problems": list(r.problems), "other": list(r.other), "understood": r.understood}
            for r in report.readings
        ],
    }


def write_json(report: DocsReport, out: IO[str]) -> None:
    json.dump(to_json(report), out, indent=2, ensure_ascii=False)
    out.write("\n")


def shown(value: object) -> str:
    """A field of a text line: control characters visible as \\xNN, newlines as \\n."""
    return printable(str(value)).replace("\n", "\\n")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def write_explain(report: DocsReport, out: IO[str]) -> None:
    """Every sentence about the Image surface: checked (with what), or not understood."""
    for r in report.readings:
        out.write(f"{shown(r.file)}:{r.line}: {shown(r.text[:200])}\n")
        for statement in r.statements:
            out.write(f"    statement {shown(statement)}\n")
        for problem in r.problems:
            out.write(f"    contradicted: {shown(problem)}\n")
        for other in r.other:
            out.write(f"    read as {shown(other)}\n")
        if not r.understood:
            out.write("    not understood: nothing in it was checked\n")
    if report.readings:
        understood = sum(1 for r in report.readings if r.understood)
        out.write(f"sentences about the Image surface: {len(report.readings)}, {understood} read into statements, "
                  f"{len(report.readings) - understood} not understood\n\n")


def _shown_counts(counts: dict[str, int]) -> str:
    return ", ".join(_plural(counts[key + "s"], key) for key in ("error", "warning", "note"))


def write_text(report: DocsReport, out: IO[str], verbose: bool = False) -> None:
    """Findings first (one line each, `file:line:` so editors jump to them), then a line per
    page, the tallies, and the closing verdict."""
    write_explain(report, out)
    _write_findings(report, out)
    _write_pages(report, out)
    _write_tallies(report, out, verbose)
    verdict = "OK" if report.ok else "FAILED"
    out.write(f"docs check: {_plural(len(report.pages), 'page')}, {_plural(report.count(Severity.ERROR), 'error')}, "
              f"{_plural(report.count(Severity.WARNING), 'warning')}, {_plural(report.count(Severity.NOTE), 'note')}"
              f" in {report.duration_s:.1f} s: {verdict}\n")


def _write_findings(report: DocsReport, out: IO[str]) -> None:
    for f in report.findings:
        out.write(f"{shown(f.file)}:{f.line}: {f.severity.value} [{shown(f.check)}] {shown(f.subject)}: "
                  f"{shown(f.message)}\n")
        for related in f.related:
            out.write(f"    see {shown(related)}\n")
        if f.cases and f.severity is not Severity.NOTE:
            cases = ", ".join(f.cases[:5]) + (", ..." if len(f.cases) > 5 else "")
            out.write(f"    cases: {shown(cases)}\n")
    if report.findings:
        out.write("\n")


def _write_pages(report: DocsReport, out: IO[str]) -> None:
    severities: dict[str, Counter[Severity]] = {}
    for f in report.findings:
        severities.setdefault(f.file, Counter())[f.severity] += 1
    for page in report.pages:
        kinds = Counter(b.kind for b in page.blocks)
        counts = severities.get(page.path, Counter())
        shown_kinds = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        out.write(f"{shown(page.path)}: {shown(page.locale)} ({page.locale_source}), "
                  f"{shown(page.doc or 'a page the spec does not cite')} ({page.generator}); "
                  f"{shown_kinds or 'nothing to check'}; {_plural(counts[Severity.ERROR], 'error')}, "
                  f"{_plural(counts[Severity.WARNING], 'warning')}, {_plural(counts[Severity.NOTE], 'note')}\n")


def _write_tallies(report: DocsReport, out: IO[str], verbose: bool) -> None:
    """Examples run, pages left out (listed with -v), the shard, and counts by locale and check."""
    if report.runs:
        statuses = Counter(r.status for r in report.runs)
        tally = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
        out.write(f"examples: {len(report.runs)} run against {shown(report.implementation)} ({tally})\n")
    if report.skipped:
        _write_skipped(report, out, verbose)
    if report.shard is not None:
        out.write(f"shard {report.shard.index}/{report.shard.count}: {_plural(len(report.pages), 'page')} of "
                  f"{len(report.shard.selection)} selected\n")
    if report.pages:
        out.write("by locale: " + "; ".join(f"{shown(locale)} {_plural(c['pages'], 'page')} ({_shown_counts(c)})"
                                            for locale, c in by_locale(report).items()) + "\n")
    if report.findings:
        out.write("by check: " + "; ".join(f"{check} {_shown_counts(c)}" for check, c in by_check(report).items())
                  + "\n")


def _write_skipped(report: DocsReport, out: IO[str], verbose: bool) -> None:
    reasons = Counter(s.reason for s in report.skipped)
    tally = "; ".join(f"{n} {shown(reason)}" for reason, n in reasons.most_common())
    walked = f" of {report.walked} walked" if report.walked else ""
    out.write(f"skipped: {_plural(len(report.skipped), 'page')}{walked} ({tally})"
              + ("" if verbose else "; -v lists them") + "\n")
    if verbose:
        for skipped in report.skipped:
            out.write(f"    {shown(skipped.path)}: {shown(skipped.reason)}\n")
