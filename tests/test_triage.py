"""Triage names the bugs: two bugs at once are both named and nothing else is; random wrong
output gets no cause at all; the recomputation on values worked out by hand. (That each
single-bug entry of the catalogue is named is tested with the catalogue, in
test_wrong_implementations.py.)

Each implementation runs the whole suite through the real runner once (module-scoped cache),
as `wbimage-conformance run --impl` would, and is triaged like any run.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from fixtures.wrong_implementations import CAUSE

from wbimage_conformance.cases import casefiles
from wbimage_conformance.model import RunReport, Status
from wbimage_conformance.run import runner
from wbimage_conformance.triage import clauses, triage, variants

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def fixtures_on_worker_path(monkeypatch: pytest.MonkeyPatch) -> None:
    existing = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", str(FIXTURES) + (os.pathsep + existing if existing else ""))


@lru_cache(maxsize=None)
def run(impl: str) -> RunReport:
    case_set = casefiles.load_case_set(None)
    return runner.run(case_set.cases, impl, jobs=2, case_set_digest=case_set.digest,
                      sandbox_mode="none")  # the fixtures are built on the reference, hidden in a sandbox


def unexpected(report: RunReport) -> list:
    return [r for r in report.results if r.status in (Status.FAILED, Status.ERROR, Status.TIMEOUT, Status.CRASH)]


TWO_BUGS = [
    ("RoundsInsteadOfTruncating", "TensorsAreChannelsLast"),
    ("NaNBecomes255", "SqueezesEveryAxis"),
    ("DropsCaptions", "ExclusiveBounds"),
]


@pytest.mark.parametrize("first, second", TWO_BUGS, ids=["+".join(p) for p in TWO_BUGS])
def test_two_bugs_are_both_named_and_nothing_else_is(first: str, second: str) -> None:
    report = run(f"two_bugs:{first}__{second}")
    found = triage(report.results, report.environment)
    named = {group.id for group in found.causes}
    allowed = {CAUSE[first], CAUSE[second]} | ALSO_TRUE.get(first, set()) | ALSO_TRUE.get(second, set())
    assert {CAUSE[first], CAUSE[second]} <= named, named
    assert named <= allowed, f"misattributed: {named - allowed}"


#: Causes that are as true of a catalogue entry as its own: the rounding entry rounds in
#: float64, so where float64 and the input's dtype differ both are needed.
ALSO_TRUE = {"RoundsInsteadOfTruncating": {"evaluates-in-float64"}}


def test_random_wrong_output_gets_no_cause() -> None:
    report = run("two_bugs:RandomPixels")
    found = triage(report.results, report.environment)
    assert len(unexpected(report)) > 100
    assert found.causes == (), [(g.id, g.explains[:3]) for g in found.causes]
    assert len(found.unexplained) == len(unexpected(report))


# -- the recomputation, on values worked out by hand ------------------------------------------------


def image(values, dtype="float32", **kwargs) -> variants.Call:
    return variants.Call("Image", np.array(values, dtype=dtype), "numpy", kwargs.get("mode"), kwargs.get("file_type"),
                         kwargs.get("normalize", True), "file_type" in kwargs)


def pixels(call: variants.Call, **knobs) -> list:
    predicted = variants.predict(call, variants.Variant(**knobs))
    assert isinstance(predicted, variants.Output), predicted
    return predicted.pixels.tolist()


def test_the_spec_variant_is_the_documented_pipeline() -> None:
    # 0.5 * 255 = 127.5 -> 127; float32(0.3) * 255 rounds to 76.5 in float32 -> 76
    assert pixels(image([[0.5, 0.3]])) == [[127, 76]]


def test_rounding_to_nearest_goes_half_to_even_in_the_input_dtype() -> None:
    # 127.5 -> 128 (even); float32(0.3) * 255 is exactly 76.5 in float32 -> 76 (even)
    assert pixels(image([[0.5, 0.3]]), rounding="nearest") == [[128, 76]]
    # in float64, float32(0.3) * 255 = 76.500003... -> 77
    assert pixels(image([[0.5, 0.3]]), rounding="nearest", precision="float64") == [[128, 77]]


def test_wrapping_is_modulo_256_and_clipping_is_not() -> None:
    data = image([[-1, 256, 300]], dtype="int16", normalize=False)
    assert pixels(data) == [[0, 255, 255]]
    assert pixels(data, overflow="wrap") == [[255, 0, 44]]


def test_exclusive_bounds_send_exact_one_to_the_clip_branch() -> None:
    # [0, 1] closed: 1 -> 255; open: the data is not inside (0, 1) nor (-1, 1): clipped, 1 -> 1
    assert pixels(image([[0.0, 1.0]])) == [[0, 255]]
    assert pixels(image([[0.0, 1.0]]), ranges="exclusive") == [[0, 1]]


def test_a_formula_fed_out_of_range_values_casts_them_bare_or_clipped() -> None:
    # alpha 255 left out of the range: RGB in [0, 1] picks the unit branch, and 255 * 255 = 65025
    # = 254 * 256 + 1 keeps its low byte, 1, through a bare astype; clipped first it is 255
    rgba = image([[[0.5, 0.2, 1.0, 255.0]]])
    assert pixels(rgba, ranges="colour-only", formula_cast="bare") == [[[127, 51, 255, 1]]]
    assert pixels(rgba, ranges="colour-only") == [[[127, 51, 255, 255]]]
    # floats scaled by 255 whatever they are: -1.5 * 255 = -382.5 -> -382 -> -382 + 512 = 130;
    # 3e9 * 255 is beyond int32, where the cast gives 0
    assert pixels(image([[-1.5, 3e9]], dtype="float64"), ranges="by-dtype", formula_cast="bare") == [[130, 0]]


def test_the_release_rescaling_rules_wrap_integer_arithmetic_in_the_dtype() -> None:
    # int8 [-128, -2, 0, 1, 2, 127]: x - (-128) wraps to [0, 126, -128, -127, -126, -1].
    # 0.19 divides by np.ptp of the data, 127 - (-128) = 255, which wraps to -1: 0, -126, 128,
    # 127, 126, 1; the maximum 128 is above 1, so no x255; clipped: 0, 0, 128, 127, 126, 1.
    data = image([[-128, -2, 0], [1, 2, 127]], dtype="int8")
    assert pixels(data, ranges="negatives-min-max") == [[0, 0, 128], [127, 126, 1]]
    # 0.20.0 divides by np.ptp of the shifted data, 126 - (-128) = 254, which wraps to -2:
    # 0, -63, 64, 63.5, 63, 0.5; clipped and truncated: 0, 0, 64, 63, 63, 0
    assert pixels(data, ranges="range-division") == [[0, 0, 64], [63, 63, 0]]


def test_channels_last_tensors_and_squeezed_axes_change_the_shape() -> None:
    tensor = variants.Call("Image", np.zeros((3, 1, 2), dtype=np.uint8), "tensor")
    assert variants.predict(tensor, variants.Variant()).pixels.shape == (1, 2, 3)
    assert variants.predict(tensor, variants.Variant(tensor_layout="whc")).pixels.shape == (2, 1, 3)
    row = image([[[1, 2, 3], [4, 5, 6]]], dtype="uint8")
    assert variants.predict(row, variants.Variant(squeeze=True)).mode == "L"


def test_two_variants_combine_unless_they_set_the_same_knob_differently() -> None:
    merged = variants.Variant(rounding="nearest").merged(variants.Variant(precision="float64"))
    assert merged == variants.Variant(rounding="nearest", precision="float64")
    assert variants.Variant(ranges="none").merged(variants.Variant(ranges="min-max")) is None


def test_a_clause_sentence_is_the_spec_s_own() -> None:
    assert clauses.sentence("norm.truncation").startswith("The conversion to `uint8` truncates")
    assert clauses.sentence("no.such-clause") == ""
    # a clause split into statements is told by its first statement, not by its notes
    assert clauses.sentence("input.unsupported").startswith("Anything else (`list`")
    assert clauses.sentence("input.unsupported:bytes-path").startswith("A `bytes` path")
