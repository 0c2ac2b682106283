"""Hypothesis strategies for the inputs SPEC.md covers, drawn as case-file data.

Why case-file data and not arrays: every example a property test or the `fuzz` command draws
must be writable as a case as it is. So the strategies here produce the `input` mapping of a
case (`kind`, `dtype`, inline `value` spelled the way case files spell it: hex floats for
exact values, `'nan'`, `'-0.0'`, whole YAML integers) plus the keyword arguments of the
`Image` call. `wbimage_conformance.cases.materialize` turns such a mapping into the arrays a worker sees,
with the same rules as for the shipped cases.

Why these distributions: uniform random floats almost never land on what the spec is
precise about. The value pools are built around the places where the clauses change their
answer:

- branch boundaries of [norm.bounds]: 0, 1, -1 and 255 exactly, one ulp either side of each
  in the input's own dtype, -0.0, the smallest subnormals, the largest finite values, and the
  extremes of every integer dtype;
- rounding edges of [norm.precision]: k/255 and (2k - 255)/255 rounded to the dtype, and the
  one-ulp neighbours of those grid points (where float16 and float32 evaluation differ from
  float64 or exact evaluation);
- special values of [norm.special]: NaN, +inf, -inf.

An image draws one *regime* first (`unit`, `signed`, `other`, `special`), then its values
from that regime's pool, and then puts one *anchor* value at a drawn position that makes
the image take the regime's branch: a negative value for `signed`, one outside [-1, 1] for
`other`, NaN or an infinity for `special` (independent values would almost always end in
the `other` branch, or in `unit` for small images). The `other` and `special` pools also
hold unit and signed values, so images with a single value across a boundary come up
often. With `normalize=False` every image takes the disabled branch whatever its regime.

Shrinking: every choice lists its simplest option first (2-D before channels, float32 before
the other dtypes, the unit regime, 0 before other values, no keyword arguments), so a
minimal failing example reads as small as the failure allows.

Scope: `scope="required"` (the default) draws only calls for which the spec allows exactly
one outcome. `scope="all"` adds what the spec leaves implementation-defined: genuine PIL
modes other than L/RGB/RGBA ([mode.explicit]) and non-`str` captions ([meta.caption]).

Everything listed in `__all__` is public and may be reused by other projects.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import numpy as np
from hypothesis import strategies as st

__all__ = [
    "ABSENT",
    "CAPTIONS",
    "FILE_TYPES",
    "FLOAT_DTYPES",
    "INTEGER_DTYPES",
    "INVALID_FILE_TYPES",
    "INVALID_MODES",
    "INVALID_NORMALIZE",
    "NON_STR_CAPTIONS",
    "NUMPY_DTYPES",
    "OTHER_PIL_MODES",
    "REGIMES",
    "TENSOR_DTYPES",
    "VALID_MODES",
    "ImageCall",
    "anchors",
    "array_inputs",
    "array_shapes",
    "boundary_values",
    "captions",
    "file_types",
    "image_calls",
    "image_kwargs",
    "modes",
    "normalize_flags",
    "rounding_edges",
    "special_values",
    "spell",
    "values",
]

FLOAT_DTYPES = ("float32", "float64", "float16")
INTEGER_DTYPES = ("uint8", "int8", "int16", "int32", "int64", "uint16", "uint32", "uint64")
#: Dtypes an array input may have, simplest first ([input.array.dtype]).
NUMPY_DTYPES = (*FLOAT_DTYPES, *INTEGER_DTYPES, "bool")
#: Dtypes a tensor input may have; bfloat16 exists only as a tensor ([input.tensor.dtype]).
TENSOR_DTYPES = (*NUMPY_DTYPES, "bfloat16")
#: The regimes an image's values are drawn from; see `values`.
REGIMES = ("unit", "signed", "other", "special")

VALID_MODES = ("L", "RGB", "RGBA")
#: Strings that are not PIL modes: ValueError ([mode.explicit]).
INVALID_MODES = ("rgb", "XYZ")
#: Genuine PIL modes other than L/RGB/RGBA: implementation-defined ([mode.explicit]).
OTHER_PIL_MODES = ("1", "LA", "P", "I", "F", "CMYK")
FILE_TYPES = ("png", "jpg", "jpeg", "bmp")
#: Spellings outside the accepted set: ValueError ([file-type.accepted]).
INVALID_FILE_TYPES = ("JPG", ".png", "gif")
#: Non-bool values of `normalize`: TypeError ([norm.disabled]).
INVALID_NORMALIZE = (1, "yes")
CAPTIONS = ("", "caption", "正規化", "x" * 40)
#: Captions that are not `str`: implementation-defined ([meta.caption]).
NON_STR_CAPTIONS = (5, 2.5)


class _Absent:
    """The keyword is not passed at all (different from passing None)."""

    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()


# -- exact values of a dtype -----------------------------------------------------------------


def _is_float(dtype: str) -> bool:
    return dtype in FLOAT_DTYPES or dtype == "bfloat16"


def _bf16_bits(value: float) -> int:
    """The 16-bit pattern of a value that bfloat16 holds exactly."""
    return int(np.asarray(value, dtype=np.float32).view(np.uint32)) >> 16


def _from_bf16_bits(bits: int) -> float:
    return float(np.asarray((bits & 0xFFFF) << 16, dtype=np.uint32).view(np.float32))


def _round_bf16(value: float) -> float:
    """`value` rounded to bfloat16 (through float32, nearest-even on the dropped 16 bits).
    The two roundings may pick the other neighbour of a tie; what matters here is that the
    result is exact in bfloat16. Finite values stay finite (the largest finite at most)."""
    if not math.isfinite(value) or value == 0:
        return value
    with np.errstate(over="ignore"):
        bits = int(np.asarray(value, dtype=np.float32).view(np.uint32))
    top, rest = bits >> 16, bits & 0xFFFF
    if rest > 0x8000 or (rest == 0x8000 and top & 1):
        top += 1
    result = _from_bf16_bits(top)
    if math.isinf(result):
        return math.copysign(_from_bf16_bits(0x7F7F), value)
    return result


def _exact(dtype: str, value: float) -> float:
    """`value` rounded to the float dtype, as a Python float (which holds it exactly)."""
    if dtype == "bfloat16":
        return _round_bf16(value)
    with np.errstate(over="ignore"):
        return float(np.asarray(value, dtype=np.float64).astype(dtype))


def _step(dtype: str, value: float, up: bool) -> float:
    """The next value of the float dtype above (`up`) or below `value`: one ulp away."""
    if dtype == "bfloat16":
        if value == 0:
            tiny = _from_bf16_bits(1)
            return tiny if up else -tiny
        bits = _bf16_bits(value)
        away_from_zero = (value > 0) == up
        return _from_bf16_bits(bits + 1 if away_from_zero else bits - 1)
    target = np.asarray(np.inf if up else -np.inf, dtype=dtype)
    return float(np.nextafter(np.asarray(value, dtype=dtype), target))


def _largest(dtype: str) -> float:
    if dtype == "bfloat16":
        return _from_bf16_bits(0x7F7F)
    return float(np.finfo(dtype).max)


def _smallest_normal(dtype: str) -> float:
    if dtype == "bfloat16":
        return _from_bf16_bits(0x0080)
    return float(np.finfo(dtype).smallest_normal)


def _unique(items: Sequence[Any]) -> tuple[Any, ...]:
    """Without repeats, first occurrence kept; -0.0 and 0.0 (and True and 1) stay apart."""
    seen: set[Any] = set()
    out = []
    for item in items:
        key = (type(item), item.hex() if isinstance(item, float) else item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return tuple(out)


def _check_dtype(dtype: str) -> None:
    if dtype not in TENSOR_DTYPES:
        raise ValueError(f"dtype {dtype!r} is not one of {TENSOR_DTYPES}")


@cache
def boundary_values(dtype: str) -> tuple[Any, ...]:
    """Values at and one ulp around the branch boundaries of [norm.bounds] in `dtype`, simplest
    first: 0, 1, -1, 255 (exactly, and one representable step either side), -0.0, 0.5, 2,
    -2, 256, the smallest normal and subnormal, the whole numbers at the edges of integer
    types (2**8 ... 2**64, -2**63) where finite, the largest finite values; for integer
    dtypes the same numbers where they fit plus the dtype's extremes. Every value is exact
    in `dtype` (Python floats for float dtypes, ints for integers, bools for bool)."""
    _check_dtype(dtype)
    if dtype == "bool":
        return (False, True)
    if not _is_float(dtype):
        info = np.iinfo(dtype)
        wanted = [0, 1, -1, 255, 2, -2, 254, 256, 127, 128, -128, -129,
                  int(info.min), int(info.max), int(info.min) + 1, int(info.max) - 1]
        return _unique([v for v in wanted if info.min <= v <= info.max])
    points = [0.0, 1.0, -1.0, 255.0]
    found: list[float] = [*points, -0.0, 0.5]
    for point in points:
        found += [_step(dtype, point, True), _step(dtype, point, False)]
    found += [2.0, -2.0, 256.0, _smallest_normal(dtype), -_smallest_normal(dtype)]
    # Whole numbers at the edges of integer types, for code that converts floats to integers.
    found += [float(2**k) for k in (8, 16, 31, 32, 63, 64)] + [-129.0, float(-(2**31)), float(-(2**63))]
    found += [_largest(dtype), -_largest(dtype)]
    exact = [_exact(dtype, v) for v in found]
    return _unique([v for v in exact if math.isfinite(v)])


@cache
def rounding_edges(dtype: str) -> tuple[float, ...]:
    """The grids of [norm.precision] rounded to the float `dtype`: k/255 and (2k - 255)/255
    for k = 0..255, then each grid value's one-ulp neighbours. Empty for integer dtypes and
    bool, whose formulas are exact ([norm.integer])."""
    _check_dtype(dtype)
    if not _is_float(dtype):
        return ()
    grid: list[float] = []
    for k in range(256):
        grid.append(_exact(dtype, k / 255))
        grid.append(_exact(dtype, (2 * k - 255) / 255))
    neighbours = [_step(dtype, v, up) for v in grid for up in (True, False)]
    inside = [v for v in neighbours if -1.0 <= v <= 1.0]
    return _unique(grid + inside)


def special_values(dtype: str) -> tuple[Any, ...]:
    """NaN, +inf, -inf and -0.0 for float dtypes ([norm.special], [norm.bounds]); empty for
    the others."""
    _check_dtype(dtype)
    if not _is_float(dtype):
        return ()
    return (math.nan, math.inf, -math.inf, -0.0)


# -- strategies for single values ------------------------------------------------------------


def _free_floats(dtype: str, low: float | None, high: float | None) -> st.SearchStrategy[float]:
    """Any finite value of the dtype in [low, high]."""
    widths: dict[str, Literal[16, 32, 64]] = {"float16": 16, "float32": 32, "float64": 64, "bfloat16": 32}
    width = widths[dtype]
    drawn = st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False, width=width)
    if dtype == "bfloat16":
        return drawn.map(_round_bf16)
    return drawn


@cache
def values(dtype: str, regime: str = "other") -> st.SearchStrategy[Any]:
    """One value of `dtype` (a Python bool, int or float, exact in the dtype) from a regime:

    - `unit`: inside [0, 1] (boundary values, the k/255 grid and its neighbours, any float);
    - `signed`: inside [-1, 1] (the same, with the (2k - 255)/255 grid and negatives);
    - `other`: anything finite, including the unit and signed values, 255 and its
      neighbours, the dtype's extremes;
    - `special`: NaN and the infinities mixed with everything above.

    The pool alone does not decide the branch (a `signed` image of only positive values
    takes the unit branch, as the spec says); `anchors` supplies the value that does.
    """
    _check_dtype(dtype)
    if regime not in REGIMES:
        raise ValueError(f"regime {regime!r} is not one of {REGIMES}")
    if dtype == "bool":
        return st.sampled_from((False, True))
    bounds = boundary_values(dtype)
    if not _is_float(dtype):
        info = np.iinfo(dtype)
        unit = st.sampled_from((0, 1))
        signed = st.sampled_from((0, -1, 1) if info.min < 0 else (0, 1))
        if regime == "unit":
            return unit
        if regime == "signed":
            return signed
        return st.one_of(st.sampled_from(bounds), st.integers(int(info.min), int(info.max)), unit, signed)
    edges = rounding_edges(dtype)
    unit_edges = st.sampled_from([v for v in edges if 0.0 <= v <= 1.0])
    unit = st.one_of(
        st.sampled_from([v for v in bounds if 0.0 <= v <= 1.0]),
        unit_edges,
        unit_edges,  # twice: the grids are where the formulas' rounding shows
        _free_floats(dtype, 0.0, 1.0),
    )
    signed_edges = st.sampled_from(edges)
    signed = st.one_of(
        st.sampled_from([v for v in bounds if -1.0 <= v <= 1.0]),
        signed_edges,
        signed_edges,
        _free_floats(dtype, -1.0, 1.0),
    )
    if regime == "unit":
        return unit
    if regime == "signed":
        return signed
    every_bound = st.sampled_from(bounds)
    other = st.one_of(every_bound, every_bound, _free_floats(dtype, None, None), unit, signed)
    if regime == "other":
        return other
    return st.one_of(st.sampled_from(special_values(dtype)), other)


@cache
def anchors(dtype: str, regime: str) -> st.SearchStrategy[Any] | None:
    """A value that puts an image of the regime's pool into the regime's branch ([norm.bounds],
    [norm.special]): a value in [-1, 0) for `signed`, a finite value outside [-1, 1] for
    `other`, NaN or an infinity for `special` (for integer dtypes, which have none, the
    `other` anchor). None when no value of the dtype can (`unit`; `signed` for unsigned
    dtypes and bool; everything for bool)."""
    _check_dtype(dtype)
    if regime not in REGIMES:
        raise ValueError(f"regime {regime!r} is not one of {REGIMES}")
    if regime == "unit" or dtype == "bool":
        return None
    bounds = boundary_values(dtype)
    if not _is_float(dtype):
        info = np.iinfo(dtype)
        if regime == "signed":
            return st.just(-1) if info.min < 0 else None
        outside = [v for v in bounds if abs(v) > 1]
        beyond_one = st.integers(int(info.min), int(info.max)).filter(lambda v: abs(v) > 1)
        return st.one_of(st.sampled_from(outside), beyond_one)
    if regime == "signed":
        negative_edges = st.sampled_from([v for v in rounding_edges(dtype) if -1.0 <= v < 0.0])
        tiny = _step(dtype, 0.0, True)
        return st.one_of(st.sampled_from([v for v in bounds if -1.0 <= v < 0.0]), negative_edges, negative_edges,
                         _free_floats(dtype, -1.0, -tiny))
    if regime == "other":
        return st.one_of(st.sampled_from([v for v in bounds if abs(v) > 1.0]),
                         _free_floats(dtype, None, None).filter(lambda v: abs(v) > 1.0))
    return st.sampled_from(special_values(dtype)[:3])


def spell(value: Any, dtype: str) -> Any:
    """A value as a case file spells it, exactly ([spec/SPEC.md, Case files]): bools and ints
    as they are; floats as 'nan', 'inf', '-inf', '-0.0', a plain YAML float when its
    shortest repr is short and plain (0.5, 255.0), else a C99 hex float ('0x1.fffffep-1').
    Every spelling reads back as the same float64, which the dtype holds exactly."""
    _check_dtype(dtype)
    if dtype == "bool":
        return bool(value)
    if not _is_float(dtype):
        return int(value)
    number = float(value)
    if math.isnan(number):
        return "nan"
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    if number == 0 and math.copysign(1.0, number) < 0:
        return "-0.0"
    text = repr(number)
    if len(text) <= 8 and "e" not in text:
        return number
    return _hex(number)


def _hex(number: float) -> str:
    mantissa, exponent = number.hex().split("p")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}p{exponent}"


# -- shapes and array inputs -----------------------------------------------------------------

_CHANNELS = (None, 1, 3, 4)


def array_shapes(
    kind: str = "numpy", *, max_side: int = 3, channels: Sequence[int | None] = _CHANNELS
) -> st.SearchStrategy[tuple[int, ...]]:
    """Shapes the spec accepts ([input.array.layout], [input.tensor.layout]): `(H, W)` for
    both kinds, `(H, W, C)` for arrays and `(C, H, W)` for tensors, C in `channels` (None
    stands for the 2-D shape), 1 <= H, W <= `max_side`."""
    if kind not in ("numpy", "tensor"):
        raise ValueError(f"kind {kind!r} is not 'numpy' or 'tensor'")
    if max_side < 1:
        raise ValueError("max_side must be at least 1")
    if not channels or any(c not in _CHANNELS for c in channels):
        raise ValueError(f"channels must be taken from {_CHANNELS}")
    # Sides of 1 half of the time: small images are cheap and make "every value is ..."
    # conditions likely; larger ones a third of the time.
    side = _weighted((3, (1,)), (2, tuple(range(2, max_side + 1))), (1, (max_side,)))

    def build(c: int | None, h: int, w: int) -> tuple[int, ...]:
        if c is None:
            return (h, w)
        return (h, w, c) if kind == "numpy" else (c, h, w)

    return st.builds(build, st.sampled_from(tuple(channels)), side, side)


def _dtype_choices(kind: str, dtypes: Sequence[str] | None) -> tuple[str, ...]:
    allowed = NUMPY_DTYPES if kind == "numpy" else TENSOR_DTYPES
    if dtypes is None:
        return allowed
    for dtype in dtypes:
        _check_dtype(dtype)
    return tuple(d for d in dtypes if d in allowed)


def _dtype_strategy(choices: Sequence[str]) -> st.SearchStrategy[str]:
    """Float dtypes six times in ten (most of the spec's precision lives there), integers
    three, bool one; in the order given within each group."""
    floats = [d for d in choices if _is_float(d)]
    integers = [d for d in choices if d in INTEGER_DTYPES]
    return _weighted((6, floats), (3, integers), (1, [d for d in choices if d == "bool"]))


def array_inputs(
    *,
    kinds: Sequence[str] = ("numpy", "tensor"),
    dtypes: Sequence[str] | None = None,
    regimes: Sequence[str] = REGIMES,
    max_side: int = 3,
    channels: Sequence[int | None] = _CHANNELS,
    elements: Callable[[str, str], st.SearchStrategy[Any]] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """A case's `input` mapping for an array or tensor: `{"kind", "dtype", "value"}` with the
    value inline and exactly spelled (see `spell`).

    `dtypes` is filtered per kind (bfloat16 only for tensors). `elements(dtype, regime)`
    replaces `values` as the source of single values, for tighter searches; then no anchor
    is placed either, so the values are exactly what `elements` gives."""
    if not kinds or any(k not in ("numpy", "tensor") for k in kinds):
        raise ValueError("kinds must be a non-empty selection of 'numpy' and 'tensor'")
    if not regimes or any(r not in REGIMES for r in regimes):
        raise ValueError(f"regimes must be a non-empty selection of {REGIMES}")
    per_kind = {kind: _dtype_choices(kind, dtypes) for kind in kinds}
    usable = tuple(k for k in kinds if per_kind[k])
    if not usable:
        raise ValueError(f"none of the dtypes {tuple(dtypes or ())} fits the kinds {tuple(kinds)}")
    source = elements or values
    dtype_strategies = {kind: _dtype_strategy(per_kind[kind]) for kind in usable}
    shape_strategies = {kind: array_shapes(kind, max_side=max_side, channels=channels) for kind in usable}

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        kind = draw(st.sampled_from(usable))
        dtype = draw(dtype_strategies[kind])
        shape = draw(shape_strategies[kind])
        regime = draw(st.sampled_from(tuple(regimes)))
        count = math.prod(shape)
        flat = draw(st.lists(source(dtype, regime), min_size=count, max_size=count))
        anchor = anchors(dtype, regime) if elements is None else None
        if anchor is not None:
            flat[draw(st.integers(0, count - 1))] = draw(anchor)
        spelled = np.empty(count, dtype=object)
        spelled[:] = [spell(v, dtype) for v in flat]
        return {"kind": kind, "dtype": dtype, "value": spelled.reshape(shape).tolist()}

    return build()


# -- keyword arguments -----------------------------------------------------------------------


def _weighted(*buckets: tuple[int, Sequence[Any]]) -> st.SearchStrategy[Any]:
    """One item from weighted buckets; shrinks toward the first bucket's first item."""
    live = [(w, st.sampled_from(tuple(items))) for w, items in buckets if w > 0 and items]
    total = sum(w for w, _ in live)

    def pick(ticket: int) -> st.SearchStrategy[Any]:
        for weight, choice in live:
            if ticket < weight:
                return choice
            ticket -= weight
        raise AssertionError("unreachable")

    return st.integers(0, total - 1).flatmap(pick)


def _check_scope(scope: str) -> None:
    if scope not in ("required", "all"):
        raise ValueError(f"scope must be 'required' or 'all', not {scope!r}")


def modes(scope: str = "required") -> st.SearchStrategy[Any]:
    """`mode=`: absent half of the time, else L/RGB/RGBA ([mode.explicit]), sometimes a string
    that is no PIL mode (ValueError); with scope 'all' also other PIL modes."""
    _check_scope(scope)
    other = OTHER_PIL_MODES if scope == "all" else ()
    return _weighted((8, (ABSENT,)), (6, VALID_MODES), (1, INVALID_MODES), (1, other))


def file_types() -> st.SearchStrategy[Any]:
    """`file_type=`: absent half of the time ([file-type.default]), else one of the accepted
    spellings, sometimes a rejected one ([file-type.accepted])."""
    return _weighted((8, (ABSENT,)), (7, FILE_TYPES), (1, INVALID_FILE_TYPES))


def normalize_flags() -> st.SearchStrategy[Any]:
    """`normalize=`: absent, True, False ([norm.disabled]), rarely a non-bool (TypeError)."""
    return _weighted((10, (ABSENT,)), (2, (True,)), (3, (False,)), (1, INVALID_NORMALIZE))


def captions(scope: str = "required") -> st.SearchStrategy[Any]:
    """`caption=`: absent, None, or a str (empty, ASCII, non-ASCII, long) ([meta.caption]);
    with scope 'all' also non-str captions."""
    _check_scope(scope)
    other = NON_STR_CAPTIONS if scope == "all" else ()
    return _weighted((8, (ABSENT,)), (2, (None,)), (5, CAPTIONS), (1, other))


def image_kwargs(
    *,
    scope: str = "required",
    mode: st.SearchStrategy[Any] | None = None,
    file_type: st.SearchStrategy[Any] | None = None,
    normalize: st.SearchStrategy[Any] | None = None,
    caption: st.SearchStrategy[Any] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments of an `Image` call, only those not ABSENT, in a fixed order. Each
    keyword's strategy can be replaced (`st.just(ABSENT)` leaves it out)."""
    _check_scope(scope)
    parts = {
        "mode": mode if mode is not None else modes(scope),
        "file_type": file_type if file_type is not None else file_types(),
        "normalize": normalize if normalize is not None else normalize_flags(),
        "caption": caption if caption is not None else captions(scope),
    }

    def keep(drawn: dict[str, Any]) -> dict[str, Any]:
        return {k: drawn[k] for k in parts if drawn[k] is not ABSENT}

    return st.fixed_dictionaries(parts).map(keep)


@dataclass(frozen=True)
class ImageCall:
    """One example: the `input` mapping of a case and the keyword arguments of `Image`."""

    input: dict[str, Any]
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def call(self) -> dict[str, Any]:
        """The case's `call` mapping."""
        if self.kwargs:
            return {"api": "Image", "kwargs": dict(self.kwargs)}
        return {"api": "Image"}


def image_calls(
    *,
    kinds: Sequence[str] = ("numpy", "tensor"),
    dtypes: Sequence[str] | None = None,
    regimes: Sequence[str] = REGIMES,
    max_side: int = 3,
    channels: Sequence[int | None] = _CHANNELS,
    scope: str = "required",
    kwargs: st.SearchStrategy[dict[str, Any]] | None = None,
    elements: Callable[[str, str], st.SearchStrategy[Any]] | None = None,
) -> st.SearchStrategy[ImageCall]:
    """`Image(data, **kwargs)` examples: an `array_inputs` input and `image_kwargs` keywords
    (or the `kwargs` strategy given, e.g. `st.just({})` for none)."""
    inputs = array_inputs(kinds=kinds, dtypes=dtypes, regimes=regimes, max_side=max_side,
                          channels=channels, elements=elements)
    keywords = kwargs if kwargs is not None else image_kwargs(scope=scope)
    return st.builds(ImageCall, inputs, keywords)
