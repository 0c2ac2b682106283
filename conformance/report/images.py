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
#: ... but never beyond this; larger pictures are shrunk by an integer factor.
MAX_SIDE = 1024


@dataclass(frozen=True)
class Picture:
    uri: str          # data:image/png;base64,...
    width: int        # of the PNG, after enlargement
    height: int
    scale: int
    note: str = ""    # how the data was made displayable, if it had to be
    shrunk: int = 1   # reduction applied before enlarging (1: none)


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


def shrink_for(height: int, width: int) -> int:
    """The integer reduction that brings a picture's longer side within MAX_SIDE (1: none)."""
    return max(1, math.ceil(max(height, width) / MAX_SIDE))


def shrink(array: np.ndarray, factor: int) -> np.ndarray:
    """Every `factor`-th pixel in each direction (nearest neighbour, nothing blended)."""
    return array if factor == 1 else np.ascontiguousarray(array[::factor, ::factor])


def shrink_max(gap: np.ndarray, factor: int) -> np.ndarray:
    """Reduce a 2-D difference map keeping each block's largest value, so no difference is lost."""
    if factor == 1:
        return gap
    h, w = gap.shape
    padded = np.zeros((math.ceil(h / factor) * factor, math.ceil(w / factor) * factor), gap.dtype)
    padded[:h, :w] = gap
    return padded.reshape(padded.shape[0] // factor, factor, padded.shape[1] // factor, factor).max(axis=(1, 3))


def picture(array: np.ndarray, scale: int, note: str = "", shrunk: int = 1) -> Picture:
    """A displayable uint8 array as an enlarged PNG data: URI (already reduced by `shrunk`)."""
    image = Image.fromarray(array)  # (H, W) -> L, (H, W, 3) -> RGB, (H, W, 4) -> RGBA
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return Picture(uri, image.width, image.height, scale, note, shrunk)


@dataclass(frozen=True)
class Difference:
    rgb: np.ndarray      # the map, already reduced by `factor`
    differing: int       # pixels (not channel values) that differ anywhere, before reduction
    total: int           # pixels, before reduction
    largest: float       # largest absolute difference; NaN when one side has a NaN


def difference(expected: np.ndarray, actual: np.ndarray, factor: int = 1) -> Difference:
    """The difference map of two same-shaped arrays.

    Black where the pixel is identical in every channel; elsewhere red for the smallest
    difference rising to yellow for the largest, so a difference of 1 is as visible as
    one of 255. A difference that has no size (NaN against a number) is drawn yellow and
    makes the largest difference NaN. With `factor` > 1 the map is reduced by that factor,
    each block showing its largest difference, so no differing pixel disappears.
    """
    exact = expected.dtype.kind in "biu" and actual.dtype.kind in "biu"
    kind = np.int64 if exact else np.float64
    e, a = expected.astype(kind), actual.astype(kind)
    if exact:
        gap = np.abs(e - a).astype(np.float64)
    else:
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
    differing, total = int(np.count_nonzero(gap)), int(gap.size)
    gap = shrink_max(gap, factor)
    rgb = np.zeros(gap.shape + (3,), dtype=np.uint8)
    differs = gap > 0
    if differs.any():
        low, top = float(gap[differs].min()), float(gap.max())
        level = (gap - low) / (top - low) if top > low else np.ones_like(gap)
        rgb[..., 0] = np.where(differs, 255, 0)
        rgb[..., 1] = np.where(differs, np.round(level * 255), 0)
    return Difference(rgb, differing, total, largest)
