"""An independent evaluator of SPEC.md's pixel rules, used to compute the expected values of cases.

Why it exists: the expected pixels of a case must not come from the implementation the case
judges. This module re-derives them from the clauses alone. Every float operation of a
documented formula is carried out on exact rationals (`fractions.Fraction`) and then rounded
to the input's binary format by an explicit round-to-nearest-even written out below, as
[norm.precision] prescribes, so the result shares no arithmetic with NumPy or with
`reference/` (which this module never imports). Integer and bool data are evaluated as exact
mathematics ([norm.integer]); mode conversions use the fixed-point luma of [mode.explicit].

It is deliberately simple rather than fast: the distinct values of an array are evaluated one
at a time in Python. It only runs when the case files are generated.

Special values: NaN and the infinities are carried as Python floats, every finite value as a
Fraction. The sign of zero is not kept: no clause makes a pixel depend on it ([norm.bounds]
counts -0.0 as 0, and both truncate to 0).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Union

import numpy as np

Number = Union[Fraction, float]  # float only for nan, +inf, -inf

UNIT, SIGNED, OTHER, DISABLED = "unit", "signed", "other", "disabled"

ACCEPTED_FILE_TYPES = ("png", "jpg", "jpeg", "bmp")
JPEG_FILE_TYPES = ("jpg", "jpeg")
ACCEPTED_MODES = ("L", "RGB", "RGBA")
MAX_DIMENSION = 65500
ENCODED_FORMAT = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg", "bmp": "bmp"}

_HALF = Fraction(1, 2)
_SIGNED_SCALE = Fraction(255, 2)  # the Python float 255 * 0.5 == 127.5, exact in every format


class SpecError(Exception):
    """The clauses say this call raises. `error_type` is the Python exception the spec names."""

    error_type = "Exception"


class SpecValueError(SpecError):
    error_type = "ValueError"


class SpecTypeError(SpecError):
    error_type = "TypeError"


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
        return (2 - Fraction(1, 2 ** (self.precision - 1))) * _pow2(self.emax)


FLOAT16 = BinaryFormat("float16", 11, -14, 15)
FLOAT32 = BinaryFormat("float32", 24, -126, 127)
FLOAT64 = BinaryFormat("float64", 53, -1022, 1023)
FORMATS = {fmt.name: fmt for fmt in (FLOAT16, FLOAT32, FLOAT64)}
# Not a format the spec evaluates in ([input.tensor.dtype] widens bfloat16 to float32); kept so
# the case generator can find values where evaluating in bfloat16 would give other pixels.
BFLOAT16 = BinaryFormat("bfloat16", 8, -126, 127)


def _pow2(exponent: int) -> Fraction:
    return Fraction(2) ** exponent


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
        return math.copysign(math.inf, value)
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
    if 0 <= low and high <= 1:
        return UNIT
    if -1 <= low and high <= 1:
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


# ---------------------------------------------------------------------------------------------
# Layout and modes ([input.array.layout], [input.tensor.layout], [mode.*])


def guess_mode(shape: Sequence[int], kind: str = "numpy", file_type: str | None = None) -> str:
    """[mode.guess]: the mode from the shape alone; arrays are channels-last, tensors first."""
    shape = tuple(shape)
    if len(shape) == 2:
        mode = "L"
    elif len(shape) == 3:
        channels = shape[2] if kind == "numpy" else shape[0]
        modes = {1: "L", 3: "RGB", 4: "RGBA"}
        if channels not in modes:
            raise SpecValueError(f"{kind} of shape {shape}: channel count {channels} is not 1, 3 or 4")
        mode = modes[channels]
    else:
        raise SpecValueError(f"{kind} of shape {shape}: not 2-D or 3-D")
    if mode == "RGBA" and file_type in JPEG_FILE_TYPES:
        return "RGB"
    return mode


def to_pixel_layout(values: np.ndarray, kind: str) -> np.ndarray:
    """The (H, W) or (H, W, C) pixel array: tensors are permuted (1, 2, 0), one channel is
    dropped to (H, W) as numpy.asarray gives an L image."""
    if kind == "tensor" and values.ndim == 3:
        values = np.transpose(values, (1, 2, 0))
    if values.ndim == 3 and values.shape[2] == 1:
        values = values[:, :, 0]
    return np.ascontiguousarray(values)


def luma(rgb: np.ndarray) -> np.ndarray:
    """ITU-R 601-2 luma in 16-bit fixed point, [mode.explicit]: exact integer arithmetic."""
    wide = rgb.astype(np.int64)
    value = (19595 * wide[..., 0] + 38470 * wide[..., 1] + 7471 * wide[..., 2] + 32768) >> 16
    return value.astype(np.uint8)


def convert(pixels: np.ndarray, source: str, target: str) -> np.ndarray:
    """[mode.explicit] between L, RGB and RGBA."""
    if source == target:
        return pixels
    if target == "L":
        return luma(pixels)
    if source == "L":
        channels = [pixels, pixels, pixels]
    else:
        channels = [pixels[..., i] for i in range(3)]
    if target == "RGBA":
        channels.append(np.full(pixels.shape[:2], 255, dtype=np.uint8))
    return np.ascontiguousarray(np.stack(channels, axis=-1).astype(np.uint8))


@dataclass(frozen=True)
class Picture:
    """What an Image call yields: pixels, mode, size (width, height), format, encoded format."""

    pixels: np.ndarray
    mode: str
    size: tuple[int, int]
    format: str
    encoded: str


def check_file_type(file_type: object) -> str:
    """[file-type.default] and [file-type.accepted]."""
    if file_type is None:
        return "png"
    if not isinstance(file_type, str) or file_type not in ACCEPTED_FILE_TYPES:
        raise SpecValueError(f"file_type {file_type!r} is not one of {ACCEPTED_FILE_TYPES}")
    return file_type


def check_size(width: int, height: int) -> None:
    """[limits.max-dimension]."""
    if width > MAX_DIMENSION or height > MAX_DIMENSION:
        raise SpecValueError(f"image {width}x{height} exceeds MAX_DIMENSION {MAX_DIMENSION}")


def finish(pixels: np.ndarray, guessed: str, mode: object, file_type: str | None) -> Picture:
    """Explicit mode, the JPEG alpha rule, file type and size checks on already-normalized pixels."""
    fmt = check_file_type(file_type)
    if mode is not None and (not isinstance(mode, str) or mode not in ACCEPTED_MODES):
        raise SpecValueError(f"mode {mode!r} is not one of {ACCEPTED_MODES}")
    target = mode if mode is not None else guessed
    if target == "RGBA" and fmt in JPEG_FILE_TYPES:
        if mode is not None:
            raise SpecValueError(f"mode 'RGBA' cannot be saved as {fmt}")
        target = "RGB"  # [mode.jpeg-alpha]: alpha dropped
    height, width = pixels.shape[:2]
    check_size(width, height)
    result = convert(pixels, guessed, target)
    return Picture(result, target, (width, height), fmt, ENCODED_FORMAT[fmt])


def image(
    data: np.ndarray,
    kind: str = "numpy",
    mode: object = None,
    file_type: object = None,
    normalize: object = True,
) -> Picture:
    """Image(data, mode=, file_type=, normalize=) for an array or a tensor.

    For kind 'tensor', `data` holds the tensor's values in its own (C, H, W) or (H, W) layout
    (bfloat16 already widened to float32, [input.tensor.dtype])."""
    if not isinstance(normalize, (bool, np.bool_)):
        raise SpecTypeError(f"normalize must be a bool, not {type(normalize).__name__}")
    format_of(data.dtype)
    if data.size == 0:
        raise SpecValueError(f"the image is empty: shape {data.shape}")
    guessed = guess_mode(data.shape, kind)
    pixels = to_pixel_layout(to_uint8(data, normalize=bool(normalize)), kind)
    return finish(pixels, guessed, mode, file_type)
