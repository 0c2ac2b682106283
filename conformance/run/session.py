"""One run of the suite, the same for every entry point: the cases loaded and selected, the
expectations read, the implementation's workers started, the cases run with the expectations
applied, and the report data. `run`, `matrix`, `history`, `bisect`, the pytest plugin and the
mutation tool all go through here, so each rule about running cases (what is private data,
when the first worker starts, how a signal or --maxfail stops a run, what the expectations
warn about) lives once; the commands only parse their arguments and print what comes back.

    with Session(Options(impl="reference", keyword="norm-unit")) as suite:
        print(*suite.warnings)
        outcome = suite.run(progress=lambda verdict: ...)
    outcome.report          # a RunReport, expectations applied

or `run_suite(options)` when nothing needs saying before the cases run.

The first worker is spawned before the cases load and only its handshake is awaited on a
thread while they do (each takes a few tenths of a second). It is spawned by the calling
thread because bwrap's --die-with-parent follows the thread that started it, and only after
every case and expectations file of the run is noted as private data: the sandbox's view is
fixed when the worker starts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wbimage_conformance import private_data, spec
from wbimage_conformance.cases import casefiles, selection
from wbimage_conformance.errors import UsageError
from wbimage_conformance.model import UNEXPECTED, Case, Environment, Result, RunReport, Shard
from wbimage_conformance.run import expectations, runner
from wbimage_conformance.run import jobs as job_counts
from wbimage_conformance.run import shard as sharding

if TYPE_CHECKING:
    from wbimage_conformance.triage import Triage


@dataclass(frozen=True)
class Options:
    """What one run is asked to do, already parsed; every field has the command line's default.
    `case_set` is cases already loaded (then `cases` is not read)."""

    impl: str = "reference"
    cases: Sequence[str] | None = None
    case_set: casefiles.CaseSet | None = None
    keyword: str | None = None
    clauses: Sequence[str] = ()
    level: str = "all"
    shard: sharding.ShardSpec | None = None
    expectations: str | None = None
    update_expectations: str | None = None
    jobs: int | str = 1
    timeout: float = runner.DEFAULT_TIMEOUT
    sandbox: str = "auto"
    memory_limit_mb: int | None = None
    maxfail: int | None = None
    empty_ok: bool = False          # no case at all is a run of nothing, not a usage error


@dataclass(frozen=True)
class Outcome:
    """A finished or stopped run: `report` has the verdicts (expectations applied), `raw` the
    statuses before them; `updated` is the expectations file --update-expectations asked for
    (None when not asked, or when a signal stopped the run: never a file from part of a run)."""

    report: RunReport
    raw: tuple[Result, ...]
    selected: int
    unexpected: int
    updated: expectations.Expectations | None = None
    interrupted: runner.Interrupted | None = None

    @property
    def environment(self) -> Environment:
        return self.report.environment

    def triage(self) -> Triage:
        """The causes of the raw results (the triage of the release or the generic one)."""
        from wbimage_conformance.triage import triage  # only the callers that name causes pay for it

        return triage(self.raw, self.environment)


class Session:
    """One implementation's workers and the cases chosen for them; a context manager. Entering
    raises a ConfigurationError for anything wrong with the options, the cases or the
    implementation, with no worker left running. `workers` makes the runner session (the
    mutation tool's runs the reference in its own process)."""

    def __init__(self, options: Options, workers: Callable[..., runner.Session] = runner.Session) -> None:
        if options.maxfail and options.update_expectations:
            raise UsageError("--maxfail (-x) and --update-expectations do not go together: the file is written "
                             "from the results of every selected case")
        self.options = options
        self.case_set = options.case_set
        self.chosen: list[Case] = []
        self.warnings: list[str] = []
        self._shard: Shard | None = None
        self._expected: expectations.Expectations | None = None
        self._previous: expectations.Expectations | None = None
        self._make_workers = workers
        self._workers: runner.Session | None = None
        self._environment: Environment | None = None

    def __enter__(self) -> Session:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def environment(self) -> Environment:
        assert self._environment is not None, "open the session first"
        return self._environment

    def open(self) -> None:
        """Start the first worker, load while it starts, then check the expectations against
        the cases and the implementation (their warnings are in `warnings`)."""
        options = self.options
        memory = options.memory_limit_mb * 1024 * 1024 if options.memory_limit_mb else None
        workers = self._make_workers(options.impl, jobs=1, timeout=options.timeout, memory_limit=memory,
                                     sandbox_mode=options.sandbox)
        greeting = _Background(self._spawn_first(workers))
        try:
            self._load()
            greeting.wait()
        except BaseException:  # a bad selection, a worker that did not start, a signal: no worker outlives it
            workers.cancel()
            greeting.wait(quiet=True)
            workers.close()
            raise
        workers.jobs = job_counts.resolve(options.jobs, len(self.chosen))
        self._workers = workers.__enter__()
        assert self.case_set is not None
        self._environment = workers.environment(self.case_set.digest)
        try:
            self.warnings = self._expectation_warnings()
        except BaseException:  # expectations that do not fit this implementation
            self.close()
            raise

    def close(self) -> None:
        if self._workers is not None:
            self._workers.close()
            self._workers = None

    def _spawn_first(self, workers: runner.Session) -> Callable[[], None]:
        """Every file this run reads noted as private data, then the first worker spawned here;
        the returned wait for its handshake may run on any thread."""
        if self.case_set is None:
            casefiles.case_files(self.options.cases)  # notes each case file it finds
        else:
            for path in self.case_set.files:
                private_data.note(path)
        for data_file in (self.options.expectations, self.options.update_expectations):
            if data_file and Path(data_file).is_file():
                private_data.note(data_file)
        return workers.begin()

    def _load(self) -> None:
        """The case set (only the files holding selected cases are read beyond the validation
        cache, cases/cache.py), the chosen cases and the expectations."""
        options = self.options
        keep = selection.predicate(options.keyword, options.clauses, options.level)
        if self.case_set is None:
            self.case_set = casefiles.load_case_set(options.cases, keep=keep)
            chosen = list(self.case_set.cases)
        else:
            chosen = [case for case in self.case_set.cases if keep(case)]
        if not options.empty_ok:
            _check_not_empty(self.case_set, chosen, options.cases)
        if options.shard:
            self._shard = Shard(options.shard.index, options.shard.count, tuple(c.id for c in chosen))
            chosen = sharding.select(chosen, options.shard)
        self.chosen = chosen
        self._expected = expectations.load(options.expectations) if options.expectations else None
        self._previous = _previous_expectations(options.update_expectations)

    def _expectation_warnings(self) -> list[str]:
        found: list[str] = []
        assert self.case_set is not None
        all_ids = list(self.case_set.ids or [c.id for c in self.case_set.cases])
        for checked in (self._expected, self._previous):
            if checked is not None:
                found += expectations.check(checked, all_ids, self.environment)
        return found

    def run(self, progress: Callable[[Result], None] | None = None) -> Outcome:
        """Every chosen case; `progress` gets each verdict (expectations applied) as it comes.
        --maxfail stops starting cases; a signal (SIGINT, and SIGTERM and SIGHUP inside
        runner.signals_interrupt) stops the run at once and the outcome is partial."""
        assert self._workers is not None, "open the session first"
        maxfail = self.options.maxfail
        unexpected = 0

        def finished(result: Result) -> None:
            nonlocal unexpected
            verdict = expectations.apply_one(self._expected, result)
            unexpected += verdict.status in UNEXPECTED
            if progress is not None:
                progress(verdict)

        def reached_maxfail() -> bool:
            return maxfail is not None and unexpected >= maxfail

        stopped: runner.Interrupted | None = None
        try:
            raw = self._workers.run(self.chosen, finished, stop=reached_maxfail if maxfail else None)
        except runner.Interrupted as signal_stop:
            raw, stopped = signal_stop.results, signal_stop
        return self._outcome(raw, unexpected, stopped)

    def run_case(self, case: Case) -> Result:
        """One case, expectations applied (the pytest plugin runs its items one by one)."""
        assert self._workers is not None, "open the session first"
        return expectations.apply_one(self._expected, self._workers.run_case(case))

    def _outcome(self, raw: Sequence[Result], unexpected: int, stopped: runner.Interrupted | None) -> Outcome:
        ran = {r.case.id for r in raw}
        not_run = tuple(c.id for c in self.chosen if c.id not in ran)
        applied, updated = self._expected, None
        if stopped is None and self.options.update_expectations:
            updated = applied = expectations.from_results(raw, self.environment, self._previous)
        report = RunReport(self.environment, tuple(expectations.apply(applied, raw)), self._shard, not_run,
                           interrupted=stopped.signal_name if stopped else None)
        return Outcome(report, tuple(raw), len(self.chosen), unexpected, updated, stopped)


def run_suite(options: Options, progress: Callable[[Result], None] | None = None) -> Outcome:
    """Open, run and close: a run with nothing to say before its cases start. A signal is
    raised again (runner.Interrupted) rather than returned: these callers keep no partial run."""
    with Session(options) as suite:
        outcome = suite.run(progress)
    if outcome.interrupted is not None:
        raise outcome.interrupted
    return outcome


def _check_not_empty(case_set: casefiles.CaseSet, chosen: list[Case], paths: Sequence[str] | None) -> None:
    if not (case_set.ids or case_set.cases):
        raise UsageError(f"no cases found in {', '.join(paths or [str(spec.CASES_DIR)])}")
    if not chosen:
        raise UsageError("no case matches the selection (-k, --clause, --level)")


def _previous_expectations(path: str | None) -> expectations.Expectations | None:
    """The file --update-expectations rewrites, as it is now (its reasons are kept)."""
    if not path:
        return None
    if Path(path).exists():
        return expectations.load(path)
    if not Path(path).resolve().parent.is_dir():
        raise UsageError(f"--update-expectations {path}: the folder it goes in does not exist")
    return None


class _Background:
    """Work done in a thread while the caller goes on; `wait` re-raises what it raised."""

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
