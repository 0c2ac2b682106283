"""Input kinds, layouts, dtypes and limits: [input.*], [limits.max-dimension]."""

from __future__ import annotations

import io
import os
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image as PILImage

from wbimage_conformance.reference import Image

# -- [input.array.layout] ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "mode", "size"),
    [
        ((2, 3), "L", (3, 2)),
        ((2, 3, 1), "L", (3, 2)),
        ((2, 3, 3), "RGB", (3, 2)),
        ((2, 3, 4), "RGBA", (3, 2)),
        ((1, 1), "L", (1, 1)),
        ((1, 5), "L", (5, 1)),        # a one-row image, not squeezed to 1-D
        ((5, 1), "L", (1, 5)),        # a one-column image
        ((1, 4, 3), "RGB", (4, 1)),   # (1, A, B): one row, A wide, B channels
        ((1, 4, 1), "L", (4, 1)),
    ],
)
def test_accepted_array_shapes(shape: tuple, mode: str, size: tuple) -> None:
    img = Image(np.zeros(shape, np.uint8))
    assert img.image.mode == mode and img.image.size == size


def test_single_channel_pixels_are_the_channel() -> None:
    data = np.array([[[10], [20]]], np.uint8)
    assert np.asarray(Image(data).image).tolist() == [[10, 20]]


@pytest.mark.parametrize(
    "shape", [(), (5,), (2, 2, 2), (2, 2, 5), (1, 4, 2), (1, 2, 2, 3), (2, 2, 3, 1)]
)
def test_other_array_shapes_raise_value_error_naming_the_shape(shape: tuple) -> None:
    with pytest.raises(ValueError, match=re.escape(str(shape)) + ".*accepted array shapes"):
        Image(np.zeros(shape, np.uint8))


# -- [input.empty] -------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 0, 3), (2, 2, 0), (0,)])
def test_empty_arrays_raise_value_error_naming_the_shape(shape: tuple) -> None:
    with pytest.raises(ValueError, match="empty.*" + re.escape(str(shape))):
        Image(np.zeros(shape, np.float32))


# -- [input.array.dtype] -------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        np.zeros((2, 2), np.complex64),
        np.zeros((2, 2), np.complex128),
        np.zeros((2, 2), object),
        np.full((2, 2), "a"),
        np.full((2, 2), b"a"),
        np.zeros((2, 2), "datetime64[s]"),
        np.zeros((2, 2), "timedelta64[s]"),
    ],
    ids=lambda a: str(a.dtype),
)
def test_non_real_dtypes_raise_type_error_naming_the_dtype(data: np.ndarray) -> None:
    with pytest.raises(TypeError, match=re.escape(str(data.dtype)) + ".*accepted dtypes"):
        Image(data)


@pytest.mark.parametrize("dtype", ["bool", "int8", "int16", "int32", "int64", "uint8",
                                   "uint16", "uint32", "uint64", "float16", "float32",
                                   "float64", ">f4", ">i8"])
def test_every_real_dtype_is_accepted(dtype: str) -> None:
    assert Image(np.ones((2, 2), dtype)).image.size == (2, 2)


@pytest.mark.skipif(np.dtype(np.longdouble).itemsize <= 8, reason="longdouble is float64 here")
def test_longdouble_raises_type_error_because_its_arithmetic_is_not_portable() -> None:
    with pytest.raises(TypeError, match="longdouble.*float64"):
        Image(np.zeros((2, 2), np.longdouble))


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_array_subclasses_are_read_as_plain_arrays() -> None:
    matrix = np.asmatrix([[0.0, 1.0]])
    assert np.asarray(Image(matrix).image).tolist() == [[0, 255]]


# -- [input.unsupported] -------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [[[0, 1]], 3, 2.5, None, b"\x89PNG", io.BytesIO(b"abc"), {"a": 1}, np.float64(0.5)],
    ids=lambda d: type(d).__name__,
)
def test_unsupported_types_raise_type_error_naming_the_type(data: object) -> None:
    with pytest.raises(TypeError, match=type(data).__qualname__ + ".*numpy.ndarray"):
        Image(data)


# -- [input.immutable] ---------------------------------------------------------------------


def _variants() -> list[tuple[str, np.ndarray]]:
    base = np.linspace(-0.9, 0.9, 24).reshape(2, 4, 3)
    readonly = base.copy()
    readonly.flags.writeable = False
    return [
        ("c-order", base.copy()),
        ("fortran", np.asfortranarray(base)),
        ("reversed", base[::-1, ::-1]),
        ("strided", np.linspace(0, 1, 48).reshape(4, 4, 3)[::2]),
        ("readonly", readonly),
        ("nan-float32", np.array([[np.nan, 3.0]], np.float32)),
        ("int8-mask", np.array([[0, 1]], np.int8)),
    ]


