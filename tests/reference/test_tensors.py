"""Tensors: [input.tensor.layout], [input.tensor.dtype], [mode.guess] for tensors."""

from __future__ import annotations

import re

import numpy as np
import pytest

from wbimage_conformance.reference import Image, guess_mode, to_uint8


@pytest.fixture(scope="module")
def torch():
    """torch, imported when the first test here runs: importing it takes seconds, which
    listing the tests (collection) should not pay."""
    return pytest.importorskip("torch")


def pixels(data: object, **kwargs: object) -> list:
    return np.asarray(Image(data, **kwargs).image).tolist()


# -- layout --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "mode", "size"),
    [((1, 2, 3), "L", (3, 2)), ((3, 2, 3), "RGB", (3, 2)), ((4, 2, 3), "RGBA", (3, 2)),
     ((2, 3), "L", (3, 2)), ((3, 64, 3), "RGB", (3, 64))],
)
def test_tensor_shapes_are_channels_first(torch, shape: tuple, mode: str, size: tuple) -> None:
    img = Image(torch.zeros(shape))
    assert img.image.mode == mode and img.image.size == size


def test_tensor_pixels_are_those_of_the_permuted_array(torch) -> None:
    t = torch.arange(12, dtype=torch.uint8).reshape(3, 2, 2) * 20  # max 220 -> kept
    expected = t.permute(1, 2, 0).numpy().tolist()
    assert pixels(t) == expected


def test_two_dimensional_tensor_is_grayscale(torch) -> None:
    assert pixels(torch.tensor([[0.0, 1.0], [0.5, 0.25]])) == [[0, 255], [127, 63]]


@pytest.mark.parametrize("shape", [(), (5,), (2, 2, 2), (5, 2, 2), (1, 3, 2, 2), (2, 3, 4, 4)])
def test_other_tensor_shapes_raise_value_error_naming_the_shape(torch, shape: tuple) -> None:
    with pytest.raises(ValueError, match=re.escape(str(shape)) + ".*accepted tensor shapes"):
        Image(torch.zeros(shape))


@pytest.mark.parametrize("shape", [(3, 0, 2), (0, 4), (0,)])
def test_empty_tensors_raise_value_error(torch, shape: tuple) -> None:
    with pytest.raises(ValueError, match="empty.*" + re.escape(str(shape))):
        Image(torch.zeros(shape))


def test_tensor_beyond_max_dimension_raises(torch) -> None:
    with pytest.raises(ValueError, match="width 65501.*MAX_DIMENSION"):
        Image(torch.zeros(1, 1, 65501, dtype=torch.uint8))


# -- dtypes --------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype_name", ["float16", "float32", "float64"])
def test_float_tensors_are_evaluated_in_their_dtype(torch, dtype_name: str) -> None:
    dtype = getattr(torch, dtype_name)
    # Same hand arithmetic as tests/reference/test_normalize.py for these values.
    assert pixels(torch.tensor([[-0.2, 0.6]], dtype=dtype)) == [[102, 204]]
    assert pixels(torch.tensor([[0.2, 0.3]], dtype=dtype)) == [[51, 76]]


def test_bfloat16_is_widened_to_float32(torch) -> None:
    # bfloat16(0.3) = 0x1.34p-2 = 0.30078125 (exact in float32); * 255 = 76.69921875,
    # exact in float32 -> 76. bfloat16(-0.5) + 1 = 0.5; 127.5 * 0.5 = 63.75 -> 63.
    assert pixels(torch.tensor([[0.3, 1.0]], dtype=torch.bfloat16)) == [[76, 255]]
    assert pixels(torch.tensor([[-0.5, 1.0]], dtype=torch.bfloat16)) == [[63, 255]]


def test_float8_is_widened_to_float32(torch) -> None:
    t = torch.tensor([[0.5, 1.0]]).to(torch.float8_e4m3fn)
    assert pixels(t) == [[127, 255]]


def test_uint8_tensor_mask_is_scaled_like_the_array(torch) -> None:
    # uint8 evaluated as uint8: 0/1 is [norm.unit] -> 0/255
    assert pixels(torch.tensor([[0, 1]], dtype=torch.uint8)) == [[0, 255]]
    assert pixels(torch.tensor([[0, 7, 255]], dtype=torch.uint8)) == [[0, 7, 255]]


