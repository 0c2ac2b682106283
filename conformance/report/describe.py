"""One-line descriptions of mismatches and values, shared by the text-based formats.

A pixel mismatch's `detail` comes from wbimage_conformance.run.compare. Its `summary` is the
comparator's own sentence and is used as is. Without one (a hand-built or third-party
mismatch) the sentence is composed here from `differing` (how many elements differ),
`total`, `first_index`, `expected_at_first`, `actual_at_first` and `max_abs_diff`, computed
from the two arrays when absent, so a report never says less than the arrays can tell.
Any other detail key is shown as `key=value`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from wbimage_conformance.model import Mismatch
from wbimage_conformance.report.jsonable import array_digest
from wbimage_conformance.report.terminal import printable

__all__ = ["STAT_KEYS", "as_array", "computed_stats", "describe", "describe_pixels", "is_digest", "pixel_facts",
           "printable", "shape_text", "short"]

STAT_KEYS = ("differing", "total", "first_index", "expected_at_first", "actual_at_first", "max_abs_diff")
# Keys the comparator adds that its summary (or the composed sentence) already says.
_SAID_ELSEWHERE = STAT_KEYS + ("summary", "expected_shape", "actual_shape", "actual_dtype", "actual_sha256")

_ALIASES = {
    "count": "differing",
    "n_differ": "differing",
    "num_differ": "differing",
    "differing_count": "differing",
    "first": "first_index",
    "first_expected": "expected_at_first",
    "first_actual": "actual_at_first",
    "max_diff": "max_abs_diff",
    "largest_difference": "max_abs_diff",
    "max_abs_difference": "max_abs_diff",
}





def is_digest(value: Any) -> bool:
    """True for an expectation known only as {shape, sha256}."""
    return isinstance(value, Mapping) and "sha256" in value


def as_array(value: Any) -> np.ndarray | None:
    """The value as an array when it is one (or a nested list of numbers), else None."""
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (list, tuple)):
        try:
            array = np.asarray(value)
        except ValueError:
            return None
        return array if array.dtype != object else None
    return None


def shape_text(shape: Any) -> str:
    return "(" + ", ".join(str(int(n)) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def short(value: Any, limit: int = 100) -> str:
    """A value in at most `limit` characters: small arrays in full, large ones by shape."""
    array = value if isinstance(value, np.ndarray) else None
    if array is not None:
        if array.size <= 64:
            text = f"{array.tolist()!r} ({array.dtype})"
            if len(text) <= limit:
                return text
        return f"{array.dtype} array of shape {shape_text(array.shape)}"
    if is_digest(value):
        shape = value.get("shape")
        where = f" of shape {shape_text(shape)}" if isinstance(shape, (list, tuple)) else ""
        return f"array{where} with sha256 {str(value['sha256'])[:12]}…"
    if isinstance(value, np.generic):
        value = value.item()
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _scalar(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return repr(value.tolist())
    if isinstance(value, np.generic):
        return repr(value.item())
    return repr(value)


def _index(value: Any) -> str:
    if isinstance(value, (list, tuple, np.ndarray)):
        return "[" + ", ".join(str(int(i)) for i in value) + "]"
    return str(value)


def computed_stats(expected: Any, actual: Any) -> dict[str, Any]:
    """The statistics of two same-shaped arrays; empty when they cannot be compared."""
    e, a = as_array(expected), as_array(actual)
    if e is None or a is None or e.shape != a.shape:
        return {}
    try:
        e64, a64 = e.astype(np.float64), a.astype(np.float64)
    except (TypeError, ValueError):
        return {}
    both_nan = np.isnan(e64) & np.isnan(a64)
    differs = (e64 != a64) & ~both_nan
    stats: dict[str, Any] = {"differing": int(differs.sum()), "total": int(e.size)}
    if stats["differing"]:
        first = tuple(int(i) for i in np.argwhere(differs)[0])
        stats["first_index"] = list(first)
        stats["expected_at_first"] = e[first].item() if first else e.item()
        stats["actual_at_first"] = a[first].item() if first else a.item()
        with np.errstate(invalid="ignore", over="ignore"):
            gaps = np.abs(e64 - a64)[differs]
        # A NaN against a number has no size; the largest difference is then NaN, honestly.
        if np.isnan(gaps).any():
            stats["max_abs_diff"] = float("nan")
        elif e.dtype.kind in "biu" and a.dtype.kind in "biu":
            stats["max_abs_diff"] = int(gaps.max())
        else:
            stats["max_abs_diff"] = float(gaps.max())
    return stats


def pixel_facts(mismatch: Mismatch) -> dict[str, Any]:
    """Statistics for a pixel mismatch: the comparator's detail, completed where possible."""
    detail = {_ALIASES.get(k, k): v for k, v in mismatch.detail.items()}
    if "summary" in detail or "differing" in detail:
        return detail  # the comparator has spoken; do not walk big arrays again
    facts = computed_stats(mismatch.expected, mismatch.actual)
    facts.update(detail)
    return facts


