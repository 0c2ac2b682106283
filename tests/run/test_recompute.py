"""Digest-only pixel expectations are explained with the oracle's array, never judged by it."""

from __future__ import annotations

import dataclasses

import numpy as np

from wbimage_conformance.model import Observation, Status
from wbimage_conformance.run import compare, recompute

import shipped_cases

TENSOR_CASE = "doc-ja-example-1"  # (3, 64, 64) float32 tensor; pixels recorded by digest


def test_a_digest_mismatch_says_how_many_pixels_differ_and_where() -> None:
    case = shipped_cases.case(TENSOR_CASE)
    black = np.zeros((64, 64, 3), dtype=np.uint8)
    verdict = compare.compare(case, Observation(pixels=black, mode="RGB", size=(64, 64), format="png",
                                                caption=case.expect["caption"]))
    assert verdict.status is Status.FAILED
    (pixels,) = [m for m in verdict.mismatches if m.field == "pixels"]
    assert pixels.detail["total"] == 64 * 64 * 3
    assert pixels.detail["differing"] > 0 and len(pixels.detail["first_index"]) == 3
    assert pixels.detail["actual_at_first"] == 0
    assert "values differ; first at" in pixels.detail["summary"]


def test_the_recomputed_array_is_used_only_when_it_has_the_recorded_digest() -> None:
    case = shipped_cases.case(TENSOR_CASE)
    recorded = dict(case.expect["pixels"])
    assert recompute.expected_array(case, recorded) is not None
    tampered = {**recorded, "sha256": "0" * 64}
    assert recompute.expected_array(case, tampered) is None


def test_calls_outside_the_oracle_keep_the_digest_only() -> None:
    case = dataclasses.replace(shipped_cases.case(TENSOR_CASE), call={"api": "guess_mode"})
    assert recompute.expected_array(case, case.expect["pixels"]) is None
