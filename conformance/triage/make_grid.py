"""The pixels of a tensor drawn the way wandb 0.19.x and swanlab draw it, to check a measured
result against: `torchvision.utils.make_grid(t, normalize=True)`, then
`.mul(255).clamp(0, 255).byte().permute(1, 2, 0)`.

This is a model for explaining results, not the measurement: the releases run the real
make_grid (history/grid_torchvision.py). It follows torchvision's documented behaviour: a 2-D
tensor is one 1-channel image; a 1-channel image is repeated into 3 channels; the batch (or the
one image) is shifted and scaled in place, in the tensor's own dtype, by the minimum and the
maximum of all its values (`(x - min) / max(max - min, 1e-5)`); one image is returned as it is,
a batch is tiled 8 to a row with 2 pixels of padding of value 0. torch's arithmetic is
reproduced: float16 and bfloat16 operations are done in float32 and rounded to the dtype after
each step (the scalar operands stay float32), float32 and float64 in their own format, and the
cast to bytes truncates (NaN becomes 0, as it does on x86).
"""

from __future__ import annotations

import math

import numpy as np

#: make_grid's defaults as wandb and swanlab call it.
NROW, PADDING, SMALLEST_SPAN = 8, 2, 1e-5


def pixels(given: np.ndarray, dtype: str) -> np.ndarray | None:
    """The (H, W, C) uint8 pixels for a tensor of `dtype` (torch's name, e.g. "float16",
    "bfloat16") holding `given`'s values; None where make_grid would raise (an integer dtype
    other than uint8 converted to float by the caller, fewer than 2 or more than 4 axes, no
    values) or the dtype is not a float."""
    if given.ndim not in (2, 3, 4) or given.size == 0 or dtype not in _ROUNDING:
        return None
    images = given.reshape((1, 1, *given.shape)) if given.ndim == 2 else \
        given[np.newaxis] if given.ndim == 3 else given
    if images.shape[1] == 1:
        images = np.concatenate([images] * 3, axis=1)
    scaled = _scaled(images, dtype)
    grid = scaled[0] if scaled.shape[0] == 1 else _tiled(scaled)
    return np.transpose(grid, (1, 2, 0))


def _scaled(images: np.ndarray, dtype: str) -> np.ndarray:
    rounded = _ROUNDING[dtype]
    values = rounded(images.astype(np.float64 if dtype == "float64" else np.float32))
    low, high = float(np.min(values)), float(np.max(values))   # NaN when any value is
    span = high - low
    span = SMALLEST_SPAN if span < SMALLEST_SPAN else span      # Python's max(span, 1e-5)
    scalar = np.float64 if dtype == "float64" else np.float32
    with np.errstate(all="ignore"):
        step = rounded(values - scalar(low))
        step = rounded(step / scalar(span))
        step = rounded(step * scalar(255))
        clamped = np.clip(step, 0, 255)
        return np.where(np.isnan(clamped), 0, clamped).astype(np.uint8)


def _tiled(images: np.ndarray) -> np.ndarray:
    count, channels, height, width = images.shape
    across = min(NROW, count)
    down = math.ceil(count / across)
    cell_h, cell_w = height + PADDING, width + PADDING
    grid = np.zeros((channels, cell_h * down + PADDING, cell_w * across + PADDING), dtype=np.uint8)
    for index in range(count):
        row, column = divmod(index, across)
        top, left = row * cell_h + PADDING, column * cell_w + PADDING
        grid[:, top:top + height, left:left + width] = images[index]
    return grid


def _bfloat16(values: np.ndarray) -> np.ndarray:
    """float32 values rounded to the nearest bfloat16 (ties to even), kept as float32."""
    bits = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000).astype(np.uint32).view(np.float32)
    return np.where(np.isfinite(values), rounded, values)


def _float16(values: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return values.astype(np.float16).astype(np.float32)


def _same(values: np.ndarray) -> np.ndarray:
    return values


_ROUNDING = {"float16": _float16, "bfloat16": _bfloat16, "float32": _same, "float64": _same}
