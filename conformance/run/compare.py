"""An Observation against a case's expectation: the verdict and, for each differing field,
a Mismatch that says exactly how it differs.

Pixels are compared bit for bit (dtype uint8, shape, bytes); nothing is "close enough".
Metadata is compared field by field with types: `65500.0` is not `65500`, `numpy.int64(1)`
is not `1`, `True` is not `1`. An expected error matches by class name along the raised
exception's MRO, and its `match` is a regular expression searched in the message.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from wbimage_conformance.cases import patterns
from wbimage_conformance.cases.materialize import expected_pixels
from wbimage_conformance.model import Case, Mismatch, Observation, Status
from wbimage_conformance.run import recompute
from wbimage_conformance.worker.protocol import Opaque

_IMAGE_FIELDS = ("mode", "format", "encoded", "caption", "grouping")


@dataclass(frozen=True)
class Verdict:
    status: Status            # PASSED, FAILED or ERROR
    mismatches: tuple[Mismatch, ...]
    message: str


def compare(case: Case, obs: Observation) -> Verdict:
    """The verdict for one observation. For implementation-defined cases any allowed outcome
    passes; otherwise the closest one (fewest mismatches) is reported."""
    outcomes = [case.expect] if case.expect is not None else list(case.allowed)
    checked = [check(expect, obs) for expect in outcomes]
    best = min(range(len(checked)), key=lambda i: _distance(outcomes[i], obs, checked[i]))
    mismatches = [_explained(case, m, obs) for m in checked[best]]
    if obs.input_mutated:
        mismatches = mismatches + [input_mismatch(obs)]
    if not mismatches:
        return Verdict(Status.PASSED, (), "")
    chosen = outcomes[best]
    prefix = ""
    if case.expect is None:
        prefix = f"none of the {len(outcomes)} allowed outcomes matched; closest is allowed[{best}]: "
    raised_unexpectedly = obs.raised and "error" not in chosen
    if raised_unexpectedly and not obs.input_mutated:
        return Verdict(Status.ERROR, tuple(mismatches), prefix + f"raised {obs.error_type}: {obs.error_message}")
    return Verdict(Status.FAILED, tuple(mismatches), prefix + "; ".join(describe_mismatch(m) for m in mismatches))


def _explained(case: Case, mismatch: Mismatch, obs: Observation) -> Mismatch:
    """A pixel mismatch against a digest, redone against the recomputed expected array
    when there is one (wbimage_conformance.run.recompute), so it says where and by how much."""
    if mismatch.field != "pixels" or not isinstance(mismatch.expected, dict):
        return mismatch
    want = recompute.expected_array(case, mismatch.expected)
    if want is None:
        return mismatch
    return compare_arrays(want, obs.pixels) or mismatch


def _distance(expect: dict[str, Any], obs: Observation, mismatches: list[Mismatch]) -> tuple[int, int, int]:
    """How far an outcome is: raised where it should return (or the reverse), then fields
    that differ, then pixel values that differ."""
    wrong_kind = int(("error" in expect) != obs.raised)
    return wrong_kind, len(mismatches), sum(int(m.detail.get("differing") or 0) for m in mismatches)


def input_mismatch(obs: Observation) -> Mismatch:
    change = next((n for n in obs.notes if "changed" in n), "the input changed")
    return Mismatch("input", "unchanged", "modified", {"change": change})


def describe_mismatch(m: Mismatch) -> str:
    if m.field == "pixels" and "summary" in m.detail:
        return f"pixels: {m.detail['summary']}"
    if m.field == "input":
        return f"input modified ({m.detail.get('change', '')})"
    return _clip(m.describe())


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check(expect: dict[str, Any], obs: Observation) -> list[Mismatch]:
    """Mismatches between one expectation and the observation (empty: it matches)."""
    if "error" in expect:
        return _check_error(expect["error"], obs)
    if obs.raised:
        return [Mismatch("error", None, f"{obs.error_type}: {obs.error_message}")]
    mismatches: list[Mismatch] = []
    if "pixels" in expect:
        mismatch = compare_pixels(expect["pixels"], obs.pixels)
        if mismatch is not None:
            mismatches.append(mismatch)
    if "size" in expect:
        actual = list(obs.size) if isinstance(obs.size, (tuple, list)) else obs.size
        if not same(list(expect["size"]), actual):
            mismatches.append(Mismatch("size", list(expect["size"]), actual))
    for field in _IMAGE_FIELDS:
        if field in expect and not same(expect[field], getattr(obs, field)):
            detail = {"note": "the implementation exposes no encoded file"} if field == "encoded" and obs.encoded is None else {}
            mismatches.append(Mismatch(field, expect[field], getattr(obs, field), detail))
    if "value" in expect:
        if not obs.has_value:
            mismatches.append(Mismatch("value", expect["value"], None, {"note": "no value was returned"}))
        elif not same(expect["value"], obs.value):
            mismatches.append(Mismatch("value", expect["value"], obs.value))
    return mismatches


def _check_error(expected: dict[str, Any], obs: Observation) -> list[Mismatch]:
    if not obs.raised:
        return [Mismatch("error", expected["type"], "no exception")]
    out: list[Mismatch] = []
    names = (obs.error_type,) + tuple(obs.error_bases)
    if expected["type"] not in names:
        out.append(Mismatch("error.type", expected["type"], obs.error_type, {"mro": list(names)}))
    pattern = expected.get("match")
    if pattern is not None and not patterns.search(pattern, obs.error_message or ""):
        out.append(Mismatch("error.match", pattern, obs.error_message))
    return out


def same(expected: Any, actual: Any) -> bool:
    """Equality with types: lists/tuples element-wise, dicts key-wise, NaN equals NaN, and a
    value of another type (bool for int, float for int, a NumPy scalar) never equal."""
    if isinstance(expected, (list, tuple)):
        return (
            isinstance(actual, (list, tuple))
            and len(expected) == len(actual)
            and all(same(e, a) for e, a in zip(expected, actual))
        )
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and set(expected) == set(actual)
            and all(same(expected[k], actual[k]) for k in expected)
        )
    if type(expected) is not type(actual):
        return False
    if isinstance(expected, float) and math.isnan(expected):
        return math.isnan(actual)
    return bool(expected == actual)


def _describe_array(array: Any) -> str:
    if isinstance(array, np.ndarray):
        return f"{array.dtype} array of shape {list(array.shape)}"
    kind = array.type if isinstance(array, Opaque) else type(array).__name__
    return f"{kind} {array!r}"[:120]


def compare_pixels(expected: Any, actual: Any) -> Mismatch | None:
    """Bit-exact pixels. `expected` is an inline nested list or {shape, sha256}."""
    if isinstance(expected, dict):
        return _compare_digest(expected, actual)
    return compare_arrays(expected_pixels(expected), actual)


def compare_arrays(want: np.ndarray, actual: Any) -> Mismatch | None:
    """Bit-exact pixels against an expected uint8 array."""
    if not isinstance(actual, np.ndarray):
        return Mismatch("pixels", want, actual, {"summary": f"expected a uint8 array, got {_describe_array(actual)}"})
    if actual.dtype == np.uint8 and actual.shape == want.shape and np.array_equal(actual, want):
        return None  # the usual answer, without the difference statistics
    problems = []
    if actual.dtype != np.uint8:
        problems.append(f"dtype {actual.dtype}, expected uint8")
    if actual.shape != want.shape:
        problems.append(f"shape {list(actual.shape)}, expected {list(want.shape)}")
        return Mismatch("pixels", want, actual, {"summary": "; ".join(problems),
                                                   "expected_shape": list(want.shape), "actual_shape": list(actual.shape),
                                                   "actual_dtype": str(actual.dtype)})
    detail: dict[str, Any] = {"expected_shape": list(want.shape), "actual_dtype": str(actual.dtype)}
    stats = difference_stats(want, actual)
    if stats is None and not problems:
        return None
    if stats is not None:
        detail.update(stats)
        problems.append(
            f"{stats['differing']} of {stats['total']} values differ; first at {tuple(stats['first_index'])}: "
            f"expected {stats['expected_at_first']}, got {stats['actual_at_first']}; "
            f"largest difference {stats['max_abs_diff']}"
        )
    detail["summary"] = "; ".join(problems)
    return Mismatch("pixels", want, actual, detail)


def difference_stats(want: np.ndarray, actual: np.ndarray) -> dict[str, Any] | None:
    """Where two same-shaped arrays differ in value (None: nowhere). Values are compared as
    numbers, so a float array holding exactly the right values differs only in dtype."""
    if actual.dtype.kind not in "biuf":
        return {"differing": int(want.size), "total": int(want.size), "first_index": [0] * want.ndim,
                "expected_at_first": _py(want.flat[0]) if want.size else None,
                "actual_at_first": repr(actual.flat[0]) if actual.size else None, "max_abs_diff": None}
    a = actual.astype(np.float64) if actual.dtype.kind == "f" else actual.astype(np.int64)
    w = want.astype(np.int64)
    with np.errstate(invalid="ignore"):
        differs = a != w
    count = int(np.count_nonzero(differs))
    if count == 0:
        return None
    first = np.unravel_index(int(np.argmax(differs.ravel())), want.shape) if want.ndim else ()
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(a - w)
    largest = np.nanmax(diff) if not np.all(np.isnan(diff)) else float("nan")
    return {
        "differing": count,
        "total": int(want.size),
        "first_index": [int(i) for i in first],
        "expected_at_first": _py(want[first]),
        "actual_at_first": _py(actual[first]),
        "max_abs_diff": _py(largest),
    }


def _py(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _compare_digest(expected: dict[str, Any], actual: Any) -> Mismatch | None:
    want_shape = list(expected["shape"])
    if not isinstance(actual, np.ndarray):
        return Mismatch("pixels", expected, actual, {"summary": f"expected a uint8 array, got {_describe_array(actual)}"})
    problems = []
    if actual.dtype != np.uint8:
        problems.append(f"dtype {actual.dtype}, expected uint8")
    if list(actual.shape) != want_shape:
        problems.append(f"shape {list(actual.shape)}, expected {want_shape}")
    digest = hashlib.sha256(np.ascontiguousarray(actual).tobytes()).hexdigest()
    if digest != expected["sha256"]:
        problems.append(f"sha256 {digest[:16]}..., expected {expected['sha256'][:16]}...")
    if not problems:
        return None
    return Mismatch("pixels", expected, actual, {
        "summary": "; ".join(problems), "expected_shape": want_shape, "actual_shape": list(actual.shape),
        "actual_dtype": str(actual.dtype), "actual_sha256": digest,
    })
