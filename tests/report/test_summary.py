"""Counts by family and status, and the closing lines every format shares."""

from __future__ import annotations

from dataclasses import replace

from report_samples import ENVIRONMENT, case, sample_report

from wbimage_conformance.model import Result, RunReport, Status
from wbimage_conformance.report import summary


def test_family_is_the_prefix_of_the_first_clause():
    result = Result(case("x", "file-type.accepted", "t", 1, "norm.unit"), Status.PASSED)
    assert summary.family_of(result) == "file-type"


def test_a_case_without_clauses_counts_under_none():
    result = Result(replace(case("x", "norm.unit", "t", 1), clauses=()), Status.PASSED)
    assert summary.family_of(result) == summary.NO_FAMILY
    assert summary.first_clause(result) == "none"


def test_families_are_sorted_and_their_counts_add_up_to_the_totals():
    report = sample_report()
    families = summary.by_family(report)
    assert list(families) == ["file-type", "input", "limits", "mode", "norm"]
    totals = summary.totals(report)
    for status in Status:
        assert sum(c[status] for c in families.values()) == totals[status] == report.count(status)
    assert families["input"].as_dict() == {
        "total": 5, "passed": 0, "failed": 1, "errors": 1, "skipped": 2,
        "xfailed": 0, "xpassed": 0, "timeouts": 0, "crashes": 1,
    }


def test_long_line_names_every_status_in_order():
    assert summary.long_line(summary.totals(sample_report())) == (
        "2 passed, 6 failed, 1 errors, 2 skipped, 1 xfailed, 1 xpassed, 1 timeouts, 1 crashes"
    )


def test_short_line_counts_outcomes_so_zero_unexpected_means_exit_code_zero():
    report = sample_report()
    assert summary.short_line(summary.totals(report)) == "3 as expected, 10 unexpected, 2 skipped"
    fine = RunReport(ENVIRONMENT, tuple(r for r in report.results if not summary.is_unexpected(r)))
    assert fine.ok
    assert summary.short_line(summary.totals(fine)) == "3 as expected, 0 unexpected, 2 skipped"


def test_unexpected_results_keep_run_order_and_match_report_ok():
    report = sample_report()
    unexpected = summary.unexpected_results(report)
    assert [r.status for r in unexpected][:2] == [Status.FAILED, Status.FAILED]
    assert {r.status for r in unexpected} == set(summary.UNEXPECTED)
    assert all(not RunReport(ENVIRONMENT, (r,)).ok for r in unexpected)


def test_header_rows_say_not_installed_for_a_missing_library():
    rows = dict(summary.header_rows(sample_report()))
    assert rows["torch"] == "not installed"
    assert rows["numpy"] == "2.4.0"
    assert rows["case set"].startswith("sha256:")


def test_an_empty_run_has_zero_counts():
    empty = RunReport(ENVIRONMENT, ())
    assert summary.by_family(empty) == {}
    assert summary.totals(empty).as_dict()["total"] == 0
    assert summary.short_line(summary.totals(empty)) == "0 as expected, 0 unexpected, 0 skipped"
