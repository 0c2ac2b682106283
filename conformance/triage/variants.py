"""What an implementation with a given set of bugs would output, computed with the oracle's
exact arithmetic.

A `Variant` is the spec's pipeline for an `Image` or `to_uint8` call on array or tensor data
with some of its decisions changed (rounding, precision, range rule, overflow, layout, mode,
file type, limits). The spec's own pipeline is `Variant()`. Every float operation of a
formula is done on exact rationals and rounded to its binary format with
`oracle.round_to_format`, as the oracle does; layout and mode steps are the oracle's
(`oracle.convert`, `oracle.guess_mode`). A hypothesis about an implementation is claimed
for a case only where `predict` under its variant gives exactly what was observed.

The distinct values of an array are found once per array content and mapped one at a time
(as the oracle does); the mapped table is kept per (branch, arithmetic), so the many variants
tried on one case, and cases that share an input, share the sort and the arithmetic.
`applies` tells, without computing anything, whether a variant can change a call's output at
all (a JPEG decision on a PNG call, a tensor layout on an array), so a variant that cannot is
never recomputed.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from fractions import Fraction
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from wbimage_conformance import oracle
from wbimage_conformance.oracle.arithmetic import add, clip, is_nan, multiply

UNIT, SIGNED, OTHER, DISABLED = oracle.UNIT, oracle.SIGNED, oracle.OTHER, oracle.DISABLED
#: The branch of "no normalization": every value is cast as it is.
KEPT = "kept"


@dataclass(frozen=True)
class Variant:
    """One knob per decision an implementation can get wrong; the defaults are the spec's."""

    rounding: str = "truncate"         # "nearest": round half to even before the cast
    precision: str | None = None       # "float64" / "float32": floats evaluated in that format
    signed: str = "spec"               # "expanded": 127.5*x + 127.5; "127": 127 * (x + 1)
    ranges: str = "whole"              # see RANGE_RULES
    overflow: str = "clip"             # "wrap": out-of-range values wrap modulo 256 (bare astype)
    disabled: str = "clip"             # "normalize": normalize=False is ignored
    nan: str = "zero"                  # "255": NaN pixels become 255
    integers: str = "exact"            # "literal": the formulas in the integer dtype (int8 overflows)
    bools: str = "unit"                # "cast": bool data is 0/1 pixels
    tensor_layout: str = "chw"         # "hwc": read like an array; "whc": permute(2, 1, 0)
    squeeze: bool = False              # size-1 axes squeezed away first
    channel_order: str = "rgb"         # "bgr"
    jpeg_alpha: str = "drop"           # "keep": 4 channels stay RGBA with a JPEG file type
    explicit_mode: str = "convert"     # "ignored": mode= has no effect
    luma: str = "fixed"                # "float": round(0.299 R + 0.587 G + 0.114 B)
    max_dimension: bool = True         # False: MAX_DIMENSION is not enforced
    file_type_spelling: str = "exact"  # "lenient": lower-cased, leading dot dropped
    unknown_file_type: str = "refused"  # "png": any other format name is written as PNG
    default_file_type: str = "png"     # "jpg"
    empty: str = "error"               # "blank": a 1x1 black image
    normalize_type: str = "bool"       # "truthy": any value taken for its truth
    formula_cast: str = "clip"         # "bare": see Cast.formula
    decoded: str = "raw"               # "jpeg": pixels read back from the JPEG file written

    @cached_property
    def changed(self) -> tuple[str, ...]:
        """The knobs set to something else than the spec's decision."""
        return tuple(f.name for f in fields(self) if getattr(self, f.name) != f.default)

    def applies(self, call: Call) -> bool:
        """Whether every changed knob can change this call's output (a cheap test on the call's
        facts, no arithmetic): a variant with a knob that cannot predicts, for that knob, the
        spec's own output, so it cannot explain a deviation."""
        changed = self.changed
        return bool(changed) and all(KNOB_APPLIES.get(name, _always)(call, self) for name in changed)

    def merged(self, other: Variant) -> Variant | None:
        """Both variants' changes at once; None when they change the same knob differently."""
        base = Variant()
        changes = {}
        for f in fields(self):
            mine, theirs, default = getattr(self, f.name), getattr(other, f.name), getattr(base, f.name)
            if mine != default and theirs != default and mine != theirs:
                return None
            changes[f.name] = mine if mine != default else theirs
        return replace(base, **changes)


