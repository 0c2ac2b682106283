"""Reading what an impact is computed on: capture folders, manifests, loose arrays and images;
and refusing, in one line naming the file, what cannot be trusted."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from wbimage_conformance.capture import gallery
from wbimage_conformance.impact import samples


@pytest.fixture(scope="module")
def capture(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("gallery") / "capture"
    gallery.write(folder)
    return folder


def copy_of(capture: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "copy"
    shutil.copytree(capture, target)
    return target


def test_a_capture_gives_every_sample_with_its_site_and_given_arguments(capture):
    found = samples.read([capture])
    assert len(found) == 11
    assert {s.site for s in found} == {"gallery/train_loop.py:41", "gallery/datasets/depth.py:17",
                                        "gallery/visualize.py:88"}
    tensors = [s for s in found if s.kind == "torch"]
    assert [s.shape for s in tensors] == [(3, 32, 32)] * 3 + [(1, 32, 32)]
    given = [s.given for s in found if s.given]
    assert given == [{"mode": "L"}]    # only the call that passed mode; normalize was not given
    assert found[0].load().dtype == np.int16


def test_two_captures_of_one_project_merge_their_sites_and_keep_every_sample(capture):
    twice = samples.read([capture, capture / "manifest.json"])
    assert len(twice) == 22
    assert len({(s.site, s.index) for s in twice}) == 22
    assert sorted(s.index for s in twice if s.site == "gallery/datasets/depth.py:17") == [0, 1, 2, 3, 4, 5]


def test_the_manifest_file_reads_as_its_folder(capture):
    assert len(samples.read([capture / "manifest.json"])) == 11


def test_loose_arrays_and_images(tmp_path):
    np.save(tmp_path / "a.npy", np.zeros((4, 5, 3), np.float32))
    from PIL import Image as PILImage

    PILImage.new("RGB", (5, 4)).save(tmp_path / "b.png")
    array, picture = samples.read([tmp_path / "a.npy", tmp_path / "b.png"])
    assert (array.kind, array.dtype, array.shape) == ("numpy", "float32", (4, 5, 3))
    assert (picture.kind, picture.shape, picture.pil_mode) == ("pil", (4, 5), "RGB")
    assert picture.load().shape == (4, 5, 3)


def test_a_pickled_array_is_refused(tmp_path):
    np.save(tmp_path / "p.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(samples.SampleError, match=r"p\.npy: holds Python objects"):
        samples.read([tmp_path / "p.npy"])


def test_a_header_that_claims_more_than_the_file_holds_is_refused_before_allocating(tmp_path):
    from numpy.lib import format as npy_format

    with open(tmp_path / "big.npy", "wb") as handle:   # 80 GB claimed, 16 bytes given
        npy_format.write_array_header_1_0(handle, {"descr": "<f8", "fortran_order": False, "shape": (100000, 100000)})
        handle.write(b"\0" * 16)
    with pytest.raises(samples.SampleError, match=r"declares \[100000, 100000\] float64 \(80000000000 bytes\), "
                                                  r"but the file holds 16"):
        samples.read([tmp_path / "big.npy"])
    (tmp_path / "short.npy").write_bytes((tmp_path / "big.npy").read_bytes()[:20])
    with pytest.raises(samples.SampleError, match=r"short\.npy: not a readable \.npy array"):
        samples.read([tmp_path / "short.npy"])


def test_an_image_too_large_to_decode_is_refused(tmp_path):
    from PIL import Image as PILImage

    PILImage.new("L", (20000, 20000)).save(tmp_path / "huge.png")   # 400 M pixels, a small file
    with pytest.raises(samples.SampleError, match=r"huge\.png: .*400000000 pixels|huge\.png: 20000x20000 pixels"):
        samples.read([tmp_path / "huge.png"])


@pytest.mark.parametrize("name", ["missing.npy", "notes.txt", "folder-without-capture"])
def test_inputs_that_are_not_samples(tmp_path, name):
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "folder-without-capture").mkdir()
    with pytest.raises(Exception, match=name.split(".")[0]):
        samples.read([tmp_path / name])


def test_a_sample_file_linked_outside_the_capture_is_refused(capture, tmp_path):
    folder = copy_of(capture, tmp_path)
    outside = tmp_path / "secret.npy"
    np.save(outside, np.zeros((48, 64), np.int16))
    data = json.loads((folder / "manifest.json").read_text())
    first = folder / data["sites"][0]["samples"][0]["file"]
    first.unlink()
    os.symlink(outside, first)
    with pytest.raises(samples.SampleError, match="outside the capture folder"):
        samples.read([folder])


def test_a_sample_whose_data_differs_from_its_manifest_is_refused(capture, tmp_path):
    folder = copy_of(capture, tmp_path)
    data = json.loads((folder / "manifest.json").read_text())
    first = folder / data["sites"][0]["samples"][0]["file"]
    np.save(first, np.zeros((2, 2), np.float64))
    found = samples.read([folder])
    with pytest.raises(samples.SampleError, match=r"holds float64 \[2, 2\], but its manifest says int16 \[48, 64\]"):
        found[0].load()


def test_a_missing_sample_file_is_named(capture, tmp_path):
    folder = copy_of(capture, tmp_path)
    data = json.loads((folder / "manifest.json").read_text())
    (folder / data["sites"][1]["samples"][2]["file"]).unlink()
    with pytest.raises(samples.SampleError, match="the sample file is missing"):
        samples.read([folder])


def test_a_bad_manifest_names_file_line_and_field(capture, tmp_path):
    folder = copy_of(capture, tmp_path)
    text = (folder / "manifest.json").read_text().replace('"kind": "numpy"', '"kind": "array"', 1)
    (folder / "manifest.json").write_text(text)
    with pytest.raises(Exception, match=r"manifest\.json:\d+: .*kind"):
        samples.read([folder])


def test_paths_and_other_inputs_are_skipped_with_the_reason(tmp_path):
    folder = tmp_path / "cap"
    from wbimage_conformance.capture import manifest
    from wbimage_conformance.capture.agent import Limits, Recorder
    from wbimage_conformance.capture.agent.record import Site

    folder.mkdir()
    recorder = Recorder(str(folder), Limits(), process={"pid": 0, "python": "test"})
    recorder.record(Site("a.py", 3, "f"), "pictures/cat.png", {}, [])
    recorder.record(Site("a.py", 4, "f"), {"not": "an image"}, {}, [])
    recorder.close()
    manifest.finish(folder, recorder.limits.as_json())
    path, other = samples.read([folder])
    assert path.skipped and "pictures/cat.png" in path.skipped
    assert other.skipped and "dict" in other.skipped
