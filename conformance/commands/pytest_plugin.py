"""pytest plugin `wbimage`: the spec's cases as pytest test items.

    pytest --wbimage-impl=IMPL [--wbimage-expectations FILE] [--wbimage-cases PATH ...]
           [--wbimage-timeout SECONDS] [--wbimage-sandbox auto|bwrap|none]
           [--wbimage-memory-limit MB] [--wbimage-badge PATH]

adds one item per case, node id `wbimage::<first clause>::<case-id>`, marked `wbimage` (so
`-m wbimage` runs only the spec and `-m "not wbimage"` leaves it out); `-k`, `-x`, `-n auto`
(xdist: every process gets its own worker) and `--junitxml` work as usual, and the JUnit
`classname` is `wbimage.<clause>`, as in `wbimage-conformance run --report junit=...`. Each
item runs its case in a worker subprocess exactly as `wbimage-conformance run` does, with the
same expectations rules: xfailed is pytest's xfail, xpassed is a failure, skipped is a skip,
and in the same sandbox (default auto: bwrap where usable), which the report header names.

The terminal summary ends with the causes of the unexpected results (wbimage_conformance.triage):
each item triages its own result where it runs and records the causes that hold in its
report's user_properties, so the summary also works under xdist.

Each option has an ini counterpart (`wbimage_impl`, ..., `wbimage_memory_limit`, `wbimage_badge`,
and `wbimage_maxfail` for pytest's own `--maxfail`), and [tool.wbimage-conformance] is read too
(commands.plugin_settings): the command line wins, then the ini file, then that section. Under
xdist the controller checks the configuration (cases, implementation, expectations) before any
worker starts, so an error is the same message and exit code 4 as without. Without an
implementation from any source the plugin adds nothing and changes nothing. Imports of the
runner are deferred, so installing the plugin costs other test suites nothing.

`--wbimage-capture DIR`, with or without an implementation, keeps samples of what the tests
themselves pass to wandb.Image (wbimage_conformance.capture), for the upgrade-impact check.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from wbimage_conformance.commands import plugin_settings
from wbimage_conformance.errors import ConfigurationError

if TYPE_CHECKING:
    from wbimage_conformance.cases.casefiles import CaseSet
    from wbimage_conformance.model import Case, Result
    from wbimage_conformance.run.expectations import Expectations
    from wbimage_conformance.run.runner import Session

NODE = "wbimage"
CAUSES_PROPERTY = "wbimage_causes"


def pytest_addoption(parser: pytest.Parser) -> None:
    plugin_settings.add_options(parser)
    parser.getgroup("wbimage").addoption(
        "--wbimage-capture", dest="wbimage_capture", metavar="DIR", default=None,
        help="keep the first inputs the tests pass to wandb.Image, per call site, in DIR (as "
             "`python -m wbimage_conformance.capture` does; nothing leaves the machine)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{NODE}: a wbimage-conformance spec case")
    if config.getoption("wbimage_capture", None):
        config.pluginmanager.register(CapturePlugin(config), "wbimage-capture")
    chosen = plugin_settings.resolve(config)
    if not chosen.impl:
        return
    if chosen.maxfail and not config.option.maxfail:
        config.option.maxfail = chosen.maxfail  # before xdist's controller reads it (its configure is trylast)
    config.pluginmanager.register(SpecPlugin(config, chosen), "wbimage-spec")


class CapturePlugin:
    """Samples the session's wandb.Image inputs into --wbimage-capture DIR; under xdist each
    worker records its own part and the controller merges them and prints the summary."""

    def __init__(self, config: pytest.Config) -> None:
        from wbimage_conformance.capture import inprocess

        self.merges = not hasattr(config, "workerinput")
        try:
            self.recorder = inprocess.start(config.getoption("wbimage_capture"))
        except ConfigurationError as exc:
            raise pytest.UsageError(f"--wbimage-capture: {exc}") from None

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        from wbimage_conformance.capture import inprocess

        try:
            line = inprocess.finish(self.recorder, merge=self.merges)
        except ConfigurationError as exc:
            line = f"wbimage capture: {exc}"
        if line:
            sys.stderr.write(line + "\n")


class CaseFailure(Exception):
    """An unexpected verdict; its text is what pytest prints for the item."""


class SpecPlugin:
    """Collects the cases and runs them on one runner Session per pytest process."""

    def __init__(self, config: pytest.Config, chosen: plugin_settings.Settings) -> None:
        self.config = config
        self.settings = chosen
        self.impl: str = chosen.impl or ""
        self.session: Session | None = None
        self.expectations: Expectations | None = None
        self.case_set_digest = ""
        self.causes_seen: dict[str, list[dict[str, str]]] = {}   # case id -> causes that hold
        self.outcomes: dict[str, str] = {}                          # node id -> passed, failed, xfailed, skipped
        self._checking: threading.Thread | None = None              # the xdist controller's configuration check
        self._check_error: pytest.UsageError | None = None

    def _prepare(self, warn: bool = True) -> CaseSet:
        """Load the cases, start the implementation and check the expectations against both:
        every configuration error surfaces here, as pytest.UsageError (exit code 4). `warn`:
        report the expectations' warnings (the process that runs the cases does)."""
        from wbimage_conformance.cases import casefiles as cases

        try:
            case_set = cases.load_case_set(self.settings.cases)
        except cases.CaseFileError as exc:
            raise pytest.UsageError(f"wbimage cases: {exc}") from None
        self.session = self._started_session()
        self.case_set_digest = case_set.digest
        if self.settings.expectations:
            self._load_expectations(self.settings.expectations, case_set, warn)
        return case_set

    def _started_session(self) -> Session:
        from wbimage_conformance.run import runner

        timeout = self.settings.timeout or runner.DEFAULT_TIMEOUT
        memory = self.settings.memory_limit * 1024 * 1024 if self.settings.memory_limit else None
        try:
            session = runner.Session(self.impl, timeout=timeout, memory_limit=memory, sandbox_mode=self.settings.sandbox)
            return session.__enter__()
        except runner.RunnerError as exc:
            raise pytest.UsageError(f"--wbimage-impl: {exc}") from None
        except ConfigurationError as exc:  # the sandbox asked for, or a tampered install
            raise pytest.UsageError(f"wbimage: {exc}") from None

    def _load_expectations(self, path: str, case_set: CaseSet, warn: bool) -> None:
        from wbimage_conformance.run import expectations

        assert self.session is not None
        try:
            self.expectations = expectations.load(path)
            warnings = expectations.check(self.expectations, [c.id for c in case_set.cases],
                                          self.session.environment(case_set.digest))
        except expectations.ExpectationsError as exc:
            raise pytest.UsageError(f"--wbimage-expectations: {exc}") from None
        for warning in warnings if warn else ():
            self.config.issue_config_time_warning(pytest.PytestConfigWarning(f"--wbimage-expectations: {warning}"), 2)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Under xdist only the workers collect, and a worker's usage error reaches the terminal
        as "no tests ran" (exit code 5): the controller checks the whole configuration itself,
        in a thread while xdist starts its workers, and the run loop waits for that check
        before handing out any test, so an error is the message and exit code of a plain run."""
        if hasattr(self.config, "workerinput"):
            return
        if self.settings.badge:
            _make_folder(Path(self.settings.badge))
        if _is_xdist_controller(self.config):
            self._checking = threading.Thread(target=self._check_configuration, name="wbimage-check", daemon=True)
            self._checking.start()

    def _check_configuration(self) -> None:
        try:
            self._prepare(warn=False)
        except pytest.UsageError as exc:
            self._check_error = exc
        finally:
            self._close()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> None:
        if self._checking is not None:
            self._checking.join()
            self._checking = None
        if self._check_error is not None:
            raise self._check_error

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config, items: list[Any]) -> None:
        """Prepend the spec's items; tryfirst, so -k and -m deselection see them. Each item sits
        under a collector named for its case's first clause, which is what gives the JUnit
        classname `wbimage.<clause>`."""
        case_set = self._prepare()
        root = SpecCollector.from_parent(session, name=NODE, nodeid=NODE)
        clauses: dict[str, SpecCollector] = {}
        new_items = []
        for case in case_set.cases:
            clause = case.clauses[0] if case.clauses else "none"
            if clause not in clauses:
                clauses[clause] = SpecCollector.from_parent(root, name=clause)
            new_items.append(CaseItem.from_parent(clauses[clause], name=case.id, case=case, plugin=self))
        items[:0] = new_items

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        from wbimage_conformance.run import install_check, sandbox

        try:
            where = sandbox.choose(self.settings.sandbox).description
            install = install_check.verify()
        except ConfigurationError as exc:
            raise pytest.UsageError(f"wbimage: {exc}") from None
        return [f"wbimage: {self.impl}; sandbox: {where}; install: {install}"]

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self._close()

    def _close(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None

    def run(self, case: Case) -> Result:
        from wbimage_conformance.run import expectations

        assert self.session is not None
        return expectations.apply_one(self.expectations, self.session.run_case(case))

    def causes_of(self, result: Result) -> list[dict[str, str]]:
        """The causes that hold for one unexpected result, as plain data for the report."""
        from wbimage_conformance.triage import grouping

        if result.status not in grouping.TRIAGED or self.session is None:
            return []
        measured, impl, version, pillow = grouping.profile(self.session.environment(self.case_set_digest))
        found, _ = grouping.candidates(result, measured, impl, version, pillow)
        return [{"key": c.key, "title": c.title, "clause": c.clause, "hint": c.hint} for c in found]

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Under xdist the controller sees every worker's reports here: the causes and the
        badge's counts are gathered where the terminal summary is written."""
        if not report.nodeid.startswith(f"{NODE}::"):
            return
        if report.when == "call" or not report.passed:
            self.outcomes.setdefault(report.nodeid, _outcome(report))
        if report.when != "call":
            return
        for name, value in report.user_properties:
            if name == CAUSES_PROPERTY:
                self.causes_seen[report.nodeid.rsplit("::", 1)[1]] = json.loads(str(value))

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """The badge, from the spec items' outcomes; a badge that cannot be written is exit
        code 4 (its folder was made at the start), said on standard error."""
        from wbimage_conformance.report import badge

        if not self.settings.badge or hasattr(self.config, "workerinput"):
            return
        counted = list(self.outcomes.values())
        ran = len(counted) - counted.count("skipped")
        stopped = bool(session.shouldfail or session.shouldstop) or exitstatus == pytest.ExitCode.INTERRUPTED
        try:
            badge.save(badge.from_counts(counted.count("passed"), ran, stopped), self.settings.badge)
        except OSError as exc:
            sys.stderr.write(f"ERROR: {self.settings.badge}: cannot write the badge: {exc.strerror or exc}\n")
            session.exitstatus = pytest.ExitCode.USAGE_ERROR

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.causes_seen:
            return
        for line in summary_lines(self.causes_seen):
            terminalreporter.write_line(line)


