"""What a cause's test sees of one result: the case, the observation, the case's input as
built, and the recomputation of that input under a variant of the spec.

Shared by run triage and by the drafting of release expectations (releases/explain.py), so
both judge a deviation on the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from wbimage_conformance.cases import materialize
from wbimage_conformance.model import Observation, Result
from wbimage_conformance.triage import variants

#: Fields a variant of the pipeline predicts; a result with another field wrong (caption,
#: value, input) is not explained by a variant alone.
PREDICTED_FIELDS = frozenset({"pixels", "mode", "size", "format", "encoded", "error", "error.type", "error.match"})
#: Passed results with more elements than this are not recomputed to rank causes.
RANK_SIZE_LIMIT = 512
_UNSET = object()


@dataclass
class Context:
    result: Result
    impl: str = ""                          # wandb, trackio, swanlab; "" for any other
    version: tuple[int, ...] = ()           # (0, 28, 2)
    pillow: str = ""
    data: Any = None           # the array the implementation's pipeline sees, (H, W, C) for tensors
    given: Any = None          # the caller's array as given (tensors in (C, H, W))
    source: dict[str, Any] = field(default_factory=dict)
    built: dict[str, Any] | None = None     # the materialized input tree
    _predictions: dict[Any, bool] = field(default_factory=dict)
    _call: Any = _UNSET

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

    def mismatch(self, name: str):
        return next((m for m in self.result.mismatches if m.field == name), None)

    # -- recomputation ---------------------------------------------------------------------

    def call(self) -> variants.Call | None:
        """The case as a call a variant can recompute: an Image or to_uint8 call on array or
        tensor data, or Image(other) of one (the pixels are the inner call's). Built once."""
        if self._call is _UNSET:
            self._call = self._build_call()
        return self._call

    def _build_call(self) -> variants.Call | None:
        if self.source.get("kind") not in ("numpy", "tensor") or self.api not in ("Image", "to_uint8"):
            return None
        array = self.source.get("array")
        if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
            return None
        kwargs = self.kwargs
        if self.kind == "image":
            kwargs = (self.built or {}).get("kwargs") or {}
        return variants.Call(self.api, array, self.source["kind"], kwargs.get("mode"), kwargs.get("file_type"),
                             kwargs.get("normalize", True), "file_type" in kwargs)

    def reproduces(self, variant: variants.Variant) -> bool:
        """Recomputing the case's input under `variant` gives exactly the observed output, and
        every field the case got wrong is one the variant decides. Tried once per variant."""
        if variant not in self._predictions:
            try:
                # a wrong range rule can feed a formula values outside its range: cast bare or clipped
                bare = variants.bare_cast(variant)
                self._predictions[variant] = self._reproduces(variant) or (bare is not None and self._reproduces(bare))
            except Exception:  # a variant that cannot compute this input does not explain it
                self._predictions[variant] = False
        return self._predictions[variant]

    def _reproduces(self, variant: variants.Variant) -> bool:
        """Cheapest test first, stopping at the first that fails: a variant none of whose
        changes can touch this call predicts the spec's output, which was not observed; then
        NumPy arithmetic; then the oracle's exact arithmetic, the only one that claims."""
        call = self.call()
        if call is None or not self.fields or not self.fields <= PREDICTED_FIELDS or not variant.applies(call):
            return False
        obs = self.obs
        if obs.raised and obs.error_type == self.expected_error:
            return self._raised_by_another_step(call, variant)
        observed = self.observed(call)
        fast = self._fast_prediction(call, variant)
        if fast is not None and not variants.same_output(fast, *observed):
            return False
        return variants.same_output(variants.predicted(call, variant), *observed)

    @staticmethod
    def _fast_prediction(call: variants.Call, variant: variants.Variant) -> variants.Prediction | None:
        """The prediction in NumPy arithmetic, or None where NumPy cannot compute in the
        input's format (then only the exact recomputation decides)."""
        try:
            return variants.predicted(call, variant, fast=True)
        except Exception:
            return None

    def observed(self, call: variants.Call) -> tuple[Any, ...]:
        obs = self.obs
        if call.api == "to_uint8":
            return (obs.pixels, None, None, None, None, obs.error_type)
        return (obs.pixels, obs.mode, obs.size, obs.format, obs.encoded, obs.error_type)

    def contradicts(self, variant: variants.Variant, limit: int = RANK_SIZE_LIMIT) -> bool:
        """For a result that passed: `variant` predicts something else than what was observed.
        In NumPy arithmetic, on small inputs only: used to rank causes, never to claim one."""
        call = self.call()
        if call is None or call.data.size > limit or (self.obs.pixels is None and self.obs.error_type is None):
            return False
        if not variant.applies(call):
            return False
        try:
            return not variants.same_output(variants.predicted(call, variant, fast=True), *self.observed(call))
        except Exception:
            return False

    def _raised_by_another_step(self, call: variants.Call, variant: variants.Variant) -> bool:
        """The right exception type with the wrong message, where the variant skips the step
        the spec raises at and a later step raises that type (so another message)."""
        if self.fields != {"error.match"}:
            return False
        spec, changed = variants.predicted(call, variants.Variant()), variants.predicted(call, variant)
        return (isinstance(spec, variants.Raises) and isinstance(changed, variants.Raises)
                and changed.type == self.obs.error_type and changed.check != spec.check)


def version_tuple(text: str | None) -> tuple[int, ...]:
    import re

    numbers = re.findall(r"\d+", text or "")
    return tuple(int(n) for n in numbers[:3])


def context(result: Result, impl: str = "", version: str | None = None, pillow: str | None = None) -> Context:
    """The context of one result: the case's input built again, tensors also as (H, W, C)."""
    ctx = Context(result=result, impl=impl, version=version_tuple(version), pillow=pillow or "")
    try:
        built = materialize.materialize(result.case).input
    except Exception:
        return ctx
    ctx.built = built
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
