"""Small PNG pictures of a sample's pixels before and after, and of where they differ, for the
HTML report: every report shows what a change looks like, not only its numbers."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

#: The longest side of a thumbnail; smaller images are enlarged (nearest) to at least MIN_SIDE.
MAX_SIDE, MIN_SIDE = 128, 64


@dataclass(frozen=True)
class Thumbnails:
    """PNG bytes: before, after, and the difference (None when the shapes differ or a side raised)."""

    before: bytes | None
    after: bytes | None
    difference: bytes | None


def picture(pixels: np.ndarray | None) -> bytes | None:
    """A PNG of `pixels` (L, LA, RGB or RGBA uint8) scaled to fit MAX_SIDE."""
    if pixels is None or pixels.size == 0:
        return None
    from PIL import Image as PILImage

    try:
        image = PILImage.fromarray(np.ascontiguousarray(pixels))
    except (TypeError, ValueError):   # a layout Pillow has no mode for: no picture, the numbers still say
        return None
    width, height = image.size
    scale = min(MAX_SIDE / max(width, height), max(1.0, MIN_SIDE / max(width, height)))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if size != image.size:
        image = image.resize(size, PILImage.Resampling.NEAREST if scale >= 1 else PILImage.Resampling.BOX)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=6)
    return buffer.getvalue()


def difference(old: np.ndarray | None, new: np.ndarray | None) -> bytes | None:
    """Where the pixels differ, black for equal and white for the largest difference (the
    largest over the channels at each pixel)."""
    if old is None or new is None or old.shape != new.shape:
        return None
    delta = np.abs(old.astype(np.int64) - new.astype(np.int64))
    if delta.ndim == 3:
        delta = delta.max(axis=-1)
    top = int(delta.max()) if delta.size else 0
    scaled = (delta * (255.0 / top)).astype(np.uint8) if top else np.zeros(delta.shape, np.uint8)
    return picture(scaled)


def of(old: np.ndarray | None, new: np.ndarray | None) -> Thumbnails:
    return Thumbnails(picture(old), picture(new), difference(old, new))
