"""Exact arithmetic with explicit IEEE-754 rounding: the formulas' float operations, evaluated
on rationals and rounded to the input's binary format as [norm.precision] prescribes, so that
nothing here shares arithmetic with NumPy or with the reference."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from fractions import Fraction

Number = Fraction | float  # float only for nan, +inf, -inf

_HALF = Fraction(1, 2)


# ---------------------------------------------------------------------------------------------
# IEEE-754 binary formats and rounding


@dataclass(frozen=True)
class BinaryFormat:
    """An IEEE-754 binary interchange format, described by what rounding needs."""

    name: str
    precision: int  # significand bits, the implicit leading bit included
    emin: int  # exponent of the smallest normal number
    emax: int  # exponent of the largest finite number

    @property
    def max_finite(self) -> Fraction:
        return _max_finite(self.precision, self.emax)


FLOAT16 = BinaryFormat("float16", 11, -14, 15)
FLOAT32 = BinaryFormat("float32", 24, -126, 127)
FLOAT64 = BinaryFormat("float64", 53, -1022, 1023)
FORMATS = {fmt.name: fmt for fmt in (FLOAT16, FLOAT32, FLOAT64)}
# Not a format the spec evaluates in ([input.tensor.dtype] widens bfloat16 to float32); kept so
# the case generator can find values where evaluating in bfloat16 would give other pixels.
BFLOAT16 = BinaryFormat("bfloat16", 8, -126, 127)


def _pow2(exponent: int) -> Fraction:
    return Fraction(1 << exponent) if exponent >= 0 else Fraction(1, 1 << -exponent)


@functools.cache
def _max_finite(precision: int, emax: int) -> Fraction:
    return (2 - Fraction(1, 2 ** (precision - 1))) * _pow2(emax)


def floor_log2(value: Fraction) -> int:
    """The integer e with 2**e <= value < 2**(e+1), for value > 0."""
    if value <= 0:
        raise ValueError("floor_log2 needs a positive value")
    guess = value.numerator.bit_length() - value.denominator.bit_length()
    # value < 2**(guess + 1) always holds; value >= 2**(guess - 1) too.
    return guess if value >= _pow2(guess) else guess - 1


def round_half_even(value: Fraction) -> int:
    """The integer nearest to `value`; a tie goes to the even neighbour."""
    floor = value.numerator // value.denominator
    rest = value - floor
    if rest > _HALF:
        return floor + 1
    if rest < _HALF:
        return floor
    return floor + (floor % 2)


def round_to_format(value: Number, fmt: BinaryFormat) -> Number:
    """`value` rounded to the nearest number of `fmt` (ties to even), with gradual underflow
    below the smallest normal and overflow to infinity past the largest finite number."""
    if not isinstance(value, Fraction):
        return value  # nan and the infinities are already in every format
    if value == 0:
        return Fraction(0)
    magnitude = abs(value)
    exponent = max(floor_log2(magnitude), fmt.emin)  # below emin the spacing stays fixed
    quantum = _pow2(exponent - fmt.precision + 1)  # distance between neighbours here
    rounded = round_half_even(magnitude / quantum) * quantum
    if rounded > fmt.max_finite:
        return math.inf if value > 0 else -math.inf
    return rounded if value > 0 else -rounded


def is_nan(value: Number) -> bool:
    return isinstance(value, float) and math.isnan(value)


def add(a: Number, b: Number, fmt: BinaryFormat | None) -> Number:
    """a + b, rounded to `fmt` (exact when fmt is None: integer data)."""
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        exact = a + b
        return exact if fmt is None else round_to_format(exact, fmt)
    return _non_finite(float(a) + float(b))


def multiply(a: Number, b: Number, fmt: BinaryFormat | None) -> Number:
    """a * b, rounded to `fmt` (exact when fmt is None: integer data)."""
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        exact = a * b
        return exact if fmt is None else round_to_format(exact, fmt)
    return _non_finite(float(a) * float(b))


def _non_finite(result: float) -> Number:
    # Only reached with a nan or an infinity among the operands, where float arithmetic is
    # exactly IEEE's (inf * 255 = inf, inf * 0 = nan, nan + 1 = nan).
    return result if not math.isfinite(result) else Fraction(result)


def clip(value: Number, low: int = 0, high: int = 255) -> Number:
    """NumPy's clip: nan stays nan, everything else is pulled into [low, high] exactly."""
    if is_nan(value):
        return value
    if value < low:
        return Fraction(low)
    if value > high:
        return Fraction(high)
    return value if isinstance(value, Fraction) else Fraction(value)


def truncate_to_uint8(value: Number) -> int:
    """Rounding toward zero, as astype(uint8) does on [0, 256); nan gives 0 ([norm.special])."""
    if is_nan(value):
        return 0
    if not isinstance(value, Fraction) or not 0 <= value < 256:
        raise AssertionError(f"a formula produced {value!r}, outside [0, 256)")
    return int(value)  # int() of a Fraction truncates toward zero
