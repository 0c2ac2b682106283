"""From normalized values to an image: layout, modes, file types and size ([input.*.layout],
[mode.*], [file-type.*], [limits.dimension])."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wbimage_conformance.oracle.errors import SpecTypeError, SpecValueError
from wbimage_conformance.oracle.normalize import format_of, to_uint8

ACCEPTED_FILE_TYPES = ("png", "jpg", "jpeg", "bmp")
JPEG_FILE_TYPES = ("jpg", "jpeg")
ACCEPTED_MODES = ("L", "RGB", "RGBA")
MAX_DIMENSION = 65500
ENCODED_FORMAT = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg", "bmp": "bmp"}


# ---------------------------------------------------------------------------------------------
# Layout and modes ([input.array.layout], [input.tensor.layout], [mode.*])


def guess_mode(shape: Sequence[int], kind: str = "numpy", file_type: str | None = None,
               argument: str = "data_or_path") -> str:
    """[mode.guess]: the mode from the shape alone; arrays are channels-last, tensors first.
    Errors name `argument`, the parameter the data came in (§0 "Error messages")."""
    shape = tuple(shape)
    if len(shape) == 2:
        mode = "L"
    elif len(shape) == 3:
        channels = shape[2] if kind == "numpy" else shape[0]
        modes = {1: "L", 3: "RGB", 4: "RGBA"}
        if channels not in modes:
            raise SpecValueError(f"{argument}: {kind} of shape {shape}: channel count {channels} is not 1, 3 or 4")
        mode = modes[channels]
    else:
        raise SpecValueError(f"{argument}: {kind} of shape {shape}: not 2-D or 3-D")
    if mode == "RGBA" and file_type in JPEG_FILE_TYPES:
        return "RGB"
    return mode


def to_pixel_layout(values: np.ndarray, kind: str) -> np.ndarray:
    """The (H, W) or (H, W, C) pixel array: tensors are permuted (1, 2, 0), one channel is
    dropped to (H, W) as numpy.asarray gives an L image."""
    if kind == "tensor" and values.ndim == 3:
        values = np.transpose(values, (1, 2, 0))
    if values.ndim == 3 and values.shape[2] == 1:
        values = values[:, :, 0]
    return np.ascontiguousarray(values)


def luma(rgb: np.ndarray) -> np.ndarray:
    """ITU-R 601-2 luma in 16-bit fixed point, [mode.explicit]: exact integer arithmetic."""
    wide = rgb.astype(np.int64)
    value = (19595 * wide[..., 0] + 38470 * wide[..., 1] + 7471 * wide[..., 2] + 32768) >> 16
    return value.astype(np.uint8)


def convert(pixels: np.ndarray, source: str, target: str) -> np.ndarray:
    """[mode.explicit] between L, RGB and RGBA."""
    if source == target:
        return pixels
    if target == "L":
        return luma(pixels)
    channels = [pixels, pixels, pixels] if source == "L" else [pixels[..., i] for i in range(3)]
    if target == "RGBA":
        channels.append(np.full(pixels.shape[:2], 255, dtype=np.uint8))
    return np.ascontiguousarray(np.stack(channels, axis=-1).astype(np.uint8))


@dataclass(frozen=True)
class Picture:
    """What an Image call yields: pixels, mode, size (width, height), format, encoded format."""

    pixels: np.ndarray
    mode: str
    size: tuple[int, int]
    format: str
    encoded: str


def check_file_type(file_type: object) -> str:
    """[file-type.default] and [file-type.accepted]."""
    if file_type is None:
        return "png"
    if not isinstance(file_type, str) or file_type not in ACCEPTED_FILE_TYPES:
        raise SpecValueError(f"file_type: {file_type!r} is not one of {ACCEPTED_FILE_TYPES}")
    return file_type


def check_size(width: int, height: int) -> None:
    """[limits.max-dimension]."""
    if width > MAX_DIMENSION or height > MAX_DIMENSION:
        raise SpecValueError(f"data_or_path: image {width}x{height} exceeds MAX_DIMENSION {MAX_DIMENSION}")


def finish(pixels: np.ndarray, guessed: str, mode: object, file_type: object) -> Picture:
    """Explicit mode, the JPEG alpha rule, file type and size checks on already-normalized pixels."""
    fmt = check_file_type(file_type)
    if mode is not None and not isinstance(mode, str):
        raise SpecTypeError(f"mode: {type(mode).__name__} {mode!r} is not a str")  # [mode.explicit:not-a-str]
    if mode is not None and mode not in ACCEPTED_MODES:
        raise SpecValueError(f"mode: {mode!r} is not one of {ACCEPTED_MODES}")
    target = mode if mode is not None else guessed
    if target == "RGBA" and fmt in JPEG_FILE_TYPES:
        if mode is not None:
            raise SpecValueError(f"mode 'RGBA' cannot be saved as {fmt}")
        target = "RGB"  # [mode.jpeg-alpha]: alpha dropped
    height, width = pixels.shape[:2]
    check_size(width, height)
    result = convert(pixels, guessed, target)
    return Picture(result, target, (width, height), fmt, ENCODED_FORMAT[fmt])


def image(
    data: np.ndarray,
    kind: str = "numpy",
    mode: object = None,
    file_type: object = None,
    normalize: object = True,
) -> Picture:
    """Image(data, mode=, file_type=, normalize=) for an array or a tensor.

    For kind 'tensor', `data` holds the tensor's values in its own (C, H, W) or (H, W) layout
    (bfloat16 already widened to float32, [input.tensor.dtype])."""
    if not isinstance(normalize, (bool, np.bool_)):
        raise SpecTypeError(f"normalize: must be a bool, not {type(normalize).__name__} {normalize!r}")
    try:
        format_of(data.dtype)
    except SpecTypeError as exc:
        raise SpecTypeError(f"data_or_path: {exc}") from None
    if data.size == 0:
        raise SpecValueError(f"data_or_path: the image is empty: shape {data.shape}")
    guessed = guess_mode(data.shape, kind)
    pixels = to_pixel_layout(to_uint8(data, normalize=bool(normalize)), kind)
    return finish(pixels, guessed, mode, file_type)
