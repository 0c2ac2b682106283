"""The reference's `all_boxes`, `all_masks` and `RunStub` ([all-boxes], [all-masks], [annotations.run]),
and what `Image(other)` keeps of classes, boxes and masks ([annotations.copy])."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from PIL import Image as PILImage

from wbimage_conformance.reference import Image, RunStub

PIXELS = np.zeros((2, 3), dtype=np.uint8)
IDS = np.array([[0, 1, 2], [3, 254, 255]], dtype=np.uint8)
BOX = {"position": {"minX": 0, "maxX": 0.5, "minY": 0.25, "maxY": 1}, "class_id": 1}


@pytest.fixture
def run(tmp_path):
    return RunStub(dir=str(tmp_path))


def with_boxes(**groups):
    return Image(PIXELS, boxes=groups)


def with_masks(**masks):
    return Image(PIXELS, masks=masks)


def read(run, reference):
    """The file a reference points at, after checking its sha256 and size."""
    raw = (Path(run.dir) / reference["path"]).read_bytes()
    assert reference["sha256"] == hashlib.sha256(raw).hexdigest() and reference["size"] == len(raw)
    return raw


def test_no_images_gives_false(run):
    assert Image.all_boxes([], run, "key", 0) is False
    assert Image.all_masks([], run, "key", 0) is False


def test_images_without_any_give_false(run):
    images = [Image(PIXELS), with_masks(m={"mask_data": IDS})]
    assert Image.all_boxes(images, run, "key", 0) is False
    assert Image.all_masks([Image(PIXELS), with_boxes(p={"box_data": []})], run, "key", 0) is False


def test_one_entry_per_image_with_none_where_an_image_has_none(run):
    result = Image.all_boxes([Image(PIXELS), with_boxes(p={"box_data": [BOX]}), Image(PIXELS)], run, "key", 0)
    assert result[0] is None and result[2] is None and list(result[1]) == ["p"]


def test_a_box_group_becomes_a_json_file_referenced_by_path_sha256_and_size(run):
    (groups,) = Image.all_boxes([with_boxes(pred={"box_data": [BOX], "class_labels": {1: "car"}})], run, "val", 7)
    reference = groups["pred"]
    assert sorted(reference) == ["_type", "path", "sha256", "size"] and reference["_type"] == "boxes2D"
    assert re.fullmatch(r"media/metadata/boxes2D/val_7_[0-9a-f]{20}\.boxes2D\.json", reference["path"])
    assert reference["path"].split("_")[-1].startswith(reference["sha256"][:20])
    assert json.loads(read(run, reference)) == {"box_data": [BOX], "class_labels": {"1": "car"}}


def test_a_group_without_class_labels_writes_none(run):
    (groups,) = Image.all_boxes([with_boxes(pred={"box_data": [BOX]})], run, "key", 0)
    assert json.loads(read(run, groups["pred"])) == {"box_data": [BOX]}


def test_the_file_holds_plain_numbers_in_the_caller_s_key_order(run):
    given = {"class_id": np.int64(2), "position": {"middle": (np.float32(0.5), 1), "width": 0.5, "height": 0}}
    (groups,) = Image.all_boxes([with_boxes(pred={"box_data": [given]})], run, "key", 0)
    text = read(run, groups["pred"]).decode("utf-8")
    assert text == '{"box_data":[{"class_id":2,"position":{"middle":[0.5,1],"width":0.5,"height":0}}]}'


def test_groups_keep_their_order(run):
    (groups,) = Image.all_boxes([with_boxes(b={"box_data": []}, a={"box_data": [BOX]})], run, "key", 0)
    assert list(groups) == ["b", "a"]


def test_a_mask_becomes_an_8_bit_grayscale_png(run):
    (masks,) = Image.all_masks([with_masks(truth={"mask_data": IDS.astype(np.int32), "class_labels": {0: "a"}})],
                               run, "key", 0)
    reference = masks["truth"]
    assert sorted(reference) == ["_type", "path", "sha256", "size"] and reference["_type"] == "mask"
    assert re.fullmatch(r"media/images/mask/key_0_[0-9a-f]{20}\.mask\.png", reference["path"])
    raw = read(run, reference)
    assert raw.startswith(b"\x89PNG\r\n\x1a\n")
    picture = PILImage.open(f"{run.dir}/{reference['path']}")
    assert picture.mode == "L"
    np.testing.assert_array_equal(np.asarray(picture), IDS)


def test_a_mask_file_is_copied_unchanged_under_its_own_extension(run, tmp_path):
    source = tmp_path / "truth.PNG"
    PILImage.fromarray(IDS).save(source, format="PNG")
    (masks,) = Image.all_masks([with_masks(truth={"path": str(source)})], run, "key", 3)
    reference = masks["truth"]
    assert re.fullmatch(r"media/images/mask/key_3_[0-9a-f]{20}\.PNG", reference["path"])
    assert read(run, reference) == source.read_bytes()


def test_the_same_content_gives_the_same_file(run):
    images = [with_boxes(p={"box_data": [BOX]}), with_boxes(q={"box_data": [BOX]})]
    first, second = Image.all_boxes(images, run, "key", 0)
    assert first["p"] == second["q"]


def test_a_string_step_is_part_of_the_name(run):
    (groups,) = Image.all_boxes([with_boxes(p={"box_data": []})], run, "key", "final")
    assert groups["p"]["path"].startswith("media/metadata/boxes2D/key_final_")


def test_a_run_stand_in_needs_only_a_dir(tmp_path):
    class Bare:
        dir = tmp_path

    (groups,) = Image.all_boxes([with_boxes(p={"box_data": []})], Bare(), "key", 0)
    assert (tmp_path / groups["p"]["path"]).is_file()


def test_nothing_is_written_outside_run_dir(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    Image.all_masks([with_masks(m={"mask_data": IDS})], RunStub(run_dir), "key", 0)
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


@pytest.mark.parametrize(("arguments", "error", "pattern"), [
    (("not images", "RUN", "key", 0), TypeError, r"^images: expected a list or tuple of Images, got str"),
    (([PIXELS], "RUN", "key", 0), TypeError, r"^images\[0\]: expected an Image, got numpy.ndarray"),
    (([], None, "key", 0), TypeError, r"^run: expected an object with a 'dir' attribute naming a directory"),
    (([], RunStub(3), "key", 0), TypeError, r"^run.dir: expected a directory path"),
    (([], RunStub("/no/such/directory"), "key", 0), ValueError, r"^run.dir: '/no/such/directory' is not an existing directory$"),
    (([], "RUN", 1, 0), TypeError, r"^run_key: expected a str, got int 1$"),
    (([], "RUN", "a/b", 0), ValueError, r"^run_key: 'a/b' cannot be part of a file name"),
    (([], "RUN", "..", 0), ValueError, r"^run_key: '..' cannot be part of a file name"),
    (([], "RUN", "", 0), ValueError, r"^run_key: '' cannot be part of a file name"),
    (([], "RUN", "key", 1.5), TypeError, r"^step: expected an int or a str, got float 1.5$"),
    (([], "RUN", "key", True), TypeError, r"^step: expected an int or a str, got bool True$"),
    (([], "RUN", "key", -1), ValueError, r"^step: -1 is negative$"),
])
def test_bad_arguments_are_named(run, arguments, error, pattern):
    images, given_run, run_key, step = arguments
    given_run = run if given_run == "RUN" else given_run
    for method in (Image.all_boxes, Image.all_masks):
        with pytest.raises(error, match=pattern):
            method(images, given_run, run_key, step)


def test_a_copy_keeps_classes_but_not_boxes_or_masks():
    original = Image(PIXELS, classes=[{"id": 1, "name": "a"}], boxes={"p": {"box_data": [BOX]}},
                     masks={"m": {"mask_data": IDS}})
    copy = Image(original)
    assert copy.classes == original.classes and copy.boxes is None and copy.masks is None


def test_a_copy_takes_new_classes_boxes_and_masks():
    original = Image(PIXELS, classes=[{"id": 1, "name": "a"}])
    copy = Image(original, classes=[{"id": 2, "name": "b"}], boxes={"p": {"box_data": []}}, masks={"m": {"mask_data": IDS}})
    assert copy.classes.names() == {2: "b"} and copy.boxes == {"p": {"box_data": []}} and "m" in copy.masks


# -- properties ---------------------------------------------------------------------------------

unit = st.floats(0, 1, allow_nan=False)


@st.composite
def relative_boxes(draw):
    """A box inside the image in relative coordinates, either form."""
    if draw(st.booleans()):
        x0, x1, y0, y1 = sorted(draw(st.lists(unit, min_size=2, max_size=2))) + sorted(draw(st.lists(unit, min_size=2, max_size=2)))
        position = {"minX": x0, "maxX": x1, "minY": y0, "maxY": y1}
    else:
        x, y = draw(unit), draw(unit)
        width = draw(st.floats(0, 2 * min(x, 1 - x), allow_nan=False))
        height = draw(st.floats(0, 2 * min(y, 1 - y), allow_nan=False))
        # [boxes.domain]: the edges are middle -+ size / 2 in float64, which may round past 1
        assume(x - width / 2 >= 0 and x + width / 2 <= 1 and y - height / 2 >= 0 and y + height / 2 <= 1)
        position = {"middle": [x, y], "width": width, "height": height}
    return {"position": position, "class_id": draw(st.integers(0, 2**31))}


@settings(max_examples=60, deadline=None)
@given(st.lists(relative_boxes(), max_size=4))
def test_a_box_group_inside_the_image_is_written_as_given(tmp_path_factory, boxes):
    """Whatever valid boxes go in come out of the file unchanged (JSON round-trips floats)."""
    run = RunStub(str(tmp_path_factory.mktemp("run")))
    (groups,) = Image.all_boxes([with_boxes(p={"box_data": boxes})], run, "key", 0)
    assert json.loads(read(run, groups["p"])) == {"box_data": boxes}
