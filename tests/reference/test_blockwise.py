"""The block-by-block normalization is bit-identical to the documented expressions on the whole
array, for every dtype, branch, memory layout and block boundary, and its memory stays bounded.

The oracle is the literal path of `reference.normalize` (`choose_branch` and `unit`, `signed`,
`clip` on the whole array, which reference/test_properties.py holds to the docs' formulas and
to exact integer arithmetic). Tiny blocks (`block_elements`) put many block boundaries into
small arrays; the branch-widening cases put the widening value exactly on a boundary.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from wbimage_conformance.reference import blockwise, normalize

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")
examples = settings(max_examples=150, deadline=None)

FLOAT_DTYPES = ["float16", "float32", "float64"]
INT_DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
LAYOUTS = ["C", "F", "transposed", "reversed", "strided", "big-endian"]


def literal(data: np.ndarray, enabled: bool = True) -> np.ndarray:
    """The documented expression of the whole array's branch, on the whole array."""
    branch = normalize.choose_branch(data) if enabled else "other"
    return np.asarray(normalize.EXPRESSIONS[branch](data))


def with_layout(data: np.ndarray, layout: str) -> np.ndarray:
    """The same values through another memory layout."""
    if layout == "F":
        return np.asfortranarray(data)
    if layout == "transposed" and data.ndim >= 2:  # a channels-first buffer seen channels-last
        axes = tuple(range(1, data.ndim)) + (0,)
        return np.ascontiguousarray(np.moveaxis(data, -1, 0)).transpose(axes)
    if layout == "reversed" and data.ndim >= 1:
        return np.ascontiguousarray(data[::-1])[::-1]
    if layout == "strided" and data.ndim >= 1:
        doubled = np.repeat(data, 2, axis=-1)
        return doubled[..., ::2]
    if layout == "big-endian":
        return data.astype(data.dtype.newbyteorder(">"))
    return data


def layout(array: np.ndarray) -> tuple[int, ...]:
    """The strides that matter: those of axes longer than 1 (none for an empty array)."""
    if array.size == 0:
        return ()
    return tuple(stride for stride, n in zip(array.strides, array.shape) if n > 1)


def assert_blockwise_matches(data: np.ndarray, block: int, enabled: bool = True) -> None:
    want = literal(data, enabled)
    got = normalize.normalize_array(data, enabled, block_elements=block)
    assert got.dtype == np.uint8 and got.shape == data.shape
    np.testing.assert_array_equal(got, want)
    assert layout(got) == layout(want)  # "K": the layout `astype` gives
    in_c_order = normalize.normalize_array(data, enabled, order="C", block_elements=block)
    assert in_c_order.flags.c_contiguous
    np.testing.assert_array_equal(in_c_order, want)


# -- random inputs ------------------------------------------------------------------------------


def float_values(dtype: str) -> st.SearchStrategy[float]:
    width = np.dtype(dtype).itemsize * 8
    ranges = [(0.0, 1.0), (-1.0, 1.0), (-300.0, 300.0)]
    finite = st.sampled_from(ranges).flatmap(lambda r: st.floats(r[0], r[1], width=width))
    special = st.sampled_from([np.nan, np.inf, -np.inf, -0.0, 1.0, -1.0, 255.0, 256.0])
    return st.one_of(finite, finite, finite, special)


@st.composite
def arrays(draw: st.DrawFn) -> np.ndarray:
    dtype = draw(st.sampled_from(FLOAT_DTYPES + INT_DTYPES))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=7))
    if np.dtype(dtype).kind == "f":
        # one range for most elements, so every branch comes up, plus a few outliers
        elements = float_values(dtype)
    elif dtype == "bool":
        elements = st.booleans()
    else:
        info = np.iinfo(dtype)
        small = st.integers(max(int(info.min), -1), 1)
        elements = st.one_of(small, small, st.integers(int(info.min), int(info.max)))
    data = draw(hnp.arrays(dtype, shape, elements=elements))
    return with_layout(data, draw(st.sampled_from(LAYOUTS)))


