"""One true sentence per deviation: why a real implementation's result differs from the spec.

A reason is `<cause>: <what was observed>`. The observed part is written from the result
itself (the values, the error, the shape). The cause comes from the first rule below whose
test holds; rules about pixels only claim a mechanism after checking it: the rule's model
(a few lines of NumPy stating the measured behaviour, see /work/research and
docs/findings.md) must reproduce the observed pixels exactly from the case's input. A
deviation no rule explains is an error of the drafting tool, never a vague reason.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from wbimage_conformance.cases import materialize
from wbimage_conformance.model import Observation, Result, Status


class Unexplained(Exception):
    """A deviation no rule explains."""


# -- what a rule sees -----------------------------------------------------------------------


@dataclass
class Context:
    result: Result
    impl: str                  # wandb, trackio, swanlab
    version: tuple[int, ...]   # (0, 28, 2)
    pillow: str
    data: Any = None           # the array the implementation's pipeline sees, (H, W, C) for tensors
    given: Any = None          # the caller's array as given (tensors in (C, H, W))
    source: dict[str, Any] = field(default_factory=dict)

    @property
    def case(self):
        return self.result.case

    @property
    def obs(self) -> Observation:
        return self.result.observation or Observation()

    @property
    def api(self) -> str:
        return self.case.call["api"]

    @property
    def kwargs(self) -> dict[str, Any]:
        return self.case.call.get("kwargs") or {}

    @property
    def kind(self) -> str:
        return self.case.input["kind"]

    @property
    def fields(self) -> set[str]:
        return {m.field for m in self.result.mismatches}

    @property
    def error(self) -> str:
        return self.obs.error_type or ""

    @property
    def message(self) -> str:
        return self.obs.error_message or ""

    @property
    def expected_error(self) -> str | None:
        expect = self.case.expect or {}
        return (expect.get("error") or {}).get("type")

    def wandb(self, low: tuple[int, ...] = (0,), high: tuple[int, ...] = (99,)) -> bool:
        """A wandb release with low <= version < high."""
        return self.impl == "wandb" and low <= self.version < high

    def file_type(self) -> str | None:
        return self.kwargs.get("file_type")


# -- models of measured behaviours (each checked against the observation) ----------------------


def _quiet(fn: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    def run(x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(x)
    return run


@_quiet
def bare_cast(x: np.ndarray) -> np.ndarray:
    return x.astype(np.uint8)


@_quiet
def clip_cast(x: np.ndarray) -> np.ndarray:
    return np.clip(x, 0, 255).astype(np.uint8)


@_quiet
def literal_branches(x: np.ndarray) -> np.ndarray:
    """The documented three branches evaluated literally in the input's dtype."""
    lo, hi = np.min(x), np.max(x)
    if 0 <= lo and hi <= 1:
        return (x * 255).astype(np.uint8)
    if -1 <= lo and hi <= 1:
        return (255 * 0.5 * (x + 1)).astype(np.uint8)
    return x.clip(0, 255).astype(np.uint8)


@_quiet
def minmax_then_unit(x: np.ndarray) -> np.ndarray:
    """0.19.8's arrays: min-max only when something is negative, x255 when max <= 1."""
    d = x
    if np.min(d) < 0:
        d = (d - np.min(d)) / np.ptp(d)
    if np.max(d) <= 1.0:
        d = (d * 255).astype(np.int32)
    return d.clip(0, 255).astype(np.uint8)


@_quiet
def range_division(x: np.ndarray) -> np.ndarray:
    """0.20.0: shift negatives to 0, divide by the range, x255 when max <= 1, clip."""
    d = x
    if np.min(d) < 0:
        d = d - np.min(d)
    if np.ptp(d) != 0:
        d = d / np.ptp(d)
    if np.max(d) <= 1.0:
        d = (255 * d).astype(np.int32)
    return d.clip(0, 255).astype(np.uint8)


def reproduces(model: Callable[[np.ndarray], np.ndarray], ctx: Context) -> bool:
    """The model, applied to the case's input, gives the observed pixel values (same
    values in the same order; a squeezed shape is allowed)."""
    pixels = ctx.obs.pixels
    if ctx.data is None or pixels is None or ctx.obs.raised:
        return False
    try:
        made = model(np.asarray(ctx.data))
    except Exception:
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


def jpeg_round_trip(expected: np.ndarray) -> np.ndarray | None:
    from PIL import Image as PILImage

    try:
        buffer = io.BytesIO()
        PILImage.fromarray(expected).save(buffer, format="JPEG")
        buffer.seek(0)
        return np.asarray(PILImage.open(buffer))
    except Exception:
        return None


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
        return f"raises {obs.error_type}: {_short(obs.error_message)}"
    by_field = {m.field: m for m in r.mismatches}
    if "error" in by_field and not obs.raised:
        return f"no error, where the spec raises {ctx.expected_error}" + _image_summary(obs)
    if "error.type" in by_field or "error.match" in by_field:
        return f"raises {obs.error_type}: {_short(obs.error_message)} (the spec: {ctx.case.title})"
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


@dataclass(frozen=True)
class Rule:
    """`clause`: the clause broken, a function of the context, or None for the case's own
    first clause; `cause`: the mechanism, in words (or a function giving them)."""

    clause: str | Callable[[Context], str] | None
    cause: str | Callable[[Context], str]
    test: Callable[[Context], bool]

    def text(self, ctx: Context) -> str:
        return self.cause(ctx) if callable(self.cause) else self.cause

    def clause_for(self, ctx: Context) -> str:
        if callable(self.clause):
            return self.clause(ctx)
        return self.clause or ctx.case.clauses[0]


def explain(ctx: Context, rules: list[Rule]) -> tuple[str, str]:
    """(clause, reason) for one deviating result."""
    for rule in rules:
        try:
            hit = rule.test(ctx)
        except Exception:
            hit = False
        if hit:
            return rule.clause_for(ctx), f"{rule.text(ctx)}: {observed(ctx)}"
    raise Unexplained(f"{ctx.case.id}: {ctx.result.status.value}: {ctx.result.message[:200]}")


# -- building contexts ------------------------------------------------------------------------


def _version(text: str | None) -> tuple[int, ...]:
    numbers = re.findall(r"\d+", text or "")
    return tuple(int(n) for n in numbers[:3])


def context(result: Result, impl: str, version: str | None, pillow: str | None) -> Context:
    ctx = Context(result=result, impl=impl, version=_version(version), pillow=pillow or "")
    try:
        built = materialize.materialize(result.case).input
    except Exception:
        return ctx
    node = built
    while node.get("kind") == "image":
        node = node["of"]
    array = node.get("array")
    if isinstance(array, np.ndarray):
        ctx.given = array
        if node["kind"] == "tensor" and array.ndim == 3:
            ctx.data = np.transpose(array, (1, 2, 0))
        elif node["kind"] in ("numpy", "tensor"):
            ctx.data = array
        ctx.source = node
    return ctx


def explain_all(results: list[Result], impl: str, version: str | None, pillow: str | None,
                rules: list[Rule]) -> tuple[dict[str, tuple[Status, str, str]], list[str]]:
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
