"""`wbimage-conformance run`: the cases against one implementation, then every report asked for.

Defaults come from `[tool.wbimage-conformance]` in the nearest pyproject.toml (commands.pyproject);
the command line wins. `--shard K/N` runs one part of the selection (run.shard) for a CI matrix;
`--maxfail N` / `-x` stop starting cases after N unexpected results. Where the reports go is
commands.outputs.

Exit codes: 0 every case as expected; 1 any unexpected result (failed, error, xpassed,
timeout, crash), or no case checked at all (every one skipped) unless --allow-skips;
2 a configuration error (raised, and printed by cli.main); 130 (SIGINT, Ctrl-C), 143
(SIGTERM) or 129 (SIGHUP) a run stopped by that signal, after writing its partial report
marked interrupted.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from wbimage_conformance import private_data, spec
from wbimage_conformance.cases import casefiles, selection
from wbimage_conformance.commands import jobs, outputs, pyproject
from wbimage_conformance.errors import UsageError
from wbimage_conformance.model import Result, RunReport, Shard
from wbimage_conformance.report.progress import ProgressBar
from wbimage_conformance.report.summary import UNEXPECTED
from wbimage_conformance.run import expectations, install_check, limits, runner, sandbox, shard, verdict

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
    impl = args.impl or config.impl or DEFAULT_IMPL
    case_paths = args.cases or (list(config.cases) if config.cases else None)
    expectations_path = args.expectations or config.expectations
    timeout = args.timeout if args.timeout is not None else (config.timeout or runner.DEFAULT_TIMEOUT)
    if args.maxfail and args.update_expectations:
        raise UsageError("--maxfail (-x) and --update-expectations do not go together: the file is written "
                         "from the results of every selected case")
    plan = outputs.plan(args, [outputs.Target(fmt, path) for fmt, path in config.reports])

    memory = args.memory_limit * 1024 * 1024 if args.memory_limit else None
    session = runner.Session(impl, jobs=1, timeout=timeout, memory_limit=memory, sandbox_mode=args.sandbox)
    starting = _begin(session, case_paths, [expectations_path, args.update_expectations])
    try:
        case_set, chosen, shard_record, expected, previous = _load(args, case_paths, expectations_path)
        starting.wait()
    except BaseException:  # a bad selection, a worker that did not start, a signal: no worker outlives it
        session.cancel()
        starting.wait(quiet=True)
        session.close()
        raise
    session.jobs = jobs.resolve(args.jobs if args.jobs is not None else (config.jobs or jobs.AUTO), len(chosen))
    unexpected = 0

    def finished(result: Result, bar: ProgressBar) -> None:
        nonlocal unexpected
        verdict = expectations.apply_one(expected, result)
        if verdict.status in UNEXPECTED:
            unexpected += 1
        bar.advance(verdict.status, result.case.id)

    def reached_maxfail() -> bool:
        return bool(args.maxfail) and unexpected >= args.maxfail

    stopped: runner.Interrupted | None = None
    with session:
        handshake = session.handshake
        assert handshake is not None
        environment = session.environment(case_set.digest)
        all_ids = list(case_set.ids)
        for checked in (expected, previous):
            if checked is not None:
                for warning in expectations.check(checked, all_ids, environment):
                    print(f"wbimage-conformance: warning: {warning}", file=sys.stderr)
        bar = ProgressBar(len(chosen))  # draws only on a terminal
        try:
            raw = session.run(chosen, lambda result: finished(result, bar), stop=reached_maxfail)
        except runner.Interrupted as signal_stop:
            raw, stopped = signal_stop.results, signal_stop
        finally:
            bar.close()

    ran = {r.case.id for r in raw}
    not_run = tuple(c.id for c in chosen if c.id not in ran)
    if stopped is not None:
        return _interrupted(stopped, RunReport(environment, tuple(expectations.apply(expected, raw)), shard_record,
                                               not_run, interrupted=stopped.signal_name), plan, args)
    if not_run:
        print(f"wbimage-conformance: stopped after {unexpected} unexpected result(s) (--maxfail {args.maxfail}); "
              f"{len(not_run)} of {len(chosen)} selected cases not run", file=sys.stderr)
    if args.update_expectations:
        updated = expectations.from_results(raw, environment, previous)
        expectations.write(updated, args.update_expectations)
        expected = updated
    report = RunReport(environment, tuple(expectations.apply(expected, raw)), shard_record, not_run)
    outputs.emit(report, plan)
    return verdict.exit_for(report, allow_skips=args.allow_skips, shard_job=args.shard is not None)


def _load(args: argparse.Namespace, case_paths: list[str] | None, expectations_path: str | None) -> tuple:
    """The case set, the chosen cases, the shard record and the expectations (given, and the
    file --update-expectations will rewrite); only the files holding selected cases are read
    beyond the validation cache (cases/cache.py)."""
    case_set = casefiles.load_case_set(case_paths, keep=selection.predicate(args.keyword, args.clause, args.level))
    if not case_set.ids:
        raise UsageError(f"no cases found in {', '.join(case_paths or [str(spec.CASES_DIR)])}")
    chosen = list(case_set.cases)
    if not chosen:
        raise UsageError("no case matches the selection (-k, --clause, --level)")
    shard_record = None
    if args.shard:
        shard_record = Shard(args.shard.index, args.shard.count, tuple(c.id for c in chosen))
        chosen = shard.select(chosen, args.shard)
    expected = expectations.load(expectations_path) if expectations_path else None
    previous = None
    if args.update_expectations and Path(args.update_expectations).exists():
        previous = expectations.load(args.update_expectations)
    elif args.update_expectations and not Path(args.update_expectations).resolve().parent.is_dir():
        raise UsageError(f"--update-expectations {args.update_expectations}: the folder it goes in does not exist")
    return case_set, chosen, shard_record, expected, previous


class _Background:
    """Work done in a thread while the command goes on; `wait` re-raises what it raised."""

    def __init__(self, work: Callable[[], None]) -> None:
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), name="wbimage-start", daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - handed to wait()
            self._error = exc

    def wait(self, quiet: bool = False) -> None:
        self._thread.join()
        if self._error is not None and not quiet:
            raise self._error


def _begin(session: runner.Session, case_paths: list[str] | None, data_files: list[str | None]) -> _Background:
    """The first worker started while the cases load (its start and the loading each take a
    few tenths of a second). The sandbox's view is fixed when the worker starts, so every file
    of cases or expectations this run will read is noted as private data first."""
    casefiles.case_files(case_paths)  # notes each case file it finds
    for path in data_files:
        if path and Path(path).is_file():
            private_data.note(path)
    return _Background(session.begin())


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
