"""The gallery: the reported pain as a capture of three call sites, the same bytes on every run."""

from __future__ import annotations

import numpy as np
import pytest

from wbimage_conformance.capture import gallery, manifest


@pytest.fixture(autouse=True, scope="module")
def _torch():
    """The gallery holds tensors: without torch every test here is skipped. Imported when a
    test runs, not while the tests are listed."""
    pytest.importorskip("torch")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gallery") / "g"
    gallery.write(folder)
    return folder, manifest.read(folder)


def test_three_sites_with_every_modelled_input(written):
    _, data = written
    assert [site["site"] for site in data["sites"]] == sorted(gallery.labels())
    assert {key: len(labels) for key, labels in gallery.labels().items()} == {
        site["site"]: site["kept"] for site in data["sites"]}
    assert [(p["pid"], p["python"]) for p in data["processes"]] == [(0, "gallery")]


def samples_of(data, site):
    return next(s for s in data["sites"] if s["site"] == site.key)["samples"]


def test_the_float_samples_have_the_reported_ranges(written):
    folder, data = written
    unit, above_one, tiny, single = samples_of(data, gallery.PREDICTIONS)
    assert (unit["min"], unit["max"]) == (0.0, 1.0)
    assert 1.0 < above_one["max"] <= 1.04 + 1e-6 and above_one["min"] >= 0.0
    assert 0 < tiny["max"] < 1e-7 and tiny["dtype"] == "float64"
    assert single["shape"] == [64, 64, 1]
    np.testing.assert_array_equal(np.load(folder / unit["file"]).shape, (64, 64, 3))


def test_the_integer_samples_have_a_minimum_above_zero_or_depth_units(written):
    depth, lifted, gray = samples_of(written[1], gallery.DEPTH)
    assert depth["dtype"] == "int16" and depth["min"] >= 300 and depth["max"] > 255
    assert lifted["dtype"] == "uint8" and lifted["min"] > 0
    assert gray["shape"][-1] == 1 and gray["kwargs"]["mode"] == "L"


def test_the_tensor_samples_are_channels_first(written):
    samples = samples_of(written[1], gallery.BATCH)
    assert [s["kind"] for s in samples] == ["torch"] * 4
    assert [s["shape"][0] for s in samples] == [3, 3, 3, 1]
    assert samples[1]["max"] > 1.0 and samples[2]["max"] < 1e-7


def test_two_galleries_are_the_same_bytes(written, tmp_path):
    folder, _ = written
    gallery.write(tmp_path / "again")
    first = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path / "again"): p.read_bytes() for p in (tmp_path / "again").rglob("*") if p.is_file()}
    assert first == second


def test_a_folder_that_is_not_empty_is_refused(tmp_path):
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(manifest.CaptureError, match="not an empty folder"):
        gallery.write(tmp_path)