RANGE_RULES = {
    "whole": "the spec: one branch from min and max of every value, closed bounds",
    "exclusive": "open bounds: exactly 0, 1 and -1 move the data to the next branch",
    "per-channel": "a branch for every channel on its own",
    "colour-only": "the branch of 4-channel data from the colour channels, alpha left out",
    "finite-only": "NaN left out when the range is taken",
    "nan-to-minimum": "NaN replaced by the smallest value before anything else",
    "by-dtype": "floats scaled by 255, integers clipped, whatever the values",
    "min-max": "every image rescaled from its own min and max to [0, 255]",
    "negatives-min-max": "data with negatives min-max rescaled, then x255 when max <= 1",
    "range-division": "shift negatives to 0, divide by the range, x255 when max <= 1",
    "none": "no normalization: every value cast as normalize=False casts it",
}


@dataclass(frozen=True)
class Call:
    """What a variant needs of a case: the data (tensors in their own (C, H, W) layout), the
    kind, and the call's mode, file_type and normalize."""

    api: str                  # "Image" or "to_uint8"
    data: np.ndarray
    kind: str                 # "numpy" or "tensor"
    mode: Any = None
    file_type: Any = None
    normalize: Any = True
    has_file_type: bool = False

    @cached_property
    def key(self) -> tuple[Any, ...]:
        """Equal for calls a variant maps to the same prediction (same data, same arguments)."""
        arguments = tuple(repr(a) for a in (self.mode, self.file_type, self.normalize))
        return (self.api, self.kind, content_key(self.data), arguments, self.has_file_type)

    @property
    def floats(self) -> bool:
        return self.data.dtype.kind == "f"

    @cached_property
    def has_nan(self) -> bool:
        return self.floats and bool(np.isnan(self.data).any())

    @cached_property
    def bounds(self) -> Bounds:
        return Bounds.of(self.data)


@dataclass(frozen=True)
class Raises:
    """A predicted exception, by the name of its type; `check` says which step raises it."""

    type: str
    check: str = ""


@dataclass(frozen=True)
class Output:
    """A predicted result: pixels (uint8), and for Image calls mode, size, format, encoded."""

    pixels: np.ndarray
    mode: str | None = None
    size: tuple[int, int] | None = None
    format: str | None = None
    encoded: str | None = None


Prediction = Output | Raises


# -- which knobs can matter for a call -----------------------------------------------------------
# Conservative: a knob is said to apply unless the call's own facts (API, kind, dtype, shape,
# arguments) rule it out whatever the other knobs are.


def _always(call: Call, variant: Variant) -> bool:
    return True


def _image_call(call: Call) -> bool:
    return call.api == "Image"


def _written_as_jpeg(call: Call, variant: Variant) -> bool:
    """The variant's own file type for the call is a JPEG one."""
    try:
        return _file_type(call, variant) in oracle.JPEG_FILE_TYPES
    except oracle.SpecError:
        return False


def _explicit_file_type_refused(call: Call, variant: Variant) -> bool:
    file_type = call.file_type
    return _image_call(call) and call.has_file_type and file_type is not None and file_type not in oracle.ACCEPTED_FILE_TYPES


#: The range rules that rescale by the data's own range (NaN can come out of them).
RESCALING = ("min-max", "negatives-min-max", "range-division")
#: The range rules that can feed the unit or signed formula values outside its range.
FORMULA_OVERFLOW_RULES = ("by-dtype", "colour-only")


@lru_cache(maxsize=None)
def bare_cast(variant: Variant) -> Variant | None:
    """The variant with the formula's out-of-range results cast bare (see Cast.formula), for
    a range rule that can produce them; None for the others, where it changes nothing."""
    if variant.formula_cast != "clip" or variant.ranges not in FORMULA_OVERFLOW_RULES:
        return None
    return replace(variant, formula_cast="bare")


def _branch(call: Call, variant: Variant) -> str | None:
    """The branch the spec's range rule takes for the call's data, with the variant's other
    decisions; None where they leave it open (another range rule, bool data cast, a
    normalize= that is not a bool, no data)."""
    if variant.ranges != "whole" or call.data.size == 0 or (call.data.dtype.kind == "b" and variant.bools != "unit"):
        return None
    if _image_call(call):
        if not isinstance(call.normalize, (bool, np.bool_)):
            return None
        if not call.normalize and variant.disabled != "normalize":
            return DISABLED
    return call.bounds.branch()


def _normalization_skipped(call: Call, variant: Variant) -> bool:
    """normalize=False, obeyed: no range rule or formula is used."""
    value = call.normalize
    return (_image_call(call) and isinstance(value, (bool, np.bool_)) and not value
            and variant.disabled != "normalize")


def _rounding_matters(call: Call, variant: Variant) -> bool:
    """Integer data meets a fraction only in the signed formula."""
    branch = _branch(call, variant)
    return branch is None or call.floats or branch == SIGNED


