"""The two documented class constants and the one check that uses them.

The docs give `MAX_DIMENSION` and `MAX_ITEMS` as bare numbers ([limits.constants]). The spec
makes `MAX_DIMENSION` an enforced limit ([limits.max-dimension]) so that an oversized image
fails here, with a message that names the limit, and not later inside an encoder.
"""

from __future__ import annotations

MAX_DIMENSION: int = 65500
"""Largest accepted width or height, in pixels (inclusive)."""

MAX_ITEMS: int = 108
"""Largest number of images one logged sequence is meant to hold; informative only."""


def check_dimensions(width: int, height: int, what: str = "image", argument: str = "data_or_path") -> None:
    """Raise ValueError when `width` or `height` exceeds MAX_DIMENSION ([limits.max-dimension])."""
    for name, value in (("width", width), ("height", height)):
        if value > MAX_DIMENSION:
            raise ValueError(
                f"{argument}: {what} {name} {value} exceeds Image.MAX_DIMENSION "
                f"({MAX_DIMENSION}); width and height must each be at most {MAX_DIMENSION} "
                f"pixels (image size is {width}x{height})"
            )
