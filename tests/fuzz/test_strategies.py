"""wbimage_conformance.fuzz.strategies: every example is a valid case input, the boundary values and
rounding edges are there, regimes decide the branch, and the scope keeps
implementation-defined calls out unless asked."""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, find, given, seed, settings
from hypothesis import strategies as st

from wbimage_conformance import oracle
from wbimage_conformance.cases import casefiles as cases
from wbimage_conformance.cases.materialize import materialize
from wbimage_conformance.cases.values import array_from_value
from wbimage_conformance.fuzz import strategies
from wbimage_conformance.fuzz.differential import probe_case

FAST = settings(max_examples=60, database=None, deadline=None, suppress_health_check=list(HealthCheck))


def _as_case(index: int, example: strategies.ImageCall) -> dict:
    return {
        "id": f"drawn-{index}",
        "title": "a drawn example",
        "clauses": ["norm.range"],
        "level": "required",
        "input": example.input,
        "call": example.call,
        "expect": {"mode": "L"},
    }


def _draw(strategy, count: int, at: int = 0) -> list:
    drawn = []

    @seed(at)
    @settings(max_examples=count, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(example):
        drawn.append(example)

    collect()
    return drawn


def test_drawn_calls_are_valid_case_inputs(tmp_path):
    drawn = _draw(strategies.image_calls(scope="all"), 100)
    path = tmp_path / "drawn.yaml"
    path.write_text(yaml.safe_dump({"cases": [_as_case(i, e) for i, e in enumerate(drawn)]}, allow_unicode=True),
                    encoding="utf-8")
    loaded = cases.load_file(path)  # schema, inline values read for their dtype, inputs built
    assert len(loaded) == len(drawn)
    assert {e.input["kind"] for e in drawn} == {"numpy", "tensor"}


@pytest.mark.parametrize("dtype", strategies.TENSOR_DTYPES)
def test_spelled_values_read_back_exactly(dtype):
    pool = list(strategies.boundary_values(dtype)) + list(strategies.rounding_edges(dtype))
    pool += list(strategies.special_values(dtype))
    spelled = [strategies.spell(v, dtype) for v in pool]
    read = array_from_value(yaml.safe_load(yaml.safe_dump(spelled)), dtype)
    for original, back in zip(pool, read.tolist()):
        if isinstance(original, float) and math.isnan(original):
            assert math.isnan(back)
        else:
            assert type(back)(original) == back and math.copysign(1, original) == math.copysign(1, back), (original, back)


@pytest.mark.parametrize("dtype", ("float16", "float32", "float64"))
def test_boundaries_include_both_neighbours_of_0_1_minus_1_and_255(dtype):
    pool = strategies.boundary_values(dtype)
    kind = np.dtype(dtype).type
    for point in (0.0, 1.0, -1.0, 255.0):
        assert point in pool
        for toward in (-np.inf, np.inf):
            assert float(np.nextafter(kind(point), kind(toward))) in pool, (dtype, point, toward)
    assert any(v == 0 and math.copysign(1, v) < 0 for v in pool)  # -0.0
    assert float(np.finfo(dtype).max) in pool and -float(np.finfo(dtype).max) in pool


def test_bfloat16_boundaries_are_bfloat16_numbers():
    for value in strategies.boundary_values("bfloat16") + strategies.rounding_edges("bfloat16"):
        exact = oracle.exact_value(value)
        assert oracle.round_to_format(exact, oracle.BFLOAT16) == exact, value
    assert 1 + 2**-7 in strategies.boundary_values("bfloat16")
    assert 1 - 2**-8 in strategies.boundary_values("bfloat16")


@pytest.mark.parametrize("dtype", strategies.INTEGER_DTYPES)
def test_integer_boundaries_hold_the_extremes(dtype):
    info = np.iinfo(dtype)
    pool = strategies.boundary_values(dtype)
    assert {int(info.min), int(info.max), 0, 1}.issubset(pool)
    assert all(info.min <= v <= info.max for v in pool)


def test_rounding_edges_hold_the_grids_of_norm_precision():
    edges = strategies.rounding_edges("float32")
    for k in (1, 48, 95, 96, 255):
        assert float(np.float32((2 * k - 255) / 255)) in edges
        assert float(np.float32(k / 255)) in edges
    assert strategies.rounding_edges("int16") == ()


@pytest.mark.parametrize("target", [
    float(np.nextafter(np.float32(1), np.float32(2))),
    float(np.nextafter(np.float32(-1), np.float32(0))),
    -0.0,
])
def test_values_reach_single_boundaries(target):
    found = find(strategies.values("float32", "other"), lambda v: v == target and math.copysign(1, v) == math.copysign(1, target),
                 settings=settings(database=None, max_examples=2000))
    assert found == target


def test_special_regime_draws_nan_and_infinities():
    for wanted in (math.isnan, lambda v: v == math.inf, lambda v: v == -math.inf):
        find(strategies.values("float16", "special"), lambda v, w=wanted: isinstance(v, float) and w(v),
             settings=settings(database=None, max_examples=2000))


@pytest.mark.parametrize("regime, branch", [("unit", "unit"), ("signed", "signed"), ("other", "other"), ("special", "other")])
def test_the_regime_is_the_branch_the_image_takes(regime, branch):
    dtypes = ("float32", "float16", "int16") if regime != "special" else ("float64", "bfloat16")
    drawn = _draw(strategies.array_inputs(dtypes=dtypes, regimes=(regime,)), 60)
    for spec in drawn:
        data = materialize(probe_case(strategies.ImageCall(spec))).input["array"]
        assert oracle.branch_of(data) == branch, spec
        if regime == "special":
            assert not np.all(np.isfinite(data))


def test_shapes_are_channels_last_for_arrays_and_first_for_tensors():
    for shape in _draw(strategies.array_shapes("numpy", max_side=4), 40):
        assert len(shape) == 2 or shape[2] in (1, 3, 4)
        assert all(1 <= side <= 4 for side in shape[:2])
    for shape in _draw(strategies.array_shapes("tensor"), 40):
        assert len(shape) == 2 or shape[0] in (1, 3, 4)


def test_bfloat16_only_for_tensors():
    drawn = _draw(strategies.array_inputs(dtypes=("bfloat16", "float32")), 60)
    assert all(s["kind"] == "tensor" for s in drawn if s["dtype"] == "bfloat16")
    with pytest.raises(ValueError, match="fits"):
        strategies.array_inputs(kinds=("numpy",), dtypes=("bfloat16",))


def test_required_scope_keeps_implementation_defined_calls_out():
    for example in _draw(strategies.image_calls(), 100):
        assert example.kwargs.get("mode") not in strategies.OTHER_PIL_MODES
        assert isinstance(example.kwargs.get("caption", ""), (str, type(None)))
    assert set(_draw(strategies.modes(scope="all"), 300)) & set(strategies.OTHER_PIL_MODES)
    assert set(_draw(strategies.captions(scope="all"), 300)) & set(strategies.NON_STR_CAPTIONS)


def test_keywords_are_left_out_rather_than_set_to_absent():
    for kwargs in _draw(strategies.image_kwargs(), 100):
        assert strategies.ABSENT not in kwargs.values()
        assert set(kwargs) <= {"mode", "file_type", "normalize", "caption"}
    assert strategies.ImageCall({"kind": "numpy", "dtype": "uint8", "value": [[1]]}).call == {"api": "Image"}


@FAST
@given(strategies.image_calls(kinds=("numpy",), dtypes=("float16",)))
def test_strategies_compose_with_given(example):
    assert example.input["dtype"] == "float16"
    assert np.asarray(example.input["value"], dtype=object).ndim in (2, 3)


def test_custom_elements_replace_the_pools():
    drawn = _draw(strategies.array_inputs(kinds=("numpy",), dtypes=("uint8",), elements=lambda d, r: st.just(7)), 20)
    assert all(v == 7 for s in drawn for v in np.asarray(s["value"]).reshape(-1))
