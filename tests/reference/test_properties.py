"""Property tests: the reference equals the documented formulas evaluated literally.

For float data the oracle is the docs' own NumPy code, run on the same array in its own dtype
([norm.precision]); for integer and bool data it is exact Python-integer arithmetic
([norm.integer]). Neither oracle calls into `reference`. Inputs are kept free of NaN here
(NaN is covered by hand in reference/test_normalize.py) because the literal NaN cast is
platform-dependent, which is why the spec defines it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from wbimage_conformance.reference import Image, to_uint8

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")
examples = settings(max_examples=60, deadline=None)  # per test, so no global profile changes

FLOAT_DTYPES = [np.float16, np.float32, np.float64]
INT_DTYPES = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
              np.uint32, np.uint64]
MODES = {1: "L", 3: "RGB", 4: "RGBA"}
image_shapes = st.tuples(
    st.integers(1, 6), st.integers(1, 6), st.sampled_from([None, 1, 3, 4])
).map(lambda s: s[:2] if s[2] is None else s)


# -- the documented formulas, literally ------------------------------------------------------


def documented_unit(data: np.ndarray) -> np.ndarray:
    return (data * 255).astype(np.uint8)


def documented_signed(data: np.ndarray) -> np.ndarray:
    return (255 * 0.5 * (data + 1)).astype(np.uint8)


def documented_other(data: np.ndarray) -> np.ndarray:
    return data.clip(0, 255).astype(np.uint8)


def exact_integer_pixel(value: int, branch: str) -> int:
    if branch == "unit":
        return value * 255
    if branch == "signed":
        return math.floor((255 * (value + 1)) / 2)  # 127.5 * (v + 1), truncated (v + 1 >= 0)
    return min(max(value, 0), 255)


# -- strategies: one per branch, so every branch is exercised -------------------------------


def float_elements(dtype: type, lo: float, hi: float):
    width = np.dtype(dtype).itemsize * 8
    return st.floats(lo, hi, width=width, allow_nan=False)


@st.composite
def float_image(draw, branch: str):
    dtype = draw(st.sampled_from(FLOAT_DTYPES))
    shape = draw(image_shapes)
    if branch == "unit":
        elements = float_elements(dtype, 0.0, 1.0)
    elif branch == "signed":
        elements = float_elements(dtype, -1.0, 1.0)
    else:
        elements = st.one_of(
            float_elements(dtype, -300.0, 300.0),
            st.sampled_from([np.inf, -np.inf, 255.0, 1e4 if dtype is np.float16 else 1e30]),
        )
    data = draw(hnp.arrays(dtype, shape, elements=elements))
    # Force the branch: signed needs a negative value, other a value outside [-1, 1].
    flat_index = draw(st.integers(0, data.size - 1))
    if branch == "signed" and not (data < 0).any():
        data.flat[flat_index] = -draw(float_elements(dtype, 2.0**-14, 1.0))
    if branch == "other" and not ((data < -1) | (data > 1)).any():
        data.flat[flat_index] = draw(st.sampled_from([1.5, -2.0, 256.0, 42.0]))
    return data


@st.composite
def int_image(draw):
    dtype = draw(st.sampled_from(INT_DTYPES))
    shape = draw(image_shapes)
    if dtype is np.bool_:
        elements = st.booleans()
    else:
        info = np.iinfo(dtype)
        small = st.integers(max(info.min, -1), 1)
        elements = st.one_of(small, st.integers(int(info.min), int(info.max)))
        elements = draw(st.sampled_from([small, elements]))
    return draw(hnp.arrays(dtype, shape, elements=elements))


def branch_of(values: list[int]) -> str:
    lo, hi = min(values), max(values)
    if lo >= 0 and hi <= 1:
        return "unit"
    if lo >= -1 and hi <= 1:
        return "signed"
    return "other"


def as_pixels(formula_result: np.ndarray) -> np.ndarray:
    """The pixels PIL reports for an (H, W, 1) result are (H, W)."""
    if formula_result.ndim == 3 and formula_result.shape[2] == 1:
        return formula_result[:, :, 0]
    return formula_result


def check_image(data: np.ndarray, expected: np.ndarray, **kwargs: object) -> None:
    before = data.copy()
    img = Image(data, **kwargs)
    out = np.asarray(img.image)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, as_pixels(expected))
    channels = 1 if data.ndim == 2 else data.shape[2]
    assert img.image.mode == MODES[channels]
    assert img.image.size == (data.shape[1], data.shape[0])
    np.testing.assert_array_equal(data, before)  # input unchanged
    assert data.dtype == before.dtype


# -- properties ----------------------------------------------------------------------------


@examples
@given(float_image("unit"))
def test_unit_branch_equals_documented_formula(data: np.ndarray) -> None:
    check_image(data, documented_unit(data))


@examples
@given(float_image("signed"))
def test_signed_branch_equals_documented_formula(data: np.ndarray) -> None:
    check_image(data, documented_signed(data))


@examples
@given(float_image("other"))
def test_other_branch_equals_documented_formula(data: np.ndarray) -> None:
    check_image(data, documented_other(data))


@examples
@given(st.sampled_from(["unit", "signed", "other"]).flatmap(float_image))
def test_normalize_false_equals_clip_and_truncate(data: np.ndarray) -> None:
    check_image(data, documented_other(data), normalize=False)


@examples
@given(int_image())
def test_integer_data_equals_exact_arithmetic(data: np.ndarray) -> None:
    values = [int(v) for v in data.flat]
    branch = branch_of(values)
    expected = np.array([exact_integer_pixel(v, branch) for v in values], np.uint8)
    check_image(data, expected.reshape(data.shape))


@examples
@given(int_image())
def test_integer_data_with_normalize_false_is_clipped_exactly(data: np.ndarray) -> None:
    expected = np.array([min(max(int(v), 0), 255) for v in data.flat], np.uint8)
    check_image(data, expected.reshape(data.shape), normalize=False)


@examples
@given(st.sampled_from(["unit", "signed", "other"]).flatmap(float_image),
       st.sampled_from([(), (1,), (1, 1)]))
def test_to_uint8_agrees_with_image_and_keeps_the_shape(data: np.ndarray, extra: tuple) -> None:
    reshaped = data.reshape(data.shape + extra)
    before = reshaped.copy()
    out = to_uint8(reshaped)
    assert out.dtype == np.uint8 and out.shape == reshaped.shape
    np.testing.assert_array_equal(as_pixels(out.reshape(data.shape)),
                                  np.asarray(Image(data).image))
    np.testing.assert_array_equal(reshaped, before)


@examples
@given(st.sampled_from(["unit", "signed", "other"]).flatmap(float_image), st.booleans())
def test_tensor_and_array_paths_agree(data: np.ndarray, normalize: bool) -> None:
    torch = pytest.importorskip("torch")
    hwc = data if data.ndim == 3 else data[:, :, None]
    tensor = torch.from_numpy(np.ascontiguousarray(hwc.transpose(2, 0, 1)))
    if data.ndim == 2:
        tensor = tensor[0]  # a 2-D tensor is (H, W)
    before = tensor.clone()
    from_tensor = Image(tensor, normalize=normalize)
    from_array = Image(data, normalize=normalize)
    np.testing.assert_array_equal(np.asarray(from_tensor.image), np.asarray(from_array.image))
    assert from_tensor.image.mode == from_array.image.mode
    assert torch.equal(tensor, before)
