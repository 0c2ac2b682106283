"""`masks`: named segmentation masks, one class id per pixel, checked against their image.

A mask is `{"mask_data": 2-D array or tensor of class ids}` or `{"path": image file}`, with
optional `class_labels` ([masks.form]), or an `ImageMask` made beforehand. Class ids are
integers from 0 to 255, one per pixel, so a mask is exactly an 8-bit grayscale picture of the
image's size ([masks.data], [masks.path]).

As with boxes, an `ImageMask` exists before its image: `normalize_mask` checks everything but
the size, `check_size` compares it with the image's once that is known.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np
from wbimage_conformance.reference.arrays import as_numeric_array
from wbimage_conformance.reference.classes import check_class_labels
from wbimage_conformance.reference.fields import Named, at, check_named
from wbimage_conformance.reference.inputs import LoadedFile, load_path
from wbimage_conformance.reference.scalars import describe

MASK_KEYS = ("mask_data", "path", "class_labels")
MASK_MODE = "L"


class ImageMask(Named):
    """One mask, checked and normalized; `key` is its name (e.g. "ground_truth").

    `val` holds `mask_data` as a private uint8 array, or `path` as given with the file read
    in full (`file`), and `class_labels` when given. The size is checked when given to `Image`."""

    @staticmethod
    def normalize(val: Any, where: str) -> dict[str, Any]:
        return normalize_mask(val, where)

    def __repr__(self) -> str:
        return f"ImageMask(key={self._key!r}, size={mask_size(self._val)})"


def check_masks(masks: Any, width: int, height: int, where: str = "masks") -> dict[str, dict[str, Any]] | None:
    """The `masks` argument, checked against a `width` x `height` image: name -> normalized
    mask, or None when there are none (None or an empty dict) ([masks.form])."""
    return check_named(masks, where, ImageMask, "mask", "mask name", check_size, width, height)


def normalize_mask(mask: Any, where: str) -> dict[str, Any]:
    """A mask's structure and class ids checked; the data copied as uint8 ([masks.form])."""
    if not isinstance(mask, Mapping):
        raise TypeError(f"{where}: expected a dict {{'mask_data': array}} or {{'path': file}} "
                        f"or an ImageMask, got {describe(mask)}")
    unknown = [k for k in mask if k not in MASK_KEYS]
    if unknown:
        raise TypeError(f"{where}: unknown key {unknown[0]!r}; the keys are 'mask_data' or 'path', and 'class_labels'")
    if "mask_data" in mask and "path" in mask:
        raise TypeError(f"{where}: give either 'mask_data' or 'path', not both")
    if "mask_data" not in mask and "path" not in mask:
        raise TypeError(f"{where}: missing 'mask_data' (or 'path')")
    normalized: dict[str, Any]
    if "mask_data" in mask:
        normalized = {"mask_data": _mask_data(mask["mask_data"], at(where, "mask_data"))}
    else:
        path = mask["path"]
        normalized = {"path": path, "file": _read_mask_file(path, at(where, "path"))}
    if "class_labels" in mask:
        normalized["class_labels"] = check_class_labels(mask["class_labels"], at(where, "class_labels"))
    return normalized


def _mask_data(data: Any, where: str) -> np.ndarray:
    """[masks.data]: 2-D, bool or integer dtype, every value in [0, 255]; a uint8 copy."""
    array = as_numeric_array(data, where)
    if array.dtype.kind not in "biu":
        raise TypeError(f"{where}: class ids are integers, got {array.dtype} data; "
                        f"use an integer or bool dtype (e.g. uint8)")
    if array.ndim != 2:
        raise ValueError(f"{where}: a mask is 2-D (height, width), got shape {tuple(array.shape)}")
    outside = np.argwhere((array < 0) | (array > 255)) if array.dtype.kind != "b" else np.empty((0, 2))
    if len(outside):
        row, column = (int(i) for i in outside[0])
        raise ValueError(f"{where}[{row}, {column}]: class id {array[row, column]} is outside 0..255 "
                         f"({len(outside)} value(s) outside)")
    return array.astype(np.uint8)


def _read_mask_file(path: Any, where: str) -> LoadedFile:
    """[masks.path]: an image file PIL decodes as mode L, read in full now."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{where}: expected a file path (str or pathlib.Path), got {describe(path)}")
    loaded = load_path(path, argument=where)
    if loaded.image.mode != MASK_MODE:
        raise ValueError(f"{where}: {os.fspath(path)!r} has mode {loaded.image.mode!r}; a mask file "
                         f"is an 8-bit grayscale image (mode 'L') whose pixels are class ids")
    return loaded


def mask_size(val: Mapping[str, Any]) -> tuple[int, int]:
    """(width, height) of a normalized mask."""
    if "mask_data" in val:
        height, width = val["mask_data"].shape
        return width, height
    return val["file"].image.size


def check_size(val: Mapping[str, Any], width: int, height: int, where: str) -> None:
    """[masks.data], [masks.path]: one class id per pixel, so the sizes agree."""
    if mask_size(val) == (width, height):
        return
    if "mask_data" in val:
        raise ValueError(
            f"{at(where, 'mask_data')}: shape {val['mask_data'].shape} does not match the image, "
            f"whose (height, width) is {(height, width)}; a mask has one class id per pixel"
        )
    mask_width, mask_height = mask_size(val)
    raise ValueError(
        f"{at(where, 'path')}: the mask file is {mask_width}x{mask_height} (width x height) but "
        f"the image is {width}x{height}; a mask has one class id per pixel"
    )
