"""Whether a pipeline variant is the implementation's behaviour, judged over the whole run.

A variant can reproduce a case by coincidence: an implementation that adds 1 to every pixel
gives exactly what rounding to nearest gives on a case whose every fractional part is at
least .5, and NaN-only data inverted is what "NaN becomes 255" gives. An implementation
that really had the variant's bug would also give the variant's output on the run's other
unexpected results where the variant changes the spec's output. So a variant is claimed in a
run only where it gives exactly the implementation's output on at least four in five of the
unexpected results it changes: those it reproduces, against those where the implementation
gave something else (neither the variant's output nor that of the variant together with
another pipeline variant, since two bugs at once are explained as a pair). For a real bug the
second count is zero, or the few cases a second, unknown bug also touches. (Passed results
the variant would change are not counted here: a bug may be confined to one branch, and the
passed results already rank causes that explain as much, see grouping.)

Whether a result is changed, and how, is found in NumPy arithmetic (the scan can only
withdraw a claim, never make one), and the scan stops as soon as the verdict is known.
"""

from __future__ import annotations

from collections.abc import Sequence

from wbimage_conformance.triage import variants
from wbimage_conformance.triage.context import Context

SPEC = variants.Variant()


#: The share of the results a variant changes that must be exactly its output.
MIN_SHARE = 0.8


class RunEvidence:
    """A run's unexpected results, as evidence for or against a variant."""

    def __init__(self, contexts: Sequence[Context]) -> None:
        self._contexts = [c for c in contexts if c.call() is not None]

    def holds(self, variant: variants.Variant, support: set[int], partners: Sequence[variants.Variant]) -> bool:
        """The variant reproduces the results with ids in `support`, and at least MIN_SHARE of
        all the results it changes: the others it changes got another output, not even the
        output of the variant together with one of `partners`. Stops counting once the verdict is known."""
        allowed = int(len(support) * (1 - MIN_SHARE) / MIN_SHARE)
        merged = [(p, m) for p, m in ((p, variant.merged(p)) for p in partners if p != variant) if m is not None]
        against = 0
        for ctx in self._contexts:
            if id(ctx.result) in support or not _contradicted(ctx, variant):
                continue
            call = ctx.call()
            if call is None or not any(p.applies(call) and ctx.reproduces(m) for p, m in merged):
                against += 1
                if against > allowed:
                    return False
        return bool(support)


def _contradicted(ctx: Context, variant: variants.Variant) -> bool:
    """The variant predicts another output than the spec here, and the implementation gave
    neither that nor (for a range rule) the same with a bare final cast."""
    call = ctx.call()
    if call is None or not variant.applies(call):
        return False
    try:
        changed = variants.predicted(call, variant, fast=True)
        if _same(changed, variants.predicted(call, SPEC, fast=True)):
            return False
        observed = ctx.observed(call)
        if variants.same_output(changed, *observed):
            return False
        bare = variants.bare_cast(variant)
        if bare is not None:
            return not variants.same_output(variants.predicted(call, bare, fast=True), *observed)
    except Exception:  # NumPy cannot compute it: no evidence either way
        return False
    return True


def _same(a: variants.Prediction, b: variants.Prediction) -> bool:
    if isinstance(a, variants.Raises) or isinstance(b, variants.Raises):
        return a == b
    return (a.pixels.shape == b.pixels.shape and bool((a.pixels == b.pixels).all())
            and (a.mode, a.size, a.format, a.encoded) == (b.mode, b.size, b.format, b.encoded))
