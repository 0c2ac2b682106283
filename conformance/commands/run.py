"""`wbimage-conformance run`: the cases against one implementation, then a report.

Exit codes: 0 every case as expected; 1 any unexpected result (failed, error, xpassed,
timeout, crash); 2 a configuration error (raised, and printed by cli.main).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wbimage_conformance import report as report_writers
from wbimage_conformance import spec
from wbimage_conformance.cases import casefiles, selection
from wbimage_conformance.errors import UsageError
from wbimage_conformance.model import RunReport
from wbimage_conformance.report.progress import ProgressBar
from wbimage_conformance.run import expectations, runner

NAME = "run"
HELP = "run the cases against an implementation"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--impl", default="reference",
                        help="reference (default), wandb, MODULE:ATTR, an entry-point name, NAME@/path/to/python, or exec:COMMAND")
    parser.add_argument("--cases", nargs="+", metavar="PATH", help="case files or directories (default: the shipped cases)")
    parser.add_argument("-k", dest="keyword", metavar="EXPR",
                        help="only cases whose id or title contains the words; and/or/not and parentheses combine them")
    parser.add_argument("--clause", action="append", default=[], metavar="ID",
                        help="only cases citing this clause or a clause under it (repeatable)")
    parser.add_argument("--level", choices=("required", "all"), default="all")
    parser.add_argument("--expectations", metavar="FILE",
                        help="known deviations of the implementation (YAML), or the name of one shipped with the suite")
    parser.add_argument("--update-expectations", metavar="FILE",
                        help="write FILE so that this run's results are all expected (keeps reasons already written)")
    parser.add_argument("--format", choices=report_writers.FORMATS, default="text")
    parser.add_argument("--output", metavar="PATH", help="write the report here instead of standard output")
    parser.add_argument("--jobs", type=int, default=1, metavar="N", help="worker processes (default 1)")
    parser.add_argument("--timeout", type=float, default=runner.DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"per-case time limit (default {runner.DEFAULT_TIMEOUT:g})")
    parser.add_argument("--memory-limit", type=int, metavar="MB",
                        help="cap each worker's address space (RLIMIT_AS, Linux); over it a case crashes")


def run(args: argparse.Namespace) -> int:
    case_set = casefiles.load_case_set(args.cases)
    if not case_set.cases:
        raise UsageError(f"no cases found in {', '.join(args.cases or [str(spec.CASES_DIR)])}")
    chosen = selection.select(case_set.cases, args.keyword, args.clause, args.level)
    if not chosen:
        raise UsageError("no case matches the selection (-k, --clause, --level)")
    expected = expectations.load(args.expectations) if args.expectations else None
    previous = None
    if args.update_expectations and Path(args.update_expectations).exists():
        previous = expectations.load(args.update_expectations)
    memory = args.memory_limit * 1024 * 1024 if args.memory_limit else None

    with runner.Session(args.impl, jobs=args.jobs, timeout=args.timeout, memory_limit=memory) as session:
        handshake = session.handshake
        assert handshake is not None
        environment = session.environment(case_set.digest)
        all_ids = [c.id for c in case_set.cases]
        for checked in (expected, previous):
            if checked is not None:
                for warning in expectations.check(checked, all_ids, environment):
                    print(f"wbimage-conformance: warning: {warning}", file=sys.stderr)
        bar = ProgressBar(len(chosen))  # draws only on a terminal
        try:
            raw = session.run(chosen, lambda result: bar.advance(result.status, result.case.id))
        finally:
            bar.close()

    if args.update_expectations:
        updated = expectations.from_results(raw, environment, previous)
        expectations.write(updated, args.update_expectations)
        expected = updated
    report = RunReport(environment, tuple(expectations.apply(expected, raw)))
    report_writers.write(report, args.format, args.output)
    return 0 if report.ok else 1
