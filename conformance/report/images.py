"""Pixel arrays as PNG data: URIs for the HTML report, and the difference map.

Case images are often a handful of pixels, so every picture is enlarged by an integer factor
with nearest-neighbour sampling: each source pixel becomes a crisp square, no colour is
invented, and the expected / actual / difference pictures of one mismatch share one scale
so they line up pixel for pixel.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

#: Small pictures are enlarged until their longer side reaches this many pixels ...
TARGET_SIDE = 128
#: ... and their width at least this many ...
MIN_WIDTH = 64
#: ... but never beyond this (a very long thin strip stays long and thin).
MAX_SIDE = 1024


@dataclass(frozen=True)
class Picture:
    uri: str          # data:image/png;base64,...
    width: int        # of the PNG, after enlargement
    height: int
    scale: int
    note: str = ""    # how the data was made displayable, if it had to be


def displayable(value: object) -> tuple[np.ndarray | None, str]:
    """The value as an (H, W) or (H, W, 1|3|4) uint8 array, or None with the reason why not."""
    if not isinstance(value, np.ndarray):
        return None, "not an array"
    array = value
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        return None, f"shape {tuple(array.shape)} is not an image layout"
    if array.shape[0] == 0 or array.shape[1] == 0:
        return None, f"shape {tuple(array.shape)} has no pixels"
    note = ""
    if array.dtype != np.uint8:
        if array.dtype.kind not in "biuf":
            return None, f"dtype {array.dtype} cannot be shown as pixels"
        with np.errstate(invalid="ignore"):
            as_float = np.nan_to_num(array.astype(np.float64), nan=0.0, posinf=255.0, neginf=0.0)
        array = np.clip(np.floor(as_float), 0, 255).astype(np.uint8)
        note = f"dtype {value.dtype}, shown clipped to 0..255"
    return np.ascontiguousarray(array), note


def scale_for(height: int, width: int) -> int:
    """The integer enlargement for a picture of this size (1 for pictures already large)."""
    longer = max(height, width)
    scale = max(math.ceil(TARGET_SIDE / longer), math.ceil(MIN_WIDTH / width), 1)
    return max(1, min(scale, MAX_SIDE // longer))


def picture(array: np.ndarray, scale: int, note: str = "") -> Picture:
    """A displayable uint8 array as an enlarged PNG data: URI."""
    image = Image.fromarray(array)  # (H, W) -> L, (H, W, 3) -> RGB, (H, W, 4) -> RGBA
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return Picture(uri, image.width, image.height, scale, note)


def difference(expected: np.ndarray, actual: np.ndarray) -> tuple[np.ndarray, float]:
    """An RGB difference map of two same-shaped arrays, and the largest difference.

    Black where the pixel is identical in every channel; elsewhere red for the smallest
    difference rising to yellow for the largest, so a difference of 1 is as visible as
    one of 255. A difference that has no size (NaN against a number) is drawn yellow and
    makes the largest difference NaN.
    """
    e = expected.astype(np.float64)
    a = actual.astype(np.float64)
    equal = (e == a) | (np.isnan(e) & np.isnan(a))
    with np.errstate(invalid="ignore", over="ignore"):
        gap = np.where(equal, 0.0, np.abs(e - a))
    sized = np.isfinite(gap)
    largest = float(gap[sized].max()) if sized.any() else 0.0
    if not sized.all():
        gap = np.where(sized, gap, max(largest, 1.0))
        largest = float("nan")
    if gap.ndim == 3:
        gap = gap.max(axis=2)
    rgb = np.zeros(gap.shape + (3,), dtype=np.uint8)
    differs = gap > 0
    if differs.any():
        low, top = float(gap[differs].min()), float(gap.max())
        level = (gap - low) / (top - low) if top > low else np.ones_like(gap)
        rgb[..., 0] = np.where(differs, 255, 0)
        rgb[..., 1] = np.where(differs, np.round(level * 255), 0)
    return rgb, largest
