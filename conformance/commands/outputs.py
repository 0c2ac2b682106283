"""Where the reports of `run` and `report` go: the terminal, files, the CI step summary, a badge.

    --format FORMAT [--output PATH]   one report on standard output, or into PATH
    --report FORMAT=PATH              one more report into a file (repeatable)
    --badge PATH                      a shields.io endpoint badge (report.badge)

One run, every report: a CI job wants JUnit for its dashboard, JSON to merge, HTML to attach
and a readable log, and a second run for each would cost time and could disagree. So the
terminal always gets the text report: on standard output, unless `--format` put another format
there, then on standard error. Each file written is named on standard error. When
`$GITHUB_STEP_SUMMARY` is set (GitHub Actions sets it for every step) the Markdown report is
appended to that file. Folders of report paths are made, and checked, before the run starts,
so a mistyped path costs seconds, not a whole run. Every file is written whole or not at all
(stored.writing: a temporary file beside it, renamed), so a failure keeps the previous report;
text UTF-8 cannot hold (a lone surrogate from an implementation) is written as an escape.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from wbimage_conformance import report as report_writers
from wbimage_conformance.errors import UsageError
from wbimage_conformance.model import RunReport
from wbimage_conformance.report import badge
from wbimage_conformance.stored import writing

STEP_SUMMARY = "GITHUB_STEP_SUMMARY"


@dataclass(frozen=True)
class Target:
    """One report into one file."""

    fmt: str
    path: str


def parse_target(text: str) -> Target:
    """`FORMAT=PATH`, for `--report`."""
    fmt, equals, path = text.partition("=")
    if not equals or not path:
        raise argparse.ArgumentTypeError(f"{text!r}: expected FORMAT=PATH, such as junit=reports/junit.xml")
    if fmt not in report_writers.FORMATS:
        raise argparse.ArgumentTypeError(f"{text!r}: unknown format {fmt!r}; choose among {', '.join(report_writers.FORMATS)}")
    return Target(fmt, path)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    formats = ", ".join(report_writers.FORMATS)
    parser.add_argument("--format", choices=report_writers.FORMATS, default=None,
                        help="the report on standard output, or in --output (default text)")
    parser.add_argument("--output", metavar="PATH", help="write the --format report here instead of standard output")
    parser.add_argument("--report", action="append", type=parse_target, metavar="FORMAT=PATH",
                        help=f"also write a report into a file (repeatable; FORMAT: {formats}); "
                             "the terminal still gets the text report")
    parser.add_argument("--badge", metavar="PATH", help="write a shields.io endpoint badge (pass rate and colour)")


@dataclass(frozen=True)
class Plan:
    """What to write once the report exists."""

    stdout_format: str                  # what standard output gets
    files: tuple[Target, ...]
    badge: str | None
    step_summary: str | None


def plan(args: argparse.Namespace, configured: Sequence[Target] = (),
         environ: Mapping[str, str] | None = None) -> Plan:
    """Decide where everything goes, and make (and check) the folders the files go into.

    `configured` are the reports of [tool.wbimage-conformance]; `--report` replaces them."""
    environ = os.environ if environ is None else environ
    fmt = args.format or "text"
    files = list(args.report) if args.report else list(configured)
    if args.output:
        files.insert(0, Target(fmt, args.output))
    for path in [t.path for t in files] + ([args.badge] if args.badge else []):
        prepare_path(path)
    step_summary = environ.get(STEP_SUMMARY) or None
    if step_summary and any(t.fmt == "markdown" and _same_file(t.path, step_summary) for t in files):
        step_summary = None  # it is written there already
    return Plan("text" if args.output else fmt, tuple(files), args.badge, step_summary)


def prepare_path(path: str) -> None:
    """A report's file can be written: not a folder, its folder made (before any work is done)."""
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{path}: is a directory; a report needs a file name")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{path}: cannot make its folder: {exc.strerror or exc}") from None


def _same_file(a: str, b: str) -> bool:
    return Path(a).resolve() == Path(b).resolve()


def emit(report: RunReport, plan: Plan, stdout: TextIO | None = None, stderr: TextIO | None = None) -> None:
    """Write every report the plan names; the text report reaches the terminal in any case."""
    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    written: list[str] = []
    for target in plan.files:
        try:
            report_writers.write(report, target.fmt, target.path)
        except OSError as exc:
            raise UsageError(f"{target.path}: cannot write the {target.fmt} report: {exc.strerror or exc}") from None
        written.append(f"{target.fmt} report: {target.path}")
    if plan.badge:
        try:
            badge.write(report, plan.badge)
        except OSError as exc:
            raise UsageError(f"{plan.badge}: cannot write the badge: {exc.strerror or exc}") from None
        written.append(f"badge: {plan.badge}")
    if plan.step_summary:
        try:
            with open(plan.step_summary, "a", encoding=writing.ENCODING, errors=writing.ERRORS) as summary_file:
                summary_file.write(report_writers.render(report, "markdown") + "\n")
            written.append(f"step summary: {plan.step_summary}")
        except OSError as exc:
            print(f"wbimage-conformance: warning: ${STEP_SUMMARY} {plan.step_summary}: "
                  f"cannot append: {exc.strerror or exc}", file=stderr)
    report_writers.write(report, plan.stdout_format, stdout)
    if plan.stdout_format != "text":
        report_writers.write(report, "text", stderr)
    for line in written:
        print(f"wbimage-conformance: wrote {line}", file=stderr)
