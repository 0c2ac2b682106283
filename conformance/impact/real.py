"""The other way to an impact's pixels: the samples run by a real implementation (a wandb
release in its own virtualenv, or anything `run --impl` accepts), in its worker and sandbox,
as the suite's cases are.

Each sample becomes a probe (a case without expectations) whose input holds the sample's
values; the worker builds the array, tensor or PIL image in the implementation's own
interpreter and answers with what the Image holds. Only an answer counts: a timeout, a crash,
an input the worker could not set up or a kind the implementation does not take is a
`failed` outcome, which the comparison never reads as "unchanged".
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from wbimage_conformance.impact.models import Outcome, Step
from wbimage_conformance.impact.samples import Sample
from wbimage_conformance.model import Case, Result, Status
from wbimage_conformance.run import runner

DEFAULT_TIMEOUT = 60.0
_KIND = {"numpy": "numpy", "torch": "tensor", "pil": "pil"}


def probe(sample: Sample, data: np.ndarray) -> Case:
    """The sample as a case without expectations."""
    node: dict[str, Any] = {"kind": _KIND[sample.kind], "values": data}
    if sample.kind == "torch":
        node["dtype"] = sample.dtype
    elif sample.kind == "pil":
        node["mode"] = sample.pil_mode
    call = {"api": "Image", "kwargs": dict(sample.given)}
    return Case(id=f"impact-{sample.index}", title=sample.label, clauses=("impact",), level="required",
                input=node, call=call, expect={}, allowed=())


def outcome(result: Result, name: str) -> Outcome:
    """What the implementation did with the probe; `failed` when it gave no answer."""
    obs = result.observation
    steps = (Step("call", f"run by {name}"),)
    if result.status in (Status.TIMEOUT, Status.CRASH, Status.SKIPPED) or obs is None:
        return Outcome(None, None, None, steps, "real", failed=f"{result.status.value}: {result.message}"[:300])
    if obs.raised:
        return Outcome(None, None, f"{obs.error_type}: {obs.error_message or ''}"[:300], steps, "real")
    if not isinstance(obs.pixels, np.ndarray) or obs.pixels.dtype.kind not in "biu":
        return Outcome(None, None, None, steps, "real", failed="the image's pixels could not be read")
    return Outcome(obs.pixels, obs.mode, None, steps, "real")


class RealSide:
    """An implementation's worker, open for the samples of one impact."""

    def __init__(self, impl: str, *, timeout: float = DEFAULT_TIMEOUT, sandbox_mode: str = "auto") -> None:
        self.impl = impl
        self.timeout = timeout
        self.sandbox_mode = sandbox_mode
        self.session: runner.Session | None = None
        self.name = impl
        self.env: dict[str, Any] = {}

    @contextmanager
    def opened(self) -> Iterator[RealSide]:
        with runner.Session(self.impl, timeout=self.timeout, sandbox_mode=self.sandbox_mode,
                            keep_arrays=True) as session:
            self.session = session
            handshake = session.handshake
            if handshake is not None and handshake.version:
                self.name = f"{handshake.name} {handshake.version}"
            self.env = self._environment()
            try:
                yield self
            finally:
                self.session = None

    def _environment(self) -> dict[str, Any]:
        if self.session is None or self.session.handshake is None:
            return {}
        env = self.session.handshake.environment
        return {"implementation": self.session.handshake.name, "version": self.session.handshake.version,
                **{key: env.get(key) for key in ("python", "numpy", "pillow", "torch", "torchvision")}}

    def render(self, sample: Sample, data: np.ndarray) -> Outcome:
        assert self.session is not None, "use RealSide.opened()"
        return outcome(self.session.run_case(probe(sample, data)), self.name)

    def render_all(self, items: Sequence[tuple[Sample, np.ndarray]]) -> list[Outcome]:
        assert self.session is not None, "use RealSide.opened()"
        return [outcome(result, self.name) for result in self.session.run([probe(s, d) for s, d in items])]
