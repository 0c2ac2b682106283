"""`boxes`: named groups of bounding boxes, checked against the image they belong to.

A group is `{"box_data": [box, ...], "class_labels": {id: name}}` (labels optional) or a
`BoundingBoxes2D` made beforehand ([boxes.group]). A box is `{"position": ..., "class_id": id}`
with optional `domain`, `box_caption` and `scores` ([boxes.box]); its position is either the
four edges `minX/maxX/minY/maxY` or `middle/width/height` ([boxes.position]), relative to the
image (0 to 1, the default) or in pixels with `"domain": "pixel"` ([boxes.domain]).

Checking happens in two steps because a `BoundingBoxes2D` exists before its image does:
`normalize_group` checks the structure and turns every number into a plain int or float;
`check_inside` checks the edges against the image's size once it is known.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from wbimage_conformance.reference.arrays import as_numeric_array, is_tensor
from wbimage_conformance.reference.classes import check_class_labels
from wbimage_conformance.reference.fields import Named, at, check_list, check_mapping, check_named, check_str
from wbimage_conformance.reference.scalars import class_id, describe, finite_number

GROUP_KEYS = ("box_data",)
GROUP_OPTIONAL = ("class_labels",)
BOX_KEYS = ("position", "class_id")
BOX_OPTIONAL = ("domain", "box_caption", "scores")
CORNERS = ("minX", "maxX", "minY", "maxY")
CENTER = ("middle", "width", "height")
PIXEL = "pixel"


class BoundingBoxes2D(Named):
    """One box group, checked and normalized; `key` is its name (e.g. "predictions").

    `val` is the normalized group: plain ints and floats, lists for `middle`, class ids
    as ints. The edges are checked against an image when the group is given to `Image`."""

    @staticmethod
    def normalize(val: Any, where: str) -> dict[str, Any]:
        return normalize_group(val, where)

    def __repr__(self) -> str:
        return f"BoundingBoxes2D(key={self._key!r}, {len(self._val['box_data'])} boxes)"


def check_boxes(boxes: Any, width: int, height: int, where: str = "boxes") -> dict[str, dict[str, Any]] | None:
    """The `boxes` argument, checked against a `width` x `height` image: name -> normalized
    group, or None when there are none (None or an empty dict) ([boxes.form])."""
    return check_named(boxes, where, BoundingBoxes2D, "box group", "group name", check_inside, width, height)


def normalize_group(group: Any, where: str) -> dict[str, Any]:
    """A box group's structure checked and its numbers made plain ([boxes.group])."""
    check_mapping(group, where, GROUP_KEYS, GROUP_OPTIONAL,
                  hint=" {'box_data': [...], 'class_labels': {...}} or a BoundingBoxes2D")
    data = check_list(group["box_data"], at(where, "box_data"), "boxes")
    normalized: dict[str, Any] = {
        "box_data": [_box(box, f"{at(where, 'box_data')}[{index}]") for index, box in enumerate(data)]
    }
    if "class_labels" in group:
        normalized["class_labels"] = check_class_labels(group["class_labels"], at(where, "class_labels"))
    return normalized


def _box(box: Any, where: str) -> dict[str, Any]:
    """One box, keys in the caller's order ([boxes.box])."""
    check_mapping(box, where, BOX_KEYS, BOX_OPTIONAL, hint=" with 'position' and 'class_id'")
    out: dict[str, Any] = {}
    for key, value in box.items():
        place = at(where, key)
        if key == "position":
            out[key] = _position(value, place)
        elif key == "class_id":
            out[key] = class_id(value, place)
        elif key == "domain":
            if value is not None and not isinstance(value, str):
                raise TypeError(f"{place}: expected 'pixel' or None, got {describe(value)}")
            if value not in (None, PIXEL):
                raise ValueError(f"{place}: {value!r} is not a domain; use 'pixel' for pixel "
                                 f"coordinates, or leave it out (or None) for coordinates relative to the image")
            out[key] = value
        elif key == "box_caption":
            out[key] = check_str(value, place)
        else:
            out[key] = _scores(value, place)
    return out


