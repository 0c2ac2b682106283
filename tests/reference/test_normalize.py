"""Normalization with hand-computed pixels: [norm.*] and [to-uint8].

Arithmetic notes use hex floats; "ulp" is the spacing of the dtype at that magnitude. Every
test here runs with RuntimeWarning turned into an error, so a warning from NumPy (invalid
cast, overflow) fails the test.
"""

from __future__ import annotations

import numpy as np
import pytest

from wbimage_conformance.reference import Image, to_uint8

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

FLOATS = [np.float16, np.float32, np.float64]


def pixels(data: object, **kwargs: object) -> list:
    return np.asarray(Image(data, **kwargs).image).tolist()


# -- [norm.unit] ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS)
def test_unit_range_is_multiplied_by_255_and_truncated(dtype: type) -> None:
    # 0 -> 0; 0.5 * 255 = 127.5 -> 127 (truncated, not rounded); 1 * 255 = 255
    assert pixels(np.array([[0.0, 0.5, 1.0]], dtype)) == [[0, 127, 255]]


@pytest.mark.parametrize("dtype", FLOATS)
def test_unit_range_0_2_and_0_3_give_51_and_76(dtype: type) -> None:
    # float64: 0.2*255 = 51.00000000000000...(rounds to 51.0); 0.3 = 0x1.3333333333333p-2,
    #   times 255 = 76.49999999999999717 exactly, nearest double 76.5 -> 76.
    # float32: 0.2f = 0x1.99999ap-3 = 0.20000000298; *255 = 51.00000076, ulp(51) = 2^-18,
    #   rounds to 51.0 -> 51. 0.3f = 0x1.333334p-2 = 0.30000001192; *255 = 76.50000304,
    #   ulp(76) = 2^-17 = 7.6e-6, rounds to 76.5 -> 76.
    # float16: 0.2h = 0x1.998p-3 = 0.199951171875; *255 = 50.9875, ulp(50) = 2^-5, nearest
    #   51.0 -> 51. 0.3h = 0x1.33p-2 = 0.300048828125; *255 = 76.5125, ulp(76) = 2^-4,
    #   nearest 76.5 -> 76.
    assert pixels(np.array([[0.2, 0.3]], dtype)) == [[51, 76]]


def test_unit_range_float32_evaluates_in_float32() -> None:
    # x = 0x1.fffffep-1, the largest float32 below 1. Exactly, x*255 = 255 - 255*2^-24
    # = 254.99998480; ulp(254) = 2^-16, the float32 neighbours are 254.99998474 and 255.0,
    # the nearer is 254.99998474 -> 254.
    x = np.nextafter(np.float32(1), np.float32(0))
    assert pixels(np.array([[x]], np.float32)) == [[254]]


# -- [norm.signed] -------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS)
def test_signed_range_maps_minus_one_zero_one_to_0_127_255(dtype: type) -> None:
    # 127.5 * (v + 1): -1 -> 0, 0 -> 127.5 -> 127 (the docs' "0 -> 127.5", truncated), 1 -> 255
    assert pixels(np.array([[-1.0, 0.0, 1.0]], dtype)) == [[0, 127, 255]]


@pytest.mark.parametrize("dtype", FLOATS)
def test_signed_range_minus_0_2_and_0_6_give_102_and_204(dtype: type) -> None:
    # float64: -0.2 = -0x1.999999999999ap-3; -0.2 + 1 is a tie between two doubles and rounds
    #   to even, 0x1.999999999999ap-1 (= the double 0.8, 0.80000000000000004); times 127.5
    #   = 102.0000000000000057, nearest double 102.0 -> 102. 0.6 + 1 = 1.6 (0x1.999999999999ap+0),
    #   times 127.5 = 204.00000000000001, nearest 204.0 -> 204.
    # float32: -0.2f = -0x1.99999ap-3; -0.2f + 1 = 0.79999999702 exactly, rounded to float32
    #   0x1.99999ap-1 = 0.80000001192 (up by a quarter ulp); times 127.5 = 102.00000152,
    #   ulp(102) = 2^-17, rounds to 102.0 -> 102. Evaluated in float64 instead, the same
    #   input gives 127.5 * 0.79999999702 = 101.99999962 -> 101: float32 evaluation matters.
    #   0.6f + 1 = 0x1.99999ap+0 exactly; times 127.5 = 204.0000030, ulp(204) = 2^-16 -> 204.
    # float16: -0.2h + 1 rounds to 0x1.998p-1 = 0.7998046875; times 127.5 = 101.975, ulp(101)
    #   = 2^-4, nearest 102.0 -> 102; 0.6h + 1 = 0x1.998p+0 = 1.599609375; times 127.5 =
    #   203.95, ulp(203) = 2^-3, nearest 204.0 -> 204.
    assert pixels(np.array([[-0.2, 0.6]], dtype)) == [[102, 204]]


