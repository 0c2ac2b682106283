"""`wbimage-conformance run`: the cases against one implementation, then every report asked for.

Defaults come from `[tool.wbimage-conformance]` in the nearest pyproject.toml (commands.pyproject);
the command line wins. `--shard K/N` runs one part of the selection (run.shard) for a CI matrix;
`--maxfail N` / `-x` stop starting cases after N unexpected results. Where the reports go is
commands.outputs. The run itself (loading, workers, expectations, signals) is run.session:
this module parses the options and prints what comes back.

Exit codes: 0 every case as expected; 1 any unexpected result (failed, error, xpassed,
timeout, crash), or no case checked at all (every one skipped) unless --allow-skips;
2 a configuration error (raised, and printed by cli.main); 130 (SIGINT, Ctrl-C), 143
(SIGTERM) or 129 (SIGHUP) a run stopped by that signal, after writing its partial report
marked interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TypeVar

from wbimage_conformance.commands import jobs, outputs, pyproject
from wbimage_conformance.model import RunReport
from wbimage_conformance.report.progress import ProgressBar
from wbimage_conformance.run import expectations, install_check, limits, runner, sandbox, session, shard, verdict

NAME = "run"
HELP = "run the cases against an implementation"
DEFAULT_IMPL = "reference"
T = TypeVar("T")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--impl", default=None,
                        help="reference (default), wandb, MODULE:ATTR, an entry-point name, NAME@/path/to/python, or exec:COMMAND")
    parser.add_argument("--cases", nargs="+", metavar="PATH", help="case files or directories (default: the shipped cases)")
    parser.add_argument("-k", dest="keyword", metavar="EXPR",
                        help="only cases whose id or title contains the words; and/or/not and parentheses combine them")
    parser.add_argument("--clause", action="append", default=[], metavar="ID",
                        help="only cases citing this clause or a clause under it (repeatable)")
    parser.add_argument("--level", choices=("required", "all"), default="all")
    parser.add_argument("--shard", type=shard.ShardSpec.parse, metavar="K/N",
                        help="run only part K of N of the selection, cut by expected cost; "
                             "`wbimage-conformance report` merges the N JSON reports")
    parser.add_argument("--maxfail", type=_bounded(limits.check_maxfail), metavar="N",
                        help="start no further case after N unexpected results")
    parser.add_argument("-x", "--exitfirst", dest="maxfail", action="store_const", const=1,
                        help="start no further case after the first unexpected result (--maxfail 1)")
    parser.add_argument("--expectations", metavar="FILE",
                        help="known deviations of the implementation (YAML), or the name of one shipped with the suite")
    parser.add_argument("--update-expectations", metavar="FILE",
                        help="write FILE so that this run's results are all expected (keeps reasons already written)")
    outputs.add_arguments(parser)
    parser.add_argument("--jobs", type=jobs.parse, default=None, metavar="N",
                        help="worker processes, or auto: one per usable core (default auto)")
    parser.add_argument("--timeout", type=_bounded(limits.check_timeout), default=None, metavar="SECONDS",
                        help=f"per-case time limit (default {runner.DEFAULT_TIMEOUT:g}, at most {limits.MAX_TIMEOUT_S:g})")
    parser.add_argument("--sandbox", choices=sandbox.MODES, default=None,
                        help="where the implementation runs: bwrap (bubblewrap: no network, no view of the "
                             "cases or the suite, limits set inside; an error where it cannot run), none "
                             "(unconfined, as the caller), auto (bwrap where usable, else none; the default); "
                             "the report header says which")
    parser.add_argument("--allow-skips", action="store_true",
                        help="accept a run in which every case was skipped (by default that checks nothing "
                             "and exits 1)")
    parser.add_argument("--memory-limit", type=_bounded(limits.check_memory_limit_mb), metavar="MB",
                        help="cap each worker's address space (RLIMIT_AS, Linux); over it a case crashes")


def _bounded(check: Callable[[str], T]) -> Callable[[str], T]:
    """An argparse type from a check of run.limits: its ValueError becomes the usage error."""
    def parse(text: str) -> T:
        try:
            return check(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return parse


def _take_defaults(args: argparse.Namespace, config: pyproject.ProjectConfig) -> None:
    """The section's sandbox, maxfail, memory-limit and badge where the command line gave none;
    its maxfail not with --update-expectations, which needs every case's result."""
    args.sandbox = args.sandbox or config.sandbox or "auto"
    args.memory_limit = args.memory_limit or config.memory_limit
    args.badge = args.badge or config.badge
    if not args.update_expectations:
        args.maxfail = args.maxfail or config.maxfail


def run(args: argparse.Namespace) -> int:
    """The command, with SIGTERM stopping it as Ctrl-C does (runner.signals_interrupt)."""
    with runner.signals_interrupt():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    install_check.verify()  # before anything of the suite's judges: a tampered install runs nothing
    config = pyproject.load()
    if config.path is not None:
        print(f"wbimage-conformance: defaults from [tool.{pyproject.SECTION}] in {config.path}", file=sys.stderr)
    _take_defaults(args, config)
    suite = session.Session(_options(args, config))
    plan = outputs.plan(args, [outputs.Target(fmt, path) for fmt, path in config.reports])
    with suite:
        for warning in suite.warnings:
            print(f"wbimage-conformance: warning: {warning}", file=sys.stderr)
        bar = ProgressBar(len(suite.chosen))  # draws only on a terminal
        try:
            outcome = suite.run(lambda result: bar.advance(result.status, result.case.id))
        finally:
            bar.close()
    if outcome.interrupted is not None:
        return _interrupted(outcome.interrupted, outcome.report, plan, args)
    if outcome.report.not_run:
        print(f"wbimage-conformance: stopped after {outcome.unexpected} unexpected result(s) (--maxfail {args.maxfail}); "
              f"{len(outcome.report.not_run)} of {outcome.selected} selected cases not run", file=sys.stderr)
    if outcome.updated is not None:
        expectations.write(outcome.updated, args.update_expectations)
    outputs.emit(outcome.report, plan)
    return verdict.exit_for(outcome.report, allow_skips=args.allow_skips, shard_job=args.shard is not None)


def _options(args: argparse.Namespace, config: pyproject.ProjectConfig) -> session.Options:
    """The run asked for: the command line, else the project's section, else the defaults."""
    return session.Options(
        impl=args.impl or config.impl or DEFAULT_IMPL,
        cases=args.cases or (list(config.cases) if config.cases else None),
        keyword=args.keyword, clauses=args.clause, level=args.level, shard=args.shard,
        expectations=args.expectations or config.expectations,
        update_expectations=args.update_expectations,
        jobs=args.jobs if args.jobs is not None else (config.jobs or jobs.AUTO),
        timeout=args.timeout if args.timeout is not None else (config.timeout or runner.DEFAULT_TIMEOUT),
        sandbox=args.sandbox, memory_limit_mb=args.memory_limit, maxfail=args.maxfail,
    )


def _interrupted(stopped: runner.Interrupted, report: RunReport, plan: outputs.Plan, args: argparse.Namespace) -> int:
    """A run a signal stopped: its partial report, marked interrupted, and 128 + the signal's
    number (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP); never an expectations file from
    part of a run."""
    print(f"wbimage-conformance: interrupted by {stopped.signal_name}: {len(report.results)} case(s) finished, "
          f"{len(report.not_run)} not run; the report is partial", file=sys.stderr)
    if args.update_expectations:
        print(f"wbimage-conformance: {args.update_expectations} not written: the run did not finish", file=sys.stderr)
    outputs.emit(report, plan)
    return stopped.exit_code
