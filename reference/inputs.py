"""What kind of thing `data_or_path` is, and how each kind becomes pixels to work on ([input.*]).

Arrays and tensors become a validated NumPy array in (H, W) or (H, W, C) layout; PIL images
and files become a PIL image taken as it is. Every path through here checks the size limit
and only reads the caller's object.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from PIL import Image as PILImage
from wbimage_conformance.reference.arrays import as_numeric_array, is_tensor
from wbimage_conformance.reference.limits import check_dimensions
from wbimage_conformance.reference.modes import ARRAY_SHAPES, TENSOR_SHAPES, channels_first_mode, channels_last_mode

Kind = Literal["array", "tensor", "pil", "path"]

ACCEPTED_KINDS = (
    "a numpy.ndarray, a torch.Tensor, a PIL.Image.Image, a file path (str or "
    "pathlib.Path) or another Image"
)


def kind_of(data: Any) -> Kind:
    """Which input kind `data` is ([input.dispatch]); TypeError for anything else."""
    if is_tensor(data):
        return "tensor"
    if isinstance(data, np.ndarray):
        return "array"
    if isinstance(data, PILImage.Image):
        return "pil"
    if isinstance(data, str) or (isinstance(data, os.PathLike) and isinstance(os.fspath(data), str)):
        return "path"
    raise TypeError(
        f"data_or_path: unsupported type {type(data).__module__}.{type(data).__qualname__}; "
        f"expected {ACCEPTED_KINDS}"
    )


def _check_not_empty(kind: str, shape: tuple[int, ...], accepted: str) -> None:
    if 0 in shape:
        raise ValueError(
            f"data_or_path: the image is empty ({kind} shape {shape} has no elements); "
            f"accepted {kind} shapes are {accepted} with every dimension at least 1"
        )


def image_array(data: Any) -> np.ndarray:
    """The array's or tensor's values as an (H, W) or (H, W, C) array, validated.

    Order of checks: dtype (TypeError), emptiness, shape, size limit (ValueError). A tensor
    is (C, H, W) and is permuted to (H, W, C) ([input.tensor.layout]); no axis is squeezed
    ([input.array.layout]). The result may be a view of the caller's data; it is only read.
    """
    array = as_numeric_array(data)
    if is_tensor(data):
        shape = tuple(array.shape)
        _check_not_empty("tensor", shape, TENSOR_SHAPES)
        channels_first_mode(shape)
        if array.ndim == 3:
            array = array.transpose(1, 2, 0)
    else:
        shape = tuple(array.shape)
        _check_not_empty("array", shape, ARRAY_SHAPES)
        channels_last_mode(shape)
    height, width = array.shape[:2]
    check_dimensions(width, height)
    return array


def pil_copy(image: PILImage.Image) -> PILImage.Image:
    """A private copy of a caller's PIL image, same mode and pixels ([input.pil]).

    Copying means the caller can keep editing their image without changing this one, and
    encoding never touches the caller's object.
    """
    check_dimensions(*image.size)
    try:
        return image.copy()
    except (OSError, ValueError) as error:
        raise ValueError(f"data_or_path: cannot read the PIL image's pixels ({error})") from None


@dataclass(frozen=True)
class LoadedFile:
    """An image file read completely: the decoded image, its bytes and its extension."""

    image: PILImage.Image
    raw: bytes
    extension: str


def load_path(path: str | os.PathLike[str], argument: str = "data_or_path") -> LoadedFile:
    """Read and decode an image file fully, leaving no file handle open ([input.path]).

    The whole file is read into memory first and decoded from there, so nothing stays
    open and the decoded image does not depend on the file afterwards. The format is the
    extension as written (after the last dot of the file name; empty when there is none).
    Errors name `argument`, the parameter the path came in (a mask's path names its own).
    """
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        raise ValueError(
            f"{argument}: cannot read image file {name!r} ({error.strerror or error}); "
            f"a path must name an existing, readable image file"
        ) from None
    undecodable = (OSError, ValueError, SyntaxError, EOFError, PILImage.DecompressionBombError)
    try:
        image = PILImage.open(io.BytesIO(raw))
    except undecodable as error:
        raise _undecodable(name, error, argument) from None
    check_dimensions(*image.size, what=f"image file {name!r}:", argument=argument)
    try:
        image.load()
    except undecodable as error:
        raise _undecodable(name, error, argument) from None
    return LoadedFile(image=image, raw=raw, extension=os.path.splitext(name)[1][1:])


def _undecodable(name: str, error: BaseException, argument: str) -> ValueError:
    return ValueError(
        f"{argument}: file {name!r} does not decode as an image ({error}); a path must "
        f"name an image file PIL can read"
    )
