"""Comparing two outcomes of one sample: the verdict, the loss named, the numbers, and the
causes; a side without an answer is never a sample that did not change."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wbimage_conformance.impact import compare
from wbimage_conformance.impact.models import Outcome, Step
from wbimage_conformance.impact.samples import Sample

SAMPLE = Sample(site="train.py:7", function="log", index=0, kind="numpy", dtype="float32", shape=(8, 8, 3),
                path=Path("x.npy"))
RAMP = np.tile(np.arange(0, 256, 4, dtype=np.uint8)[:8 * 8].reshape(8, 8)[..., None], (1, 1, 3))  # 0..252


def image(pixels: np.ndarray, mode: str = "RGB", *steps: Step) -> Outcome:
    return Outcome(pixels, mode, None, steps)


def test_same_pixels_are_unchanged():
    result = compare.compare(SAMPLE, image(RAMP), image(RAMP.copy()))
    assert (result.verdict, result.pixels_changed, result.largest_difference, result.causes) == ("unchanged", 0, 0, ())


def test_floored_unit_floats_are_black():
    result = compare.compare(SAMPLE, image(RAMP), image((RAMP > 200).astype(np.uint8)))
    assert (result.verdict, result.degradation) == ("degraded", "black")
    assert result.pixels_changed == 63    # every pixel but the one that was 0
    assert result.largest_difference == 251


def test_dark_but_not_zero_is_nearly_black_and_bright_is_white():
    dark = compare.compare(SAMPLE, image(RAMP), image(np.full_like(RAMP, 6)))
    assert dark.degradation == "nearly black"
    white = compare.compare(SAMPLE, image(RAMP), image(np.full_like(RAMP, 250)))
    assert white.degradation == "white"


def test_an_image_already_black_is_not_degraded_by_staying_dark():
    result = compare.compare(SAMPLE, image(np.zeros_like(RAMP)), image(np.ones_like(RAMP)))
    assert (result.verdict, result.degradation) == ("changed", None)


def test_contrast_lost_is_flattened():
    flat = np.full_like(RAMP, 128)
    flat[0, 0] = 129
    assert compare.compare(SAMPLE, image(RAMP), image(flat)).degradation == "flattened"


def test_wrapped_values_are_scrambled():
    rng = np.random.default_rng(3)
    noise = rng.integers(0, 256, RAMP.shape, dtype=np.uint8)
    assert compare.compare(SAMPLE, image(RAMP), image(noise)).degradation == "scrambled"


def test_a_small_shift_is_a_change_not_a_loss():
    result = compare.compare(SAMPLE, image(RAMP), image(RAMP + 1))
    assert (result.verdict, result.degradation, result.largest_difference) == ("changed", None, 1)


def test_mode_and_shape_changes_are_reported():
    gray = RAMP[..., 0]
    result = compare.compare(SAMPLE, image(RAMP), image(gray, "L"))
    assert result.mode_change == ("RGB", "L")
    assert result.shape_change == ((8, 8, 3), (8, 8))
    assert result.verdict == "changed"


def test_a_call_that_now_raises_is_the_worst_loss():
    result = compare.compare(SAMPLE, image(RAMP), Outcome(None, None, "TypeError: normalize", ()))
    assert (result.verdict, result.degradation) == ("degraded", "now raises")
    assert "TypeError" in result.outcome_change
    back = compare.compare(SAMPLE, Outcome(None, None, "TypeError: normalize", ()), image(RAMP))
    assert (back.verdict, back.improvement) == ("changed", "raised")


def test_the_same_error_on_both_sides_is_unchanged_and_another_error_is_a_change():
    error = Outcome(None, None, "ValueError: shape", ())
    assert compare.compare(SAMPLE, error, error).verdict == "unchanged"
    assert compare.compare(SAMPLE, error, Outcome(None, None, "RuntimeError: permute", ())).verdict == "changed"


@pytest.mark.parametrize("side", ["before", "after", "both"])
def test_no_answer_is_unknown_never_unchanged(side):
    failed = Outcome(None, None, None, (), "real", failed="timeout: no answer within 60 s")
    before = failed if side in ("before", "both") else image(RAMP)
    after = failed if side in ("after", "both") else image(RAMP)
    result = compare.compare(SAMPLE, before, after)
    assert result.verdict == "unknown"
    assert not result.changed and result.verdict != "unchanged"


def test_an_upgrade_that_restores_content_says_what_it_undid():
    result = compare.compare(SAMPLE, image(np.zeros_like(RAMP)), image(RAMP))
    assert (result.verdict, result.improvement) == ("changed", "black")


def test_causes_are_the_decisions_that_differ_in_the_new_words_with_the_old():
    old = image(RAMP, "RGB", Step("layout", "kept"), Step("normalize", "x255"))
    new = image(np.zeros_like(RAMP), "RGB", Step("layout", "kept"), Step("normalize", "bare cast"))
    assert compare.compare(SAMPLE, old, new).causes == ("bare cast (before: x255)",)


def test_sites_are_sorted_worst_first_with_skipped_samples_kept():
    def at(site: str, index: int = 0) -> Sample:
        return Sample(site=site, function="f", index=index, kind="numpy", dtype="uint8", shape=(8, 8, 3),
                      path=Path("x.npy"))

    impacts = [
        compare.compare(at("a.py:1"), image(RAMP), image(RAMP)),
        compare.compare(at("b.py:2"), image(RAMP), image(RAMP + 1)),
        compare.compare(at("c.py:3"), image(RAMP), image(np.zeros_like(RAMP))),
        compare.compare(at("d.py:4"), image(RAMP), Outcome(None, None, None, (), failed="crash")),
    ]
    skipped = [Sample(site="a.py:1", function="f", index=1, kind="path", dtype="", shape=(), path=None,
                      skipped="a path")]
    sites = compare.by_site(impacts, skipped)
    assert [s.site for s in sites] == ["c.py:3", "d.py:4", "b.py:2", "a.py:1"]
    assert [s.verdict for s in sites] == ["degraded", "unknown", "changed", "unchanged"]
    assert sites[-1].skipped[0].skipped == "a path"
    assert sites[0].degradations == {"black": 1}


def test_a_side_run_without_a_model_gets_no_guessed_cause():
    modelled = image(RAMP, "RGB", Step("normalize", "x255"))
    real = Outcome(np.zeros_like(RAMP), "RGB", None, (Step("call", "run by mypkg 1.0"),), "real")
    result = compare.compare(SAMPLE, modelled, real)
    assert result.degradation == "black"
    assert result.causes == (("mypkg 1.0 ran as it is, without a model of its steps: the change is measured, "
                              "its cause is not named"),)