# -- [norm.other] --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS)
def test_other_range_is_clipped_to_0_255_and_truncated(dtype: type) -> None:
    # float16: 254.5 and 100 are exact; 0.1 -> 0; -9 -> 0; 270 -> 255
    assert pixels(np.array([[-9, 0.1, 100, 254.5, 270]], dtype)) == [[0, 0, 100, 254, 255]]


def test_uint8_data_in_0_255_is_kept() -> None:
    data = np.array([[0, 2, 128, 255]], np.uint8)
    assert pixels(data) == [[0, 2, 128, 255]]


# -- [norm.range] and [norm.bounds] ----------------------------------------------------------


def test_range_is_decided_over_all_channels_at_once() -> None:
    # One value of 2.0 in the blue channel sends the whole image to [norm.other]:
    # 0.5 -> 0, not 127.
    assert pixels(np.array([[[0.5, 0.5, 2.0]]])) == [[[0, 0, 2]]]


def test_alpha_takes_part_in_the_range_decision() -> None:
    assert pixels(np.array([[[0.5, 0.5, 0.5, 2.0]]])) == [[[0, 0, 0, 2]]]


@pytest.mark.parametrize("dtype", FLOATS)
def test_bounds_are_closed_at_0_and_1(dtype: type) -> None:
    assert pixels(np.array([[0.0, 1.0]], dtype)) == [[0, 255]]


@pytest.mark.parametrize("dtype", FLOATS)
def test_one_ulp_above_1_leaves_the_unit_and_signed_ranges(dtype: type) -> None:
    above_one = np.nextafter(dtype(1), dtype(2))
    # [norm.other]: 0.5 -> 0, 1 + ulp -> 1 (truncated)
    assert pixels(np.array([[0.5, above_one]], dtype)) == [[0, 1]]


@pytest.mark.parametrize("dtype", FLOATS)
def test_one_ulp_below_0_moves_to_the_signed_range(dtype: type) -> None:
    tiny_negative = np.nextafter(dtype(0), dtype(-1))
    # [norm.signed]: -tiny + 1 rounds to 1.0, 127.5 * 1.0 = 127.5 -> 127; 1 -> 255
    assert pixels(np.array([[tiny_negative, 1.0]], dtype)) == [[127, 255]]


@pytest.mark.parametrize("dtype", FLOATS)
def test_one_ulp_below_minus_1_leaves_the_signed_range(dtype: type) -> None:
    below_minus_one = np.nextafter(dtype(-1), dtype(-2))
    # [norm.other]: -1 - ulp -> 0, 0.5 -> 0, 3 -> 3
    assert pixels(np.array([[below_minus_one, 0.5, 3.0]], dtype)) == [[0, 0, 3]]


def test_negative_zero_counts_as_zero() -> None:
    # [norm.unit] (-0.0 * 255 = -0.0 -> 0); [norm.signed] would have given 127 for it.
    assert pixels(np.array([[-0.0, 1.0]])) == [[0, 255]]


# -- [norm.special] ------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS)
def test_nan_forces_the_other_range_and_becomes_0(dtype: type) -> None:
    # Without the NaN, 0.5 would be [norm.unit] -> 127; with it, [norm.other] -> 0.
    assert pixels(np.array([[np.nan, 0.5, 200.7]], dtype)) == [[0, 0, 200]]


@pytest.mark.parametrize("dtype", FLOATS)
def test_infinities_clip_to_255_and_0(dtype: type) -> None:
    assert pixels(np.array([[np.inf, -np.inf, 0.5]], dtype)) == [[255, 0, 0]]


# -- [norm.integer] ------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32,
                                   np.int64, np.uint64])
def test_integer_mask_of_0_and_1_gives_0_and_255(dtype: type) -> None:
    # int8 must not overflow in data * 255: the arithmetic is exact.
    assert pixels(np.array([[0, 1, 1]], dtype)) == [[0, 255, 255]]


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64])
def test_integer_signed_values_give_0_127_255(dtype: type) -> None:
    # 127.5 * (v + 1) exactly: -1 -> 0, 0 -> 127.5 -> 127, 1 -> 255
    assert pixels(np.array([[-1, 0, 1]], dtype)) == [[0, 127, 255]]


