"""One true sentence per deviation: why a real implementation's result differs from the spec.

A reason is `<cause>: <what was observed>`. The observed part is written from the result
itself (the values, the error, the shape). The cause is the first rule in rules.py whose test
holds. Rules are causes of the triage model (wbimage_conformance.triage): the same `Cause`,
`Context` and recomputation that explain any failing run explain the releases' deviations.
Rules about pixels only claim a mechanism after checking it: the measured behaviour is a
variant of the spec's pipeline (triage.variants), recomputed from the case's input with the
oracle's exact arithmetic, and must give the observed pixel values. A deviation no rule
explains is an error of the drafting tool, never a vague reason.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from wbimage_conformance.model import Observation, Result, Status
from wbimage_conformance.triage import variants
from wbimage_conformance.triage.cause import Cause
from wbimage_conformance.triage.context import Context, context, version_tuple
from wbimage_conformance.triage.hypotheses import jpeg_round_trip

__all__ = ["Context", "Rule", "Unexplained", "context", "explain", "explain_all", "jpeg_round_trip", "observed",
           "reproduces", "version_tuple"]

#: A release rule is a cause: (clause broken, cause in words, test).
Rule = Cause


class Unexplained(Exception):
    """A deviation no rule explains."""


# -- measured behaviours, as variants of the spec's pipeline ----------------------------------

#: No normalization: a bare astype(uint8) (floats truncated, out-of-range values wrap).
bare_cast = variants.Variant(ranges="none", overflow="wrap")
#: No normalization: clip to [0, 255], then cast.
clip_cast = variants.Variant(ranges="none")
#: 0.19.x's arrays: min-max only when something is negative, x255 when max <= 1.
minmax_then_unit = variants.Variant(ranges="negatives-min-max")
#: 0.20.0: shift negatives to 0, divide by the range, x255 when max <= 1, clip.
range_division = variants.Variant(ranges="range-division")


def reproduces(model: variants.Variant, ctx: Context) -> bool:
    """The model, applied to the data the implementation's pipeline sees, gives the observed
    pixel values (same values in the same order; a squeezed shape is allowed; with mode=,
    after PIL's conversion to that mode). The values are recomputed in the oracle's arithmetic."""
    pixels = ctx.obs.pixels
    if ctx.data is None or pixels is None or ctx.obs.raised:
        return False
    data = np.asarray(ctx.data)
    if data.dtype.kind not in "biuf":
        return False
    try:
        made = variants.normalized(data, model, True, None)
    except Exception:
        return False
    if isinstance(made, variants.Raises):
        return False
    pixels = np.asarray(pixels)
    if made.size == pixels.size and bool(np.array_equal(made.ravel(), pixels.ravel())):
        return True
    mode = ctx.kwargs.get("mode")
    if mode:  # the model's result converted to the explicit mode, as PIL converts
        from PIL import Image as PILImage

        for array in (made, np.squeeze(made)):
            try:
                converted = np.asarray(PILImage.fromarray(array).convert(mode))
            except Exception:
                continue
            if converted.size == pixels.size and bool(np.array_equal(converted.ravel(), pixels.ravel())):
                return True
    return False


# -- what was observed, in words --------------------------------------------------------------


def _values(array: Any, limit: int = 8) -> str:
    array = np.asarray(array)
    if array.size <= limit:
        text = np.array2string(array.ravel() if array.ndim > 1 and array.shape[0] == 1 and array.ndim == 2 else array,
                               separator=", ", max_line_width=200)
        return " ".join(text.split())
    return f"{array.dtype} array of shape {tuple(array.shape)}"


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def observed(ctx: Context) -> str:
    """What the implementation did, with the values, in one clause."""
    obs, r = ctx.obs, ctx.result
    if r.status in (Status.TIMEOUT, Status.CRASH) or (r.status is Status.ERROR and not r.mismatches):
        return _short(r.message, 140)
    if obs.raised and ctx.expected_error is None:
        return f"raises {obs.error_type}: {_short(obs.error_message or '')}"
    by_field = {m.field: m for m in r.mismatches}
    if "error" in by_field and not obs.raised:
        return f"no error, where the spec raises {ctx.expected_error}" + _image_summary(obs)
    if "error.type" in by_field or "error.match" in by_field:
        return f"raises {obs.error_type}: {_short(obs.error_message or '')} (the spec: {ctx.case.title})"
    parts = []
    if "pixels" in by_field:
        parts.append(_pixels(ctx, by_field["pixels"]))
    for name in ("mode", "size", "format", "encoded", "caption", "grouping", "value"):
        if name in by_field and not (name == "size" and "pixels" in by_field and "shape" in parts[0]):
            m = by_field[name]
            parts.append(f"{name} {_short(repr(_plain(m.actual)), 70)} instead of {_short(repr(_plain(m.expected)), 70)}")
    if "input" in by_field:
        parts.append("the caller's input was modified")
    return "; ".join(parts)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value


def _image_summary(obs: Observation) -> str:
    if obs.pixels is None:
        return ""
    shape = tuple(np.asarray(obs.pixels).shape)
    if obs.mode is None:  # to_uint8 returns an array, not an image
        return f" (it returns a {np.asarray(obs.pixels).dtype} array of shape {shape})"
    return f" (it makes a {obs.mode} image of shape {shape})"


def _pixels(ctx: Context, m: Any) -> str:
    detail = m.detail or {}
    actual = np.asarray(m.actual) if m.actual is not None else None
    expected = m.expected if isinstance(m.expected, np.ndarray) else None
    if expected is not None and actual is not None and actual.shape != expected.shape:
        return f"shape {tuple(actual.shape)} instead of {tuple(expected.shape)}" + (
            f" (mode {ctx.obs.mode})" if ctx.obs.mode else "")
    if detail.get("summary", "").startswith("expected a uint8 array"):
        return detail["summary"]
    if detail.get("summary", "").startswith("sha256"):
        return "pixels with " + detail["summary"].replace(", expected", " instead of")
    if ctx.given is not None and np.asarray(ctx.given).size <= 8 and expected is not None and actual is not None:
        return f"{_values(ctx.given)} -> {_values(actual)} instead of {_values(expected)}"
    if "first_index" in detail:
        where = tuple(detail["first_index"])
        given = ""
        if ctx.given is not None and ctx.kind == "numpy":
            try:
                given = f" (input {np.asarray(ctx.given)[where]!r})".replace("np.", "")
            except Exception:
                given = ""
        return (f"{detail.get('differing')} of {detail.get('total', actual.size if actual is not None else '?')} "
                f"values differ; at {where}{given} {detail.get('actual_at_first')} instead of "
                f"{detail.get('expected_at_first')}")
    return detail.get("summary") or "different pixels"


# -- rules ----------------------------------------------------------------------------------


def explain(ctx: Context, rules: list[Cause]) -> tuple[str, str]:
    """(clause, reason) for one deviating result."""
    for rule in rules:
        if rule.holds(ctx):
            return rule.clause_for(ctx), f"{rule.text(ctx)}: {observed(ctx)}"
    raise Unexplained(f"{ctx.case.id}: {ctx.result.status.value}: {ctx.result.message[:200]}")


# -- every deviation of a run -----------------------------------------------------------------


def explain_all(results: list[Result], impl: str, version: str | None, pillow: str | None,
                rules: list[Cause]) -> tuple[dict[str, tuple[Status, str, str]], list[str]]:
    """Every deviating result (not passed, not skipped) -> (status, clause, reason); and the
    list of those no rule explains."""
    out: dict[str, tuple[Status, str, str]] = {}
    missing: list[str] = []
    for result in results:
        if result.status in (Status.PASSED, Status.SKIPPED):
            continue
        ctx = context(result, impl, version, pillow)
        try:
            clause, reason = explain(ctx, rules)
        except Unexplained as exc:
            missing.append(str(exc))
            continue
        out[result.case.id] = (result.status, clause, reason)
    return out, missing
