"""`wbimage-conformance matrix`: which implementation does what, clause family by clause family.

    wbimage-conformance matrix --impl reference --impl wandb@/path/to/venv/bin/python [--format html]
    wbimage-conformance matrix --impl ... --save-results saved/       # also keep each column
    wbimage-conformance matrix --from-saved saved/*.pkl [--history docs/history]

The suite is run (run.session) against each `--impl` (each may live under its own interpreter,
`NAME@/path/to/python`), in the sandbox `--sandbox` chooses (default auto: bwrap where usable),
and the raw results become one table (report.matrix, written by report.matrix_render): clause
families down, implementations across. `--save-results DIR` also keeps each column's results
(report.matrix_saved), and `--from-saved [NAME=]RESULTS.pkl` makes the table from them without
running anything (NAME, by default the file's stem, is the shipped expectations file whose
reasons give the column's headlines); `--history DIR` puts the release families of the saved
release history at the head of the page, as docs/compatibility.md has them.

Exit codes: 0 when every column is as expected: all its cases pass, or fail exactly as its
shipped expectations file says; 1 when a column has an unexpected result (a new deviation, a
listed one that no longer happens, a timeout, a crash), each such column named on standard
error; 2 a configuration error. So a CI job can keep the matrix of releases as a gate.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wbimage_conformance.commands import jobs as job_counts
from wbimage_conformance.errors import UsageError
from wbimage_conformance.report import matrix_render
from wbimage_conformance.report.matrix import Column, build, shipped_expectations, unexpected
from wbimage_conformance.report.matrix_saved import load_column, save_column
from wbimage_conformance.report.terminal import printable
from wbimage_conformance.run import install_check, runner, sandbox, session
from wbimage_conformance.stored import writing

NAME = "matrix"
HELP = "compatibility table: clause families x implementations"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    columns = parser.add_mutually_exclusive_group(required=True)
    columns.add_argument("--impl", action="append", metavar="IMPL",
                         help="an implementation as for `run --impl` (repeatable; one column each)")
    columns.add_argument("--from-saved", nargs="+", type=_saved, metavar="[NAME=]RESULTS.pkl",
                         help="columns from results saved by --save-results instead of runs; NAME (default: "
                              "the file's stem) is the shipped expectations file whose reasons give the headlines")
    parser.add_argument("--save-results", metavar="DIR",
                        help="also save each column's results as DIR/NAME.pkl, for --from-saved")
    parser.add_argument("--history", metavar="DIR",
                        help="put the release families of the saved runs in DIR at the head of the page (markdown)")
    parser.add_argument("--cases", nargs="+", metavar="PATH", help="case files or directories (default: the shipped cases)")
    parser.add_argument("--format", choices=matrix_render.FORMATS, default="markdown")
    parser.add_argument("--output", metavar="PATH", help="write the table here instead of standard output")
    parser.add_argument("--jobs", type=job_counts.parse, default=job_counts.AUTO, metavar="N",
                        help="worker processes per implementation, or auto: one per usable core (default auto)")
    parser.add_argument("--timeout", type=float, default=runner.DEFAULT_TIMEOUT, metavar="SECONDS")
    parser.add_argument("--sandbox", choices=sandbox.MODES, default="auto",
                        help="where the implementations run: bwrap, none or auto (bwrap where usable; the default), "
                             "as for run --sandbox; the environment table says which")


def _saved(text: str) -> tuple[str, str]:
    """`[NAME=]RESULTS.pkl`, for --from-saved."""
    name, equals, path = text.partition("=")
    if not equals:
        name, path = Path(text).stem, text
    if not (name and path):
        raise argparse.ArgumentTypeError(f"{text!r}: expected [NAME=]RESULTS.pkl, such as wandb-0.28.2=saved.pkl")
    return name, path


def run(args: argparse.Namespace) -> int:
    """Write the table; exit 1 when a column has a result its expectations do not foresee."""
    if args.history and args.format != "markdown":
        raise UsageError("matrix --history: the release families are a Markdown section; use --format markdown")
    if args.save_results and not Path(args.save_results).is_dir():
        raise UsageError(f"matrix --save-results {args.save_results}: not a folder")
    install_check.verify()  # before anything of the suite's judges: a tampered install runs nothing
    columns = _columns(args)
    text = matrix_render.render(build(columns), args.format)
    if args.history:
        from wbimage_conformance.history import pages  # only this option reads the saved history

        text = pages.with_release_families(text, Path(args.history))
    if args.output:
        writing.replace_text(args.output, text)
    else:
        print(printable(text), end="")
    return _say_unexpected(columns)


def _columns(args: argparse.Namespace) -> list[Column]:
    """The columns read back, or run afresh (and saved, with --save-results)."""
    if args.from_saved:
        return [load_column(name, path) for name, path in args.from_saved]
    columns = [_collect(impl, args) for impl in args.impl]
    for column in columns if args.save_results else ():
        print(f"wbimage-conformance: matrix: saved {save_column(column, args.save_results)}", file=sys.stderr)
    return columns


def _collect(impl: str, args: argparse.Namespace) -> Column:
    """One implementation's column: the whole suite, raw results, and the shipped file that fits it."""
    outcome = session.run_suite(session.Options(impl, cases=args.cases, jobs=args.jobs, timeout=args.timeout,
                                                sandbox=args.sandbox, empty_ok=True))
    return Column(impl, outcome.environment, outcome.raw, shipped_expectations(outcome.environment))


def _say_unexpected(columns: list[Column]) -> int:
    """Each column with a result its expectations do not foresee, named on standard error; 1 if any."""
    failing = 0
    for column in columns:
        surprises = unexpected(column)
        if surprises:
            failing += 1
            first = surprises[0]
            listed = (f"against {column.expectations.path.rsplit('/', 1)[-1]}" if column.expectations
                      else "no shipped expectations file fits it")
            print(f"wbimage-conformance: matrix: {matrix_render.column_title(column, columns)}: {len(surprises)} "
                  f"unexpected result(s) ({listed}); first: {first.case.id} {first.status.value}", file=sys.stderr)
    return 1 if failing else 0
