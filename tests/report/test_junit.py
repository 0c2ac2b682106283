"""JUnit XML: well-formed, counts consistent, one testcase per case, statuses mapped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from report_samples import ENVIRONMENT, NASTY, case, sample_report

import wbimage_conformance
from wbimage_conformance.model import Result, RunReport, Status
from wbimage_conformance.report import render

XSD = Path(wbimage_conformance.__file__).parent / "schemas" / "junit.xsd"

OUTCOME = {
    Status.PASSED: None, Status.FAILED: "failure", Status.XPASSED: "failure",
    Status.ERROR: "error", Status.TIMEOUT: "error", Status.CRASH: "error",
    Status.SKIPPED: "skipped", Status.XFAILED: "skipped",
}


@pytest.fixture(scope="module")
def xml_text() -> str:
    return render(sample_report(), "junit")


@pytest.fixture(scope="module")
def suite(xml_text) -> ET.Element:
    root = ET.fromstring(xml_text.encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    return suite


def cases(suite: ET.Element) -> dict[str, ET.Element]:
    return {tc.get("name"): tc for tc in suite.findall("testcase")}


def check_structure(xml_text: str) -> None:
    """What JUnit consumers rely on, checked without an XSD validator."""
    root = ET.fromstring(xml_text.encode("utf-8"))
    suites = root.findall("testsuite")
    assert root.tag == "testsuites" and len(suites) == 1
    suite = suites[0]
    testcases = suite.findall("testcase")
    outcomes = [[child.tag for child in tc] for tc in testcases]
    assert all(len(o) <= 1 for o in outcomes)
    found = {"tests": len(testcases),
             "failures": sum(o == ["failure"] for o in outcomes),
             "errors": sum(o == ["error"] for o in outcomes),
             "skipped": sum(o == ["skipped"] for o in outcomes)}
    for element in (root, suite):
        assert {k: int(element.get(k)) for k in found} == found
        assert float(element.get("time")) >= 0
    for tc in testcases:
        assert tc.get("classname").startswith("wbimage.") and tc.get("name")
        assert float(tc.get("time")) >= 0 and int(tc.get("line")) >= 0
        for child in tc:
            assert child.get("message") is not None and child.get("type")


def test_structure_matches_what_junit_consumers_expect(xml_text):
    check_structure(xml_text)


def test_suite_counts_follow_the_documented_mapping(suite):
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "15", "failures": "7", "errors": "3", "skipped": "3"}
    assert float(suite.get("time")) == pytest.approx(5.678, abs=0.002)


def test_one_testcase_per_case_named_by_id_and_classed_by_first_clause(suite):
    report = sample_report()
    testcases = suite.findall("testcase")
    assert [tc.get("name") for tc in testcases] == [r.case.id for r in report.results]
    assert cases(suite)["norm-unit-half"].get("classname") == "wbimage.norm.unit"
    assert cases(suite)["input-array-gray-stays-gray"].get("classname") == "wbimage.input.array.layout"
    assert cases(suite)["norm-signed-zero"].get("time") == "0.020"
    assert cases(suite)["norm-signed-zero"].get("file") == "spec/cases/norm.yaml"
    assert cases(suite)["norm-signed-zero"].get("line") == "12"


def test_every_status_maps_to_its_element_and_type(suite):
    for result in sample_report().results:
        children = list(cases(suite)[result.case.id])
        expected = OUTCOME[result.status]
        assert [c.tag for c in children] == ([expected] if expected else []), result.case.id
        if expected:
            assert children[0].get("type") == result.status.value


def test_a_failure_carries_the_mismatch_and_the_reproduction(suite):
    failure = cases(suite)["norm-signed-zero"].find("failure")
    assert failure.get("message") == (
        "pixels: 1 of 3 values differ; first at [0, 1]: expected 127, got 128; largest difference 1")
    assert "at spec/cases/norm.yaml:12" in failure.text
    assert "reproduce: import numpy as np, wandb; wandb.Image(np.array([[-1.0, 0.0, 1.0]]" in failure.text
    several = cases(suite)["input-array-gray-stays-gray"].find("failure")
    assert several.get("message").endswith("(and 1 more)")
    assert "mode: expected 'L', got 'RGB'" in several.text


def test_xfailed_is_skipped_with_the_expectation_and_xpassed_is_a_failure(suite):
    skipped = cases(suite)["norm-disabled-clips"].find("skipped")
    assert skipped.get("type") == "xfailed"
    assert skipped.get("message").startswith("expected failure: 0.20.1-0.28.x wrap")
    failure = cases(suite)["norm-bounds-top"].find("failure")
    assert failure.get("message") == "passed although expected to fail: listed as failing in expectations/wandb.yaml"


def test_skip_reason_and_error_message_survive_the_round_trip(suite):
    assert cases(suite)["input-tensor-chw"].find("skipped").get("message") == "torch is not installed"
    error = cases(suite)["input-weird-error"].find("error")
    assert error.get("message") == NASTY
    assert NASTY in error.text


def test_characters_xml_cannot_hold_are_escaped_visibly(xml_text, suite):
    assert "\x00" not in xml_text and "\x1b" not in xml_text
    crash = cases(suite)["input-path-segfault"].find("error")
    assert crash.get("message") == "worker died: signal 11 (SIGSEGV)\\x00\\x1b[0m"


def test_a_multi_line_message_keeps_its_first_line_in_the_attribute():
    result = Result(case("x", "norm.unit", "t", 1), Status.ERROR, message="Traceback:\n  line 2\nValueError: no")
    suite = ET.fromstring(render(RunReport(ENVIRONMENT, (result,)), "junit")).find("testsuite")
    error = suite.find("testcase/error")
    assert error.get("message") == "Traceback:"
    assert "ValueError: no" in error.text


def test_environment_is_recorded_as_properties(suite):
    properties = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert properties["implementation"] == "reference"
    assert properties["numpy"] == "2.4.0"
    assert properties["torch"] == ""
    assert set(properties) == {"suite_version", "case_set_digest", "implementation", "implementation_version",
                               "python", "numpy", "pillow", "torch", "platform", "sandbox", "install", "torchvision"}


def test_a_case_without_clauses_still_gets_a_classname():
    result = Result(replace(case("x", "norm.unit", "t", 1), clauses=()), Status.PASSED)
    xml_text = render(RunReport(ENVIRONMENT, (result,)), "junit")
    check_structure(xml_text)
    assert ET.fromstring(xml_text).find("testsuite/testcase").get("classname") == "wbimage.none"


def test_the_output_validates_against_the_projects_junit_xsd(xml_text):
    etree = pytest.importorskip("lxml.etree", reason="lxml is optional; the structural test above always runs")
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    document = etree.fromstring(xml_text.encode("utf-8"))
    assert schema.validate(document), schema.error_log
    empty = etree.fromstring(render(RunReport(ENVIRONMENT, ()), "junit").encode("utf-8"))
    assert schema.validate(empty), schema.error_log
