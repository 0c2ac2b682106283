"""Inline case values to NumPy arrays, with one exact rule for every spelling.

Floats: a YAML number or a decimal string is read as the nearest float64, a hex string
('0x1.fffffep-1') is read exactly, 'nan'/'inf'/'-inf'/'-0.0' are what they say; the float64
is then rounded to the case's dtype (round to nearest, ties to even), as NumPy's astype does.
Integers and booleans are taken exactly, never through a float.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

_HEX = re.compile(r"^-?0x[0-9a-f]+(\.[0-9a-f]*)?p[+-]?[0-9]+$")
_DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]*)?(e[+-]?[0-9]+)?$")
_SPECIAL = {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf")}

FLOAT_DTYPES = ("float16", "float32", "float64")
INTEGER_DTYPES = ("uint8", "int8", "int16", "int32", "int64", "uint16", "uint32", "uint64")


class ValueSpellingError(ValueError):
    """An inline value that cannot be read for the case's dtype."""


def parse_float(item: Any) -> float:
    """One inline scalar as a Python float (float64), exactly as the module docstring says."""
    if isinstance(item, bool):
        return float(item)
    if isinstance(item, (int, float)):
        return float(item)
    if isinstance(item, str):
        if item in _SPECIAL:
            return _SPECIAL[item]
        if _HEX.match(item):
            return float.fromhex(item)
        if _DECIMAL.match(item):
            return float(item)
    raise ValueSpellingError(f"cannot read {item!r} as a float")


def _map_nested(value: Any, leaf) -> Any:
    if isinstance(value, list):
        return [_map_nested(v, leaf) for v in value]
    return leaf(value)


def _exact_integer(item: Any) -> int:
    if isinstance(item, bool) or not isinstance(item, int):
        raise ValueSpellingError(f"integer dtypes take whole YAML integers, not {item!r}")
    return item


def _boolean(item: Any) -> bool:
    if not isinstance(item, bool):
        raise ValueSpellingError(f"dtype bool takes true/false, not {item!r}")
    return item


def array_from_value(value: Any, dtype: str) -> np.ndarray:
    """The NumPy array an inline `value` spells for `dtype` (bfloat16 values come as float32)."""
    if dtype in FLOAT_DTYPES or dtype == "bfloat16":
        target = "float32" if dtype == "bfloat16" else dtype
        as_float64 = np.array(_map_nested(value, parse_float), dtype=np.float64)
        return as_float64.astype(target)
    if dtype in INTEGER_DTYPES:
        ints = _map_nested(value, _exact_integer)
        info = np.iinfo(dtype)
        _check_range(ints, info.min, info.max, dtype)
        return np.array(ints, dtype=dtype)
    if dtype == "bool":
        return np.array(_map_nested(value, _boolean), dtype=bool)
    if dtype == "longdouble":  # read as float64, as inline floats are; the point is the dtype
        return np.array(_map_nested(value, parse_float), dtype=np.float64).astype(np.longdouble)
    if dtype in ("complex64", "complex128"):
        return np.array(_map_nested(value, parse_float), dtype=np.float64).astype(dtype)
    if dtype == "object":
        return np.array(_map_nested(value, lambda v: v), dtype=object)
    if dtype == "str":
        return np.array(_map_nested(value, str), dtype=str)
    raise ValueSpellingError(f"unknown dtype {dtype!r}")


def _check_range(ints: Any, low: int, high: int, dtype: str) -> None:
    if isinstance(ints, list):
        for item in ints:
            _check_range(item, low, high, dtype)
    elif not low <= ints <= high:
        raise ValueSpellingError(f"{ints} does not fit in {dtype} [{low}, {high}]")
