"""The release models on inputs whose pixels are worked out by hand from each family's data
path (the comments give the arithmetic), and which family a version belongs to."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wbimage_conformance.impact import models
from wbimage_conformance.impact.samples import Sample


def sample(kind: str, dtype: str, shape: tuple[int, ...], **given) -> Sample:
    return Sample(site="t.py:1", function="f", index=0, kind=kind, dtype=dtype, shape=shape, path=Path("x.npy"),
                  given=given)


def render(version: str, data: np.ndarray, kind: str = "numpy", dtype: str | None = None, **given):
    model = models.release_model(version)
    assert model is not None
    return model.render(sample(kind, dtype or str(data.dtype), data.shape, **given), data)


UNIT = np.array([[0.0, 0.5], [1.0, 0.25]], dtype=np.float32)


@pytest.mark.parametrize(("version", "expected"), [
    ("0.19.8", [[0, 127], [255, 63]]),   # max <= 1: (x * 255).astype(int32)
    ("0.20.0", [[0, 127], [255, 63]]),   # min 0, range 1: x / 1, then x255
    ("0.20.1", [[0, 127], [255, 63]]),   # [0, 1]: x255, truncated
    ("0.28.2", [[0, 127], [255, 63]]),
    ("0.29.0", [[0, 0], [1, 0]]),        # a bare astype(uint8): 0.5 -> 0, 1.0 -> 1
    ("0.31.0", [[0, 0], [1, 0]]),
])
def test_floats_in_unit_range(version, expected):
    outcome = render(version, UNIT)
    assert outcome.raised is None
    assert outcome.mode == "L"
    assert outcome.pixels.tolist() == expected


@pytest.mark.parametrize(("version", "expected"), [
    ("0.19.8", [[63, 191]]),   # no negatives, max <= 1: x255 -> 63.75, 191.25
    ("0.20.0", [[0, 1]]),      # range 0.5: 0.25/0.5 = 0.5, 0.75/0.5 = 1.5; max > 1: no x255; cast 0, 1
    ("0.28.2", [[63, 191]]),
    ("0.31.0", [[0, 0]]),
])
def test_minimum_above_zero(version, expected):
    assert render(version, np.array([[0.25, 0.75]], dtype=np.float32)).pixels.tolist() == expected


@pytest.mark.parametrize(("version", "expected"), [
    ("0.19.8", [[255, 255]]),   # no negatives, max > 1: clip to 255
    ("0.20.0", [[0, 1]]),       # range 4700: 300/4700 = 0.06, 5000/4700 = 1.06; no x255; cast 0, 1
    ("0.28.2", [[255, 255]]),   # outside [-1, 1]: clipped
    ("0.31.0", [[44, 136]]),    # wraps: 300 - 256 = 44, 5000 - 19 * 256 = 136
])
def test_int16_depth(version, expected):
    assert render(version, np.array([[300, 5000]], dtype=np.int16)).pixels.tolist() == expected


def test_signed_range_is_mapped_by_the_documented_branch_and_rescaled_before():
    data = np.array([[-1.0, 0.0, 1.0]], dtype=np.float32)
    assert render("0.28.2", data).pixels.tolist() == [[0, 127, 255]]   # 127.5 * (x + 1): 0, 127.5, 255
    assert render("0.19.8", data).pixels.tolist() == [[0, 127, 255]]   # (x + 1) / 2, then x255
    assert render("0.20.0", data).pixels.tolist() == [[0, 127, 255]]   # shift by 1, divide by 2, x255


def test_normalize_false_is_a_bare_cast_and_the_keyword_is_refused_where_it_does_not_exist():
    data = np.array([[0.5, 300.0]], dtype=np.float32)
    assert render("0.28.2", data, normalize=False).pixels.tolist() == [[0, 44]]
    for version in ("0.19.8", "0.29.0", "0.31.0"):
        outcome = render(version, data, normalize=False)
        assert outcome.error_type == "TypeError", version
        assert "normalize" in outcome.steps[0].words
    assert render("0.31.0", data).pixels.tolist() == [[0, 44]]   # not given: no error


def test_size_one_axis_is_squeezed_and_the_mode_guessed_from_what_is_left():
    outcome = render("0.28.2", np.full((2, 3, 1), 0.5, dtype=np.float32))
    assert (outcome.mode, outcome.pixels.shape) == ("L", (2, 3))
    assert any(step.topic == "layout" for step in outcome.steps)


def test_a_chw_tensor_is_permuted_from_020_and_drawn_by_make_grid_before():
    data = np.zeros((3, 2, 2), dtype=np.float32)
    data[0] = 1.0                      # red everywhere, in [0, 1]
    later = render("0.28.2", data, kind="torch")
    assert later.mode == "RGB"
    assert later.pixels[0, 0].tolist() == [255, 0, 0]
    grid = render("0.19.8", data, kind="torch")   # min 0, max 1: (x - 0) / 1 * 255
    assert grid.pixels[0, 0].tolist() == [255, 0, 0]
    one = render("0.19.8", np.full((1, 2, 2), 0.5, dtype=np.float32), kind="torch")
    assert one.mode == "RGB"           # make_grid repeats one channel into three
    assert one.pixels.shape == (2, 2, 3)


def test_a_two_axis_tensor_cannot_be_permuted_from_020():
    outcome = render("0.28.2", np.zeros((4, 4), dtype=np.float32), kind="torch")
    assert outcome.error_type == "RuntimeError"


def test_an_explicit_mode_converts_gray_rgb_to_the_same_gray():
    data = np.full((2, 2, 3), 0.4, dtype=np.float32)   # 0.4 * 255 = 102.0000...: 102 in each channel
    outcome = render("0.28.2", data, mode="L")
    assert outcome.mode == "L"
    assert outcome.pixels.tolist() == [[102, 102], [102, 102]]


def test_jpeg_is_decoded_again_and_four_channels_lose_alpha():
    data = np.full((8, 8, 4), 0.5, dtype=np.float32)
    outcome = render("0.28.2", data, file_type="jpg")
    assert outcome.mode == "RGB"
    assert outcome.pixels.shape == (8, 8, 3)
    assert int(np.max(np.abs(outcome.pixels.astype(int) - 127))) <= 2
    assert any(step.topic == "file" for step in outcome.steps)


def test_an_unaccepted_file_type_raises():
    assert render("0.28.2", UNIT, file_type="gif").error_type == "ValueError"
    assert render("0.19.8", UNIT, file_type="gif").error_type == "AssertionError"   # checked after building


@pytest.mark.parametrize(("version", "first"), [
    ("0.19.0", "0.19.0"), ("0.19.8", "0.19.0"), ("0.19.9", "0.19.9"), ("0.19.11", "0.19.9"), ("0.20.0", "0.20.0"),
    ("0.21.0", "0.20.1"), ("0.23.0", "0.20.1"), ("0.23.1", "0.23.1"), ("0.28.1", "0.23.1"), ("0.30.0", "0.29.0"),
    ("0.31.0", "0.29.0"),
])
def test_each_release_belongs_to_its_family(version, first):
    family = models.family_of(version)
    assert family is not None and family.first == first


@pytest.mark.parametrize("version", ["0.18.7", "0.28.3", "0.28.10", "0.31.1", "0.32.0", "1.0.0", "latest", "0.28", ""])
def test_no_model_outside_the_measured_releases(version):
    assert models.release_model(version) is None


def test_the_spec_side_is_the_reference():
    outcome = models.SpecModel().render(sample("numpy", "float32", UNIT.shape), UNIT)
    assert outcome.pixels.tolist() == [[0, 127], [255, 63]]
    refused = models.SpecModel().render(sample("numpy", "float32", UNIT.shape, mode="CMYK"), UNIT)
    assert refused.raised is not None