@examples
@given(arrays(), st.integers(1, 40), st.booleans())
def test_blocks_equal_the_documented_expressions_on_the_whole_array(data: np.ndarray, block: int, enabled: bool) -> None:
    assert_blockwise_matches(data, block, enabled)


@examples
@given(arrays())
def test_default_blocks_equal_the_documented_expressions(data: np.ndarray) -> None:
    assert_blockwise_matches(data, blockwise.block_elements(8))


# -- the widening value on a block boundary -------------------------------------------------------


BLOCK = 8
WIDENING = {"signed": -0.5, "other": 300.0, "nan": np.nan, "inf": np.inf}


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("widening", sorted(WIDENING))
@pytest.mark.parametrize("position", [0, BLOCK - 1, BLOCK, 2 * BLOCK - 1, 2 * BLOCK, 5 * BLOCK - 1])
def test_a_value_that_widens_the_branch_at_a_block_boundary(dtype: str, widening: str, position: int) -> None:
    data = np.linspace(0, 1, 5 * BLOCK).astype(dtype)  # [0, 1]: starts in the unit branch
    data[position] = WIDENING[widening]
    assert_blockwise_matches(data, BLOCK)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_two_widenings_in_later_blocks_redo_the_earlier_blocks(dtype: str) -> None:
    data = np.linspace(0, 1, 6 * BLOCK).astype(dtype)
    data[2 * BLOCK] = -1.0  # unit -> signed in the third block
    data[5 * BLOCK - 1] = 2.0  # signed -> other at the end of the fifth
    assert_blockwise_matches(data, BLOCK)
    assert normalize.choose_branch(data) == "other"


@pytest.mark.parametrize("dtype", ["int8", "int16", "int64"])
def test_integer_widening_at_a_block_boundary(dtype: str) -> None:
    data = np.ones(4 * BLOCK, dtype)
    data[BLOCK] = -1
    assert_blockwise_matches(data, BLOCK)
    data[3 * BLOCK - 1] = 2
    assert_blockwise_matches(data, BLOCK)


# -- float16 tables -----------------------------------------------------------------------------


ALL_HALVES = np.arange(1 << 16, dtype=np.uint16).view(np.float16)


def test_float16_tables_hold_each_value_s_own_branch_and_pixel() -> None:
    own, pixels = normalize.half_tables()
    with np.errstate(invalid="ignore"):
        unit = (ALL_HALVES >= 0) & (ALL_HALVES <= 1)
        signed = (ALL_HALVES >= -1) & (ALL_HALVES <= 1)
    np.testing.assert_array_equal(own, np.where(unit, 0, np.where(signed, 1, 2)))
    np.testing.assert_array_equal(pixels["unit"][unit], (ALL_HALVES[unit] * 255).astype(np.uint8))
    np.testing.assert_array_equal(pixels["signed"][signed], (255 * 0.5 * (ALL_HALVES[signed] + 1)).astype(np.uint8))
    np.testing.assert_array_equal(pixels["other"], normalize.clip(ALL_HALVES))


@pytest.mark.parametrize("lo, hi", [(0, 1), (-1, 1), (-np.inf, np.inf)])
def test_every_float16_value_in_a_range_blockwise(lo: float, hi: float) -> None:
    with np.errstate(invalid="ignore"):
        inside = ALL_HALVES[(lo <= ALL_HALVES) & (hi >= ALL_HALVES)]
    assert_blockwise_matches(inside, 1000)
    assert_blockwise_matches(ALL_HALVES, 1000)  # NaN included: the "other" branch


# -- memory ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOAT_DTYPES + ["uint8", "int16"])
@pytest.mark.parametrize("lo, hi", [(0, 1), (-1, 1), (-50, 300)])
def test_memory_beyond_the_output_is_a_few_blocks(dtype: str, lo: float, hi: float) -> None:
    rng = np.random.default_rng(0)
    data = (rng.random((600, 700, 3)) * (hi - lo) + lo).astype(dtype)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        out = normalize.normalize_array(data)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert peak - out.nbytes <= 4 * blockwise.BLOCK_BYTES, (peak, out.nbytes)
