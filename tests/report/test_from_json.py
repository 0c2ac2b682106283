"""A saved JSON report read back: rendered again, every format says what the run's own report
said; a file that is not a report is refused with its name and the place of the problem."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from report_samples import BIG_ACTUAL, FLOAT_ACTUAL, RGB_ACTUAL, sample_report

from wbimage_conformance.model import Shard
from wbimage_conformance.report import from_json, render, to_json_data
from wbimage_conformance.triage import grouping


def read_back(report):
    return from_json.from_data(json.loads(render(report, "json")))


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "markdown"])
def test_every_text_format_of_a_saved_run_equals_the_runs_own(fmt):
    original = sample_report()
    assert render(read_back(original), fmt) == render(original, fmt)


def test_the_html_page_draws_what_the_json_kept_in_full():
    small = replace(sample_report(), results=tuple(r for r in sample_report().results if r.case.id != "mode-guess-big"))
    assert render(read_back(small), "html") == render(small, "html")


def test_arrays_come_back_with_their_dtype_nan_included():
    results = {r.case.id: r for r in read_back(sample_report()).results}
    rgb = results["norm-unit-rgb-grid"].mismatches[0].actual
    assert rgb.dtype == np.uint8 and np.array_equal(rgb, RGB_ACTUAL)
    floats = results["to-uint8-float-nan"].mismatches[0].actual
    assert floats.dtype == np.float32 and np.array_equal(floats, FLOAT_ACTUAL, equal_nan=True)


def test_arrays_saved_by_digest_stay_digests():
    actual = {r.case.id: r for r in read_back(sample_report()).results}["mode-guess-big"].mismatches[0].actual
    assert actual["kind"] == "ndarray" and actual["shape"] == list(BIG_ACTUAL.shape) and "values" not in actual


def test_an_array_whose_values_do_not_hash_to_its_digest_is_not_rebuilt():
    saved = {"kind": "ndarray", "dtype": "uint8", "shape": [1, 2], "sha256": "00" * 32, "values": [[1, 2]]}
    assert from_json.value(saved) == saved


def test_shard_and_not_run_come_back():
    shard = Shard(2, 3, ("a", "b", "c"))
    report = replace(sample_report(), shard=shard, not_run=("zz-not-reached",))
    again = read_back(report)
    assert again.shard == shard and again.not_run == ("zz-not-reached",)


def test_the_causes_come_back_as_the_run_found_them():
    report = sample_report()
    again = read_back(report)
    assert again.saved_causes is not None
    assert grouping.saved(grouping.triage_report(again)) == grouping.saved(grouping.triage_report(report))


def test_a_report_written_before_causes_reads_with_none():
    data = to_json_data(sample_report())
    del data["causes"], data["unexplained"]
    again = grouping.triage_report(from_json.from_data(data))
    assert again.causes == () and len(again.unexplained) == sum(r["status"] in ("failed", "error", "timeout", "crash", "xpassed")
                                                                 for r in data["results"])


def test_a_report_without_shard_and_not_run_keys_still_reads():
    data = to_json_data(sample_report())
    del data["shard"], data["not_run"]
    again = from_json.from_data(data)
    assert again.shard is None and again.not_run == ()


def test_not_json_names_file_and_line(tmp_path):
    path = tmp_path / "run.json"
    path.write_text('{\n  "report_version": 1,\n  oops\n}\n')
    with pytest.raises(from_json.ReportFileError, match=rf"^{path}:3: not JSON"):
        from_json.load(path)


def test_json_that_is_not_a_report_names_where(tmp_path):
    data = to_json_data(sample_report())
    data["results"][2]["status"] = "exploded"
    path = tmp_path / "run.json"
    path.write_text(json.dumps(data, indent=1))
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if '"exploded"' in text)
    with pytest.raises(from_json.ReportFileError,
                       match=rf"^{path}:{line}: results\[2\]\.status: 'exploded' is not one of \['passed'"):
        from_json.load(path)


def test_a_summary_that_disagrees_with_the_results_is_refused():
    data = to_json_data(sample_report())
    data["summary"]["passed"] += 1
    with pytest.raises(from_json.ReportFileError, match="summary does not match its results"):
        from_json.from_data(data, "edited.json")


def test_a_missing_file_is_a_configuration_error(tmp_path):
    with pytest.raises(from_json.ReportFileError, match="cannot read"):
        from_json.load(tmp_path / "nowhere.json")
