"""PIL modes: guessing one from a shape, checking a requested one, and applying it ([mode.*]).

The shape rules live here and nowhere else: `inputs` uses them to validate layouts, and
`guess_mode` uses them to name the mode, so a shape is accepted exactly when it has a mode.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image as PILImage
from PIL import ImageMode
from wbimage_conformance.reference.arrays import is_tensor
from wbimage_conformance.reference.encoding import JPEG_TYPES, check_jpeg_alpha

SUPPORTED_MODES: tuple[str, ...] = ("L", "RGB", "RGBA")
ARRAY_SHAPES = "(H, W), (H, W, 1), (H, W, 3) or (H, W, 4)"
TENSOR_SHAPES = "(C, H, W) with C of 1, 3 or 4, or (H, W)"

_MODE_BY_CHANNELS = {1: "L", 3: "RGB", 4: "RGBA"}


def _shape_error(kind: str, shape: tuple[int, ...], accepted: str, argument: str) -> ValueError:
    return ValueError(
        f"{argument}: {kind} shape {shape} is not an image shape; accepted {kind} shapes "
        f"are {accepted}"
    )


def channels_last_mode(shape: tuple[int, ...], argument: str = "data_or_path") -> str:
    """Mode of an array shape (channels last), or ValueError naming `argument` and the shape."""
    shape = tuple(int(n) for n in shape)
    if len(shape) == 2:
        return "L"
    if len(shape) == 3 and shape[2] in _MODE_BY_CHANNELS:
        return _MODE_BY_CHANNELS[shape[2]]
    raise _shape_error("array", shape, ARRAY_SHAPES, argument)


def channels_first_mode(shape: tuple[int, ...], argument: str = "data_or_path") -> str:
    """Mode of a tensor shape (channels first), or ValueError naming `argument` and the shape."""
    shape = tuple(int(n) for n in shape)
    if len(shape) == 2:
        return "L"
    if len(shape) == 3 and shape[0] in _MODE_BY_CHANNELS:
        return _MODE_BY_CHANNELS[shape[0]]
    raise _shape_error("tensor", shape, TENSOR_SHAPES, argument)


def guess_mode(data: Any, file_type: str | None = None) -> str:
    """The mode an array or tensor represents, from its shape alone ([mode.guess]).

    With a JPEG file type, four channels give "RGB": the alpha channel is dropped because
    JPEG cannot store it ([mode.jpeg-alpha]).
    """
    if is_tensor(data):
        mode = channels_first_mode(tuple(data.shape), "data")
    elif isinstance(data, np.ndarray):
        mode = channels_last_mode(data.shape, "data")
    else:
        raise TypeError(
            f"data: guess_mode expects a numpy.ndarray or a torch.Tensor, got "
            f"{type(data).__module__}.{type(data).__qualname__}"
        )
    if mode == "RGBA" and isinstance(file_type, str) and file_type in JPEG_TYPES:
        return "RGB"
    return mode


def check_mode(mode: Any, file_type: str) -> None:
    """Accept None, "L", "RGB" or "RGBA" (with JPEG, not "RGBA") ([mode.explicit]).

    Other genuine PIL modes are refused too: the spec leaves them implementation-defined,
    and refusing keeps every accepted output to the three modes the docs name.
    """
    if mode is None:
        return
    if not isinstance(mode, str):
        raise TypeError(
            f"mode: expected a str ('L', 'RGB' or 'RGBA') or None, got "
            f"{type(mode).__qualname__} {mode!r}"
        )
    if mode not in SUPPORTED_MODES:
        try:
            ImageMode.getmode(mode)
            kind = "is a PIL mode this implementation does not produce"
        except KeyError:
            kind = "is not a PIL mode"
        raise ValueError(f"mode: {mode!r} {kind}; accepted modes are 'L', 'RGB', 'RGBA' or None")
    check_jpeg_alpha(mode, file_type)


def pixels_to_pil(pixels: np.ndarray, mode: str) -> PILImage.Image:
    """A PIL image of `mode` from uint8 pixels (H, W) or (H, W, C), by PIL's own conversion.

    The pixels first become the image their channel count names (L, RGB, RGBA); a different
    `mode` is then reached with `convert`, which is the conversion the spec describes.
    """
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[:, :, 0]
    image = PILImage.fromarray(np.ascontiguousarray(pixels))
    return image if image.mode == mode else image.convert(mode)