def _other_detail(facts: Mapping[str, Any], known: tuple[str, ...] = STAT_KEYS) -> list[str]:
    return [f"{k}={short(v, 60)}" for k, v in facts.items() if k not in known]


def describe_pixels(mismatch: Mismatch) -> str:
    facts = pixel_facts(mismatch)
    if "summary" in facts:
        parts = [str(facts["summary"])]
        if is_digest(mismatch.expected):
            parts.append("expected pixels known only by digest")
    else:
        parts = _composed(mismatch, facts)
    parts.extend(_other_detail(facts, known=_SAID_ELSEWHERE))
    return printable(f"{mismatch.field}: " + "; ".join(parts))


def _how_arrays_differ(expected: Any, actual: Any) -> str | None:
    """Digest, missing array, shape or dtype: the first of them that tells the two apart."""
    e, a = as_array(expected), as_array(actual)
    if is_digest(expected):
        got = f"got {short(actual)}"
        if a is not None:
            got = f"got {a.dtype} {shape_text(a.shape)} with sha256 {array_digest(a)[:12]}…"
        return f"expected {short(expected)} (known by digest only), {got}"
    if e is not None and a is None:
        return f"expected {e.dtype} array of shape {shape_text(e.shape)}, got {short(actual)}"
    if e is not None and a is not None and e.shape != a.shape:
        return f"shape differs: expected {shape_text(e.shape)}, got {shape_text(a.shape)}"
    if e is not None and a is not None and e.dtype not in (a.dtype, object):
        return f"dtype differs: expected {e.dtype}, got {a.dtype}"
    return None


def _statistics(facts: Mapping[str, Any]) -> list[str]:
    """How many values differ, the first of them, and the largest difference, as far as known."""
    parts: list[str] = []
    if "differing" in facts:
        total = f" of {facts['total']}" if "total" in facts else ""
        parts.append(f"{facts['differing']}{total} values differ")
    if "first_index" in facts:
        first = f"first at {_index(facts['first_index'])}"
        if "expected_at_first" in facts or "actual_at_first" in facts:
            first += (
                f": expected {_scalar(facts.get('expected_at_first'))},"
                f" got {_scalar(facts.get('actual_at_first'))}"
            )
        parts.append(first)
    if "max_abs_diff" in facts:
        parts.append(f"largest difference {_scalar(facts['max_abs_diff'])}")
    return parts


def _composed(mismatch: Mismatch, facts: Mapping[str, Any]) -> list[str]:
    expected, actual = mismatch.expected, mismatch.actual
    parts: list[str] = []
    how = _how_arrays_differ(expected, actual)
    if how is not None:
        parts.append(how)
    parts.extend(_statistics(facts))
    if not parts:
        parts.append(f"expected {short(expected)}, got {short(actual)}")
    return parts


def describe(mismatch: Mismatch) -> str:
    """One line: 'pixels: 3 of 12 values differ; first at [0, 1]: ...' or 'mode: expected ...'."""
    if mismatch.description is not None:
        return mismatch.description  # read back from a JSON report: its own words
    if mismatch.field == "pixels":
        return describe_pixels(mismatch)
    line = f"{mismatch.field}: expected {short(mismatch.expected)}, got {short(mismatch.actual)}"
    extra = _other_detail(mismatch.detail, known=())
    return printable(line + ("; " + "; ".join(extra) if extra else ""))
