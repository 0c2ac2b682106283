"""The documented normalization algorithm ([norm.*]) and `to_uint8` ([to-uint8]).

Float data is evaluated with the documented NumPy expressions themselves, in the input's own
dtype ([norm.precision]); what the docs leave open is made explicit around them: NaN becomes 0
instead of whatever the platform's float-to-uint8 cast gives ([norm.special]), and integer and
bool data use exact arithmetic so that, for example, an int8 mask cannot overflow in `data * 255`
([norm.integer]). The input array is only read; every result is a new array.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from wbimage_conformance.reference.arrays import as_numeric_array

Branch = Literal["unit", "signed", "other"]


def choose_branch(data: np.ndarray) -> Branch:
    """Pick the branch from the minimum and maximum of the whole array ([norm.range], [norm.bounds]).

    The ranges are closed. NaN makes min and max NaN, so every comparison fails and the
    image takes the "other" branch. Empty data is vacuously inside [0, 1].
    """
    if data.size == 0:
        return "unit"
    if data.dtype.kind == "f" and bool(np.isnan(data).any()):
        return "other"
    lo, hi = data.min(), data.max()
    if data.dtype.kind in "biu":
        lo, hi = int(lo), int(hi)  # exact comparison for every integer width
    if 0 <= lo and hi <= 1:
        return "unit"
    if -1 <= lo and hi <= 1:
        return "signed"
    return "other"


def unit(data: np.ndarray) -> np.ndarray:
    """[norm.unit]: `(data * 255).astype(np.uint8)`; data is known to be inside [0, 1]."""
    if data.dtype.kind == "f":
        return (data * 255).astype(np.uint8)
    # bool and integers: the only values are 0 and 1, mapped to 0 and 255 exactly.
    return data.astype(np.uint8) * np.uint8(255)


def signed(data: np.ndarray) -> np.ndarray:
    """[norm.signed]: `(255 * 0.5 * (data + 1)).astype(np.uint8)`; data is inside [-1, 1]."""
    if data.dtype.kind == "f":
        # 255 * 0.5 is the Python float 127.5, so this is 127.5 * (data + 1) in data's dtype.
        return (255 * 0.5 * (data + 1)).astype(np.uint8)
    # Integers: the only values are -1, 0 and 1. 127.5 * (v + 1) truncated is
    # (255 * (v + 1)) // 2, exact in int16: -1 -> 0, 0 -> 127, 1 -> 255.
    return ((data.astype(np.int16) + 1) * 255 // 2).astype(np.uint8)


def clip(data: np.ndarray) -> np.ndarray:
    """[norm.other] and [norm.disabled]: clip to [0, 255], truncate, NaN -> 0."""
    if data.dtype.kind == "b":
        return data.astype(np.uint8)
    if data.dtype.kind in "iu":
        # Bounds in the data's own dtype, so int8 never sees an out-of-range 255.
        upper = min(255, int(np.iinfo(data.dtype).max))
        return np.clip(data, 0, upper).astype(np.uint8)
    clipped = data.clip(0, 255)  # a new array; +inf -> 255, -inf -> 0, NaN stays NaN
    clipped[np.isnan(clipped)] = 0
    return clipped.astype(np.uint8)


_BRANCHES = {"unit": unit, "signed": signed, "other": clip}


def normalize_array(data: np.ndarray, enabled: bool = True) -> np.ndarray:
    """The uint8 pixels for a real-valued array of any shape ([norm.applies], [norm.disabled])."""
    if not enabled:
        return clip(data)
    return _BRANCHES[choose_branch(data)](data)


def to_uint8(data: Any) -> np.ndarray:
    """Convert image data to uint8 with the normalization algorithm ([to-uint8]).

    Accepts an array (or a tensor) of any shape, including 0-d and empty, and returns a
    uint8 array of the same shape: no layout change, no mode. Unlike `Image`, it does not
    insist on an image shape, because the docs describe it as a pure dtype conversion.
    """
    # NumPy arithmetic on a 0-d array gives a scalar; the spec promises an array of the same shape.
    return np.asarray(normalize_array(as_numeric_array(data, argument="data")))
