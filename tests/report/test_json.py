"""The JSON report: valid against its schema, strict JSON, and saying what happened."""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from importlib import resources

import jsonschema
import pytest
from report_samples import BIG_ACTUAL, BIG_DIGEST, NASTY, sample_report

from wbimage_conformance.report import render, to_json_data, write


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(resources.files("conformance").joinpath("schemas/report.schema.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def data() -> dict:
    return json.loads(render(sample_report(), "json"))


def by_id(data: dict) -> dict[str, dict]:
    return {r["id"]: r for r in data["results"]}


def test_the_schema_is_a_valid_draft_2020_12_schema(schema):
    jsonschema.Draft202012Validator.check_schema(schema)


def test_the_report_validates_against_the_schema(schema, data):
    jsonschema.Draft202012Validator(schema).validate(data)


def test_the_schema_rejects_a_report_missing_a_summary_count(schema, data):
    broken = json.loads(json.dumps(data))
    del broken["summary"]["crashes"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(broken)


def test_to_json_data_is_strict_json_with_nothing_left_over():
    text = json.dumps(to_json_data(sample_report()), allow_nan=False)
    assert json.loads(text) == to_json_data(sample_report())


def test_implementation_environment_and_summary(data):
    assert data["implementation"] == {"name": "reference", "version": "0.1.0"}
    assert data["environment"]["torch"] is None
    assert data["environment"]["case_set_digest"].startswith("sha256:")
    assert data["summary"] == {"total": 15, "passed": 2, "failed": 6, "errors": 1, "skipped": 2,
                               "xfailed": 1, "xpassed": 1, "timeouts": 1, "crashes": 1}
    assert data["ok"] is False
    assert data["families"]["norm"]["total"] == 6


def test_one_result_per_case_in_run_order_with_every_field(data):
    report = sample_report()
    assert [r["id"] for r in data["results"]] == [r.case.id for r in report.results]
    result = by_id(data)["norm-bounds-top"]
    assert result == {
        "id": "norm-bounds-top", "title": "255.0 stays 255", "status": "xpassed",
        "clauses": ["norm.bounds"], "family": "norm", "level": "required",
        "file": "spec/cases/norm.yaml", "line": 18, "duration_s": 0.004, "message": "",
        "reproduction": "import numpy as np, wandb; wandb.Image(np.array([[255.0]]))",
        "expectation_reason": "listed as failing in expectations/wandb.yaml", "mismatches": [],
    }


def test_small_pixel_arrays_are_nested_lists_with_statistics(data):
    (mismatch,) = by_id(data)["norm-signed-zero"]["mismatches"]
    assert mismatch["field"] == "pixels"
    assert mismatch["expected"]["values"] == [[0, 127, 255]]
    assert mismatch["actual"]["values"] == [[0, 128, 255]]
    assert mismatch["detail"] == {"differing": 1, "total": 3, "first_index": [0, 1],
                                  "expected_at_first": 127, "actual_at_first": 128, "max_abs_diff": 1}
    assert mismatch["description"].startswith("pixels: 1 of 3 values differ")


def test_large_arrays_are_shape_and_digest_and_a_digest_expectation_stays_a_digest(data):
    (mismatch,) = by_id(data)["mode-guess-big"]["mismatches"]
    assert mismatch["expected"] == BIG_DIGEST
    actual = dict(mismatch["actual"])
    packed = actual.pop("zlib_base64")  # the bytes a saved run's HTML page draws
    assert actual == {"kind": "ndarray", "dtype": "uint8", "shape": [16, 16, 3],
                      "sha256": hashlib.sha256(BIG_ACTUAL.tobytes()).hexdigest()}
    assert zlib.decompress(base64.b64decode(packed)) == BIG_ACTUAL.tobytes()


def test_statistics_the_comparator_left_out_are_filled_in(data):
    (mismatch,) = by_id(data)["norm-unit-rgb-grid"]["mismatches"]
    assert mismatch["detail"]["differing"] == 2
    assert mismatch["detail"]["first_index"] == [1, 2, 0]


def test_nan_and_tuples_become_json(data):
    (mismatch,) = by_id(data)["to-uint8-float-nan"]["mismatches"]
    assert mismatch["actual"]["values"] == [[0.0, "nan"]]
    assert mismatch["detail"]["max_abs_diff"] == "nan"
    fmt, size = by_id(data)["file-type-jpg"]["mismatches"]
    assert (fmt["expected"], fmt["actual"]) == ("jpg", "png")
    assert (size["expected"], size["actual"]) == ([3, 1], [1, 3])


def test_messages_keep_every_character(data):
    assert by_id(data)["input-weird-error"]["message"] == NASTY
    assert by_id(data)["input-path-segfault"]["message"].endswith("\x00\x1b[0m")


def test_output_is_deterministic_and_utf8_on_disk(tmp_path):
    path = tmp_path / "report.json"
    write(sample_report(), "json", path)
    assert path.read_bytes() == render(sample_report(), "json").encode("utf-8")
    assert NASTY.encode("utf-8") in path.read_bytes().replace(b'\\"', b'"')


def test_a_shard_and_the_cases_maxfail_left_are_recorded_and_follow_the_schema(schema):
    from dataclasses import replace

    from wbimage_conformance.model import Shard

    report = replace(sample_report(), shard=Shard(2, 3, ("norm-unit-half", "zz-other")), not_run=("zz-later",))
    data = to_json_data(report)
    jsonschema.validate(data, schema)
    assert data["shard"] == {"index": 2, "count": 3, "selection": ["norm-unit-half", "zz-other"]}
    assert data["not_run"] == ["zz-later"]
    whole = to_json_data(sample_report())
    assert whole["shard"] is None and whole["not_run"] == []


def test_the_schema_rejects_a_shard_numbered_from_zero(schema):
    data = to_json_data(sample_report())
    data["shard"] = {"index": 0, "count": 3, "selection": []}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
