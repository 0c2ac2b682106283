"""Mismatch descriptions and JSON-ready values, shared by every format."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from wbimage_conformance.model import Mismatch
from wbimage_conformance.report.describe import describe, pixel_facts, printable
from wbimage_conformance.report.jsonable import SMALL_ARRAY_LIMIT, to_jsonable


def test_pixel_statistics_come_from_the_comparator_detail_first():
    m = Mismatch("pixels", np.array([[1, 2]], np.uint8), np.array([[1, 3]], np.uint8),
                 {"differing": 1, "max_abs_diff": 99})
    assert pixel_facts(m)["max_abs_diff"] == 99


def test_missing_pixel_statistics_are_computed_from_the_arrays():
    expected = np.zeros((2, 2, 3), np.uint8)
    actual = expected.copy()
    actual[1, 0, 2] = 9
    actual[1, 1, 0] = 4
    facts = pixel_facts(Mismatch("pixels", expected, actual))
    assert facts == {"differing": 2, "total": 12, "first_index": [1, 0, 2],
                     "expected_at_first": 0, "actual_at_first": 9, "max_abs_diff": 9}
    assert describe(Mismatch("pixels", expected, actual)) == (
        "pixels: 2 of 12 values differ; first at [1, 0, 2]: expected 0, got 9; largest difference 9"
    )


def test_integer_differences_do_not_overflow_uint8():
    facts = pixel_facts(Mismatch("pixels", np.array([0], np.uint8), np.array([255], np.uint8)))
    assert facts["max_abs_diff"] == 255


def test_a_shape_mismatch_says_both_shapes():
    text = describe(Mismatch("pixels", np.zeros((2, 3), np.uint8), np.zeros((2, 3, 3), np.uint8)))
    assert text == "pixels: shape differs: expected (2, 3), got (2, 3, 3)"


def test_a_digest_only_expectation_says_so_and_gives_the_actual_digest():
    actual = np.ones((16, 16), np.uint8)
    text = describe(Mismatch("pixels", {"shape": [16, 16], "sha256": "cd" * 32}, actual))
    assert "known by digest only" in text
    assert hashlib.sha256(actual.tobytes()).hexdigest()[:12] in text


def test_unknown_detail_keys_are_shown_not_dropped():
    text = describe(Mismatch("pixels", np.zeros(2, np.uint8), np.ones(2, np.uint8), {"channel": "alpha"}))
    assert "channel='alpha'" in text


def test_metadata_mismatch_reads_expected_then_actual():
    assert describe(Mismatch("mode", "L", "RGB")) == "mode: expected 'L', got 'RGB'"


def test_printable_makes_control_characters_visible_and_keeps_newlines():
    assert printable("a\x1b[31mb\x00\nc\td") == "a\\x1b[31mb\\x00\nc\td"


def test_small_arrays_are_written_in_full_with_their_digest():
    array = np.arange(6, dtype=np.uint8).reshape(2, 3)
    assert to_jsonable(array) == {
        "kind": "ndarray", "dtype": "uint8", "shape": [2, 3],
        "sha256": hashlib.sha256(array.tobytes()).hexdigest(), "values": [[0, 1, 2], [3, 4, 5]],
    }


def test_arrays_over_the_limit_are_written_by_shape_and_digest_only():
    array = np.zeros(SMALL_ARRAY_LIMIT + 1, np.uint8)
    data = to_jsonable(array)
    assert "values" not in data and data["shape"] == [SMALL_ARRAY_LIMIT + 1]
    assert "values" in to_jsonable(np.zeros(SMALL_ARRAY_LIMIT, np.uint8))


def test_every_exotic_value_becomes_strict_json():
    value = {
        "scalars": (np.uint8(3), np.float32(0.5), np.bool_(True), np.int64(-2)),
        "special": [float("nan"), float("inf"), -float("inf"), np.float16("nan")],
        "floats": np.array([np.nan, 1.5], np.float32),
        "complex": np.complex64(1 + 2j),
        "bytes": b"\x89PNG",
        "other": object,
        7: {1, 2},
    }
    data = to_jsonable(value)
    json.dumps(data, allow_nan=False)
    assert data["scalars"] == [3, 0.5, True, -2]
    assert data["special"] == ["nan", "inf", "-inf", "nan"]
    assert data["floats"]["values"] == ["nan", 1.5]
    assert data["7"] == [1, 2]
    assert data["bytes"] == {"kind": "bytes", "base64": "iVBORw=="}


def test_the_comparators_own_summary_is_used_and_its_bookkeeping_keys_are_not_repeated():
    compare = pytest.importorskip("wbimage_conformance.run.compare")
    mismatch = compare.compare_pixels([[1, 2]], np.array([[1, 2, 3]], np.uint8))
    text = describe(mismatch)
    assert text == f"pixels: {mismatch.detail['summary']}"
    assert "expected_shape" not in text and "actual_dtype" not in text


def test_a_comparator_digest_mismatch_says_the_expectation_is_only_a_digest():
    compare = pytest.importorskip("wbimage_conformance.run.compare")
    mismatch = compare.compare_pixels({"shape": [2, 2], "sha256": "ab" * 32}, np.zeros((2, 2), np.uint8))
    assert describe(mismatch).endswith("; expected pixels known only by digest")
    assert "actual_sha256" not in describe(mismatch)


def test_detail_keys_outside_the_summary_are_still_shown():
    mismatch = Mismatch("pixels", np.zeros(2, np.uint8), np.ones(2, np.uint8),
                        {"summary": "2 of 2 values differ", "note": "alpha dropped"})
    assert describe(mismatch) == "pixels: 2 of 2 values differ; note='alpha dropped'"
