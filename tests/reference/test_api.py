"""Public surface of reference.Image: [api.*], [limits.*], [meta.*], [all-captions]."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from wbimage_conformance import reference
from wbimage_conformance.reference import Image

GRAY = np.array([[0, 128], [255, 7]], dtype=np.uint8)


def test_constructor_signature_matches_the_documented_one() -> None:
    params = inspect.signature(Image).parameters
    assert list(params) == [
        "data_or_path", "mode", "caption", "grouping", "classes", "boxes", "masks",
        "file_type", "normalize",
    ]
    defaults = {name: p.default for name, p in params.items() if name != "data_or_path"}
    assert defaults == {
        "mode": None, "caption": None, "grouping": None, "classes": None, "boxes": None,
        "masks": None, "file_type": None, "normalize": True,
    }


def test_every_parameter_after_data_can_be_passed_by_keyword() -> None:
    img = Image(
        data_or_path=GRAY, mode="L", caption="c", grouping=2, classes=None, boxes=None,
        masks=None, file_type="png", normalize=True,
    )
    assert img.caption == "c"


def test_class_constants_are_plain_ints_with_documented_values() -> None:
    assert type(Image.MAX_DIMENSION) is int and Image.MAX_DIMENSION == 65500
    assert type(Image.MAX_ITEMS) is int and Image.MAX_ITEMS == 108


def test_module_exports_the_drop_in_names() -> None:
    assert reference.Image is Image
    assert reference.to_uint8(np.array([0.5])).tolist() == [127]
    assert reference.guess_mode(np.zeros((2, 2, 3))) == "RGB"


def test_guess_mode_is_callable_on_the_class_and_on_an_instance() -> None:
    data = np.zeros((2, 2, 4))
    img = Image(GRAY)
    assert Image.guess_mode(data) == "RGBA"
    assert img.guess_mode(data) == "RGBA"
    assert img.guess_mode(data, file_type="jpg") == "RGB"
    assert Image.guess_mode(data, "jpeg") == "RGB"


def test_to_uint8_is_a_classmethod_that_agrees_with_the_module_function() -> None:
    data = np.array([[0.0, 0.5, 1.0]])
    assert Image.to_uint8(data).tolist() == [[0, 127, 255]]  # 0.5 * 255 = 127.5 -> 127
    assert Image(GRAY).to_uint8(data).tolist() == reference.to_uint8(data).tolist()


def test_default_format_is_png() -> None:
    assert Image(GRAY).format == "png"


def test_image_attributes_describe_the_pil_image() -> None:
    img = Image(np.zeros((3, 5, 3), dtype=np.uint8))
    assert (img.width, img.height) == (5, 3) == img.image.size
    assert img.image.mode == "RGB"
    assert img._image is img.image


@pytest.mark.parametrize("caption", ["", "plain", "猫 🐈 캡션", "multi\nline"])
def test_caption_is_stored_unchanged(caption: str) -> None:
    img = Image(GRAY, caption=caption)
    assert img.caption == caption and img._caption == caption


def test_caption_and_grouping_default_to_none() -> None:
    img = Image(GRAY)
    assert img.caption is None and img._caption is None
    assert img.grouping is None and img._grouping is None


def test_grouping_is_stored_unchanged() -> None:
    img = Image(GRAY, grouping=3)
    assert img.grouping == 3 and img._grouping == 3


def test_classes_boxes_and_masks_are_stored_checked() -> None:
    classes = [{"id": 1, "name": "cat"}]
    boxes = {"predictions": {"box_data": []}}
    masks = {"truth": {"mask_data": GRAY}}
    img = Image(GRAY, classes=classes, boxes=boxes, masks=masks)
    assert img.classes.class_set == ({"id": 1, "name": "cat"},)
    assert img.boxes == {"predictions": {"box_data": []}}
    assert img.masks["truth"]["mask_data"].dtype == np.uint8
    np.testing.assert_array_equal(img.masks["truth"]["mask_data"], GRAY)


def test_encoded_bytes_are_available_in_memory() -> None:
    assert Image(GRAY).encoded.startswith(b"\x89PNG\r\n\x1a\n")


def test_repr_names_size_mode_and_format() -> None:
    assert repr(Image(GRAY, caption="x")).endswith("2x2 L format='png' caption='x'>")


class TestAllCaptions:
    def test_returns_every_caption_when_one_image_has_a_caption(self) -> None:
        images = [Image(GRAY, caption="a"), Image(GRAY), Image(GRAY, caption="c")]
        assert Image.all_captions(images) == ["a", None, "c"]

    def test_looks_past_the_first_image(self) -> None:
        assert Image.all_captions([Image(GRAY), Image(GRAY, caption="b")]) == [None, "b"]

    def test_returns_false_when_no_image_has_a_caption(self) -> None:
        assert Image.all_captions([Image(GRAY), Image(GRAY)]) is False

    def test_returns_false_for_no_images(self) -> None:
        assert Image.all_captions([]) is False

    def test_an_empty_caption_counts_as_a_caption(self) -> None:
        assert Image.all_captions([Image(GRAY, caption="")]) == [""]