@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize(("name", "data"), _variants(), ids=[n for n, _ in _variants()])
def test_input_array_is_not_modified(name: str, data: np.ndarray, normalize: bool) -> None:
    before = data.copy()
    flags, strides = _flags(data), data.strides
    Image(data, normalize=normalize)
    assert data.dtype == before.dtype and data.shape == before.shape
    np.testing.assert_array_equal(data, before)
    assert _flags(data) == flags and data.strides == strides


def _flags(data: np.ndarray) -> dict[str, bool]:
    names = ("c_contiguous", "f_contiguous", "owndata", "writeable", "aligned")
    return {name: bool(getattr(data.flags, name)) for name in names}


def test_memory_layout_does_not_change_the_pixels() -> None:
    base = np.linspace(-0.9, 0.9, 24).reshape(2, 4, 3)
    expected = np.asarray(Image(np.ascontiguousarray(base)).image)
    for variant in (np.asfortranarray(base), base[::-1][::-1], base[::-1, ::-1][::-1, ::-1]):
        np.testing.assert_array_equal(np.asarray(Image(variant).image), expected)


def test_reversed_view_gives_the_reversed_pixels() -> None:
    base = np.array([[0, 10, 20]], np.uint8)
    assert np.asarray(Image(base[:, ::-1]).image).tolist() == [[20, 10, 0]]


# -- [input.pil] ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA", "1", "P", "LA", "I;16"])
def test_pil_image_is_used_as_it_is(mode: str) -> None:
    rng = np.random.default_rng(7)
    source = PILImage.fromarray(rng.integers(0, 256, (3, 4, 3), dtype=np.uint8)).convert(mode)
    img = Image(source)
    assert img.image.mode == mode and img.image.size == (4, 3)
    assert np.asarray(img.image).tolist() == np.asarray(source).tolist()


def test_pil_image_ignores_mode_and_normalize() -> None:
    source = PILImage.fromarray(np.array([[0, 1, 2]], np.uint8))  # would scale if normalized
    img = Image(source, mode="RGB", normalize=False)
    assert img.image.mode == "L" and np.asarray(img.image).tolist() == [[0, 1, 2]]


def test_pil_image_uses_file_type() -> None:
    source = PILImage.new("RGB", (2, 2), (10, 20, 30))
    img = Image(source, file_type="bmp")
    assert img.format == "bmp" and img.encoded.startswith(b"BM")


def test_pil_image_is_copied_so_later_edits_do_not_leak_in() -> None:
    source = PILImage.new("L", (2, 1), 5)
    img = Image(source)
    source.putpixel((0, 0), 200)
    assert np.asarray(img.image).tolist() == [[5, 5]]


# -- [input.path] --------------------------------------------------------------------------


def _write(path: pathlib.Path, data: np.ndarray, fmt: str) -> pathlib.Path:
    PILImage.fromarray(data).save(path, format=fmt)
    return path


@pytest.mark.parametrize("as_pathlib", [False, True])
def test_path_is_loaded_as_it_is(tmp_path: pathlib.Path, as_pathlib: bool) -> None:
    data = np.array([[0, 1], [2, 255]], np.uint8)  # a [0, 1]-looking corner stays 0, 1
    path = _write(tmp_path / "gray.png", data, "PNG")
    img = Image(path if as_pathlib else str(path))
    assert img.image.mode == "L" and np.asarray(img.image).tolist() == [[0, 1], [2, 255]]
    assert img.format == "png"
    assert img.encoded == path.read_bytes()


def test_path_keeps_the_file_mode(tmp_path: pathlib.Path) -> None:
    data = np.zeros((2, 2, 4), np.uint8)
    path = _write(tmp_path / "clear.png", data, "PNG")
    assert Image(str(path)).image.mode == "RGBA"


@pytest.mark.parametrize(("name", "fmt"), [("A.PNG", "PNG"), ("b.jpeg", "JPEG"),
                                           ("c.JpG", "JPEG"), ("d.bmp", "BMP"),
                                           ("dotted.name.png", "PNG")])
def test_path_format_is_the_extension_as_written(tmp_path: pathlib.Path, name: str,
                                                 fmt: str) -> None:
    path = _write(tmp_path / name, np.zeros((2, 2, 3), np.uint8), fmt)
    assert Image(str(path)).format == name.rsplit(".", 1)[1]