def _overflow_matters(call: Call, variant: Variant) -> bool:
    """Wrapping differs from clipping only for values the clip branch finds outside [0, 255]."""
    branch = _branch(call, variant)
    if branch is None:
        return True
    low, high = call.bounds.low, call.bounds.high
    return branch in (OTHER, DISABLED) and low is not None and (
        not isinstance(low, Fraction) or not isinstance(high, Fraction) or low < 0 or high > 255)


def _precision_differs(call: Call, variant: Variant) -> bool:
    if variant.ranges == "min-max":   # min-max rescaling computes in the precision whatever the dtype
        return True
    try:
        own = oracle.format_of(call.data.dtype)
    except oracle.SpecError:
        return True
    return own is not None and variant.precision is not None and own != oracle.FORMATS[variant.precision] and _branch(call, variant) in (None, UNIT, SIGNED)


def _range_rule_applies(call: Call, variant: Variant) -> bool:
    if _normalization_skipped(call, variant):
        return False
    if variant.ranges in ("finite-only", "nan-to-minimum"):
        return call.has_nan
    if variant.ranges in ("per-channel", "colour-only"):
        return call.data.ndim == 3
    if variant.ranges == "exclusive":
        return call.data.size > 0 and call.bounds.branch() != call.bounds.branch(exclusive=True)
    return True


def _normalize_not_true(call: Call) -> bool:
    value = call.normalize
    return not (isinstance(value, (bool, np.bool_)) and bool(value))


KNOB_APPLIES: dict[str, Callable[[Call, Variant], bool]] = {
    "precision": _precision_differs,
    "ranges": _range_rule_applies,
    "nan": lambda c, v: c.has_nan or (c.floats and v.ranges in RESCALING),  # inf - inf is NaN
    "rounding": _rounding_matters,
    "overflow": _overflow_matters,
    "signed": lambda c, v: _branch(c, v) in (None, SIGNED),
    "formula_cast": lambda c, v: v.ranges in FORMULA_OVERFLOW_RULES,
    "integers": lambda c, v: c.data.dtype.kind in "iu",
    "bools": lambda c, v: c.data.dtype.kind == "b",
    "disabled": lambda c, v: _image_call(c) and _normalize_not_true(c),
    "normalize_type": lambda c, v: _image_call(c) and not isinstance(c.normalize, (bool, np.bool_)),
    "tensor_layout": lambda c, v: _image_call(c) and c.kind == "tensor",
    "squeeze": lambda c, v: _image_call(c) and 1 in c.data.shape,
    "channel_order": lambda c, v: _image_call(c) and c.data.ndim == 3,
    "jpeg_alpha": lambda c, v: _image_call(c) and c.data.ndim == 3 and _written_as_jpeg(c, v),
    "decoded": lambda c, v: _image_call(c) and _written_as_jpeg(c, v),
    "explicit_mode": lambda c, v: _image_call(c) and c.mode is not None,
    "luma": lambda c, v: _image_call(c) and c.mode == "L" and c.data.ndim == 3,
    "file_type_spelling": _explicit_file_type_refused,
    "unknown_file_type": _explicit_file_type_refused,
    "default_file_type": lambda c, v: _image_call(c) and (not c.has_file_type or c.file_type is None),
    "max_dimension": lambda c, v: _image_call(c) and max(c.data.shape, default=0) > oracle.MAX_DIMENSION,
    "empty": lambda c, v: _image_call(c) and c.data.size == 0,
}


# -- one value ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cast:
    """The knobs the mapping of one value depends on (so variants that differ elsewhere share
    the memoised values)."""

    rounding: str = "truncate"
    signed: str = "spec"
    overflow: str = "clip"
    nan: str = "zero"
    #: How a unit or signed formula's result outside [0, 255] is cast. The spec's branches never
    #: produce one; a wrong range rule does, and then the documented `.astype(np.uint8)` alone
    #: ("bare") keeps the low byte of the value truncated to int32 (0 beyond int32), as NumPy on
    #: x86-64 does, where an implementation that clips first ("clip") gives 0 or 255.
    formula: str = "clip"

    @classmethod
    def of(cls, variant: Variant) -> Cast:
        return cls(variant.rounding, variant.signed, variant.overflow, variant.nan, variant.formula_cast)


def _to_byte(value: oracle.Number, cast: Cast, formula: bool = False) -> int:
    """The final cast of one scaled value (`formula`: the result of the unit or signed formula):
    NaN, then clip or wrap, then truncate or round."""
    if is_nan(value):
        return 255 if cast.nan == "255" else 0
    if formula and cast.formula == "bare" and not (isinstance(value, Fraction) and 0 <= value < 256):
        whole = _whole(value, cast) if isinstance(value, Fraction) else None
        return whole % 256 if whole is not None and -2**31 <= whole < 2**31 else 0
    if cast.overflow == "wrap":
        if not isinstance(value, Fraction):
            return 0  # an infinity through a bare astype: 0 on the platforms measured
        return _whole(value, cast) % 256
    return min(255, _whole(Fraction(clip(value)), cast))  # not NaN, so clipped to a finite value


