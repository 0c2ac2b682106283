"""The shields.io endpoint badge: passed over the cases that ran, rounded down, coloured by it."""

from __future__ import annotations

import json

import pytest
from report_samples import ENVIRONMENT, case

from wbimage_conformance.model import Result, RunReport, Status
from wbimage_conformance.report import badge


def report(*statuses: Status, not_run: tuple[str, ...] = ()) -> RunReport:
    results = tuple(Result(case(f"c{i}", "norm.unit", "t", 1), s) for i, s in enumerate(statuses))
    return RunReport(ENVIRONMENT, results, None, not_run)


@pytest.mark.parametrize("passed, ran, text", [(3, 3, "100%"), (1999, 2000, "99.9%"), (2, 3, "66.6%"),
                                               (0, 5, "0.0%"), (39, 40, "97.5%")])
def test_the_percentage_is_rounded_down_so_100_means_all(passed, ran, text):
    assert badge.percentage(passed, ran) == text


@pytest.mark.parametrize("passed, failed, colour", [(20, 0, "brightgreen"), (19, 1, "green"), (18, 2, "yellowgreen"),
                                                    (17, 3, "yellow"), (15, 5, "yellow"), (10, 10, "orange"),
                                                    (9, 11, "red")])
def test_the_colour_follows_the_pass_rate(passed, failed, colour):
    data = badge.endpoint(report(*[Status.PASSED] * passed, *[Status.FAILED] * failed))
    assert data["color"] == colour


def test_known_deviations_do_not_count_as_passed_and_skips_do_not_count_at_all():
    data = badge.endpoint(report(Status.PASSED, Status.PASSED, Status.PASSED, Status.XFAILED, Status.SKIPPED, Status.SKIPPED))
    assert data == {"schemaVersion": 1, "label": "wandb.Image spec", "message": "75.0% (3/4)", "color": "yellow"}


def test_a_run_where_nothing_ran_says_so():
    assert badge.endpoint(report(Status.SKIPPED))["message"] == "no case ran"


def test_a_run_stopped_by_maxfail_is_marked_and_grey():
    data = badge.endpoint(report(Status.PASSED, Status.FAILED, not_run=("c2", "c3")))
    assert data["message"] == "50.0% (1/2), stopped early" and data["color"] == "lightgrey"


def test_the_file_is_endpoint_json(tmp_path):
    path = tmp_path / "badge.json"
    badge.write(report(Status.PASSED), path)
    assert json.loads(path.read_text()) == {"schemaVersion": 1, "label": "wandb.Image spec", "message": "100% (1/1)",
                                             "color": "brightgreen"}
