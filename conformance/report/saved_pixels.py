"""The pixels a saved JSON run keeps, so that its HTML page draws what the run's own page drew.

A JSON report writes an array of up to 64 elements in full (`values`); most pictures are
larger, and a saved run that kept only their digest could not show the expected image, the
actual one or their difference. So the arrays of each pixel mismatch also keep their C-ordered
bytes, zlib-compressed and base64-encoded (`zlib_base64`, beside `dtype`, `shape` and `sha256`),
within two caps on the bytes they stand for: CASE_LIMIT per case and REPORT_LIMIT per report,
the unexpected results served first, then the xfailed ones, each in run order. An array over a
cap keeps its digest and says why it has no bytes (`left_out`); the page shows that sentence in
the picture's place. Reading back is bounded by the same caps: the bytes are inflated no
further than the size the dtype and shape give, and an array is drawn only when its bytes hash
to its sha256.
"""

from __future__ import annotations

import base64
import binascii
import math
import zlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeGuard

import numpy as np

from wbimage_conformance.model import Result, RunReport
from wbimage_conformance.report.jsonable import SMALL_ARRAY_LIMIT, array_digest
from wbimage_conformance.report.summary import is_unexpected

#: Bytes of pixels (before compression) one case may keep in a saved report ...
CASE_LIMIT = 4 * 2**20
#: ... and all the cases of one report together.
REPORT_LIMIT = 32 * 2**20
#: dtype kinds whose bytes are pixels: bool, signed and unsigned integers, floats.
PIXEL_KINDS = "biuf"

#: (case id, index of the mismatch, "expected" or "actual")
Key = tuple[str, int, str]


def is_saved_array(value: object) -> TypeGuard[Mapping[str, Any]]:
    """True for an array as a JSON report wrote it ({kind: ndarray, dtype, shape, sha256, ...})."""
    return isinstance(value, Mapping) and value.get("kind") == "ndarray"


def plan(report: RunReport) -> dict[Key, dict[str, str]]:
    """For each large pixel array of the report's mismatches: its bytes, or why it has none."""
    budget = REPORT_LIMIT
    kept: dict[Key, dict[str, str]] = {}
    for result in sorted(report.results, key=lambda r: not is_unexpected(r)):
        sides = list(_candidates(result))
        total = sum(size for _, _, size in sides)
        reason = _over_a_cap(total, budget)
        for key, value, _ in sides:
            kept[key] = {"left_out": reason} if reason else {"zlib_base64": _text(value)}
        if not reason:
            budget -= total
    return kept


def with_bytes(saved: Any, payload: Mapping[str, str] | None) -> Any:
    """A saved array with the bytes (or the reason for their absence) that `plan` gave it."""
    if payload is None or not isinstance(saved, dict):
        return saved
    saved = {key: item for key, item in saved.items() if key not in ("zlib_base64", "left_out")}
    saved.update(payload)
    return saved


def decode(saved: Mapping[str, Any]) -> tuple[np.ndarray | None, str]:
    """The array a saved array holds, or None and why it cannot be drawn."""
    if isinstance(saved.get("left_out"), str):
        return None, f"left out of the saved report: {saved['left_out']}"
    text = saved.get("zlib_base64")
    if not isinstance(text, str):
        if "values" in saved:  # the reader rebuilds those that hash to their sha256
            return None, "its saved values do not hash to its sha256"
        return None, "the saved report kept only its digest"
    layout = _layout(saved.get("dtype"), saved.get("shape"))
    if layout is None:
        return None, "its saved dtype or shape is not one of pixels"
    dtype, shape = layout
    size = math.prod(shape) * dtype.itemsize
    if size > CASE_LIMIT:
        return None, f"its dtype and shape give more bytes than the {_mib(CASE_LIMIT)} a case may keep"
    if len(text) > 2 * size + 1024:
        return None, f"its saved text is longer than {size} bytes can compress to"
    raw = _inflate(text, size)
    if raw is None:
        return None, "its saved bytes are not the zlib-compressed, base64-encoded bytes of its shape"
    array = np.frombuffer(raw, dtype=dtype).reshape(shape)
    if array_digest(array) != saved.get("sha256"):
        return None, "its saved bytes do not hash to its sha256"
    return array, ""


def _candidates(result: Result) -> Iterator[tuple[Key, Any, int]]:
    for index, mismatch in enumerate(result.mismatches):
        if mismatch.field != "pixels":
            continue
        for side in ("expected", "actual"):
            value = getattr(mismatch, side)
            size = _stored_size(value)
            if size is not None:
                yield (result.case.id, index, side), value, size


def _stored_size(value: Any) -> int | None:
    """The bytes an array would keep, or None when it keeps none (small, not pixels, a digest)."""
    if isinstance(value, np.ndarray):
        big = value.size > SMALL_ARRAY_LIMIT and value.dtype.kind in PIXEL_KINDS
        return int(value.nbytes) if big else None
    if is_saved_array(value) and isinstance(value.get("zlib_base64"), str):  # a saved run saved again
        layout = _layout(value.get("dtype"), value.get("shape"))
        return math.prod(layout[1]) * layout[0].itemsize if layout else None
    return None


def _text(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return base64.b64encode(zlib.compress(np.ascontiguousarray(value).tobytes())).decode("ascii")
    return value["zlib_base64"]


def _over_a_cap(total: int, budget: int) -> str:
    if total > CASE_LIMIT:
        return f"its pixels ({_mib(total)}) are over the {_mib(CASE_LIMIT)} a case may keep"
    if total > budget:
        return f"the {_mib(REPORT_LIMIT)} of pixels a report may keep went to the cases before it"
    return ""


def _layout(dtype: Any, shape: Any) -> tuple[np.dtype, tuple[int, ...]] | None:
    if not isinstance(dtype, str) or not isinstance(shape, Sequence) or len(shape) > 8:
        return None
    try:
        parsed = np.dtype(dtype)
    except TypeError:
        return None
    if parsed.kind not in PIXEL_KINDS or not all(isinstance(n, int) and 0 <= n <= 2**31 for n in shape):
        return None
    return parsed, tuple(shape)


def _inflate(text: str, size: int) -> bytes | None:
    """Exactly `size` bytes from the text, never inflating more than one byte beyond them."""
    try:
        packed = base64.b64decode(text, validate=True)
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, size + 1)
    except (binascii.Error, ValueError, zlib.error):
        return None
    return raw if len(raw) == size and inflater.eof and not inflater.unconsumed_tail else None


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB" if size % 2**20 else f"{size // 2**20} MiB"
