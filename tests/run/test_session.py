"""run.session, the one way every entry point runs the suite: selection over loaded or
preloaded cases, the expectations applied to each verdict, --maxfail, and no worker left
behind when the configuration turns out wrong after the first worker started."""

from __future__ import annotations

from typing import ClassVar

import pytest
import yaml

from wbimage_conformance.cases import casefiles
from wbimage_conformance.errors import UsageError
from wbimage_conformance.model import Status
from wbimage_conformance.run import expectations, runner, session

import runner_support as support

#: [[0.2, 0.3]] -> [[51, 76]] passes on the reference; the second case expects other pixels.
CASES = [support.case("unit"), support.case("unit-wrong", expect={"pixels": [[0, 0]], "mode": "L", "size": [2, 1]}),
         support.case("unit-again")]


@pytest.fixture
def cases_path(tmp_path):
    return support.write_cases(tmp_path, CASES)


def options(cases_path, **given):
    return session.Options(cases=[str(cases_path)], sandbox="none", **given)


class SpyWorkers(runner.Session):
    """The runner session the suite session made, and the `stop` test its run was given."""

    made: ClassVar[list[SpyWorkers]] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stops = []
        SpyWorkers.made.append(self)

    def run(self, cases, progress=None, stop=None):
        self.stops.append(stop)
        return super().run(cases, progress, stop)


def test_a_run_gives_verdicts_in_case_order_and_counts_the_unexpected(cases_path):
    seen = []
    outcome = session.run_suite(options(cases_path), progress=lambda result: seen.append(result.case.id))
    assert [(r.case.id, r.status) for r in outcome.report.results] == [
        ("unit", Status.PASSED), ("unit-wrong", Status.FAILED), ("unit-again", Status.PASSED)]
    assert sorted(seen) == ["unit", "unit-again", "unit-wrong"]
    assert (outcome.selected, outcome.unexpected, outcome.report.not_run) == (3, 1, ())
    assert outcome.environment.implementation == "reference"


def test_the_expectations_turn_a_listed_failure_into_xfailed(cases_path, tmp_path):
    listed = tmp_path / "reference.yaml"
    listed.write_text(yaml.safe_dump({"implementation": "reference", "deviations": {
        "unit-wrong": {"status": "failed", "reason": "the case expects other pixels", "clause": "norm.unit"}}}))
    outcome = session.run_suite(options(cases_path, expectations=str(listed)))
    assert [r.status for r in outcome.report.results] == [Status.PASSED, Status.XFAILED, Status.PASSED]
    assert [r.status for r in outcome.raw] == [Status.PASSED, Status.FAILED, Status.PASSED]
    assert outcome.unexpected == 0


def test_preloaded_cases_are_selected_as_files_are(cases_path):
    loaded = casefiles.load_case_set([cases_path])
    outcome = session.run_suite(session.Options(case_set=loaded, keyword="again", sandbox="none"))
    assert [r.case.id for r in outcome.report.results] == ["unit-again"]
    assert outcome.environment.case_set_digest == loaded.digest


def test_maxfail_stops_starting_cases_and_only_then_is_a_stop_test_given(cases_path, monkeypatch):
    SpyWorkers.made.clear()
    with session.Session(options(cases_path, maxfail=1), workers=SpyWorkers) as suite:
        outcome = suite.run()
    assert [r.case.id for r in outcome.report.results] == ["unit", "unit-wrong"]
    assert outcome.report.not_run == ("unit-again",)
    with session.Session(options(cases_path), workers=SpyWorkers) as suite:
        suite.run()
    first, second = SpyWorkers.made
    assert first.stops[0] is not None
    assert second.stops == [None]  # a run that cannot stop early takes cases ahead (runner._lane)


def test_update_expectations_makes_every_result_expected(cases_path, tmp_path):
    target = tmp_path / "new.yaml"
    outcome = session.run_suite(options(cases_path, update_expectations=str(target)))
    assert outcome.updated is not None and list(outcome.updated.deviations) == ["unit-wrong"]
    assert [r.status for r in outcome.report.results] == [Status.PASSED, Status.XFAILED, Status.PASSED]
    assert not target.exists()  # writing it is the command's part


@pytest.mark.parametrize("given, says", [
    ({"maxfail": 1, "update_expectations": "x.yaml"}, "do not go together"),
    ({"keyword": "no-such-case"}, "no case matches the selection"),
    ({"update_expectations": "/no/such/folder/x.yaml"}, "the folder it goes in does not exist"),
])
def test_options_that_leave_nothing_to_do_are_usage_errors(cases_path, given, says):
    with pytest.raises(UsageError, match=says):
        session.run_suite(options(cases_path, **given))


def test_expectations_for_another_implementation_leave_no_worker_running(cases_path, tmp_path):
    other = tmp_path / "wandb.yaml"
    other.write_text(yaml.safe_dump({"implementation": "wandb", "deviations": {}}))
    SpyWorkers.made.clear()
    suite = session.Session(options(cases_path, expectations=str(other)), workers=SpyWorkers)
    with pytest.raises(expectations.ExpectationsError, match="wandb"):
        suite.open()
    (workers,) = SpyWorkers.made
    assert workers._staging_root is None and workers._idle.empty()
    assert all(w.proc is None or w.proc.poll() is not None for w in workers._workers)
