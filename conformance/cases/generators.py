"""Deterministic input generators for cases too big to write inline.

Every generator is built on SplitMix64, written out here, so the values depend on nothing
but this file: not on NumPy's random streams (which NumPy may change between releases)
and not on torch's. A case that uses a generator records the sha256 digest of the array it
produced, so a generator that drifts is caught the moment a case is loaded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)


#: The most elements a generator makes (64 Mi: 512 MiB as float64), checked from the shape
#: before anything is allocated. The shipped cases need at most about 200 thousand.
MAX_ELEMENTS = 2**26


class GeneratorError(ValueError):
    """A generator was asked for something it cannot make (unknown name, bad parameter)."""


def splitmix64(seed: int, count: int) -> np.ndarray:
    """The first `count` outputs of SplitMix64 started at `seed`, as uint64."""
    with np.errstate(over="ignore"):
        state = np.uint64(seed % 2**64) + _GOLDEN * np.arange(1, count + 1, dtype=np.uint64)
        z = state
        z = (z ^ (z >> np.uint64(30))) * _MIX_1
        z = (z ^ (z >> np.uint64(27))) * _MIX_2
        return z ^ (z >> np.uint64(31))


def unit_floats(seed: int, count: int) -> np.ndarray:
    """`count` float64 values in [0, 1), each a multiple of 2**-53."""
    return (splitmix64(seed, count) >> np.uint64(11)).astype(np.float64) * 2.0**-53


def _size(shape: list[int]) -> int:
    return int(np.prod(shape, dtype=np.int64))


def _uniform(seed: int, shape: list[int], dtype: str, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """low + (high - low) * u in float64, then rounded to the dtype (which may reach `high`)."""
    values = low + (high - low) * unit_floats(seed, _size(shape))
    return values.reshape(shape).astype(dtype)


def _integers(seed: int, shape: list[int], dtype: str, low: int = 0, high: int = 256) -> np.ndarray:
    """Integers in [low, high), by remainder (the tiny bias does not matter for test inputs)."""
    if high <= low:
        raise GeneratorError(f"integers: high ({high}) must be greater than low ({low})")
    raw = splitmix64(seed, _size(shape)) % np.uint64(high - low)
    target = np.dtype(dtype)
    int64 = np.dtype(np.int64)
    needed = ((target, low, high - 1), (int64, low, high - 1), (int64, 0, high - low - 1))
    if target.kind in "iu" and all(_holds(*holds) for holds in needed):
        # the remainders, the values and the dtype all fit: the same integers, without a Python int each
        return (raw.astype(np.int64) + np.int64(low)).astype(target).reshape(shape)
    values = [int(v) + low for v in raw.tolist()]
    return np.array(values, dtype=dtype).reshape(shape)


def _holds(dtype: np.dtype, low: int, high: int) -> bool:
    """Whether the integer dtype holds every integer in [low, high]."""
    info = np.iinfo(dtype)
    return int(info.min) <= low and high <= int(info.max)


def _ramp(seed: int, shape: list[int], dtype: str, start: float = 0.0, step: float = 1.0) -> np.ndarray:
    """start + step * i for i = 0, 1, ... in C order, in float64, then rounded to the dtype."""
    del seed  # a ramp is the same for every seed; the field is kept for uniformity
    values = start + step * np.arange(_size(shape), dtype=np.float64)
    return values.reshape(shape).astype(dtype)


def _constant(seed: int, shape: list[int], dtype: str, value: float = 0.0) -> np.ndarray:
    del seed
    return np.full(shape, value, dtype=dtype)


def _unit_grid(seed: int, shape: list[int], dtype: str) -> np.ndarray:
    """k / 255 for k = 0..255 (repeated to fill the shape), in float64, rounded to the dtype."""
    del seed
    k = np.arange(_size(shape), dtype=np.float64) % 256
    return (k / 255.0).reshape(shape).astype(dtype)


def _doc_example_3_pixels(seed: int, shape: list[int], dtype: str) -> np.ndarray:
    """The pixels Example 3 hands to PIL: uniform float32 (C,H,W) in [0,1), moved to (H,W,C),
    times 255 in float32, truncated to uint8. `shape` is the (H,W,C) result."""
    if dtype != "uint8" or len(shape) != 3:
        raise GeneratorError("doc-example-3-pixels makes uint8 (H,W,C) arrays only")
    height, width, channels = shape
    chw = _uniform(seed, [channels, height, width], "float32")
    hwc = np.transpose(chw, (1, 2, 0))
    return (hwc * np.float32(255)).astype(np.uint8)


def _tiled(seed: int, shape: list[int], dtype: str, tile: Sequence[Any] = (0.0,),
           first: Sequence[Any] = (), last: Sequence[Any] = ()) -> np.ndarray:
    """`tile` repeated in C order to fill the shape, `first` written over the first elements
    and `last` over the final ones; values read as float64 ('nan', 'inf', '-inf' allowed),
    then converted to the dtype. Big arrays with few distinct values and chosen values at
    chosen places: what tests of block-by-block evaluation need."""
    del seed
    size = _size(shape)
    if not tile or len(first) + len(last) > size:
        raise GeneratorError("tiled: needs a non-empty tile, and first and last must fit in the shape")
    pattern = np.array([float(v) for v in tile], dtype=np.float64)
    # np.tile, not np.resize: resize concatenates one copy of the tile per repetition (a
    # million small arrays for a 2-value tile: 10 ms where tile takes 1)
    values = np.tile(pattern, -(-size // pattern.size))[:size]
    values[: len(first)] = [float(v) for v in first]
    values[size - len(last):] = [float(v) for v in last]
    return values.reshape(shape).astype(dtype)


GENERATORS: Mapping[str, Callable[..., np.ndarray]] = {
    "uniform": _uniform,
    "integers": _integers,
    "ramp": _ramp,
    "constant": _constant,
    "unit-grid": _unit_grid,
    "doc-example-3-pixels": _doc_example_3_pixels,
    "tiled": _tiled,
}


def generate(name: str, seed: int, shape: list[int], dtype: str, params: Mapping[str, Any] | None = None) -> np.ndarray:
    """Make the array a case's `generate` block describes."""
    try:
        make = GENERATORS[name]
    except KeyError:
        raise GeneratorError(f"unknown generator {name!r}; known: {sorted(GENERATORS)}") from None
    check_shape(shape)
    try:
        return make(seed, list(shape), dtype, **dict(params or {}))
    except (TypeError, ValueError, OverflowError) as exc:
        if isinstance(exc, GeneratorError):
            raise
        raise GeneratorError(f"generator {name!r}: bad params {dict(params or {})!r}: {exc}") from None


def check_shape(shape: Sequence[int]) -> None:
    """Refuse a shape whose element count is over MAX_ELEMENTS, before allocating anything."""
    count = 1
    for extent in shape:
        if not isinstance(extent, int) or isinstance(extent, bool) or extent < 0:
            raise GeneratorError(f"shape {list(shape)!r}: extents are integers >= 0")
        count *= extent
        if count > MAX_ELEMENTS:
            raise GeneratorError(
                f"shape {list(shape)!r} has more than {MAX_ELEMENTS} elements, the limit for a generated input")


def digest(array: np.ndarray) -> str:
    """The digest a case records: sha256 of the C-ordered bytes, prefixed with the algorithm."""
    return "sha256:" + hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()
