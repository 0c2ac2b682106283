"""The normalization of [norm.*] and [to-uint8], value by value in exact arithmetic."""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

import numpy as np

from wbimage_conformance.oracle.arithmetic import (
    FORMATS,
    BinaryFormat,
    Number,
    add,
    clip,
    is_nan,
    multiply,
    round_to_format,
    truncate_to_uint8,
)
from wbimage_conformance.oracle.errors import SpecTypeError

UNIT, SIGNED, OTHER, DISABLED = "unit", "signed", "other", "disabled"
_SIGNED_SCALE = Fraction(255, 2)  # the Python float 255 * 0.5 == 127.5, exact in every format


# ---------------------------------------------------------------------------------------------
# Normalization ([norm.*])


def exact_value(scalar: object) -> Number:
    """One array element as an exact number: floats through float64 (which holds every
    float16 and float32 exactly), integers and bools as integers."""
    if isinstance(scalar, (bool, np.bool_)):
        return Fraction(int(bool(scalar)))
    if isinstance(scalar, (int, np.integer)):
        return Fraction(int(scalar))
    as_float = float(scalar)  # type: ignore[arg-type]
    return Fraction(as_float) if math.isfinite(as_float) else as_float


def format_of(dtype: np.dtype) -> BinaryFormat | None:
    """The binary format the formulas round to, or None for exact (bool, integer) data."""
    if dtype.kind in "biu":
        return None
    if dtype.kind == "f" and dtype.name in FORMATS:
        return FORMATS[dtype.name]
    raise SpecTypeError(f"dtype {dtype} is not a real dtype the spec accepts")


def choose_branch(values: Iterable[Number]) -> str:
    """[norm.range] + [norm.bounds] + [norm.special]: one decision from min and max of all values."""
    items = list(values)
    if not items:
        return UNIT  # [to-uint8]: an empty array is trivially inside [0, 1]
    if any(is_nan(v) for v in items):
        return OTHER  # min and max are nan; every comparison is false
    low, high = min(items), max(items)
    if low >= 0 and high <= 1:
        return UNIT
    if low >= -1 and high <= 1:
        return SIGNED
    return OTHER


def normalize_value(value: Number, branch: str, fmt: BinaryFormat | None) -> int:
    """One element through the formula of its branch, rounding after each operation."""
    if branch == UNIT:  # (data * 255).astype(uint8)
        result = multiply(value, Fraction(255), fmt)
    elif branch == SIGNED:  # (255 * 0.5 * (data + 1)).astype(uint8); 255 * 0.5 is 127.5
        result = multiply(_SIGNED_SCALE, add(value, Fraction(1), fmt), fmt)
    elif branch in (OTHER, DISABLED):  # data.clip(0, 255).astype(uint8)
        result = clip(value)
    else:
        raise ValueError(f"unknown branch {branch!r}")
    return truncate_to_uint8(result)


def branch_of(array: np.ndarray, normalize: bool = True) -> str:
    """The branch [norm.range] picks for `array`, or 'disabled' for normalize=False."""
    format_of(array.dtype)
    if not normalize:
        return DISABLED
    return choose_branch(exact_value(v) for v in _distinct(array))


def to_uint8(array: np.ndarray, normalize: bool = True) -> np.ndarray:
    """The normalization algorithm of section 3 on an array of any shape: a uint8 array of the
    same shape ([to-uint8]; also the pixel values of [norm.*] before layout and mode)."""
    fmt = format_of(array.dtype)
    if array.size == 0:
        return np.zeros(array.shape, dtype=np.uint8)  # [to-uint8]: empty in, empty out
    flat = np.asarray(array).reshape(-1)
    distinct, inverse = np.unique(flat, return_inverse=True)
    values = [exact_value(v) for v in distinct]
    branch = DISABLED if not normalize else choose_branch(values)
    for value in values:
        if fmt is not None and isinstance(value, Fraction) and round_to_format(value, fmt) != value:
            raise AssertionError(f"{value} is not a {fmt.name} number; the input was misread")
    mapped = np.array([normalize_value(v, branch, fmt) for v in values], dtype=np.uint8)
    return mapped[inverse.reshape(-1)].reshape(array.shape)


def _distinct(array: np.ndarray) -> np.ndarray:
    return np.unique(np.asarray(array).reshape(-1))
