"""The reference's `masks` argument ([masks.*], [annotations.*]). The image is 3 wide, 2 high."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image as PILImage

from wbimage_conformance.reference import Image, ImageMask

PIXELS = np.zeros((2, 3), dtype=np.uint8)
IDS = np.array([[0, 1, 2], [3, 254, 255]], dtype=np.uint8)


def kept(mask, **image_kwargs):
    return Image(PIXELS, masks={"truth": mask}, **image_kwargs).masks["truth"]


def fails(error, pattern, mask):
    with pytest.raises(error, match=pattern):
        Image(PIXELS, masks={"truth": mask})


def write_png(tmp_path, array, mode=None, name="mask.png"):
    target = tmp_path / name
    picture = PILImage.fromarray(array)
    (picture.convert(mode) if mode else picture).save(target)
    return target


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "int64", "uint16", "uint32", "uint64"])
def test_integer_mask_data_in_0_255_is_kept_as_uint8(dtype):
    values = np.array([[0, 1, 2], [3, 100, 127]], dtype=dtype)
    data = kept({"mask_data": values})["mask_data"]
    assert data.dtype == np.uint8
    np.testing.assert_array_equal(data, [[0, 1, 2], [3, 100, 127]])


def test_the_whole_range_0_to_255_is_accepted():
    np.testing.assert_array_equal(kept({"mask_data": IDS.astype(np.int64)})["mask_data"], IDS)


def test_bool_mask_data_means_ids_0_and_1():
    data = kept({"mask_data": np.array([[True, False, True], [False, False, True]])})["mask_data"]
    np.testing.assert_array_equal(data, [[1, 0, 1], [0, 0, 1]])


def test_a_tensor_is_accepted():
    torch = pytest.importorskip("torch")
    np.testing.assert_array_equal(kept({"mask_data": torch.tensor(IDS.astype(np.int64))})["mask_data"], IDS)


def test_class_labels_are_kept_as_int_to_str():
    assert kept({"mask_data": IDS, "class_labels": {np.uint8(0): "sky", 1: "road"}})["class_labels"] == {0: "sky", 1: "road"}


def test_the_data_is_a_private_copy():
    values = IDS.copy()
    data = kept({"mask_data": values})["mask_data"]
    values[0, 0] = 9
    assert data[0, 0] == 0


def test_the_caller_s_dict_is_not_modified():
    torch = pytest.importorskip("torch")
    given = {"mask_data": torch.tensor([[0, 1, 2], [3, 4, 5]])}
    kept(given)
    assert list(given) == ["mask_data"] and torch.is_tensor(given["mask_data"])


def test_a_mask_file_of_mode_l_with_the_image_size_is_read_in_full(tmp_path):
    path = write_png(tmp_path, IDS)
    mask = kept({"path": str(path), "class_labels": {0: "a"}})
    assert mask["path"] == str(path) and mask["class_labels"] == {0: "a"}
    assert mask["file"].raw == path.read_bytes() and mask["file"].extension == "png"


def test_no_masks_means_none():
    assert Image(PIXELS, masks={}).masks is None and Image(PIXELS).masks is None


def test_an_image_mask_object_is_accepted_and_checked_against_the_image():
    mask = ImageMask({"mask_data": IDS}, "truth")
    np.testing.assert_array_equal(Image(PIXELS, masks={"truth": mask}).masks["truth"]["mask_data"], IDS)
    with pytest.raises(ValueError, match=r"^masks\['truth'\]\['mask_data'\]: shape \(2, 3\) does not match the image, whose \(height, width\) is \(3, 2\)"):
        Image(PIXELS.T, masks={"truth": mask})


@pytest.mark.parametrize(("mask", "pattern"), [
    (IDS, r"^masks\['truth'\]: expected a dict \{'mask_data': array\} or \{'path': file\} or an ImageMask, got numpy.ndarray of shape \(2, 3\)$"),
    ({}, r"^masks\['truth'\]: missing 'mask_data' \(or 'path'\)$"),
    ({"class_labels": {0: "a"}}, r"^masks\['truth'\]: missing 'mask_data' \(or 'path'\)$"),
    ({"mask_data": IDS, "path": "m.png"}, r"^masks\['truth'\]: give either 'mask_data' or 'path', not both$"),
    ({"mask": IDS}, r"^masks\['truth'\]: unknown key 'mask'"),
    ({"mask_data": IDS.tolist()}, r"^masks\['truth'\]\['mask_data'\]: expected a numpy.ndarray or a torch.Tensor, got builtins.list$"),
    ({"mask_data": IDS.astype(np.float32)}, r"^masks\['truth'\]\['mask_data'\]: class ids are integers, got float32 data"),
    ({"mask_data": IDS.astype(np.complex64)}, r"^masks\['truth'\]\['mask_data'\]: dtype complex64 is not supported"),
    ({"mask_data": IDS, "class_labels": {0.5: "a"}}, r"^masks\['truth'\]\['class_labels'\] key 0.5: a class id is an integer"),
    ({"path": 3}, r"^masks\['truth'\]\['path'\]: expected a file path \(str or pathlib.Path\), got int 3$"),
])
def test_malformed_masks_raise_type_error(mask, pattern):
    fails(TypeError, pattern, mask)


def test_mask_names_must_be_strings():
    with pytest.raises(TypeError, match=r"^masks: mask names are strings, got int 0$"):
        Image(PIXELS, masks={0: {"mask_data": IDS}})


def test_masks_must_be_a_dict():
    with pytest.raises(TypeError, match=r"^masks: expected a dict of mask name -> mask, got list"):
        Image(PIXELS, masks=[{"mask_data": IDS}])


@pytest.mark.parametrize(("data", "pattern"), [
    (IDS[0], r"^masks\['truth'\]\['mask_data'\]: a mask is 2-D \(height, width\), got shape \(3,\)$"),
    (IDS[:, :, None], r"a mask is 2-D \(height, width\), got shape \(2, 3, 1\)$"),
    (IDS.T, r"^masks\['truth'\]\['mask_data'\]: shape \(3, 2\) does not match the image, whose \(height, width\) is \(2, 3\)"),
    (np.array([[0, 1, 2], [3, 256, 300]]), r"^masks\['truth'\]\['mask_data'\]\[1, 1\]: class id 256 is outside 0\.\.255 \(2 value\(s\) outside\)$"),
    (np.array([[0, -1, 2], [3, 4, 5]], dtype=np.int8), r"^masks\['truth'\]\['mask_data'\]\[0, 1\]: class id -1 is outside 0\.\.255"),
])
def test_mask_data_of_the_wrong_shape_or_range_raises_value_error(data, pattern):
    fails(ValueError, pattern, {"mask_data": data})


def test_a_missing_mask_file_raises_value_error(tmp_path):
    fails(ValueError, r"^masks\['truth'\]\['path'\]: cannot read image file .*missing.png", {"path": str(tmp_path / "missing.png")})


def test_a_mask_file_that_is_not_an_image_raises_value_error(tmp_path):
    target = tmp_path / "notes.png"
    target.write_text("not an image")
    fails(ValueError, r"^masks\['truth'\]\['path'\]: file .*notes.png' does not decode as an image", {"path": target})


def test_a_mask_file_must_be_8_bit_grayscale(tmp_path):
    path = write_png(tmp_path, IDS, mode="RGB")
    fails(ValueError, r"^masks\['truth'\]\['path'\]: .* has mode 'RGB'; a mask file is an 8-bit grayscale image", {"path": path})


def test_a_mask_file_must_have_the_image_size(tmp_path):
    path = write_png(tmp_path, IDS.T)
    fails(ValueError, r"^masks\['truth'\]\['path'\]: the mask file is 2x3 \(width x height\) but the image is 3x2", {"path": path})


def test_image_mask_checks_its_mask_and_key():
    with pytest.raises(TypeError, match=r"^val: missing 'mask_data' \(or 'path'\)$"):
        ImageMask({}, "truth")
    with pytest.raises(TypeError, match=r"^key: expected a str"):
        ImageMask({"mask_data": IDS}, None)