def _whole(value: Fraction, cast: Cast) -> int:
    if cast.rounding == "nearest":
        return oracle.arithmetic.round_half_even(value)
    return int(value)  # toward zero


@lru_cache(maxsize=1 << 18)
def map_value(scalar: float | int, branch: str, fmt: oracle.BinaryFormat | None, cast: Cast) -> int:
    """One element (a Python scalar of the array) through its branch's formula, rounding
    after every operation to `fmt` (None: exact, as for integer data)."""
    value = oracle.exact_value(scalar)
    if branch == UNIT:
        result = multiply(value, Fraction(255), fmt)
    elif branch == SIGNED:
        if cast.signed == "expanded":
            result = add(multiply(Fraction(255, 2), value, fmt), Fraction(255, 2), fmt)
        elif cast.signed == "127":
            result = multiply(Fraction(127), add(value, Fraction(1), fmt), fmt)
        else:
            result = multiply(Fraction(255, 2), add(value, Fraction(1), fmt), fmt)
    else:  # OTHER, DISABLED, KEPT
        return _to_byte(value, cast)
    return _to_byte(result, cast, formula=True)


def _map_fast(distinct: np.ndarray, branch: str, fmt: oracle.BinaryFormat | None, cast: Cast) -> np.ndarray:
    """The same mapping in NumPy arithmetic of `fmt` (float64 for exact data): only used to
    reject a variant quickly, never to claim one."""
    dt = np.dtype(np.float64 if fmt is None else fmt.name)
    with np.errstate(all="ignore"):
        x = distinct.astype(dt)
        if branch == UNIT:
            r = x * dt.type(255)
        elif branch == SIGNED:
            if cast.signed == "expanded":
                r = dt.type(127.5) * x + dt.type(127.5)
            elif cast.signed == "127":
                r = dt.type(127) * (x + dt.type(1))
            else:
                r = dt.type(127.5) * (x + dt.type(1))
        else:
            r = x
        r = r.astype(np.float64)
        nan = np.isnan(r)
        if cast.overflow == "wrap":
            finite = np.isfinite(r)
            whole = np.rint(r) if cast.rounding == "nearest" else np.trunc(r)
            out = np.where(finite, np.mod(np.where(finite, whole, 0), 256), 0)
        else:
            c = np.clip(np.where(nan, 0, r), 0, 255)
            out = np.rint(c) if cast.rounding == "nearest" else np.trunc(c)
        if cast.formula == "bare" and branch in (UNIT, SIGNED):
            whole = np.rint(r) if cast.rounding == "nearest" else np.trunc(r)
            fits = np.isfinite(r) & (whole >= -2**31) & (whole < 2**31)
            out = np.where((r < 0) | (r >= 256), np.where(fits, np.mod(np.where(fits, whole, 0), 256), 0), out)
        out = np.where(nan, 255 if cast.nan == "255" else 0, out)
    return out.astype(np.uint8)


# -- the distinct values of an array, found once --------------------------------------------------


@dataclass
class Distinct:
    """An array's distinct values (sorted, NaN last), where each element is among them, and
    the mapped tables computed from them so far, by (branch, format, cast, fast)."""

    distinct: np.ndarray
    inverse: np.ndarray
    tables: dict[tuple[Any, ...], np.ndarray]


_DISTINCT: dict[tuple[str, tuple[int, ...], bytes], Distinct] = {}
_DISTINCT_BY_VIEW: dict[tuple[Any, ...], tuple[np.ndarray, Distinct]] = {}
_DISTINCT_LIMIT = 512


def content_key(array: np.ndarray) -> tuple[str, tuple[int, ...], bytes]:
    """dtype, shape and a digest of the bytes in C order: equal for equal arrays."""
    flat = np.ascontiguousarray(array).reshape(-1)
    return flat.dtype.str, array.shape, hashlib.blake2b(flat.view(np.uint8).data, digest_size=16).digest()


def _identity_key(array: np.ndarray) -> tuple[Any, ...]:
    """Which memory the array views, and how: equal for the same view of the same buffer
    (the buffer's owner is kept with the entry, so its id is not reused meanwhile)."""
    owner = array
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    return id(owner), array.__array_interface__["data"][0], array.shape, array.strides, array.dtype.str


