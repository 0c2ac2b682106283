"""`wbimage-conformance`: run the spec against an implementation, or show clause coverage.

Exit codes: 0 every case as expected; 1 any unexpected result (failed, error, xpassed,
timeout, crash); 2 a usage or configuration error, reported as one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from wbimage_conformance import spec
from wbimage_conformance.cases import casefiles as case_files
from wbimage_conformance.run import expectations as expectation_files
from wbimage_conformance.fuzz import differential as fuzz_command
from wbimage_conformance.commands import matrix as matrix_command
from wbimage_conformance.run import runner
from wbimage_conformance.cases import selection
from wbimage_conformance.doccheck import command as docs_command
from wbimage_conformance.model import RunReport

FORMATS = ("text", "json", "junit", "markdown", "html")
PROG = "wbimage-conformance"


class UsageError(Exception):
    """Anything that makes exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Check implementations of wandb.Image's pixel pipeline against the spec.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("run", help="run the cases against an implementation")
    run.add_argument("--impl", default="reference",
                     help="reference (default), wandb, MODULE:ATTR, an entry-point name, NAME@/path/to/python, or exec:COMMAND")
    run.add_argument("--cases", nargs="+", metavar="PATH", help="case files or directories (default: the shipped cases)")
    run.add_argument("-k", dest="keyword", metavar="EXPR",
                     help="only cases whose id or title contains the words; and/or/not and parentheses combine them")
    run.add_argument("--clause", action="append", default=[], metavar="ID",
                     help="only cases citing this clause or a clause under it (repeatable)")
    run.add_argument("--level", choices=("required", "all"), default="all")
    run.add_argument("--expectations", metavar="FILE",
                     help="known deviations of the implementation (YAML), or the name of one shipped in conformance/expectations/")
    run.add_argument("--update-expectations", metavar="FILE",
                     help="write FILE so that this run's results are all expected (keeps reasons already written)")
    run.add_argument("--format", choices=FORMATS, default="text")
    run.add_argument("--output", metavar="PATH", help="write the report here instead of standard output")
    run.add_argument("--jobs", type=int, default=1, metavar="N", help="worker processes (default 1)")
    run.add_argument("--timeout", type=float, default=runner.DEFAULT_TIMEOUT, metavar="SECONDS",
                     help=f"per-case time limit (default {runner.DEFAULT_TIMEOUT:g})")
    run.add_argument("--memory-limit", type=int, metavar="MB",
                     help="cap each worker's address space (RLIMIT_AS, Linux); over it a case crashes")

    cov = commands.add_parser("coverage", help="clause -> case ids, and clauses no case cites")
    cov.add_argument("--cases", nargs="+", metavar="PATH")
    cov.add_argument("--format", choices=("text", "json"), default="text")

    docs = commands.add_parser("docs", help="check documentation pages against the spec and an implementation")
    docs_command.add_arguments(docs, _Parser)

    matrix_command.add_arguments(commands.add_parser("matrix", help="compatibility table: clause families x implementations"))
    fuzz_command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command == "coverage":
            return coverage_command(args)
        if args.command == "docs":
            return docs_command.run(args)
        if args.command == "matrix":
            return matrix_command.run(args)
        if args.command == "fuzz":
            return fuzz_command.command(args)
        return run_command(args)
    except (UsageError, case_files.CaseFileError, expectation_files.ExpectationsError,
            selection.SelectionError, runner.RunnerError, *docs_command.USAGE_ERRORS) as exc:
        message = " ".join(str(exc).split())
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 2


def run_command(args: argparse.Namespace) -> int:
    from wbimage_conformance import report as report_writers  # only `run` needs the writers
    from wbimage_conformance.report.progress import ProgressBar

    case_set = case_files.load_case_set(args.cases)
    if not case_set.cases:
        raise UsageError(f"no cases found in {', '.join(args.cases or [str(spec.CASES_DIR)])}")
    chosen = selection.select(case_set.cases, args.keyword, args.clause, args.level)
    if not chosen:
        raise UsageError("no case matches the selection (-k, --clause, --level)")
    expected = expectation_files.load(args.expectations) if args.expectations else None
    previous = None
    if args.update_expectations and Path(args.update_expectations).exists():
        previous = expectation_files.load(args.update_expectations)
    memory = args.memory_limit * 1024 * 1024 if args.memory_limit else None

    with runner.Session(args.impl, jobs=args.jobs, timeout=args.timeout, memory_limit=memory) as session:
        handshake = session.handshake
        assert handshake is not None
        all_ids = [c.id for c in case_set.cases]
        if expected is not None:
            expectation_files.check(expected, all_ids, handshake.name, handshake.version)
        if previous is not None:
            expectation_files.check(previous, all_ids, handshake.name, handshake.version)
        bar = ProgressBar(len(chosen))  # draws only on a terminal
        try:
            raw = session.run(chosen, lambda result: bar.advance(result.status, result.case.id))
        finally:
            bar.close()
        environment = session.environment(case_set.digest)

    if args.update_expectations:
        updated = expectation_files.from_results(raw, handshake.name, handshake.version, previous)
        expectation_files.write(updated, args.update_expectations)
        expected = updated
    report = RunReport(environment, tuple(expectation_files.apply(expected, raw)))
    report_writers.write(report, args.format, args.output)
    return 0 if report.ok else 1


def coverage_command(args: argparse.Namespace) -> int:
    case_set = case_files.load_case_set(args.cases)
    clauses = case_files.load_clauses()
    table = case_files.coverage(case_set.cases, clauses)
    defined = {c.id for c in clauses}
    uncovered = [c for c, ids in table.items() if not ids and c in defined]
    unknown = sorted(c for c in table if c not in defined)
    if args.format == "json":
        json.dump({"clauses": table, "uncovered": uncovered, "unknown": unknown,
                   "cases": len(case_set.cases), "case_set_digest": case_set.digest}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    width = max((len(c) for c in table), default=0)
    for clause, ids in table.items():
        shown = ", ".join(ids) if ids else "-- uncovered --"
        print(f"{clause:<{width}}  {len(ids):>3}  {shown}")
    print(f"{len(table) - len(uncovered)} of {len(table)} clauses covered by {len(case_set.cases)} cases"
          + (f"; uncovered: {', '.join(uncovered)}" if uncovered else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