def test_bool_mask_gives_0_and_255() -> None:
    assert pixels(np.array([[False, True]])) == [[0, 255]]


def test_integers_outside_the_small_ranges_are_clipped_exactly() -> None:
    assert pixels(np.array([[-5, 7, 300]], np.int64)) == [[0, 7, 255]]
    assert pixels(np.array([[2**62, -(2**62)]], np.int64)) == [[255, 0]]
    assert pixels(np.array([[-128, 2, 127]], np.int8)) == [[0, 2, 127]]


def test_huge_uint64_values_clip_to_255() -> None:
    assert pixels(np.array([[2**64 - 1, 3]], np.uint64)) == [[255, 3]]


def test_int16_with_maximum_2_is_clipped_not_scaled() -> None:
    assert pixels(np.array([[0, 2]], np.int16)) == [[0, 2]]


# -- [norm.disabled] -----------------------------------------------------------------------


def test_normalize_false_clips_floats_instead_of_scaling() -> None:
    data = np.array([[0.5, 1.0, 254.9, -3.0, 300.0]])
    assert pixels(data, normalize=False) == [[0, 1, 254, 0, 255]]


def test_normalize_false_turns_nan_into_0() -> None:
    assert pixels(np.array([[np.nan, 12.5]], np.float32), normalize=False) == [[0, 12]]


def test_normalize_false_clips_integers_exactly() -> None:
    assert pixels(np.array([[-1, 256, 1000, 17]], np.int64), normalize=False) == [[0, 255, 255, 17]]
    assert pixels(np.array([[-128, 127]], np.int8), normalize=False) == [[0, 127]]
    assert pixels(np.array([[2**64 - 1]], np.uint64), normalize=False) == [[255]]


def test_normalize_false_keeps_0_1_masks_as_0_and_1() -> None:
    assert pixels(np.array([[False, True]]), normalize=False) == [[0, 1]]
    assert pixels(np.array([[0, 1]], np.uint8), normalize=False) == [[0, 1]]


def test_normalize_accepts_numpy_bool() -> None:
    assert pixels(np.array([[0.5]]), normalize=np.bool_(False)) == [[0]]
    assert pixels(np.array([[0.5]]), normalize=np.bool_(True)) == [[127]]


@pytest.mark.parametrize("flag", [1, 0, None, "yes", "False", 1.0])
def test_normalize_must_be_a_bool(flag: object) -> None:
    with pytest.raises(TypeError, match=r"normalize.*bool"):
        Image(np.array([[0.5]]), normalize=flag)


# -- [to-uint8] ----------------------------------------------------------------------------


def test_to_uint8_applies_the_algorithm_to_any_shape() -> None:
    assert to_uint8(np.array([0.0, 0.5, 1.0])).tolist() == [0, 127, 255]
    four_d = to_uint8(np.full((2, 1, 3, 5), -1.0))
    assert four_d.dtype == np.uint8 and four_d.shape == (2, 1, 3, 5) and not four_d.any()


def test_to_uint8_keeps_the_layout() -> None:
    data = np.arange(24, dtype=np.int64).reshape(2, 3, 4) * 20  # max 460 -> clipped
    out = to_uint8(data)
    assert out.shape == (2, 3, 4)
    assert out.tolist() == np.minimum(data, 255).tolist()


def test_to_uint8_of_a_0d_array() -> None:
    out = to_uint8(np.array(0.5))
    assert out.shape == () and out.dtype == np.uint8 and int(out) == 127


def test_to_uint8_of_empty_data_is_empty_uint8() -> None:
    out = to_uint8(np.zeros((0, 3), np.float32))
    assert out.shape == (0, 3) and out.dtype == np.uint8


def test_to_uint8_integers_in_0_255_are_kept() -> None:
    assert to_uint8(np.array([0, 17, 255], np.int32)).tolist() == [0, 17, 255]


@pytest.mark.parametrize("bad", [[0.5], 0.5, "x", None])
def test_to_uint8_rejects_non_arrays(bad: object) -> None:
    with pytest.raises(TypeError, match="numpy.ndarray"):
        to_uint8(bad)


def test_to_uint8_rejects_complex_dtype() -> None:
    with pytest.raises(TypeError, match="complex128"):
        to_uint8(np.array([1 + 1j]))