def _unique(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique with the inverse; for data of at most 16 bits by counting, without a sort."""
    if flat.dtype.kind in "biu" and flat.dtype.itemsize <= 2 and flat.size > 4096:
        offset = int(np.iinfo(flat.dtype).min) if flat.dtype.kind == "i" else 0
        shifted = flat.astype(np.int64) - offset
        present = np.flatnonzero(np.bincount(shifted))
        position = np.zeros(int(present[-1]) + 1, dtype=np.intp)
        position[present] = np.arange(present.size)
        return (present + offset).astype(flat.dtype), position[shifted]
    distinct, inverse = np.unique(flat, return_inverse=True)
    return distinct, inverse.reshape(-1)


def distinct_values(array: np.ndarray) -> Distinct:
    """The array's distinct values, found once per content: every variant tried on a case,
    and every case with the same input, shares one sort. The same view of the same buffer is
    found without hashing its bytes again."""
    identity = _identity_key(array)
    held = _DISTINCT_BY_VIEW.get(identity)
    if held is not None:
        return held[1]
    key = content_key(array)
    found = _DISTINCT.get(key)
    if found is None:
        distinct, inverse = _unique(array.reshape(-1))
        found = Distinct(distinct, inverse, {})
    if len(_DISTINCT) >= _DISTINCT_LIMIT:
        _DISTINCT.clear()
        _DISTINCT_BY_VIEW.clear()
    _DISTINCT[key] = found
    _DISTINCT_BY_VIEW[identity] = (array, found)   # the view keeps its buffer's owner alive
    return found


# -- ranges ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bounds:
    """What the range rules look at: NaN anywhere, and the exact min and max of the other
    values (comparisons of floats are exact, so NumPy's nanmin and nanmax find them)."""

    has_nan: bool
    low: oracle.Number | None
    high: oracle.Number | None

    @classmethod
    def of(cls, array: np.ndarray) -> Bounds:
        if array.size == 0:
            return cls(False, None, None)
        distinct = distinct_values(array).distinct   # sorted, NaN last
        has_nan = array.dtype.kind == "f" and bool(np.isnan(distinct[-1]))
        kept = distinct[:-1] if has_nan else distinct
        if kept.size == 0:
            return cls(True, None, None)
        return cls(has_nan, oracle.exact_value(kept[0]), oracle.exact_value(kept[-1]))

    def branch(self, exclusive: bool = False) -> str:
        """[norm.range] and [norm.bounds], or the same with open bounds."""
        if self.low is None or self.high is None:  # both or neither
            return OTHER if self.has_nan else UNIT
        if self.has_nan:
            return OTHER
        low, high = self.low, self.high
        if exclusive:
            return UNIT if 0 < low and high < 1 else SIGNED if -1 < low and high < 1 else OTHER
        return UNIT if 0 <= low and high <= 1 else SIGNED if -1 <= low and high <= 1 else OTHER

    def without_nan(self) -> Bounds:
        return Bounds(False, self.low, self.high)


def _format(array: np.ndarray, variant: Variant) -> oracle.BinaryFormat | None:
    fmt = oracle.format_of(array.dtype)
    if fmt is not None and variant.precision:
        return oracle.FORMATS[variant.precision]
    return fmt


@dataclass(frozen=True)
class _Mapper:
    """Maps arrays value by value, exactly (the oracle's arithmetic) or fast (NumPy, to reject)."""

    variant: Variant
    fast: bool = False

    def apply(self, array: np.ndarray, branch: str) -> np.ndarray:
        if array.size == 0:
            return np.zeros(array.shape, dtype=np.uint8)
        fmt = _format(array, self.variant)
        cast = Cast.of(self.variant)
        values = distinct_values(array)
        key = (branch, fmt, cast, self.fast)
        mapped = values.tables.get(key)
        if mapped is None:
            if self.fast and (fmt is not None or _exact_in_float64(values.distinct)):
                mapped = _map_fast(values.distinct, branch, fmt, cast)
            else:
                mapped = np.array([map_value(v, branch, fmt, cast) for v in values.distinct.tolist()], dtype=np.uint8)
            values.tables[key] = mapped
        return mapped[values.inverse].reshape(array.shape)


def _exact_in_float64(distinct: np.ndarray) -> bool:
    """Integer values NumPy's float64 arithmetic holds exactly (wrapping a larger one modulo
    256 there would lose its low bits)."""
    return distinct.dtype.kind == "b" or (-2**53 <= int(distinct[0]) and int(distinct[-1]) <= 2**53)


def normalized(array: np.ndarray, variant: Variant, normalize: bool, channels_axis: int | None,
               fast: bool = False) -> np.ndarray | Raises:
    """The uint8 values of `array` (same shape) under `variant`; `channels_axis` is the axis
    holding channels (for the per-channel and colour-only rules), None for 2-D data."""
    mapper = _Mapper(variant, fast)
    if array.dtype.kind == "b" and variant.bools == "cast":
        return array.astype(np.uint8)
    if not normalize and variant.disabled != "normalize":
        return mapper.apply(array, DISABLED)
    rule = variant.ranges
    if rule == "none":
        return mapper.apply(array, KEPT)
    if rule == "per-channel" and channels_axis is not None:
        planes = [normalized(np.take(array, c, axis=channels_axis), replace(variant, ranges="whole"), True, None, fast)
                  for c in range(array.shape[channels_axis])]
        raised = [p for p in planes if isinstance(p, Raises)]
        return raised[0] if raised else np.stack([p for p in planes if isinstance(p, np.ndarray)], axis=channels_axis)
    if rule == "nan-to-minimum" and array.dtype.kind == "f" and np.isnan(array).any() and not np.isnan(array).all():
        array = np.where(np.isnan(array), np.nanmin(array), array)
        rule = "whole"
    return _by_range(array, rule, variant, mapper, channels_axis)


def _by_range(array: np.ndarray, rule: str, variant: Variant, mapper: _Mapper,
              channels_axis: int | None) -> np.ndarray | Raises:
    """The branch the data's range picks under `rule` (or the rescaling rules, or the dtype)."""
    bounds = Bounds.of(array)
    if array.dtype.kind in "iu" and variant.integers == "literal" \
            and bounds.branch() == UNIT and np.iinfo(array.dtype).max < 255:
        return Raises("OverflowError")  # NumPy 2 refuses 255 as a scalar of that dtype
    if rule in ("min-max", "negatives-min-max", "range-division"):
        return _rescale_rule(array, bounds, variant, mapper)
    if rule == "by-dtype":
        return mapper.apply(array, UNIT if array.dtype.kind == "f" else OTHER)
    if rule == "colour-only" and channels_axis is not None and array.shape[channels_axis] == 4:
        bounds = Bounds.of(np.take(array, [0, 1, 2], axis=channels_axis))
    elif rule == "finite-only":
        bounds = bounds.without_nan()
    return mapper.apply(array, bounds.branch(rule == "exclusive"))


def _rescale_rule(array: np.ndarray, bounds: Bounds, variant: Variant, mapper: _Mapper) -> np.ndarray:
    """The rescaling rules as NumPy evaluates them on the array as given: min and max are NaN
    when any value is, and infinities take part (0.19's and 0.20.0's rules measured so).
    Min-max rescaling leaves NaN out and works in float64, as `(x - nanmin) / (nanmax - nanmin)`
    on a float array does."""
    fmt = _format(array, variant)
    wide = fmt or oracle.FLOAT64  # integer data divided by an integer gives float64
    if bounds.low is None or bounds.high is None:  # both or neither
        return mapper.apply(array, OTHER)
    low, high = bounds.low, bounds.high
    if variant.ranges == "min-max":
        wide = oracle.FORMATS[variant.precision] if variant.precision else oracle.FLOAT64
        return _two_step(array, mapper, wide, wide, low, add(high, -low, wide), True, True)
    if bounds.has_nan:
        if variant.ranges == "negatives-min-max":
            return mapper.apply(array, OTHER)  # min is NaN: no rescaling, max is NaN: no x255
        return np.full(array.shape, _to_byte(float("nan"), Cast.of(variant)), dtype=np.uint8)
    if variant.ranges == "negatives-min-max" and not low < 0:
        return mapper.apply(array, UNIT if high <= 1 else OTHER)
    shift = low if low < 0 else Fraction(0)
    wrap = _integer_wrap(array.dtype) if array.dtype.kind in "iu" else None
    if wrap is None:
        span: oracle.Number | None = add(high, -low, fmt)
    elif variant.ranges == "range-division":
        span = None  # 0.20.0 takes np.ptp of the shifted data: _two_step has it
    else:  # 0.19 takes np.ptp of the data as given
        span = wrap(high - low)
    return _two_step(array, mapper, fmt, wide, shift, span, span != 0, None, wrap)


def _integer_wrap(dtype: np.dtype) -> Callable[[oracle.Number], Fraction]:
    """An exact integer as NumPy's arithmetic in `dtype` leaves it: modulo 2**bits, into the
    dtype's range (int8: 0 - (-128) = -128, and 127 - (-128) = -1)."""
    info = np.iinfo(dtype)
    size = 1 << info.bits
    return lambda value: Fraction((int(value) - info.min) % size + info.min)


def _number_divide(a: oracle.Number, b: oracle.Number, fmt: oracle.BinaryFormat) -> oracle.Number:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return oracle.round_to_format(a / b, fmt)
    x, y = float(a), float(b)
    if y == 0:
        return float("nan") if x == 0 or math.isnan(x) else math.copysign(math.inf, x)
    result = x / y
    return result if not math.isfinite(result) else Fraction(result)


def _two_step(array: np.ndarray, mapper: _Mapper, fmt: oracle.BinaryFormat | None, wide: oracle.BinaryFormat,
              shift: oracle.Number, span: oracle.Number | None, divide: bool, then_unit: bool | None,
              wrap: Callable[[oracle.Number], Fraction] | None = None) -> np.ndarray:
    """d = (x - shift) [/ span]; then x255 when `then_unit` (None: when max(d) <= 1); cast.
    With `wrap`, integer data: the subtraction wraps in its dtype, the span None means the
    span of the shifted values (wrapped too), and the division converts both integers to
    float64 first (NumPy's true division of integers)."""
    cast = Cast.of(mapper.variant)
    values = distinct_values(array)
    distinct, inverse = values.distinct, values.inverse
    if wrap is not None:
        shifted = [wrap(oracle.exact_value(v) - shift) for v in distinct]
        if span is None:
            span = wrap(max(shifted) - min(shifted))
            divide = span != 0
        wide_span = oracle.round_to_format(span, oracle.FLOAT64)
        scaled = [_number_divide(oracle.round_to_format(d, oracle.FLOAT64), wide_span, wide) if divide else d
                  for d in shifted]
        return _times_255_and_cast(scaled, then_unit, wide, cast, inverse, array.shape)
    if mapper.fast and divide and isinstance(shift, Fraction) and isinstance(span, Fraction) and span != 0:
        dt = np.dtype(wide.name)
        with np.errstate(all="ignore"):
            scaled = (distinct.astype(np.dtype(fmt.name) if fmt else np.float64) - float(shift)).astype(dt) / dt.type(float(span))
            unit = bool(np.nanmax(scaled) <= 1) and not np.isnan(scaled).any() if then_unit is None else then_unit
            scaled = scaled * dt.type(255) if unit else scaled
        mapped = _map_fast(scaled, OTHER, wide, cast)
        return mapped[inverse.reshape(-1)].reshape(array.shape)
    scaled = []
    for v in distinct:
        d = add(oracle.exact_value(v), -shift if isinstance(shift, Fraction) else -float(shift), fmt)
        if divide and span is not None:  # without wrap the span is always given
            d = _number_divide(d, span, wide)
        scaled.append(d)
    return _times_255_and_cast(scaled, then_unit, wide, cast, inverse, array.shape)


def _times_255_and_cast(scaled: list[oracle.Number], then_unit: bool | None, wide: oracle.BinaryFormat, cast: Cast,
                        inverse: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The second step of `_two_step` on the distinct values, spread back over `shape`."""
    if then_unit is None:
        then_unit = not any(is_nan(d) for d in scaled) and max(scaled) <= 1
    out = [_to_byte(multiply(d, Fraction(255), wide) if then_unit else d, cast) for d in scaled]
    return np.array(out, dtype=np.uint8)[inverse.reshape(-1)].reshape(shape)


# -- the whole call ------------------------------------------------------------------------------


_PREDICTIONS: dict[tuple[Any, ...], Prediction] = {}
_PREDICTIONS_BYTES = [0]
_PREDICTIONS_LIMIT = 256 << 20   # bytes of predicted pixels kept


def predicted(call: Call, variant: Variant, fast: bool = False) -> Prediction:
    """`predict`, once per (call's data and arguments, variant, arithmetic): cases that share
    an input share the recomputation. The predictions kept are bounded in bytes."""
    key = (call.key, variant, fast)
    found = _PREDICTIONS.get(key)
    if found is None:
        found = predict(call, variant, fast)
        size = found.pixels.nbytes if isinstance(found, Output) else 0
        if _PREDICTIONS_BYTES[0] + size > _PREDICTIONS_LIMIT:
            _PREDICTIONS.clear()
            _PREDICTIONS_BYTES[0] = 0
        _PREDICTIONS[key] = found
        _PREDICTIONS_BYTES[0] += size
    return found


def predict(call: Call, variant: Variant, fast: bool = False) -> Prediction:
    """What an implementation with exactly `variant`'s bugs returns for `call`. With `fast`,
    the values are mapped in NumPy arithmetic: good enough to reject a variant, never to
    claim one."""
    if call.api == "to_uint8":
        values = normalized(call.data, variant, True, None, fast)
        return values if isinstance(values, Raises) else Output(values)
    try:
        return _image(call, variant, fast)
    except oracle.SpecError as exc:
        return Raises(exc.error_type, str(exc))


def _image(call: Call, variant: Variant, fast: bool) -> Prediction:
    normalize = call.normalize
    if not isinstance(normalize, (bool, np.bool_)):
        if variant.normalize_type != "truthy":
            return Raises("TypeError", "normalize")
        normalize = bool(normalize)
    data, kind = call.data, call.kind
    oracle.format_of(data.dtype)
    if data.size == 0 or 0 in data.shape:
        if variant.empty != "blank":
            return Raises("ValueError", "empty")
        guessed = oracle.guess_mode(data.shape, "numpy" if variant.tensor_layout == "hwc" else kind)
        return _finish(oracle.convert(np.zeros((1, 1), dtype=np.uint8), "L", guessed), guessed, call, variant)
    if variant.squeeze:
        data = np.squeeze(data)
    layout = kind
    if kind == "tensor" and variant.tensor_layout == "hwc":
        layout = "numpy"
    guessed = oracle.guess_mode(data.shape, layout)
    if layout == "tensor" and data.ndim == 3:
        data = np.transpose(data, (1, 2, 0))
        if variant.tensor_layout == "whc":
            data = np.transpose(data, (1, 0, 2))
    values = normalized(data, variant, bool(normalize), 2 if data.ndim == 3 else None, fast)
    if isinstance(values, Raises):
        return values
    pixels = oracle.to_pixel_layout(values, "numpy")
    if variant.channel_order == "bgr" and pixels.ndim == 3:
        pixels = np.ascontiguousarray(np.concatenate([pixels[..., 2::-1], pixels[..., 3:]], axis=2))
    return _finish(pixels, guessed, call, variant)


def _file_type(call: Call, variant: Variant) -> str:
    file_type = call.file_type
    if not call.has_file_type or file_type is None:
        return variant.default_file_type
    if variant.file_type_spelling == "lenient" and isinstance(file_type, str):
        file_type = file_type.lower().lstrip(".")
    if variant.unknown_file_type == "png" and isinstance(file_type, str) and file_type not in oracle.ACCEPTED_FILE_TYPES:
        return "png"
    return oracle.check_file_type(file_type)


def _finish(pixels: np.ndarray, guessed: str, call: Call, variant: Variant) -> Output:
    fmt = _file_type(call, variant)
    encoded = oracle.ENCODED_FORMAT.get(fmt, "png")
    mode = call.mode if variant.explicit_mode == "convert" else None
    if mode is not None and (not isinstance(mode, str) or mode not in oracle.ACCEPTED_MODES):
        raise oracle.SpecValueError(f"mode {mode!r}")
    target = mode if mode is not None else guessed
    if target == "RGBA" and fmt in oracle.JPEG_FILE_TYPES:
        if mode is not None:
            raise oracle.SpecValueError("RGBA as JPEG")
        if variant.jpeg_alpha == "drop":
            target = "RGB"
    height, width = pixels.shape[:2]
    if variant.max_dimension:
        oracle.check_size(width, height)
    if variant.luma == "float" and target == "L" and guessed in ("RGB", "RGBA"):
        rgb = pixels[..., :3].astype(np.float64)
        converted = np.rint(rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114).astype(np.uint8)
    else:
        converted = oracle.convert(pixels, guessed, target)
    if variant.decoded == "jpeg" and fmt in oracle.JPEG_FILE_TYPES:
        decoded = jpeg_round_trip(np.ascontiguousarray(converted))
        if decoded is None:
            raise oracle.SpecValueError("no JPEG of these pixels")
        converted = decoded
    return Output(np.ascontiguousarray(converted), target, (width, height), fmt, encoded)


def jpeg_round_trip(pixels: np.ndarray) -> np.ndarray | None:
    """The pixels after writing them as a JPEG (Pillow's default quality) and reading it back;
    None where Pillow cannot write them as JPEG."""
    from PIL import Image as PILImage

    try:
        buffer = io.BytesIO()
        PILImage.fromarray(pixels).save(buffer, format="JPEG")
        buffer.seek(0)
        return np.asarray(PILImage.open(buffer))
    except Exception:
        return None


def same_output(predicted: Prediction, pixels: Any, mode: Any, size: Any, fmt: Any, encoded: Any,
                raised: str | None) -> bool:
    """Exactly the observation: the same exception type, or the same uint8 pixels (shape and
    values) and, where observed, the same mode, size, format and encoded format."""
    if isinstance(predicted, Raises):
        return raised == predicted.type
    if raised is not None or not isinstance(pixels, np.ndarray) or pixels.dtype != np.uint8:
        return False
    if pixels.shape != predicted.pixels.shape or not np.array_equal(pixels, predicted.pixels):
        return False
    if predicted.mode is None:
        return True
    observed_size = tuple(size) if isinstance(size, (list, tuple)) else size
    checks = [(mode, predicted.mode), (observed_size, predicted.size), (fmt, predicted.format)]
    if encoded is not None:
        checks.append((encoded, predicted.encoded))
    return all(seen == want for seen, want in checks)

