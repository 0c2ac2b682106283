"""One sample's two outcomes compared, and the call sites' sums: what changed, how much, how
badly, and why.

A change is `degraded` when the image the user gets after the upgrade has lost what it showed
before: the call now raises, the image is (nearly) black or white where it was not, its
content is flattened (almost no contrast left, or two levels where there were many), or it is
scrambled (same shape, but its values no longer follow the old ones: wrapped or rescaled
beyond recognition). Other differences are changes. A side that gave no answer (a real
worker's timeout or crash) makes the sample `unknown`, never unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from wbimage_conformance.impact.models import Outcome
from wbimage_conformance.impact.samples import Sample

#: A pixel this dark or this bright counts as black or white; an image with at least
#: DOMINANT of its pixels so is black or white.
DARK, BRIGHT, DOMINANT = 10, 245, 0.99
#: Contrast (standard deviation of the pixels) an image needs to show content, and the
#: fraction of it an image keeps at least unless flattened.
CONTENT_STD, KEPT_FRACTION = 4.0, 0.1
#: Below this correlation with the old pixels, the new ones are scrambled.
SCRAMBLED_CORRELATION = 0.3
#: The verdicts of samples and sites, worst first: the order of every count and of the sites.
VERDICTS = ("degraded", "unknown", "changed", "unchanged")
#: Degradations from worst to mildest (report order).
SEVERITY = ("now raises", "black", "nearly black", "white", "flattened", "scrambled")


@dataclass(frozen=True)
class SampleImpact:
    """One sample under both sides."""

    sample: Sample
    before: Outcome
    after: Outcome
    verdict: str                     # unchanged, changed, degraded or unknown
    degradation: str | None = None   # one of SEVERITY, for degraded
    pixels_changed: int = 0
    pixels_total: int = 0            # 0: no pixels on one side (it raised, or gave no answer)
    largest_difference: int = 0
    mode_change: tuple[str, str] | None = None
    shape_change: tuple[tuple[int, ...], tuple[int, ...]] | None = None
    outcome_change: str | None = None   # "now raises TypeError: ...", "no longer raises ...", "no answer ..."
    causes: tuple[str, ...] = ()
    improvement: str | None = None   # the loss the old pixels showed against the new ones (an upgrade that fixes)

    @property
    def changed(self) -> bool:
        return self.verdict in ("changed", "degraded")


def compare(sample: Sample, before: Outcome, after: Outcome) -> SampleImpact:
    causes = explain(before, after)
    if before.failed or after.failed:
        why = "; ".join(f"{side}: {o.failed}" for side, o in (("before", before), ("after", after)) if o.failed)
        return SampleImpact(sample, before, after, "unknown", outcome_change=f"no answer ({why})")
    if before.raised or after.raised:
        return _raising(sample, before, after, causes)
    assert before.pixels is not None and after.pixels is not None
    old, new = as_bytes(before.pixels), as_bytes(after.pixels)
    shape_change = (old.shape, new.shape) if old.shape != new.shape else None
    mode_change = (before.mode or "?", after.mode or "?") if before.mode != after.mode else None
    if shape_change is None:
        differing = old != new
        changed = int(np.count_nonzero(differing.any(axis=-1) if old.ndim == 3 else differing))
        largest = int(np.max(np.abs(old.astype(np.int64) - new.astype(np.int64)))) if old.size else 0
    else:
        changed, largest = int(new.shape[0] * new.shape[1]) if new.ndim >= 2 else int(new.size), 255
    total = int(new.shape[0] * new.shape[1]) if new.ndim >= 2 else int(new.size)
    moved = bool(changed or shape_change or mode_change)
    degradation = degraded(old, new) if moved else None
    verdict = "degraded" if degradation else "changed" if moved else "unchanged"
    improvement = degraded(new, old) if moved and not degradation else None
    return SampleImpact(sample, before, after, verdict, degradation, changed, total, largest, mode_change,
                        shape_change, None, causes if moved else (), improvement)


def _raising(sample: Sample, before: Outcome, after: Outcome, causes: tuple[str, ...]) -> SampleImpact:
    if before.raised and after.raised:
        same = before.error_type == after.error_type
        return SampleImpact(sample, before, after, "unchanged" if same else "changed",
                            outcome_change=None if same else f"raises {after.raised} instead of {before.raised}",
                            causes=() if same else causes)
    if after.raised:
        return SampleImpact(sample, before, after, "degraded", "now raises",
                            outcome_change=f"now raises {after.raised}", causes=causes)
    return SampleImpact(sample, before, after, "changed", outcome_change=f"no longer raises {before.raised}",
                        causes=causes, improvement="raised")


def _share(pixels: np.ndarray, test: Any) -> float:
    flat = pixels[..., :3] if pixels.ndim == 3 else pixels
    return float(np.mean(test(flat))) if flat.size else 0.0


def as_bytes(pixels: np.ndarray) -> np.ndarray:
    """Pixels as 8-bit levels where they are not already: a mode "1" image's booleans are 0
    and 255 (other integer modes, such as I, are compared as they are)."""
    return pixels.astype(np.uint8) * np.uint8(255) if pixels.dtype == np.bool_ else pixels


def _levels(pixels: np.ndarray) -> int:
    """How many distinct values the pixels take (uint8: counted, not sorted)."""
    if pixels.dtype == np.uint8:
        return int(np.count_nonzero(np.bincount(pixels.ravel(), minlength=256)))
    return int(np.unique(pixels).size)


def degraded(old: np.ndarray, new: np.ndarray) -> str | None:
    """Which loss the new pixels show against the old ones, if any (see the module's words)."""
    old_dark, new_dark = _share(old, lambda p: p <= DARK), _share(new, lambda p: p <= DARK)
    if new_dark >= DOMINANT and old_dark < DOMINANT:
        return "black" if int(np.max(new[..., :3] if new.ndim == 3 else new)) <= 1 else "nearly black"
    if _share(new, lambda p: p >= BRIGHT) >= DOMINANT and _share(old, lambda p: p >= BRIGHT) < DOMINANT:
        return "white"
    old_std, new_std = float(np.std(old)), float(np.std(new))
    flat = new_std < max(1.0, KEPT_FRACTION * old_std) or _levels(new) <= 2 < _levels(old) // 8
    if old_std >= CONTENT_STD and flat:
        return "flattened"
    if old.shape == new.shape and old_std >= CONTENT_STD and new_std >= CONTENT_STD:
        correlation = float(np.corrcoef(old.astype(np.float64).ravel(), new.astype(np.float64).ravel())[0, 1])
        if correlation < SCRAMBLED_CORRELATION:
            return "scrambled"
    return None


def explain(before: Outcome, after: Outcome) -> tuple[str, ...]:
    """The decisions that differ, in the after side's words (with the before side's), in
    pipeline order: each is a cause the history names for a release range. A side run as it is,
    without a model, has no decisions to compare: its cause is not named rather than guessed."""
    unmodelled = [step.words.removeprefix("run by ") for o in (before, after) if _unmodelled(o)
                  for step in o.steps]
    if unmodelled:
        return ((f"{' and '.join(unmodelled)} ran as it is, without a model of its steps: the change is "
                 "measured, its cause is not named"),)
    old = {step.topic: step.words for step in before.steps}
    new = {step.topic: step.words for step in after.steps}
    causes = []
    for topic in dict.fromkeys([*new, *old]):
        if old.get(topic) != new.get(topic):
            if topic in new:
                causes.append(new[topic] + (f" (before: {old[topic]})" if topic in old else ""))
            else:
                causes.append(f"no longer: {old[topic]}")
    return tuple(causes)


def _unmodelled(outcome: Outcome) -> bool:
    """Run by a real implementation with no model beside it: only the step naming who ran it."""
    return outcome.computed_by == "real" and all(step.topic == "call" for step in outcome.steps)


@dataclass
class SiteImpact:
    """Every sample of one call site."""

    site: str
    function: str
    samples: list[SampleImpact] = field(default_factory=list)
    skipped: list[Sample] = field(default_factory=list)

    def count(self, verdict: str) -> int:
        return sum(1 for s in self.samples if s.verdict == verdict)

    @property
    def worst(self) -> SampleImpact | None:
        """The sample to show first: the worst degradation, then the most pixels changed."""
        moved = [s for s in self.samples if s.verdict != "unchanged"]
        if not moved:
            return None
        return min(moved, key=severity_key)

    @property
    def verdict(self) -> str:
        return next((verdict for verdict in VERDICTS[:-1] if self.count(verdict)), "unchanged")

    @property
    def causes(self) -> list[str]:
        return list(dict.fromkeys(c for s in self.samples for c in s.causes))

    @property
    def degradations(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for s in self.samples:
            if s.degradation:
                found[s.degradation] = found.get(s.degradation, 0) + 1
        return dict(sorted(found.items(), key=lambda item: SEVERITY.index(item[0])))


def severity_key(impact: SampleImpact) -> tuple[int, int]:
    """Worst first: by degradation, then unknown, then the most pixels changed."""
    return _rank(impact), -impact.pixels_changed


def _rank(impact: SampleImpact) -> int:
    if impact.degradation:
        return SEVERITY.index(impact.degradation)
    return len(SEVERITY) + (0 if impact.verdict == "unknown" else 1)


def by_site(impacts: list[SampleImpact], skipped: list[Sample]) -> list[SiteImpact]:
    """Sites, worst first: degraded ones (by their worst degradation), unknown, changed, unchanged."""
    sites: dict[str, SiteImpact] = {}
    for impact in impacts:
        site = sites.setdefault(impact.sample.site, SiteImpact(impact.sample.site, impact.sample.function))
        site.samples.append(impact)
    for sample in skipped:
        sites.setdefault(sample.site, SiteImpact(sample.site, sample.function)).skipped.append(sample)
    def key(site: SiteImpact) -> tuple[int, int, str]:
        worst = site.worst
        return VERDICTS.index(site.verdict), _rank(worst) if worst else 99, site.site

    return sorted(sites.values(), key=key)