def test_path_ignores_mode_file_type_and_normalize(tmp_path: pathlib.Path) -> None:
    path = _write(tmp_path / "rgb.png", np.full((1, 2, 3), 1, np.uint8), "PNG")
    img = Image(str(path), mode="L", file_type="gif", normalize=False)
    assert img.image.mode == "RGB" and img.format == "png"
    assert np.asarray(img.image).tolist() == [[[1, 1, 1], [1, 1, 1]]]


def test_missing_path_raises_value_error_naming_the_path(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "nowhere.png"
    with pytest.raises(ValueError, match=re.escape(str(missing))):
        Image(str(missing))


def test_undecodable_file_raises_value_error_naming_the_path(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "text.png"
    path.write_text("this is not an image")
    with pytest.raises(ValueError, match=re.escape(str(path)) + ".*does not decode"):
        Image(path)


def test_truncated_file_raises_value_error(tmp_path: pathlib.Path) -> None:
    path = _write(tmp_path / "cut.png", np.zeros((40, 40, 3), np.uint8), "PNG")
    path.write_bytes(path.read_bytes()[:60])
    with pytest.raises(ValueError, match=re.escape(str(path))):
        Image(str(path))


def test_directory_path_raises_value_error(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ValueError, match=re.escape(str(tmp_path))):
        Image(str(tmp_path))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd")
def test_path_is_read_fully_and_no_file_handle_stays_open(tmp_path: pathlib.Path) -> None:
    path = _write(tmp_path / "closed.png", np.zeros((3, 3), np.uint8), "PNG")
    img = Image(str(path))
    open_files = {os.path.realpath(os.path.join("/proc/self/fd", fd))
                  for fd in os.listdir("/proc/self/fd")
                  if os.path.exists(os.path.join("/proc/self/fd", fd))}
    assert str(path.resolve()) not in open_files
    path.unlink()
    assert np.asarray(img.image).shape == (3, 3)  # still usable without the file


# -- [input.image] -------------------------------------------------------------------------


def test_image_copy_keeps_pixels_mode_size_format_and_metadata() -> None:
    original = Image(np.array([[0.0, 0.5]]), caption="a", grouping=4, file_type="bmp")
    copy = Image(original)
    assert np.asarray(copy.image).tolist() == [[0, 127]]
    assert copy.image.mode == "L" and copy.image.size == (2, 1) and copy.format == "bmp"
    assert copy.caption == "a" and copy.grouping == 4 and copy.encoded == original.encoded
    assert copy.image is not original.image


def test_image_copy_takes_new_caption_and_grouping() -> None:
    copy = Image(Image(np.zeros((1, 1)), caption="a", grouping=1), caption="b", grouping=2)
    assert copy.caption == "b" and copy._caption == "b" and copy.grouping == 2


def test_image_copy_does_not_reprocess_pixels() -> None:
    original = Image(np.zeros((1, 2, 3), np.uint8))
    copy = Image(original, mode="L", file_type="jpg", normalize=False)
    assert copy.image.mode == "RGB" and copy.format == "png"


# -- [limits.max-dimension] ----------------------------------------------------------------


@pytest.mark.parametrize("shape", [(1, 65501), (65501, 1)])
def test_array_beyond_max_dimension_raises(shape: tuple) -> None:
    with pytest.raises(ValueError, match="65501.*MAX_DIMENSION.*65500"):
        Image(np.zeros(shape, np.uint8))


def test_array_at_max_dimension_is_accepted() -> None:
    assert Image(np.zeros((1, 65500), np.uint8)).image.size == (65500, 1)


def test_pil_beyond_max_dimension_raises() -> None:
    with pytest.raises(ValueError, match="width 65501.*MAX_DIMENSION"):
        Image(PILImage.new("1", (65501, 1)))


def test_path_beyond_max_dimension_raises(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "tall.png"
    PILImage.new("L", (1, 65501)).save(path)
    with pytest.raises(ValueError, match="height 65501.*MAX_DIMENSION.*tall.png|tall.png.*height 65501"):
        Image(str(path))


def test_torch_is_not_imported_by_reference() -> None:
    code = "import sys, reference, numpy as np; reference.Image(np.zeros((2, 2))); " \
           "print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_reference_works_when_torch_cannot_be_imported() -> None:
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "import numpy as np, reference\n"
        "assert np.asarray(reference.Image(np.array([[0.0, 1.0]])).image).tolist() == [[0, 255]]\n"
        "assert reference.Image.guess_mode(np.zeros((2, 2, 3))) == 'RGB'\n"
        "assert reference.to_uint8(np.array([2.0])).tolist() == [2]\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
