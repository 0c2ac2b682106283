"""The model of make_grid that the release rules check tensor pixels against: torchvision's
documented layout (1 channel repeated into 3, a batch tiled with 2 pixels of padding) and
torch's arithmetic. Every expected value is worked out by hand in the test's comment."""

from __future__ import annotations

import numpy as np

from wbimage_conformance.triage import make_grid


def test_three_channels_are_rescaled_together_from_the_global_minimum_and_maximum():
    # min 2, max 6: (x - 2) / 4 = 0, 0.5, 1; x255 = 0, 127.5, 255; truncated
    pixels = make_grid.pixels(np.array([[[2.0]], [[4.0]], [[6.0]]], dtype=np.float32), "float32")
    assert pixels.tolist() == [[[0, 127, 255]]]


def test_a_two_dimensional_tensor_is_repeated_into_three_channels():
    pixels = make_grid.pixels(np.array([[0.0, 0.5, 1.0]], dtype=np.float32), "float32")
    assert pixels.shape == (1, 3, 3)
    assert pixels.tolist() == [[[0, 0, 0], [127, 127, 127], [255, 255, 255]]]


def test_a_batch_is_tiled_with_two_pixels_of_black_padding():
    # two 1x1 one-channel images, 0 and 1: one row of two cells of 3 pixels, plus 2 of padding
    pixels = make_grid.pixels(np.array([[[[0.0]]], [[[1.0]]]], dtype=np.float32), "float32")
    assert pixels.shape == (5, 8, 3)
    expected = np.zeros((5, 8, 3), dtype=np.uint8)
    expected[2, 5, :] = 255
    assert np.array_equal(pixels, expected)


def test_a_constant_tensor_is_divided_by_the_smallest_span_and_comes_out_black():
    pixels = make_grid.pixels(np.full((3, 1, 2), 7.0, dtype=np.float64), "float64")
    assert pixels.tolist() == [[[0, 0, 0], [0, 0, 0]]]


def test_one_nan_makes_the_whole_image_black():
    pixels = make_grid.pixels(np.array([[np.nan, 1.0, 3.0]], dtype=np.float32), "float32")
    assert not pixels.any()


def test_bfloat16_values_are_rounded_to_bfloat16_first():
    # bfloat16 keeps 8 significant bits: between 256 and 512 its step is 2, so 257 is a tie
    # that goes to the even 256; the data is then 256, 256, 258: (0, 0, 1) x255. In float32
    # it is 256, 257, 258: (0, 0.5, 1) x255 = 0, 127.5, 255, truncated.
    data = np.array([[256.0, 257.0, 258.0]], dtype=np.float32)
    assert make_grid.pixels(data, "bfloat16")[0, :, 0].tolist() == [0, 0, 255]
    assert make_grid.pixels(data, "float32")[0, :, 0].tolist() == [0, 127, 255]


def test_integer_dtypes_and_shapes_make_grid_refuses_have_no_pixels():
    assert make_grid.pixels(np.array([[1, 2]], dtype=np.int16), "int16") is None
    assert make_grid.pixels(np.array([1.0, 2.0]), "float64") is None
    assert make_grid.pixels(np.zeros((0, 2)), "float64") is None
