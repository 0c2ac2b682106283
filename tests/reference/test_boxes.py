"""The reference's `boxes` argument ([boxes.*], [annotations.*]).

The image is 6 pixels wide and 4 high throughout, so pixel boxes may reach x = 6 and y = 4.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from wbimage_conformance.reference import BoundingBoxes2D, Image

PIXELS = np.zeros((4, 6), dtype=np.uint8)
CORNERS = {"minX": 0.1, "maxX": 0.5, "minY": 0.25, "maxY": 1}


def boxes_of(*boxes, **group):
    return {"pred": {"box_data": list(boxes), **group}}


def stored(*boxes, **group):
    """The group as the reference keeps it."""
    return Image(PIXELS, boxes=boxes_of(*boxes, **group)).boxes["pred"]


def box(position=None, **extra):
    return {"position": CORNERS if position is None else position, "class_id": 1, **extra}


def fails(error, pattern, *boxes, **group):
    with pytest.raises(error, match=pattern):
        Image(PIXELS, boxes=boxes_of(*boxes, **group))


# -- what is accepted, and how it is kept -------------------------------------------------------


def test_a_box_with_the_four_edges_is_kept_with_plain_numbers():
    assert stored(box()) == {"box_data": [{"position": CORNERS, "class_id": 1}]}


def test_a_box_with_middle_width_and_height_is_kept_with_middle_as_a_list():
    kept = stored(box({"middle": (0.5, 0.5), "width": 0.2, "height": 1}))
    assert kept["box_data"][0]["position"] == {"middle": [0.5, 0.5], "width": 0.2, "height": 1}


def test_optional_domain_caption_and_scores_are_kept_in_the_caller_s_order():
    given = {"class_id": 2, "scores": {"acc": 0.5, "n": 3}, "box_caption": "car", "domain": None,
             "position": CORNERS}
    kept = stored(given)["box_data"][0]
    assert kept == given and list(kept) == list(given)


def test_class_labels_are_kept_as_int_to_str():
    assert stored(box(), class_labels={1: "car", np.int16(2): "bus"})["class_labels"] == {1: "car", 2: "bus"}


def test_numpy_scalars_become_plain_ints_and_floats():
    kept = stored({"position": {"minX": np.float32(0.5), "maxX": np.float64(0.75), "minY": np.int64(0),
                                "maxY": np.uint8(1)}, "class_id": np.int32(7), "scores": {"s": np.float16(0.5)}})
    position = kept["box_data"][0]["position"]
    assert position == {"minX": 0.5, "maxX": 0.75, "minY": 0, "maxY": 1}
    assert [type(v) for v in position.values()] == [float, float, int, int]
    assert type(kept["box_data"][0]["class_id"]) is int and type(kept["box_data"][0]["scores"]["s"]) is float


def test_0d_tensors_and_1d_tensor_middles_are_numbers():
    torch = pytest.importorskip("torch")
    given = {"position": {"middle": torch.tensor([3, 2]), "width": torch.tensor(2.0), "height": torch.tensor(4)},
             "domain": "pixel", "class_id": torch.tensor(3)}
    kept = stored(given)["box_data"][0]
    assert kept["position"] == {"middle": [3, 2], "width": 2.0, "height": 4}
    assert type(kept["position"]["middle"][0]) is int and type(kept["class_id"]) is int


def test_a_1d_array_middle_is_accepted():
    kept = stored(box({"middle": np.array([0.5, 0.25]), "width": 0, "height": 0}))
    assert kept["box_data"][0]["position"]["middle"] == [0.5, 0.25]


def test_an_empty_box_list_is_a_group_without_boxes():
    assert stored() == {"box_data": []}


def test_no_groups_means_no_boxes():
    assert Image(PIXELS, boxes={}).boxes is None
    assert Image(PIXELS).boxes is None


def test_relative_boxes_may_touch_every_edge_of_the_image():
    stored(box({"minX": 0, "maxX": 1, "minY": 0, "maxY": 1}), box({"middle": [0.5, 0.5], "width": 1, "height": 1}))


def test_pixel_boxes_may_touch_every_edge_of_the_image():
    stored(box({"minX": 0, "maxX": 6, "minY": 0, "maxY": 4}, domain="pixel"),
           box({"middle": [3, 2], "width": 6, "height": 4}, domain="pixel"))


def test_a_bounding_boxes_2d_object_is_accepted_and_checked_against_the_image():
    group = BoundingBoxes2D({"box_data": [box({"minX": 0, "maxX": 6, "minY": 0, "maxY": 4}, domain="pixel")]}, "pred")
    assert Image(PIXELS, boxes={"pred": group}).boxes["pred"] == group.val
    with pytest.raises(ValueError, match=r"^boxes\['pred'\]\['box_data'\]\[0\]\['position'\]: the box spans x from 0 to 6"):
        Image(np.zeros((4, 5), dtype=np.uint8), boxes={"pred": group})


def test_the_caller_s_structures_are_not_modified():
    torch = pytest.importorskip("torch")
    given = boxes_of({"position": {"middle": torch.tensor([0.5, 0.5]), "width": np.float32(0.5), "height": 0.5},
                      "class_id": np.int64(1)})
    before = copy.deepcopy(given)
    Image(PIXELS, boxes=given)
    middle = given["pred"]["box_data"][0]["position"]["middle"]
    assert torch.is_tensor(middle) and middle.tolist() == [0.5, 0.5]
    assert type(given["pred"]["box_data"][0]["class_id"]) is np.int64 and "class_labels" not in given["pred"]
    assert repr(given) == repr(before)


# -- malformed structures: TypeError naming the place ------------------------------------------


@pytest.mark.parametrize(("boxes", "pattern"), [
    ([1], r"^boxes: expected a dict of group name -> box group, got list"),
    ({1: {"box_data": []}}, r"^boxes: group names are strings, got int 1$"),
    ({"pred": [box()]}, r"^boxes\['pred'\]: expected a dict .* got list"),
    ({"pred": {}}, r"^boxes\['pred'\]: missing 'box_data'$"),
    ({"pred": {"box_data": [], "labels": {}}}, r"^boxes\['pred'\]: unknown key 'labels'; the keys are 'box_data', 'class_labels'$"),
    ({"pred": {"box_data": box()}}, r"^boxes\['pred'\]\['box_data'\]: expected a list of boxes, got dict"),
    ({"pred": {"box_data": [], "class_labels": [(1, "a")]}}, r"^boxes\['pred'\]\['class_labels'\]: expected a dict of class id -> name"),
    ({"pred": {"box_data": [], "class_labels": {1.0: "a"}}}, r"^boxes\['pred'\]\['class_labels'\] key 1.0: a class id is an integer"),
    ({"pred": {"box_data": [], "class_labels": {1: 2}}}, r"^boxes\['pred'\]\['class_labels'\]\[1\]: expected a str, got int 2$"),
])
def test_malformed_groups_raise_type_error(boxes, pattern):
    with pytest.raises(TypeError, match=pattern):
        Image(PIXELS, boxes=boxes)


@pytest.mark.parametrize(("bad_box", "pattern"), [
    ("box", r"^boxes\['pred'\]\['box_data'\]\[2\]: expected a dict with 'position' and 'class_id', got str"),
    ({"class_id": 1}, r"^boxes\['pred'\]\['box_data'\]\[2\]: missing 'position'$"),
    ({"position": CORNERS}, r"^boxes\['pred'\]\['box_data'\]\[2\]: missing 'class_id'$"),
    (box(caption="x"), r"^boxes\['pred'\]\['box_data'\]\[2\]: unknown key 'caption'; the keys are 'position', 'class_id', 'domain', 'box_caption', 'scores'$"),
    (box({"minX": 0.1, "maxX": 0.5, "minY": 0.2}), r"^boxes\['pred'\]\['box_data'\]\[2\]\['position'\]: missing 'maxY'$"),
    (box({}), r"^boxes\['pred'\]\['box_data'\]\[2\]\['position'\]: missing 'minX', 'maxX', 'minY', 'maxY'$"),
    (box({"middle": [0.5, 0.5], "width": 0.1}), r"\['position'\]: missing 'height'$"),
    (box({**CORNERS, "width": 0.1}), r"\['position'\]: mixes the two position formats"),
    (box({**CORNERS, "maxx": 0.1}), r"\['position'\]: unknown key 'maxx'"),
    (box([0.1, 0.5, 0.2, 0.4]), r"\['position'\]: expected a dict with minX, maxX, minY, maxY or with middle, width, height, got list"),
    (box({**CORNERS, "minX": "0.1"}), r"\['position'\]\['minX'\]: expected a number .* got str '0.1'$"),
    (box({**CORNERS, "minX": True}), r"\['position'\]\['minX'\]: expected a number, got bool True"),
    (box({**CORNERS, "minX": None}), r"\['position'\]\['minX'\]: expected a number .* got NoneType None$"),
    (box({"middle": 0.5, "width": 0.1, "height": 0.1}), r"\['position'\]\['middle'\]: expected two numbers \[x, y\], got float 0.5$"),
    (box({"middle": [0.5, "a"], "width": 0.1, "height": 0.1}), r"\['position'\]\['middle'\]\[1\]: expected a number"),
    (box(class_id=1.0), r"\['class_id'\]: a class id is an integer, got float 1.0$"),
    (box(class_id=False), r"\['class_id'\]: expected a number, got bool False"),
    (box(class_id="car"), r"\['class_id'\]: expected a number .* got str 'car'$"),
    (box(domain=1), r"\['domain'\]: expected 'pixel' or None, got int 1$"),
    (box(box_caption=3), r"\['box_caption'\]: expected a str, got int 3$"),
    (box(scores=[0.5]), r"\['scores'\]: expected a dict of score name -> number, got list"),
    (box(scores={1: 0.5}), r"\['scores'\]: score names are strings, got int 1$"),
    (box(scores={"acc": "high"}), r"\['scores'\]\['acc'\]: expected a number"),
])
def test_malformed_boxes_raise_type_error_naming_the_box(bad_box, pattern):
    fails(TypeError, pattern, box(), box(), bad_box)


# -- values out of their domain: ValueError naming the place ------------------------------------


@pytest.mark.parametrize(("bad_box", "pattern"), [
    (box({**CORNERS, "minX": float("nan")}), r"^boxes\['pred'\]\['box_data'\]\[0\]\['position'\]\['minX'\]: nan is not a finite number$"),
    (box({**CORNERS, "maxY": np.float32("inf")}), r"\['position'\]\['maxY'\]: inf is not a finite number$"),
    (box({"middle": [float("nan"), 0.5], "width": 0.1, "height": 0.1}), r"\['position'\]\['middle'\]\[0\]: nan is not a finite number$"),
    (box({"middle": [0.5, 0.5, 0.5], "width": 0.1, "height": 0.1}), r"\['position'\]\['middle'\]: expected two numbers \[x, y\], got 3$"),
    (box({**CORNERS, "minX": 0.6}), r"\['position'\]: minX 0.6 is greater than maxX 0.5$"),
    (box({**CORNERS, "minY": 1, "maxY": 0.5}), r"\['position'\]: minY 1 is greater than maxY 0.5$"),
    (box({"middle": [0.5, 0.5], "width": -0.1, "height": 0.1}), r"\['position'\]\['width'\]: -0.1 is negative$"),
    (box(class_id=-1), r"\['class_id'\]: class id -1 is negative"),
    (box(domain="relative"), r"\['domain'\]: 'relative' is not a domain; use 'pixel'"),
    (box(domain="pixels"), r"\['domain'\]: 'pixels' is not a domain"),
    (box(scores={"acc": float("nan")}), r"\['scores'\]\['acc'\]: nan is not a finite number$"),
])
def test_values_out_of_their_domain_raise_value_error(bad_box, pattern):
    fails(ValueError, pattern, bad_box)


@pytest.mark.parametrize(("position", "domain", "pattern"), [
    ({"minX": 0, "maxX": 1.5, "minY": 0, "maxY": 1}, None, r"spans x from 0 to 1.5, outside the image: x must lie between 0 and 1 \(relative to the image\)$"),
    ({"minX": -0.1, "maxX": 0.5, "minY": 0, "maxY": 1}, None, r"spans x from -0.1 to 0.5"),
    ({"minX": 0, "maxX": 1, "minY": 0, "maxY": 1.25}, None, r"spans y from 0 to 1.25, outside the image: y must lie between 0 and 1"),
    ({"middle": [0.5, 0.5], "width": 1.5, "height": 0.5}, None, r"spans x from -0.25 to 1.25"),
    ({"minX": 0, "maxX": 7, "minY": 0, "maxY": 4}, "pixel", r"spans x from 0 to 7, outside the image: x must lie between 0 and the image width 6 \(domain 'pixel'\)$"),
    ({"minX": 0, "maxX": 6, "minY": 0, "maxY": 5}, "pixel", r"spans y from 0 to 5, outside the image: y must lie between 0 and the image height 4"),
    ({"middle": [1, 2], "width": 4, "height": 2}, "pixel", r"spans x from -1.0 to 3.0"),
])
def test_boxes_outside_the_image_raise_value_error(position, domain, pattern):
    extra = {} if domain is None else {"domain": domain}
    fails(ValueError, r"^boxes\['pred'\]\['box_data'\]\[1\]\['position'\]: the box " + pattern, box(), box(position, **extra))


def test_a_relative_box_may_not_use_pixel_coordinates():
    fails(ValueError, r"spans x from 1 to 3", box({"minX": 1, "maxX": 3, "minY": 0, "maxY": 1}))


def test_boxes_are_checked_against_a_copied_image_s_size():
    other = Image(np.zeros((2, 3), dtype=np.uint8))
    with pytest.raises(ValueError, match=r"spans x from 0 to 4"):
        Image(other, boxes=boxes_of(box({"minX": 0, "maxX": 4, "minY": 0, "maxY": 1}, domain="pixel")))


def test_bounding_boxes_2d_checks_its_group_and_key():
    with pytest.raises(TypeError, match=r"^val\['box_data'\]\[0\]: missing 'class_id'$"):
        BoundingBoxes2D({"box_data": [{"position": CORNERS}]}, "pred")
    with pytest.raises(TypeError, match=r"^key: expected a str, got int 1$"):
        BoundingBoxes2D({"box_data": []}, 1)
