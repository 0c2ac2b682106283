"""An impact from beginning to end: every sample through both sides, compared; the real
implementations confirming the models on some samples (`--verify`); pixels dropped as soon as
a sample is compared, so memory holds one sample and the thumbnails shown.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np

from wbimage_conformance.impact import compare, thumbnails
from wbimage_conformance.impact.models import Outcome, Step
from wbimage_conformance.impact.real import RealSide
from wbimage_conformance.impact.samples import Sample

#: Samples per site whose thumbnails the reports show (the worst first).
SHOWN_PER_SITE = 4


class Renders(Protocol):
    @property
    def name(self) -> str: ...

    def render(self, sample: Sample, data: np.ndarray) -> Outcome: ...


@dataclass
class Side:
    """One side of the comparison, as the user named it: its model (None: there is none), and
    the real implementation (None: not asked for). With `real_only`, every sample is run by the
    real implementation."""

    given: str
    model: Renders | None
    real: RealSide | None = None
    real_only: bool = False

    @property
    def name(self) -> str:
        if self.model is not None and not self.real_only:
            return self.model.name
        return self.real.name if self.real is not None else self.given

    @property
    def computed_by(self) -> str:
        if self.real_only or self.model is None:
            return "the real implementation"
        return "the reference implementation" if self.given == "spec" else "the release model"


@dataclass
class Disagreement:
    sample: str
    model: str
    real: str


@dataclass
class Verification:
    """The real release against the model, on the samples checked."""

    side: str
    checked: int = 0
    disagreements: list[Disagreement] = field(default_factory=list)
    unanswered: int = 0


@dataclass
class Impact:
    before: Side
    after: Side
    sites: list[compare.SiteImpact]
    verification: list[Verification]
    shown: dict[tuple[str, int], thumbnails.Thumbnails]
    environment: dict[str, Any]
    seconds: float

    @property
    def samples(self) -> list[compare.SampleImpact]:
        return [s for site in self.sites for s in site.samples]

    def count(self, verdict: str) -> int:
        return sum(1 for s in self.samples if s.verdict == verdict)

    @property
    def models_disagree(self) -> bool:
        return any(v.disagreements for v in self.verification)


def summary(outcome: Outcome) -> str:
    if outcome.failed:
        return f"no answer: {outcome.failed}"
    if outcome.raised:
        return f"raises {outcome.raised}"
    assert outcome.pixels is not None
    pixels = outcome.pixels
    digest = hashlib.sha256(np.ascontiguousarray(pixels).tobytes()).hexdigest()[:12]
    return f"{outcome.mode} {'x'.join(map(str, pixels.shape))} pixels, sha256 {digest}"


def same(model: Outcome, real: Outcome) -> bool:
    """Exactly the same outcome: the same exception type, or the same mode and pixels."""
    if model.raised or real.raised:
        return model.error_type == real.error_type
    return (model.mode == real.mode and model.pixels is not None and real.pixels is not None
            and model.pixels.shape == real.pixels.shape and bool(np.array_equal(model.pixels, real.pixels)))


def _verified(side: Side, sample: Sample, data: np.ndarray, chosen: bool, check: Verification) -> Outcome:
    """The side's outcome for one sample; for a chosen sample, the real one, compared with the model's."""
    if side.model is None or side.real_only:
        assert side.real is not None
        return side.real.render(sample, data)
    modelled = side.model.render(sample, data)
    if not chosen or side.real is None:
        return modelled
    real = side.real.render(sample, data)
    if real.failed:
        check.unanswered += 1
        return modelled
    check.checked += 1
    if same(modelled, real):
        return replace(modelled, computed_by="model, confirmed by the real release")
    check.disagreements.append(Disagreement(sample.label, summary(modelled), summary(real)))
    return replace(real, steps=(*modelled.steps, Step("verify", "the release model does not reproduce the real "
                                                          "release on this sample: its real pixels are used")))


def _stripped(impact: compare.SampleImpact) -> compare.SampleImpact:
    return replace(impact, before=replace(impact.before, pixels=None), after=replace(impact.after, pixels=None))


def compute(samples: Sequence[Sample], before: Side, after: Side, *, verify_per_site: int = 0,
            progress: Callable[[int, int], None] | None = None) -> Impact:
    """Every sample under both sides. `verify_per_site` samples of each site (0: none, -1:
    all) are also run by each side's real implementation, when it has one."""
    started = time.monotonic()
    checks = [Verification(side.name) for side in (before, after)]
    kept: list[compare.SampleImpact] = []
    skipped = [s for s in samples if s.skipped]
    shown: dict[tuple[str, int], thumbnails.Thumbnails] = {}
    per_site: dict[str, int] = {}
    usable = [s for s in samples if not s.skipped]
    with _opened(before, after):
        for number, sample in enumerate(usable):
            seen = per_site.get(sample.site, 0)
            per_site[sample.site] = seen + 1
            chosen = verify_per_site < 0 or seen < verify_per_site
            data = sample.load()
            old = _verified(before, sample, data, chosen, checks[0])
            new = _verified(after, sample, data, chosen, checks[1])
            impact = compare.compare(sample, old, new)
            if impact.verdict != "unchanged":
                _keep_thumbnails(shown, impact)
            kept.append(_stripped(impact))
            if progress is not None:
                progress(number + 1, len(usable))
    sites = compare.by_site(kept, skipped)
    _trim_shown(shown, sites)
    environment = _environment(before, after)
    return Impact(before, after, sites, [c for c, side in zip(checks, (before, after), strict=True)
                                         if side.real is not None and side.model is not None and not side.real_only],
                  shown, environment, time.monotonic() - started)


@contextlib.contextmanager
def _opened(*sides: Side) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        for side in sides:
            if side.real is not None:
                stack.enter_context(side.real.opened())
        yield


def _keep_thumbnails(shown: dict[tuple[str, int], thumbnails.Thumbnails], impact: compare.SampleImpact) -> None:
    key = (impact.sample.site, impact.sample.index)
    shown[key] = thumbnails.of(impact.before.pixels, impact.after.pixels)


def _trim_shown(shown: dict[tuple[str, int], thumbnails.Thumbnails], sites: list[compare.SiteImpact]) -> None:
    """Keep the thumbnails of each site's SHOWN_PER_SITE worst samples."""
    wanted = set()
    for site in sites:
        ranked = sorted((s for s in site.samples if s.verdict != "unchanged"), key=compare.severity_key)
        wanted.update((s.sample.site, s.sample.index) for s in ranked[:SHOWN_PER_SITE])
    for key in [k for k in shown if k not in wanted]:
        del shown[key]


def _environment(before: Side, after: Side) -> dict[str, Any]:
    import platform

    import PIL

    env: dict[str, Any] = {"python": platform.python_version(), "numpy": np.__version__, "pillow": PIL.__version__}
    for label, side in (("before", before), ("after", after)):
        if side.real is not None:
            env[f"{label}_real"] = side.real.env
    return env
