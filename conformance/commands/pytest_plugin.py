"""pytest plugin `wbimage`: the spec's cases as pytest test items.

    pytest --wbimage-impl=IMPL [--wbimage-expectations FILE] [--wbimage-cases PATH ...]
           [--wbimage-timeout SECONDS]

adds one item per case, node id `wbimage::<case-id>`, marked `wbimage` (so `-m wbimage` runs
only the spec and `-m "not wbimage"` leaves it out); `-k`, `-x`, `-n auto` (xdist: every
process gets its own worker) and `--junitxml` work as usual. Each item runs its case in a
worker subprocess exactly as `wbimage-conformance run` does, with the same expectations
rules: xfailed is pytest's xfail, xpassed is a failure, skipped is a skip.

Without --wbimage-impl the plugin adds nothing and changes nothing. Imports of the runner
are deferred, so installing the plugin costs other test suites nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from wbimage_conformance.model import Case, Result
    from wbimage_conformance.run.expectations import Expectations
    from wbimage_conformance.run.runner import Session

NODE = "wbimage"


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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{NODE}: a wbimage-conformance spec case")
    if config.getoption("wbimage_impl"):
        config.pluginmanager.register(SpecPlugin(config), "wbimage-spec")


class CaseFailure(Exception):
    """An unexpected verdict; its text is what pytest prints for the item."""


class SpecPlugin:
    """Collects the cases and runs them on one runner Session per pytest process."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.impl: str = config.getoption("wbimage_impl")
        self.session: Session | None = None
        self.expectations: Expectations | None = None

    def _start(self, case_ids: list[str], case_set_digest: str) -> None:
        from wbimage_conformance.run import expectations, runner

        timeout = self.config.getoption("wbimage_timeout") or runner.DEFAULT_TIMEOUT
        try:
            session = runner.Session(self.impl, timeout=timeout)
            session.__enter__()
        except runner.RunnerError as exc:
            raise pytest.UsageError(f"--wbimage-impl: {exc}") from None
        self.session = session
        path = self.config.getoption("wbimage_expectations")
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
        """Prepend the spec's items; tryfirst, so -k and -m deselection see them."""
        from wbimage_conformance.cases import casefiles as cases

        try:
            case_set = cases.load_case_set(config.getoption("wbimage_cases"))
        except cases.CaseFileError as exc:
            raise pytest.UsageError(f"wbimage cases: {exc}") from None
        self._start([c.id for c in case_set.cases], case_set.digest)
        collector = SpecCollector.from_parent(session, name=NODE, nodeid=NODE)
        items[:0] = [CaseItem.from_parent(collector, name=c.id, case=c, plugin=self) for c in case_set.cases]

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None

    def run(self, case: Case) -> Result:
        from wbimage_conformance.run import expectations

        assert self.session is not None
        return expectations.apply_one(self.expectations, self.session.run_case(case))


class SpecCollector(pytest.Collector):
    """The parent node of the case items; they are made by the plugin, not found on disk."""

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
    return "\n".join(lines)
