"""File types: which ones exist, and turning a PIL image into the bytes of one ([file-type.*]).

Encoding happens in memory, once, when the Image is built, so that an image a format cannot
hold fails at construction with a ValueError and not later, inside the encoder, while logging.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image as PILImage

FILE_TYPES: tuple[str, ...] = ("png", "jpg", "jpeg", "bmp")
JPEG_TYPES: tuple[str, ...] = ("jpg", "jpeg")
DEFAULT_FILE_TYPE = "png"

_PIL_FORMAT = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "bmp": "BMP"}
_ALPHA_MODES = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})


def check_file_type(file_type: Any) -> str:
    """The format string for `file_type`: "png" for None, else the value itself.

    Only the exact lower-case spellings are accepted ([file-type.accepted]).
    """
    if file_type is None:
        return DEFAULT_FILE_TYPE
    if isinstance(file_type, str) and file_type in FILE_TYPES:
        return str(file_type)
    raise ValueError(
        f"file_type: {file_type!r} is not supported; accepted values are "
        f"{', '.join(repr(t) for t in FILE_TYPES)} (lower case, no dot), or None for 'png'"
    )


def check_jpeg_alpha(mode: str, file_type: str) -> None:
    """[mode.jpeg-alpha]: JPEG has no alpha channel, so an alpha mode cannot be a JPEG."""
    if file_type in JPEG_TYPES and mode in _ALPHA_MODES:
        raise ValueError(
            f"mode {mode!r} has an alpha channel, which file_type {file_type!r} cannot store; "
            f"use mode 'RGB' or 'L', or file_type 'png'"
        )


def encode(image: PILImage.Image, file_type: str) -> bytes:
    """The bytes of `image` written as `file_type` (one of FILE_TYPES)."""
    check_jpeg_alpha(image.mode, file_type)
    buffer = io.BytesIO()
    try:
        image.save(buffer, format=_PIL_FORMAT[file_type])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(
            f"cannot encode an image of mode {image.mode!r} as file_type {file_type!r} "
            f"({error}); convert the image to 'L', 'RGB' or 'RGBA' first"
        ) from None
    return buffer.getvalue()

