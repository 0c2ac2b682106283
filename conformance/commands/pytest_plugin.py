"""pytest plugin `wbimage`: the spec's cases as pytest test items.

    pytest --wbimage-impl=IMPL [--wbimage-expectations FILE] [--wbimage-cases PATH ...]
           [--wbimage-timeout SECONDS] [--wbimage-sandbox auto|bwrap|none]

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

Each option has an ini counterpart (`wbimage_impl`, `wbimage_expectations`, `wbimage_cases`,
`wbimage_timeout`, `wbimage_sandbox`, in [tool.pytest.ini_options] or pytest.ini), and `impl`,
`expectations`, `cases` and `timeout` of [tool.wbimage-conformance] (commands.pyproject) are read too: the
command line wins, then the ini file, then that section. Without an implementation from any
of them the plugin adds nothing and changes nothing. Imports of the runner are deferred, so
installing the plugin costs other test suites nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from wbimage_conformance.errors import ConfigurationError

if TYPE_CHECKING:
    from wbimage_conformance.model import Case, Result
    from wbimage_conformance.run.expectations import Expectations
    from wbimage_conformance.run.runner import Session

NODE = "wbimage"
CAUSES_PROPERTY = "wbimage_causes"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wbimage", "wbimage-conformance: run the wandb.Image spec's cases")
    group.addoption("--wbimage-impl", metavar="IMPL", default=None,
                    help="implementation to check: reference, wandb, MODULE:ATTR, NAME@python, exec:COMMAND")
    group.addoption("--wbimage-expectations", metavar="FILE", default=None,
                    help="known deviations of the implementation (YAML)")
    group.addoption("--wbimage-cases", metavar="PATH", action="append", default=None,
                    help="case file or directory (repeatable; default: the shipped cases)")
    group.addoption("--wbimage-timeout", metavar="SECONDS", type=float, default=None,
                    help="per-case time limit (default 60)")
    group.addoption("--wbimage-sandbox", choices=("auto", "bwrap", "none"), default=None,
                    help="where the implementation runs: auto (bwrap where usable; the default), bwrap, none")
    parser.addini("wbimage_impl", "wbimage-conformance: the implementation to check (as --wbimage-impl)", default="")
    parser.addini("wbimage_expectations", "wbimage-conformance: expectations file, relative to the ini file, "
                  "or the name of a shipped one", default="")
    parser.addini("wbimage_cases", "wbimage-conformance: case files or directories, relative to the ini file",
                  type="paths", default=[])
    parser.addini("wbimage_timeout", "wbimage-conformance: per-case time limit in seconds", default="")
    parser.addini("wbimage_sandbox", "wbimage-conformance: auto, bwrap or none (as --wbimage-sandbox)", default="")


@dataclass(frozen=True)
class Settings:
    """What the plugin runs: from the command line, else the ini file, else pyproject's section."""

    impl: str | None
    expectations: str | None
    cases: list[str] | None
    timeout: float | None
    sandbox: str = "auto"


def settings(config: pytest.Config) -> Settings:
    from wbimage_conformance.commands import pyproject

    try:
        section = pyproject.load(config.invocation_params.dir)
    except pyproject.ProjectConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    ini_dir = config.inipath.parent if config.inipath else config.rootpath
    ini_expectations = config.getini("wbimage_expectations")
    if ini_expectations:
        beside = ini_dir / ini_expectations
        ini_expectations = str(beside) if beside.exists() else ini_expectations
    ini_timeout = config.getini("wbimage_timeout")
    try:
        timeout = float(ini_timeout) if ini_timeout else None
    except ValueError:
        raise pytest.UsageError(f"wbimage_timeout: expected seconds, got {ini_timeout!r}") from None
    ini_cases = [str(p) for p in config.getini("wbimage_cases")]
    return Settings(
        impl=config.getoption("wbimage_impl") or config.getini("wbimage_impl") or section.impl,
        expectations=config.getoption("wbimage_expectations") or ini_expectations or section.expectations,
        cases=config.getoption("wbimage_cases") or ini_cases or (list(section.cases) if section.cases else None),
        timeout=config.getoption("wbimage_timeout") or timeout or section.timeout,
        sandbox=config.getoption("wbimage_sandbox") or config.getini("wbimage_sandbox") or "auto",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{NODE}: a wbimage-conformance spec case")
    chosen = settings(config)
    if chosen.impl:
        config.pluginmanager.register(SpecPlugin(config, chosen), "wbimage-spec")


class CaseFailure(Exception):
    """An unexpected verdict; its text is what pytest prints for the item."""


class SpecPlugin:
    """Collects the cases and runs them on one runner Session per pytest process."""

    def __init__(self, config: pytest.Config, chosen: Settings) -> None:
        self.config = config
        self.settings = chosen
        self.impl: str = chosen.impl or ""
        self.session: Session | None = None
        self.expectations: Expectations | None = None
        self.case_set_digest = ""
        self.causes_seen: dict[str, list[dict[str, str]]] = {}   # case id -> causes that hold

    def _start(self, case_ids: list[str], case_set_digest: str) -> None:
        from wbimage_conformance.run import expectations, runner

        timeout = self.settings.timeout or runner.DEFAULT_TIMEOUT
        try:
            session = runner.Session(self.impl, timeout=timeout, sandbox_mode=self.settings.sandbox)
            session.__enter__()
        except runner.RunnerError as exc:
            raise pytest.UsageError(f"--wbimage-impl: {exc}") from None
        except ConfigurationError as exc:  # the sandbox asked for, or a tampered install
            raise pytest.UsageError(f"wbimage: {exc}") from None
        self.session = session
        self.case_set_digest = case_set_digest
        path = self.settings.expectations
        if path:
            try:
                self.expectations = expectations.load(path)
                warnings = expectations.check(self.expectations, case_ids, session.environment(case_set_digest))
            except expectations.ExpectationsError as exc:
                raise pytest.UsageError(f"--wbimage-expectations: {exc}") from None
            for warning in warnings:
                self.config.issue_config_time_warning(pytest.PytestConfigWarning(f"--wbimage-expectations: {warning}"), 2)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config, items: list[Any]) -> None:
        """Prepend the spec's items; tryfirst, so -k and -m deselection see them. Each item sits
        under a collector named for its case's first clause, which is what gives the JUnit
        classname `wbimage.<clause>`."""
        from wbimage_conformance.cases import casefiles as cases

        try:
            case_set = cases.load_case_set(self.settings.cases)
        except cases.CaseFileError as exc:
            raise pytest.UsageError(f"wbimage cases: {exc}") from None
        self._start([c.id for c in case_set.cases], case_set.digest)
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
        if report.when != "call" or not report.nodeid.startswith(f"{NODE}::"):
            return
        for name, value in report.user_properties:
            if name == CAUSES_PROPERTY:
                self.causes_seen[report.nodeid.rsplit("::", 1)[1]] = json.loads(value)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.causes_seen:
            return
        for line in summary_lines(self.causes_seen):
            terminalreporter.write_line(line)


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
