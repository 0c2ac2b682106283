"""Pixel arrays as PNG data: URIs for the HTML report, and the difference map.

Case images are often a handful of pixels, so every picture is enlarged by an integer factor
with nearest-neighbour sampling: each source pixel becomes a crisp square, no colour is
invented, and the expected / actual / difference pictures of one mismatch share one Layout
so they line up pixel for pixel. A side longer than MAX_SIDE keeps every n-th row or column
(that axis only, so a 32 x 33000 strip keeps its 32 rows), and a side that would be drawn
thinner than MIN_THICKNESS is drawn thicker, so a strip is never a hairline.
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
#: ... but never beyond this; a longer side keeps every n-th row (or column).
MAX_SIDE = 1024
#: Neither side is drawn thinner than this many pixels.
MIN_THICKNESS = 16


@dataclass(frozen=True)
class Layout:
    """How the pictures of one mismatch are drawn: every `step`-th row and column kept, then
    each pixel drawn `scale` pixels tall and wide."""

    row_step: int = 1
    col_step: int = 1
    row_scale: int = 1
    col_scale: int = 1

    def caption(self) -> str:
        if (self.row_step, self.row_scale) == (self.col_step, self.col_scale):
            return f"shown at 1/{self.row_step}" if self.row_step > 1 else f"shown ×{self.row_scale}"
        parts = [_axis("row", self.row_step, self.row_scale), _axis("column", self.col_step, self.col_scale)]
        return "shown: " + ", ".join(part for part in parts if part)


def _axis(name: str, step: int, scale: int) -> str:
    kept = f"1 {name} in {step}" if step > 1 else ""
    drawn = f"{name}s ×{scale}" if scale > 1 else ""
    return ", ".join(part for part in (kept, drawn) if part)


@dataclass(frozen=True)
class Picture:
    uri: str          # data:image/png;base64,...
    width: int        # of the PNG, as drawn
    height: int
    how: str          # the layout, in words ("shown ×8")
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


def layout_for(sizes: list[tuple[int, int]]) -> Layout:
    """One layout for pictures of these (height, width): a side over MAX_SIDE keeps every n-th
    row or column, small pictures are enlarged, thin ones thickened."""
    if not sizes:
        return Layout()
    row_step = max(math.ceil(h / MAX_SIDE) for h, _ in sizes)
    col_step = max(math.ceil(w / MAX_SIDE) for _, w in sizes)
    kept = [(math.ceil(h / row_step), math.ceil(w / col_step)) for h, w in sizes]
    scale = min(scale_for(h, w) for h, w in kept) if row_step == col_step == 1 else 1
    row_scale = max(scale, min(math.ceil(MIN_THICKNESS / h) for h, _ in kept))
    col_scale = max(scale, min(math.ceil(MIN_THICKNESS / w) for _, w in kept))
    return Layout(row_step, col_step, row_scale, col_scale)


def shrink(array: np.ndarray, layout: Layout) -> np.ndarray:
    """Every `step`-th row and column (nearest neighbour, nothing blended)."""
    if layout.row_step == layout.col_step == 1:
        return array
    return np.ascontiguousarray(array[::layout.row_step, ::layout.col_step])


def shrink_max(gap: np.ndarray, layout: Layout) -> np.ndarray:
    """Reduce a 2-D difference map keeping each block's largest value, so no difference is lost."""
    rows, cols = layout.row_step, layout.col_step
    if rows == cols == 1:
        return gap
    h, w = gap.shape
    padded = np.zeros((math.ceil(h / rows) * rows, math.ceil(w / cols) * cols), gap.dtype)
    padded[:h, :w] = gap
    return padded.reshape(padded.shape[0] // rows, rows, padded.shape[1] // cols, cols).max(axis=(1, 3))


def picture(array: np.ndarray, layout: Layout, note: str = "") -> Picture:
    """A displayable uint8 array, already reduced by `shrink`, as a PNG data: URI drawn to `layout`."""
    image = Image.fromarray(array)  # (H, W) -> L, (H, W, 3) -> RGB, (H, W, 4) -> RGBA
    if layout.row_scale > 1 or layout.col_scale > 1:
        size = (image.width * layout.col_scale, image.height * layout.row_scale)
        image = image.resize(size, Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return Picture(uri, image.width, image.height, layout.caption(), note)


@dataclass(frozen=True)
class Difference:
    rgb: np.ndarray      # the map, already reduced as the layout says
    differing: int       # pixels (not channel values) that differ anywhere, before reduction
    total: int           # pixels, before reduction
    largest: float       # largest absolute difference; NaN when one side has a NaN


def difference(expected: np.ndarray, actual: np.ndarray, layout: Layout = Layout()) -> Difference:
    """The difference map of two same-shaped arrays.

    Black where the pixel is identical in every channel; elsewhere red for the smallest
    difference rising to yellow for the largest, so a difference of 1 is as visible as
    one of 255. A difference that has no size (NaN against a number) is drawn yellow and
    makes the largest difference NaN. Where the layout keeps every n-th row or column, the map
    is reduced by blocks, each showing its largest difference, so no differing pixel disappears.
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
    gap = shrink_max(gap, layout)
    rgb = np.zeros(gap.shape + (3,), dtype=np.uint8)
    differs = gap > 0
    if differs.any():
        low, top = float(gap[differs].min()), float(gap.max())
        level = (gap - low) / (top - low) if top > low else np.ones_like(gap)
        rgb[..., 0] = np.where(differs, 255, 0)
        rgb[..., 1] = np.where(differs, np.round(level * 255), 0)
    return Difference(rgb, differing, total, largest)
