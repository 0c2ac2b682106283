"""Modes and file types: [mode.*], [file-type.*]."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image as PILImage

from wbimage_conformance.reference import Image, guess_mode

FILE_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"BM", "bmp"))


def sniff_format(data: bytes) -> str | None:
    """The format of encoded bytes by their signature, read independently of PIL."""
    return next((name for signature, name in FILE_SIGNATURES if data.startswith(signature)), None)


RED_GREEN_BLUE_MIX = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [100, 150, 200]]],
                              np.uint8)

# -- [mode.guess] --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "mode"),
    [((4, 5), "L"), ((4, 5, 1), "L"), ((4, 5, 3), "RGB"), ((4, 5, 4), "RGBA"),
     ((1, 5), "L"), ((3, 5, 1), "L")],
)
def test_guess_mode_for_arrays_reads_the_last_axis(shape: tuple, mode: str) -> None:
    assert guess_mode(np.zeros(shape)) == mode


@pytest.mark.parametrize("file_type", ["jpg", "jpeg"])
def test_guess_mode_with_jpeg_turns_four_channels_into_rgb(file_type: str) -> None:
    assert guess_mode(np.zeros((2, 2, 4)), file_type) == "RGB"
    assert guess_mode(np.zeros((2, 2, 3)), file_type) == "RGB"
    assert guess_mode(np.zeros((2, 2)), file_type) == "L"


@pytest.mark.parametrize("file_type", [None, "png", "bmp"])
def test_guess_mode_keeps_rgba_for_other_file_types(file_type: str | None) -> None:
    assert guess_mode(np.zeros((2, 2, 4)), file_type) == "RGBA"


def test_guess_mode_ignores_values_and_dtype() -> None:
    assert guess_mode(np.full((2, 2, 3), np.nan)) == "RGB"
    assert guess_mode(np.zeros((2, 2, 3), np.complex64)) == "RGB"
    assert guess_mode(np.zeros((0, 2, 3))) == "RGB"


@pytest.mark.parametrize("shape", [(), (3,), (2, 2, 2), (2, 2, 5), (1, 2, 2, 3)])
def test_guess_mode_rejects_other_shapes_naming_them(shape: tuple) -> None:
    with pytest.raises(ValueError, match=r"shape \(" if shape else r"shape \(\)"):
        guess_mode(np.zeros(shape))


def test_guess_mode_rejects_non_arrays() -> None:
    with pytest.raises(TypeError, match="list"):
        guess_mode([[0, 1]])


# -- [mode.explicit] -----------------------------------------------------------------------


def _pixels(img: Image) -> list:
    return np.asarray(img.image).tolist()


def test_mode_none_uses_the_guessed_mode() -> None:
    assert Image(np.zeros((2, 2, 3), np.uint8), mode=None).image.mode == "RGB"


def test_gray_to_rgb_copies_the_gray_value() -> None:
    img = Image(np.array([[10, 200]], np.uint8), mode="RGB")
    assert img.image.mode == "RGB" and _pixels(img) == [[[10, 10, 10], [200, 200, 200]]]


def test_gray_and_rgb_to_rgba_add_opaque_alpha() -> None:
    assert _pixels(Image(np.array([[10]], np.uint8), mode="RGBA")) == [[[10, 10, 10, 255]]]
    rgb = np.array([[[1, 2, 3]]], np.uint8) * 50  # (50, 100, 150), max > 1 -> kept
    assert _pixels(Image(rgb, mode="RGBA")) == [[[50, 100, 150, 255]]]


def test_rgba_to_rgb_drops_alpha_without_blending() -> None:
    data = np.array([[[10, 20, 30, 0]]], np.uint8)
    assert _pixels(Image(data, mode="RGB")) == [[[10, 20, 30]]]


def test_rgb_to_gray_uses_itu_601_luma_in_fixed_point() -> None:
    # (19595 R + 38470 G + 7471 B + 32768) >> 16:
    # (255, 0, 0):     4996725 + 32768 = 5029493 >> 16 = 76
    # (0, 255, 0):     9809850 + 32768 = 9842618 >> 16 = 150
    # (0, 0, 255):     1905105 + 32768 = 1937873 >> 16 = 29
    # (100, 150, 200): 1959500 + 5770500 + 1494200 + 32768 = 9256968 >> 16 = 141
    img = Image(RED_GREEN_BLUE_MIX, mode="L")
    assert img.image.mode == "L" and _pixels(img) == [[76, 150, 29, 141]]


def test_rgba_to_gray_ignores_alpha() -> None:
    data = np.concatenate([RED_GREEN_BLUE_MIX, np.zeros((1, 4, 1), np.uint8)], axis=2)
    assert _pixels(Image(data, mode="L")) == [[76, 150, 29, 141]]


def test_normalization_happens_before_conversion() -> None:
    # [norm.unit] first: 1.0 -> 255, 0.0 -> 0; then L -> RGB copies.
    img = Image(np.array([[0.0, 1.0]]), mode="RGB")
    assert _pixels(img) == [[[0, 0, 0], [255, 255, 255]]]


@pytest.mark.parametrize("mode", ["XYZ", "rgb", "", "RGB "])
def test_strings_that_are_not_pil_modes_raise_value_error(mode: str) -> None:
    with pytest.raises(ValueError, match=f"mode: {mode!r} is not a PIL mode.*'L', 'RGB', 'RGBA'"):
        Image(np.zeros((2, 2)), mode=mode)


@pytest.mark.parametrize("mode", ["1", "P", "LA", "I", "F", "CMYK", "YCbCr"])
def test_other_pil_modes_are_refused_with_value_error(mode: str) -> None:
    # Implementation-defined in [mode.explicit]; this implementation refuses them.
    with pytest.raises(ValueError, match=f"mode: {mode!r} is a PIL mode"):
        Image(np.zeros((2, 2)), mode=mode)


@pytest.mark.parametrize("mode", [3, b"RGB", ["RGB"]])
def test_non_string_mode_raises_type_error(mode: object) -> None:
    with pytest.raises(TypeError, match="mode"):
        Image(np.zeros((2, 2)), mode=mode)


# -- [mode.jpeg-alpha] ---------------------------------------------------------------------


@pytest.mark.parametrize("file_type", ["jpg", "jpeg"])
def test_four_channels_with_jpeg_become_rgb(file_type: str) -> None:
    data = np.array([[[10, 20, 30, 0]]], np.uint8)
    img = Image(data, file_type=file_type)
    assert img.image.mode == "RGB" and _pixels(img) == [[[10, 20, 30]]]


@pytest.mark.parametrize("file_type", ["jpg", "jpeg"])
def test_explicit_rgba_with_jpeg_raises_value_error(file_type: str) -> None:
    with pytest.raises(ValueError, match=f"'RGBA'.*'{file_type}'"):
        Image(np.zeros((2, 2, 4), np.uint8), mode="RGBA", file_type=file_type)


@pytest.mark.parametrize("file_type", ["jpg", "jpeg"])
def test_rgba_pil_image_with_jpeg_raises_value_error(file_type: str) -> None:
    with pytest.raises(ValueError, match=f"'RGBA'.*'{file_type}'"):
        Image(PILImage.new("RGBA", (2, 2)), file_type=file_type)


# -- [file-type.*] -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file_type", "signature"),
    [(None, "png"), ("png", "png"), ("jpg", "jpeg"), ("jpeg", "jpeg"), ("bmp", "bmp")],
)
def test_each_file_type_is_encoded_in_its_format(file_type: str | None, signature: str) -> None:
    data = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) * 10
    img = Image(data, file_type=file_type)
    assert img.format == (file_type or "png")
    assert sniff_format(img.encoded) == signature
    decoded = PILImage.open(io.BytesIO(img.encoded))
    assert decoded.size == (3, 2) and decoded.format == signature.upper()


@pytest.mark.parametrize(("file_type", "channels"), [("png", 4), ("png", 3), ("png", 1),
                                                     ("bmp", 3), ("bmp", 1)])
def test_lossless_encodings_hold_the_pixels(file_type: str, channels: int) -> None:
    # (PIL reads a 32-bit BMP back as RGB, so RGBA-in-BMP is not checked by decoding.)
    data = np.arange(2 * 3 * channels, dtype=np.uint8).reshape(2, 3, channels) * 10
    img = Image(data, file_type=file_type)
    decoded = np.asarray(PILImage.open(io.BytesIO(img.encoded)))
    np.testing.assert_array_equal(decoded, np.asarray(img.image))


def test_jpeg_loss_does_not_show_in_image() -> None:
    rng = np.random.default_rng(3)
    data = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    img = Image(data, file_type="jpg")
    np.testing.assert_array_equal(np.asarray(img.image), data)


@pytest.mark.parametrize("file_type", ["JPG", "PNG", ".png", "gif", "tiff", "webp", "", 3,
                                       b"png"])
def test_other_file_types_raise_value_error_naming_value_and_accepted(file_type: object) -> None:
    with pytest.raises(ValueError, match=f"file_type: {re_repr(file_type)} .*'png', 'jpg', "
                                         f"'jpeg', 'bmp'"):
        Image(np.zeros((2, 2)), file_type=file_type)


def re_repr(value: object) -> str:
    return re.escape(repr(value))


@pytest.mark.parametrize(("mode", "file_type"), [("F", "png"), ("I", "png"), ("CMYK", "png"),
                                                 ("LA", "jpg"), ("P", "jpeg"), ("LA", "bmp")])
def test_pil_modes_a_format_cannot_hold_raise_value_error(mode: str, file_type: str) -> None:
    with pytest.raises(ValueError, match=f"'{mode}'.*'{file_type}'"):
        Image(PILImage.new(mode, (2, 2)), file_type=file_type)
