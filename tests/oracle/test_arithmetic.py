"""The oracle that computes expected pixels, checked against hand computation and against a
literal NumPy evaluation of the documented formulas (never against reference/)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image as PILImage

from wbimage_conformance import oracle

# ---------------------------------------------------------------------------------------------
# IEEE rounding


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        # 1 + 2**-11 is halfway between float16 1.0 and 1 + 2**-10: the tie goes to even (1.0).
        (Fraction(1) + Fraction(1, 2**11), oracle.FLOAT16, Fraction(1)),
        # 1 + 3 * 2**-11 is halfway between 1 + 2**-10 (odd) and 1 + 2**-9 (even).
        (Fraction(1) + Fraction(3, 2**11), oracle.FLOAT16, Fraction(1) + Fraction(1, 2**9)),
        # Below the smallest normal (2**-14) float16 keeps the spacing 2**-24: subnormals.
        (Fraction(3, 2**25), oracle.FLOAT16, Fraction(2, 2**24)),  # 1.5 quanta -> 2 (even)
        (Fraction(1, 2**26), oracle.FLOAT16, Fraction(0)),  # a quarter quantum -> 0
        (Fraction(1, 2**25), oracle.FLOAT16, Fraction(0)),  # half a quantum, tie -> 0 (even)
        # 65520 is halfway between 65504 (the largest float16) and 65536: even wins -> overflow.
        (Fraction(65520), oracle.FLOAT16, math.inf),
        (Fraction(65519), oracle.FLOAT16, Fraction(65504)),
        (Fraction(-65520), oracle.FLOAT16, -math.inf),
        # float32 spacing just below 1 is 2**-24, so 1 - 2**-25 is the midpoint between
        # 1 - 2**-24 (odd significand) and 1.0 (even): it rounds to 1.0.
        (Fraction(1) - Fraction(1, 2**25), oracle.FLOAT32, Fraction(1)),
        (Fraction(1, 10), oracle.FLOAT64, Fraction(0.1)),
    ],
)
def test_round_to_format_hand_values(value, fmt, expected):
    assert oracle.round_to_format(value, fmt) == expected


@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_round_to_format_agrees_with_numpy_casts(dtype):
    # NumPy's float64 -> float16/float32 conversion is correctly rounded; the oracle must agree
    # everywhere, including subnormals and overflow.
    rng = np.random.default_rng(7)
    fmt = oracle.FORMATS[dtype]
    scales = [1.0, 1e-3, 1e-6, 1e-8, 1e-40, 300.0, 70000.0, 1e39]
    values = np.concatenate([rng.standard_normal(2000) * s for s in scales])
    for value in values:
        with np.errstate(over="ignore"):
            expected = np.float64(value).astype(dtype)
        got = oracle.round_to_format(Fraction(float(value)), fmt)
        if math.isinf(float(expected)):
            assert got == float(expected)
        else:
            assert got == Fraction(float(expected)), float(value).hex()


def test_floor_log2():
    assert oracle.floor_log2(Fraction(1)) == 0
    assert oracle.floor_log2(Fraction(255)) == 7
    assert oracle.floor_log2(Fraction(256)) == 8
    assert oracle.floor_log2(Fraction(1, 3)) == -2
    assert oracle.floor_log2(Fraction(1, 4)) == -2


# ---------------------------------------------------------------------------------------------
# Branches, hand computed


def u8(rows):
    return np.array(rows, dtype=np.uint8)


def test_float32_unit_example():
    # float32(0.2) = 13421773 * 2**-26 = 0.20000000298...; times 255 = 51.00000076...; the
    # float32 spacing in [32, 64) is 2**-18 = 3.8e-6, so the product rounds to 51.0 -> 51.
    # float32(0.3) = 10066330 * 2**-25 = 0.30000001192...; times 255 = 76.50000304...; the
    # spacing in [64, 128) is 2**-17 = 7.6e-6, so it rounds to 76.5 -> truncated to 76.
    got = oracle.to_uint8(np.array([[0.2, 0.3]], dtype=np.float32))
    np.testing.assert_array_equal(got, u8([[51, 76]]))


def test_float64_signed_example():
    # float64(-0.2) + 1 = 14411518807585587 * 2**-54 needs 54 bits: a tie between two float64
    # neighbours, the even one is float64(0.8) = 0.80000000000000004; times 127.5 gives
    # 102.000000000000006, which rounds to 102.0 -> 102.
    # float64(0.6) + 1 = 14411518807585587 * 2**-53, again a tie; the even neighbour is
    # 1.6000000000000001 (not 1.5999999999999999), times 127.5 -> 204.00000000000001 -> 204.
    got = oracle.to_uint8(np.array([[-0.2, 0.6]], dtype=np.float64))
    np.testing.assert_array_equal(got, u8([[102, 204]]))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_other_branch_clips_and_truncates(dtype):
    # Every value is representable in float16 too (254.5 needs 9 significant bits).
    got = oracle.to_uint8(np.array([[-9, 0.1, 100, 254.5, 270]], dtype=dtype))
    np.testing.assert_array_equal(got, u8([[0, 0, 100, 254, 255]]))


def test_float16_unit_by_hand():
    # float16(0.2): 0.2 = 1.6 * 2**-3, 1.6 * 1024 = 1638.4 -> 1638, so x = 1638 / 8192
    # = 0.199951171875. x * 255 = 50.987548828125; the float16 spacing in [32, 64) is 1/32,
    # 50.9875... * 32 = 1631.60 -> 1632 -> 51.0 -> 51.
    # float16(0.3): 0.3 = 1.2 * 2**-2, 1.2 * 1024 = 1228.8 -> 1229, x = 1229 / 4096
    # = 0.300048828125. x * 255 = 76.512451171875; spacing in [64, 128) is 1/16,
    # 76.5124... * 16 = 1224.199 -> 1224 -> 76.5 -> 76.
    got = oracle.to_uint8(np.array([[0.2, 0.3]], dtype=np.float16))
    np.testing.assert_array_equal(got, u8([[51, 76]]))


def test_float16_unit_rounds_up_to_k_where_float64_truncates_to_k_minus_1():
    # float16(1/255): 1/255 = 0x1.010101...p-8; with 10 fraction bits the nearest is
    # 0x1.010p-8 = 257/65536, just below 1/255. x * 255 = 65535/65536 = 1 - 2**-16, and the
    # float16 spacing in [0.5, 1) is 2**-11, so the product rounds to 1.0 -> pixel 1.
    # Evaluated in float64 the product stays 0.99998... and truncates to 0.
    x = np.array([[1 / 255]], dtype=np.float16)
    assert float(x[0, 0]) == 257 / 65536
    np.testing.assert_array_equal(oracle.to_uint8(x), u8([[1]]))
    np.testing.assert_array_equal(oracle.to_uint8(x.astype(np.float64)), u8([[0]]))


def test_float16_signed_by_hand():
    # -0.5 + 1 = 0.5; 127.5 * 0.5 = 63.75 (exact in float16) -> 63.
    # float16(0.999) = 2046/2048 = 0.9990234375; + 1 = 2047/1024 (exact); * 127.5
    # = 254.87548828125, spacing in [128, 256) is 1/8: 2039.0039 eighths -> 254.875 -> 254.
    # 0x1.ffcp-1 = 1 - 2**-11 (largest float16 below 1); + 1 = 2 - 2**-11 is halfway between
    # 2 - 2**-10 (odd significand) and 2.0 (even): rounds to 2.0; * 127.5 = 255 -> 255,
    # where exact arithmetic gives 254.94 -> 254.
    data = np.array([[-0.5, 0.999, float.fromhex("0x1.ffcp-1")]], dtype=np.float16)
    np.testing.assert_array_equal(oracle.to_uint8(data), u8([[63, 254, 255]]))


def test_signed_maps_zero_to_127_and_ends_to_0_and_255():
    for dtype in ("float16", "float32", "float64", "int8", "int64"):
        data = np.array([[-1, 0, 1]], dtype=dtype)
        np.testing.assert_array_equal(oracle.to_uint8(data), u8([[0, 127, 255]]))


def test_integer_masks_are_exact_without_overflow():
    # int8 * 255 would overflow in NumPy; the spec evaluates integers as mathematics.
    np.testing.assert_array_equal(oracle.to_uint8(np.array([[0, 1]], dtype=np.int8)), u8([[0, 255]]))
    np.testing.assert_array_equal(oracle.to_uint8(np.array([[True, False]])), u8([[255, 0]]))
    big = np.array([[-(2**63), 2**63 - 1, 7]], dtype=np.int64)
    np.testing.assert_array_equal(oracle.to_uint8(big), u8([[0, 255, 7]]))
    huge = np.array([[2**64 - 1, 3]], dtype=np.uint64)
    np.testing.assert_array_equal(oracle.to_uint8(huge), u8([[255, 3]]))


def test_bounds_are_closed_and_one_ulp_moves_the_branch():
    one_up = np.nextafter(np.float32(1), np.float32(2))
    assert oracle.branch_of(np.array([0, 1], dtype=np.float32)) == "unit"
    assert oracle.branch_of(np.array([0, one_up], dtype=np.float32)) == "other"
    assert oracle.branch_of(np.array([-1, 1], dtype=np.float32)) == "signed"
    minus_one_down = np.nextafter(np.float32(-1), np.float32(-2))
    assert oracle.branch_of(np.array([minus_one_down, 0], dtype=np.float32)) == "other"
    assert oracle.branch_of(np.array([-0.0, 1.0])) == "unit"
    tiny = -np.finfo(np.float16).smallest_subnormal
    assert oracle.branch_of(np.array([tiny, 1], dtype=np.float16)) == "signed"


def test_special_values():
    nan, inf = math.nan, math.inf
    # NaN forces the other branch even when every other value is in [0, 1]; NaN -> 0.
    np.testing.assert_array_equal(oracle.to_uint8(np.array([[nan, 0.5, 1.0]])), u8([[0, 0, 1]]))
    np.testing.assert_array_equal(oracle.to_uint8(np.array([[inf, -inf, 0.5]], np.float16)), u8([[255, 0, 0]]))
    np.testing.assert_array_equal(
        oracle.to_uint8(np.array([[nan, 0.5, 300, -inf]], np.float32), normalize=False), u8([[0, 0, 255, 0]])
    )


def test_disabled_clips_without_range_detection():
    np.testing.assert_array_equal(oracle.to_uint8(np.array([[0.0, 0.5, 1.0]]), normalize=False), u8([[0, 0, 1]]))
    np.testing.assert_array_equal(
        oracle.to_uint8(np.array([[-300, 0, 1, 256]], np.int16), normalize=False), u8([[0, 0, 1, 255]])
    )


# ---------------------------------------------------------------------------------------------
# Cross-check: the documented formulas evaluated literally with NumPy


def literal_formula(data: np.ndarray) -> np.ndarray:
    """The three documented lines, run as written (valid for float data without NaN)."""
    if data.min() >= 0 and data.max() <= 1:
        return (data * 255).astype(np.uint8)
    if data.min() >= -1 and data.max() <= 1:
        return (255 * 0.5 * (data + 1)).astype(np.uint8)
    return data.clip(0, 255).astype(np.uint8)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize(("low", "high"), [(0.0, 1.0), (-1.0, 1.0), (-40.0, 300.0)])
def test_oracle_agrees_with_literal_numpy_on_random_arrays(dtype, low, high):
    rng = np.random.default_rng(abs(hash((dtype, low))) % 2**32)
    for _ in range(5):
        data = (low + (high - low) * rng.random((7, 9, 3))).astype(dtype)
        np.testing.assert_array_equal(oracle.to_uint8(data), literal_formula(data))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_oracle_agrees_with_literal_numpy_on_k_over_255_grids(dtype):
    k = np.arange(256)
    for data in ((k / 255).astype(dtype), (2 * k / 255 - 1).astype(dtype)):
        np.testing.assert_array_equal(oracle.to_uint8(data), literal_formula(data))


def test_oracle_agrees_with_literal_numpy_on_every_float16_in_unit_and_signed_ranges():
    every = np.arange(2**16, dtype=np.uint16).view(np.float16)
    every = every[np.isfinite(every)]
    unit = every[(every >= 0) & (every <= 1)]
    signed = every[(every >= -1) & (every <= 1)]
    np.testing.assert_array_equal(oracle.to_uint8(unit), (unit * 255).astype(np.uint8))
    np.testing.assert_array_equal(oracle.to_uint8(signed), (255 * 0.5 * (signed + 1)).astype(np.uint8))


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        dtype=st.sampled_from([np.float16, np.float32, np.float64]),
        shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
        elements={"allow_nan": False, "allow_infinity": False, "min_value": -2.0, "max_value": 2.0},
    )
)
def test_oracle_agrees_with_literal_numpy_property(data):
    np.testing.assert_array_equal(oracle.to_uint8(data), literal_formula(data))


# ---------------------------------------------------------------------------------------------
# Layout and modes


def test_guess_mode_rules():
    assert oracle.guess_mode((4, 5)) == "L"
    assert oracle.guess_mode((4, 5, 1)) == "L"
    assert oracle.guess_mode((4, 5, 3)) == "RGB"
    assert oracle.guess_mode((4, 5, 4)) == "RGBA"
    assert oracle.guess_mode((4, 5, 4), file_type="jpg") == "RGB"
    assert oracle.guess_mode((3, 4, 4), "tensor") == "RGB"
    assert oracle.guess_mode((4, 4, 3), "tensor") == "RGBA"
    for shape, kind in [((5,), "numpy"), ((2, 2, 2), "numpy"), ((1, 3, 2, 2), "tensor"), ((2, 3, 3), "tensor")]:
        with pytest.raises(oracle.SpecValueError):
            oracle.guess_mode(shape, kind)


def test_tensor_pixels_are_permuted_not_reshaped():
    data = np.arange(12, dtype=np.uint8).reshape(3, 2, 2) + 10  # values 10..21: branch other
    picture = oracle.image(data, "tensor")
    assert picture.mode == "RGB" and picture.size == (2, 2)
    np.testing.assert_array_equal(picture.pixels, np.transpose(data, (1, 2, 0)))


def test_single_channel_becomes_two_dimensional_pixels():
    picture = oracle.image(np.array([[[10], [20]]], dtype=np.uint8))
    assert picture.mode == "L" and picture.size == (2, 1)
    np.testing.assert_array_equal(picture.pixels, u8([[10, 20]]))


def test_luma_by_hand():
    # 19595*10 + 38470*200 + 7471*30 + 32768 = 195950 + 7694000 + 224130 + 32768 = 8146848;
    # 8146848 >> 16 = floor(124.31) = 124.
    np.testing.assert_array_equal(oracle.luma(u8([[[10, 200, 30]]])), u8([[124]]))
    np.testing.assert_array_equal(oracle.luma(u8([[[255, 255, 255]]])), u8([[255]]))


def test_luma_matches_pillow_convert():
    # The spec says the fixed-point formula is what PIL's convert("L") computes; check that
    # claim on many colours (PIL is not the implementation under test here).
    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8)
    np.testing.assert_array_equal(oracle.luma(rgb), np.asarray(PILImage.fromarray(rgb).convert("L")))


def test_explicit_modes_and_jpeg_alpha():
    rgba = u8([[[10, 200, 30, 7]]])
    assert oracle.image(rgba, file_type="jpg").mode == "RGB"
    np.testing.assert_array_equal(oracle.image(rgba, file_type="jpg").pixels, u8([[[10, 200, 30]]]))
    with pytest.raises(oracle.SpecValueError):
        oracle.image(rgba, mode="RGBA", file_type="jpeg")
    gray = u8([[9, 250]])
    np.testing.assert_array_equal(oracle.image(gray, mode="RGBA").pixels, u8([[[9, 9, 9, 255], [250, 250, 250, 255]]]))
    np.testing.assert_array_equal(oracle.image(rgba, mode="L").pixels, u8([[124]]))


def test_errors():
    with pytest.raises(oracle.SpecValueError):
        oracle.image(np.zeros((0, 3)))
    with pytest.raises(oracle.SpecValueError):
        oracle.image(np.zeros((1, 65501), np.uint8))
    assert oracle.image(np.zeros((1, 65500), np.uint8)).size == (65500, 1)
    with pytest.raises(oracle.SpecTypeError):
        oracle.image(np.zeros((2, 2), np.complex64))
    with pytest.raises(oracle.SpecTypeError):
        oracle.image(np.zeros((2, 2)), normalize=1)
    with pytest.raises(oracle.SpecValueError):
        oracle.image(np.zeros((2, 2)), file_type="JPG")
    with pytest.raises(oracle.SpecValueError):
        oracle.image(np.zeros((2, 2)), mode="rgb")


def test_oracle_does_not_import_reference():
    import ast
    import inspect

    import make_cases

    for module in (oracle, make_cases):
        tree = ast.parse(inspect.getsource(module))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [n for n in names if n == "reference" or n.startswith("reference.")], module.__name__
