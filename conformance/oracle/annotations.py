"""[boxes.domain]: where a box's edges may lie, for docs check (does the spec reject the boxes
an example passes?).

Only the range rule is evaluated here, on the plain numbers a recording holds: relative boxes
(no domain) keep every edge in [0, 1], pixel boxes x edges in [0, width] and y edges in
[0, height]; the `middle` form's edges are `middle -/+ size / 2` in float64. Structure errors
are the implementation's to report and are left alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CORNERS = ("minX", "maxX", "minY", "maxY")
CENTER = ("middle", "width", "height")


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def box_edges(position: Mapping[str, Any]) -> tuple[float, float, float, float] | None:
    """(min x, max x, min y, max y) of a position in either form, or None when it is not plain numbers."""
    if set(position) == set(CORNERS):
        edges = [_number(position[k]) for k in CORNERS]
        return None if None in edges else tuple(edges)  # type: ignore[return-value]
    if set(position) == set(CENTER):
        middle = position["middle"]
        width, height = _number(position["width"]), _number(position["height"])
        if not isinstance(middle, (list, tuple)) or len(middle) != 2 or width is None or height is None:
            return None
        x, y = _number(middle[0]), _number(middle[1])
        if x is None or y is None:
            return None
        return x - width / 2, x + width / 2, y - height / 2, y + height / 2
    return None


def box_outside(boxes: Any, width: int, height: int) -> str | None:
    """Why the spec rejects `boxes` on a `width` x `height` image ([boxes.domain]), or None."""
    if not isinstance(boxes, Mapping):
        return None
    for group_name, group in boxes.items():
        data = group.get("box_data") if isinstance(group, Mapping) else None
        for index, box in enumerate(data if isinstance(data, list) else []):
            if not isinstance(box, Mapping) or not isinstance(box.get("position"), Mapping):
                continue
            edges = box_edges(box["position"])
            domain = box.get("domain")
            if edges is None or domain not in (None, "pixel"):
                continue
            x_range, y_range = ((0.0, float(width)), (0.0, float(height))) if domain == "pixel" else ((0.0, 1.0),) * 2
            axes = (("x", (edges[0], edges[1]), x_range), ("y", (edges[2], edges[3]), y_range))
            for axis, (low, high), (lo, hi) in axes:
                if low < lo or high > hi:
                    where = f"boxes[{group_name!r}]['box_data'][{index}]['position']"
                    unit = f"the image {'width' if axis == 'x' else 'height'} {int(hi)} (domain 'pixel')" \
                        if domain == "pixel" else "1 (relative coordinates)"
                    return (f"{where}: the box spans {axis} from {low:g} to {high:g}, outside [0, {hi:g}]: {axis} must "
                            f"lie between 0 and {unit} [boxes.domain]")
    return None