def _make_folder(path: Path) -> None:
    if path.is_dir():
        raise pytest.UsageError(f"{path}: is a directory; the badge needs a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise pytest.UsageError(f"{path}: cannot make its folder: {exc.strerror or exc}") from None


def _is_xdist_controller(config: pytest.Config) -> bool:
    return config.pluginmanager.has_plugin("dsession") and not hasattr(config, "workerinput")


def _outcome(report: pytest.TestReport) -> str:
    if report.failed:
        return "failed"
    if report.skipped:
        return "xfailed" if hasattr(report, "wasxfail") else "skipped"
    return "passed"


class SpecCollector(pytest.Collector):
    """A parent node of the case items (`wbimage`, then one per clause); they are made by the
    plugin, not found on disk."""

    def collect(self) -> list[Any]:
        return []


class CaseItem(pytest.Item):
    def __init__(self, *, case: Case, plugin: SpecPlugin, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.plugin = plugin
        self.add_marker(NODE)
        self.extra_keyword_matches.update(case.clauses)
        self.user_properties.append(("clauses", " ".join(case.clauses)))

    def runtest(self) -> None:
        from wbimage_conformance.model import Status

        result = self.plugin.run(self.case)
        causes = self.plugin.causes_of(result)
        if causes or result.status not in (Status.PASSED, Status.SKIPPED, Status.XFAILED):
            self.user_properties.append((CAUSES_PROPERTY, json.dumps(causes)))
        if result.status is Status.PASSED:
            return
        if result.status is Status.SKIPPED:
            pytest.skip(result.message or "skipped")
        if result.status is Status.XFAILED:
            pytest.xfail(result.expectation_reason or result.message)
        raise CaseFailure(failure_text(result))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.case.file, self.case.line - 1 if self.case.line else None, f"{NODE}: {self.case.id}"


def summary_lines(seen: dict[str, list[dict[str, str]]]) -> list[str]:
    """The causes section of the terminal summary: biggest cause first, then how many of the
    unexpected results none explains."""
    from wbimage_conformance.triage import clauses, grouping

    ids = sorted(seen)
    found = {i: [grouping.Candidate(c["key"], c["title"], c["clause"], c["hint"], None) for c in seen[ids[i]]]
             for i in range(len(ids))}
    groups = grouping.greedy(found)
    explained = sum(len(members) for _, members, _ in groups.values())
    lines = [f"==== wbimage causes: {len(groups)} cause(s) explain {explained} of {len(ids)} unexpected result(s) ===="]
    for candidate, members, clause_ids in sorted(groups.values(), key=lambda g: -len(g[1])):
        lines.append(f"{len(members):4d} x {candidate.title}  [{candidate.key}]")
        for clause in clause_ids:
            lines.append(f"       breaks [{clause}] {clauses.sentence(clause)}".rstrip())
        if candidate.hint:
            lines.append(f"       hint: {candidate.hint}")
        lines.append(f"       e.g. {ids[members[0]]}" + (f" and {len(members) - 1} more" if len(members) > 1 else ""))
    unexplained = len(ids) - explained
    if unexplained:
        lines.append(f"{unexplained:4d} x unexplained: " + ", ".join(ids[i] for i in found if not found[i])[:300])
    return lines


def failure_text(result: Result) -> str:
    """What pytest prints for an unexpected verdict; the message already spells out every
    mismatch."""
    lines = [
        f"{result.status.value}: {result.case.id}: {result.case.title}",
        f"  at        {result.case.location}",
        f"  clauses   {', '.join(result.case.clauses)}",
        f"  reproduce {result.reproduction}",
    ]
    if result.message:
        lines.append(f"  message   {result.message}")
    from wbimage_conformance.report.terminal import printable  # the implementation's words reach a terminal

    return printable("\n".join(lines))