def _scores(scores: Any, where: str) -> dict[str, int | float]:
    if not isinstance(scores, Mapping):
        raise TypeError(f"{where}: expected a dict of score name -> number, got {describe(scores)}")
    checked: dict[str, int | float] = {}
    for name, value in scores.items():
        if not isinstance(name, str):
            raise TypeError(f"{where}: score names are strings, got {describe(name)}")
        checked[name] = finite_number(value, at(where, name))
    return checked


def _position(position: Any, where: str) -> dict[str, Any]:
    """Either the four edges or middle/width/height, never a mix ([boxes.position])."""
    if not isinstance(position, Mapping):
        raise TypeError(f"{where}: expected a dict with {', '.join(CORNERS)} or with "
                        f"{', '.join(CENTER)}, got {describe(position)}")
    unknown = [k for k in position if k not in CORNERS + CENTER]
    if unknown:
        raise TypeError(f"{where}: unknown key {unknown[0]!r}; a position has the keys "
                        f"{', '.join(map(repr, CORNERS))} or {', '.join(map(repr, CENTER))}")
    given = set(position)
    if given & set(CORNERS) and given & set(CENTER):
        raise TypeError(f"{where}: mixes the two position formats ({', '.join(map(repr, sorted(given)))}); "
                        f"give either {', '.join(map(repr, CORNERS))} or {', '.join(map(repr, CENTER))}")
    keys = CENTER if given & set(CENTER) else CORNERS
    missing = [k for k in keys if k not in given]
    if missing:
        raise TypeError(f"{where}: missing {', '.join(map(repr, missing))}")
    out: dict[str, Any] = {}
    for key, value in position.items():
        out[key] = _pair(value, at(where, key)) if key == "middle" else finite_number(value, at(where, key))
    if keys == CORNERS:
        for low, high in (("minX", "maxX"), ("minY", "maxY")):
            if out[low] > out[high]:
                raise ValueError(f"{where}: {low} {out[low]!r} is greater than {high} {out[high]!r}")
    else:
        for key in ("width", "height"):
            if out[key] < 0:
                raise ValueError(f"{at(where, key)}: {out[key]!r} is negative")
    return out


def _pair(value: Any, where: str) -> list[int | float]:
    """`middle`: two numbers [x, y], from a list, a tuple, or a 1-D array or tensor."""
    if is_tensor(value) or isinstance(value, np.ndarray):
        array = as_numeric_array(value, where)
        if array.ndim != 1:
            raise ValueError(f"{where}: expected two numbers [x, y], got an array of shape {tuple(array.shape)}")
        items: Any = list(array)
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        raise TypeError(f"{where}: expected two numbers [x, y], got {describe(value)}")
    if len(items) != 2:
        raise ValueError(f"{where}: expected two numbers [x, y], got {len(items)}")
    return [finite_number(item, f"{where}[{index}]") for index, item in enumerate(items)]


def edges(position: Mapping[str, Any]) -> tuple[float, float, float, float]:
    """(minX, maxX, minY, maxY) of a normalized position; for middle/width/height the edges
    are middle minus and plus half the size, in float64."""
    if "middle" in position:
        x, y = position["middle"]
        half_w, half_h = position["width"] / 2, position["height"] / 2
        return x - half_w, x + half_w, y - half_h, y + half_h
    return position["minX"], position["maxX"], position["minY"], position["maxY"]


def check_inside(group: Mapping[str, Any], width: int, height: int, where: str) -> None:
    """Every box of a normalized group lies on the image ([boxes.domain]): edges within
    [0, 1] for relative boxes, within [0, width] x [0, height] pixels for pixel boxes."""
    for index, box in enumerate(group["box_data"]):
        min_x, max_x, min_y, max_y = edges(box["position"])
        pixel = box.get("domain") == PIXEL
        axes = (("x", min_x, max_x, width, "width"), ("y", min_y, max_y, height, "height"))
        for axis, low, high, size, dimension in axes:
            limit, bound = ((size, f"the image {dimension} {size} (domain 'pixel')") if pixel
                            else (1, "1 (relative to the image)"))
            if low < 0 or high > limit:
                raise ValueError(
                    f"{at(where, 'box_data')}[{index}]['position']: the box spans {axis} from {low!r} to "
                    f"{high!r}, outside the image: {axis} must lie between 0 and {bound}"
                )
