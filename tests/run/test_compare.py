"""The comparator on its own: bit-exact pixels, typed metadata, errors by MRO and pattern."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from wbimage_conformance.model import Case, Observation, Status
from wbimage_conformance.run import compare
from wbimage_conformance.worker.protocol import Opaque


def make_case(expect=None, allowed=()):
    return Case(id="cc", title="t", clauses=("norm.unit",), level="required" if expect is not None else "implementation-defined",
                input={}, call={"api": "Image"}, expect=expect, allowed=tuple(allowed))


def pixels(values, dtype=np.uint8):
    return np.array(values, dtype=dtype)


def test_identical_pixels_pass():
    verdict = compare.compare(make_case({"pixels": [[1, 2], [3, 4]]}), Observation(pixels=pixels([[1, 2], [3, 4]])))
    assert verdict.status is Status.PASSED and verdict.mismatches == ()


def test_pixel_statistics():
    obs = Observation(pixels=pixels([[1, 9], [3, 0]]))
    (m,) = compare.check({"pixels": [[1, 2], [3, 4]]}, obs)
    assert m.detail["differing"] == 2
    assert m.detail["total"] == 4
    assert m.detail["first_index"] == [0, 1]
    assert (m.detail["expected_at_first"], m.detail["actual_at_first"]) == (2, 9)
    assert m.detail["max_abs_diff"] == 7
    assert isinstance(m.expected, np.ndarray) and isinstance(m.actual, np.ndarray)


def test_right_values_in_the_wrong_dtype_fail():
    (m,) = compare.check({"pixels": [[1, 2]]}, Observation(pixels=pixels([[1, 2]], np.int64)))
    assert "dtype int64, expected uint8" in m.detail["summary"]
    assert "differing" not in m.detail


def test_wrong_shape_fails_with_both_shapes():
    (m,) = compare.check({"pixels": [[1, 2]]}, Observation(pixels=pixels([[1], [2]])))
    assert m.detail["expected_shape"] == [1, 2] and m.detail["actual_shape"] == [2, 1]


def test_not_an_array_fails():
    (m,) = compare.check({"pixels": [[1]]}, Observation(pixels=Opaque("numpy.uint8", "np.uint8(1)", 1)))
    assert "expected a uint8 array, got numpy.uint8" in m.detail["summary"]


def test_digest_expectation():
    actual = pixels(np.arange(12).reshape(3, 4))
    digest = hashlib.sha256(actual.tobytes()).hexdigest()
    assert compare.check({"pixels": {"shape": [3, 4], "sha256": digest}}, Observation(pixels=actual)) == []
    (m,) = compare.check({"pixels": {"shape": [3, 4], "sha256": "0" * 64}}, Observation(pixels=actual))
    assert "sha256" in m.detail["summary"] and m.detail["actual_shape"] == [3, 4]
    (m,) = compare.check({"pixels": {"shape": [4, 3], "sha256": digest}}, Observation(pixels=actual.reshape(4, 3).T.copy()))
    assert "shape [3, 4], expected [4, 3]" in m.detail["summary"]


def test_digest_is_of_c_ordered_bytes():
    actual = np.asfortranarray(pixels(np.arange(6).reshape(2, 3)))
    digest = hashlib.sha256(np.ascontiguousarray(actual).tobytes()).hexdigest()
    assert compare.check({"pixels": {"shape": [2, 3], "sha256": digest}}, Observation(pixels=actual)) == []


@pytest.mark.parametrize("expected, actual, equal", [
    ("L", "L", True),
    ("L", "RGB", False),
    (1, True, False),
    (1, 1.0, False),
    (65500, Opaque("numpy.int64", "np.int64(65500)", 65500), False),
    (None, None, True),
    (["a", None], ("a", None), True),
    (float("nan"), float("nan"), True),
    ({"k": 1}, {"k": 1}, True),
    ({"k": 1}, {"k": 2}, False),
])
def test_typed_equality(expected, actual, equal):
    assert compare.same(expected, actual) is equal


def test_metadata_fields_are_compared_one_by_one():
    obs = Observation(pixels=pixels([[0]]), mode="L", size=(1, 1), format="jpg", encoded="jpeg", caption="a", grouping=2)
    expect = {"mode": "L", "size": [1, 1], "format": "png", "encoded": "png", "caption": "a", "grouping": 3}
    assert [m.field for m in compare.check(expect, obs)] == ["format", "encoded", "grouping"]


def test_unreachable_encoded_file_is_said_so():
    (m,) = compare.check({"encoded": "png"}, Observation(encoded=None))
    assert m.detail["note"] == "the implementation exposes no encoded file"


def test_value_must_have_been_returned():
    (m,) = compare.check({"value": None}, Observation())
    assert m.detail["note"] == "no value was returned"
    assert compare.check({"value": None}, Observation(value=None, has_value=True)) == []


def test_error_matched_along_the_mro():
    obs = Observation(error_type="FileNotFoundError", error_bases=("OSError", "Exception", "BaseException"),
                      error_message="no such file: x.png")
    assert compare.check({"error": {"type": "OSError", "match": r"no such file"}}, obs) == []
    assert [m.field for m in compare.check({"error": {"type": "ValueError"}}, obs)] == ["error.type"]
    assert [m.field for m in compare.check({"error": {"type": "OSError", "match": "^x"}}, obs)] == ["error.match"]


def test_expected_error_not_raised_fails():
    verdict = compare.compare(make_case({"error": {"type": "ValueError"}}), Observation(pixels=pixels([[0]])))
    assert verdict.status is Status.FAILED
    assert verdict.mismatches[0].actual == "no exception"


def test_unexpected_error_is_status_error():
    obs = Observation(error_type="ValueError", error_bases=("Exception",), error_message="bad")
    verdict = compare.compare(make_case({"mode": "L"}), obs)
    assert verdict.status is Status.ERROR
    assert verdict.message == "raised ValueError: bad"


def test_mutation_fails_even_when_everything_else_matches():
    obs = Observation(mode="L", input_mutated=True, notes=("ndarray values changed",))
    verdict = compare.compare(make_case({"mode": "L"}), obs)
    assert verdict.status is Status.FAILED
    (m,) = verdict.mismatches
    assert (m.field, m.detail["change"]) == ("input", "ndarray values changed")


def test_implementation_defined_any_allowed_outcome():
    case = make_case(allowed=[{"error": {"type": "ValueError"}}, {"mode": "L"}])
    assert compare.compare(case, Observation(mode="L")).status is Status.PASSED
    assert compare.compare(case, Observation(error_type="ValueError")).status is Status.PASSED
    verdict = compare.compare(case, Observation(mode="RGB"))
    assert verdict.status is Status.FAILED
    assert "closest is allowed[1]" in verdict.message


def test_float_pixels_with_nan_count_as_differing():
    (m,) = compare.check({"pixels": [[0, 1]]}, Observation(pixels=np.array([[np.nan, 1.0]])))
    assert m.detail["differing"] == 1 and m.detail["first_index"] == [0, 0]
