"""Any value an observation or a mismatch can hold, as plain JSON data.

Mismatches carry NumPy arrays and scalars, tuples, enums and the occasional exotic object.
JSON has none of these, and `json.dumps` writes NaN as a bare token that strict parsers
reject, so every value goes through `to_jsonable` before a report is serialized.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

#: Arrays with at most this many elements are written out in full; larger ones by digest.
SMALL_ARRAY_LIMIT = 64


def array_digest(array: np.ndarray) -> str:
    """sha256 (bare hex) of the C-ordered bytes, the form case files use for expected pixels."""
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def _float(value: float) -> float | str:
    """A finite float as itself; NaN and infinities spelled as case files spell them."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def _array(array: np.ndarray) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "ndarray",
        "dtype": str(array.dtype),
        "shape": [int(n) for n in array.shape],
        "sha256": array_digest(array) if array.dtype != object else None,
    }
    if array.size <= SMALL_ARRAY_LIMIT:
        data["values"] = to_jsonable(array.tolist())
    return data


def to_jsonable(value: Any) -> Any:
    """`value` as JSON data: arrays as {kind: ndarray, dtype, shape, sha256[, values]}."""
    if isinstance(value, _CONTAINERS):
        return _container(value)
    return _scalar(value)


#: What holds other values (or bytes): none of it is also a scalar type _scalar tests.
_CONTAINERS = (np.ndarray, Mapping, list, tuple, set, frozenset, bytes, bytearray)


def _container(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return _array(value)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (bytes, bytearray)):
        return {"kind": "bytes", "base64": base64.b64encode(bytes(value)).decode("ascii")}
    items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
    return [to_jsonable(v) for v in items]


def _scalar(value: Any) -> Any:
    """In this order: a str or int Enum is taken by its value, a NumPy float64 as a float."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, np.generic):
        if isinstance(value, (np.complexfloating, np.datetime64, np.timedelta64, np.void)):
            return str(value)
        return to_jsonable(value.item())
    if isinstance(value, complex):
        return str(value)
    return repr(value)