@pytest.mark.parametrize("dtype_name", ["int8", "int16", "int32", "int64"])
def test_signed_integer_tensors_are_exact(torch, dtype_name: str) -> None:
    dtype = getattr(torch, dtype_name)
    assert pixels(torch.tensor([[0, 1]], dtype=dtype)) == [[0, 255]]
    assert pixels(torch.tensor([[-1, 0, 1]], dtype=dtype)) == [[0, 127, 255]]


def test_wide_unsigned_tensors_clip(torch) -> None:
    assert pixels(torch.tensor([[0, 300]], dtype=torch.uint16)) == [[0, 255]]


def test_bool_tensor(torch) -> None:
    assert pixels(torch.tensor([[False, True]])) == [[0, 255]]


@pytest.mark.parametrize("dtype_name", ["complex64", "complex128"])
def test_complex_tensors_raise_type_error_naming_the_dtype(torch, dtype_name: str) -> None:
    dtype = getattr(torch, dtype_name)
    with pytest.raises(TypeError, match=re.escape(str(dtype))):
        Image(torch.zeros(3, 2, 2, dtype=dtype))


def test_tensors_numpy_cannot_read_raise_type_error(torch) -> None:
    with pytest.raises(TypeError, match="torch.uint1"):
        Image(torch.zeros(2, 2, dtype=torch.uint1))


def test_sparse_tensor_raises_type_error_naming_the_layout(torch) -> None:
    with pytest.raises(TypeError, match="sparse"):
        Image(torch.eye(2).to_sparse())


# -- grad, device, memory layout, immutability ---------------------------------------------------


def test_tensor_requiring_grad_is_detached_and_unchanged(torch) -> None:
    t = torch.full((3, 2, 2), 0.5, requires_grad=True)
    assert pixels(t) == [[[127] * 3] * 2] * 2
    assert t.requires_grad and t.grad is None
    assert torch.equal(t.detach(), torch.full((3, 2, 2), 0.5))


def test_non_contiguous_tensor_gives_the_same_pixels(torch) -> None:
    base = torch.linspace(-1, 1, 24).reshape(2, 4, 3)
    view = base.permute(2, 0, 1)  # (3, 2, 4), not contiguous
    assert not view.is_contiguous()
    assert pixels(view) == pixels(view.contiguous())


@pytest.mark.parametrize("normalize", [True, False])
def test_tensor_is_not_modified(torch, normalize: bool) -> None:
    t = torch.tensor([[[float("nan"), -0.5], [0.25, 3.0]]])
    before = t.clone()
    Image(t, normalize=normalize)
    assert torch.equal(torch.nan_to_num(t, nan=-7.0), torch.nan_to_num(before, nan=-7.0))
    assert t.dtype == before.dtype and t.stride() == before.stride()


def test_negative_view_tensor_is_read_by_value(torch) -> None:
    t = torch.tensor([[1.0, 0.5]])._neg_view()  # values -1, -0.5
    assert pixels(t) == [[0, 63]]  # 127.5 * 0 = 0; 127.5 * 0.5 = 63.75 -> 63


def test_normalize_false_clips_tensors(torch) -> None:
    # Example 4's claim: values in [0, 1) are clipped and truncated to 0.
    assert pixels(torch.tensor([[0.2, 0.99, 300.0, -4.0]]), normalize=False) == [[0, 0, 255, 0]]


# -- guess_mode and to_uint8 on tensors ----------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "file_type", "mode"),
    [((1, 2, 2), None, "L"), ((3, 2, 2), None, "RGB"), ((4, 2, 2), None, "RGBA"),
     ((4, 2, 2), "jpg", "RGB"), ((2, 2), None, "L"), ((3, 2, 4), None, "RGB")],
)
def test_guess_mode_reads_the_first_axis_of_tensors(torch, shape: tuple, file_type: str | None,
                                                      mode: str) -> None:
    assert guess_mode(torch.zeros(shape), file_type) == mode
    assert Image.guess_mode(torch.zeros(shape), file_type) == mode


def test_guess_mode_rejects_other_tensor_shapes(torch) -> None:
    with pytest.raises(ValueError, match=re.escape("(2, 2, 3)")):
        guess_mode(torch.zeros(2, 2, 3))


def test_to_uint8_of_a_tensor_keeps_its_shape(torch) -> None:
    out = to_uint8(torch.full((3, 2, 1), 0.5))
    assert isinstance(out, np.ndarray) and out.dtype == np.uint8 and out.shape == (3, 2, 1)
    assert (out == 127).all()
