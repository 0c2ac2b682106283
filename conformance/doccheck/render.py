"""A docs report in any of its formats, and where it goes: standard output, files, the CI step
summary. `docs check` and `report` (merging shards) both write through here.

    text      for people (doccheck.report)        json      for CI and merging (its schema)
    markdown  for a step summary (report_markdown)  junit   for dashboards (report_junit)

Text from pages and examples is escaped by each format (control characters in text and
Markdown, XML's forbidden characters in JUnit, HTML in Markdown); what none of them can
write, a lone surrogate from an example's exception message, leaves every format as a
`\\udNNN` escape (still valid JSON). A report file is replaced whole (stored.writing), so a
write that fails leaves the previous report.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from wbimage_conformance.doccheck import findings, report, report_junit, report_markdown
from wbimage_conformance.errors import UsageError
from wbimage_conformance.stored import writing

FORMATS = ("text", "json", "markdown", "junit")
STEP_SUMMARY = "GITHUB_STEP_SUMMARY"


def render(result: findings.DocsReport, fmt: str, *, verbose: bool = False) -> str:
    return _encodable(_render(result, fmt, verbose))


def _encodable(text: str) -> str:
    """`text` that UTF-8 can write: a lone surrogate becomes its backslash escape."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _render(result: findings.DocsReport, fmt: str, verbose: bool) -> str:
    if fmt == "text":
        out = io.StringIO()
        report.write_text(result, out, verbose)
        return out.getvalue()
    if fmt == "json":
        out = io.StringIO()
        report.write_json(result, out)
        return out.getvalue()
    if fmt == "markdown":
        return report_markdown.render(result)
    if fmt == "junit":
        return report_junit.render(result)
    raise UsageError(f"{fmt!r} is not a format of docs reports; choose among {', '.join(FORMATS)}")


def emit(result: findings.DocsReport, fmt: str, output: str | None, files: Sequence[tuple[str, str]] = (), *,
         verbose: bool = False, environ: Mapping[str, str] | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> None:
    """`fmt` into `output` (None: standard output), each (format, path) of `files` into its
    file, and the Markdown appended to $GITHUB_STEP_SUMMARY when it is set (GitHub Actions)."""
    environ = os.environ if environ is None else environ
    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    for kind, path in ([(fmt, output)] if output else []) + list(files):
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            writing.replace_text(path, render(result, kind, verbose=verbose))
        except OSError as exc:
            raise UsageError(f"{path}: cannot write the {kind} report: {exc.strerror or exc}") from None
        if files:
            print(f"wbimage-conformance: wrote {kind} report: {path}", file=stderr)
    summary = environ.get(STEP_SUMMARY)
    if summary:
        try:
            with open(summary, "a", encoding=writing.ENCODING, errors=writing.ERRORS) as handle:
                handle.write(render(result, "markdown") + "\n")
        except OSError as exc:
            print(f"wbimage-conformance: warning: ${STEP_SUMMARY} {summary}: cannot append: {exc.strerror or exc}",
                  file=stderr)
    if not output:
        stdout.write(render(result, fmt, verbose=verbose))
        stdout.flush()

