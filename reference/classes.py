"""`classes`: the class set of an image, and the `class_labels` maps of boxes and masks.

[classes.form]: `classes` is a list or tuple of `{"id": int, "name": str}` entries, or a
Classes-like object: `reference.Classes`, or any object that keeps such a list in `class_set`
or `_class_set` (the attribute `wandb.Classes` uses), so a `wandb.Classes` can be passed in.
[classes.id]: an id is a non-negative integer; [classes.unique]: each id appears once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from wbimage_conformance.reference.fields import at, check_list, check_mapping, check_str
from wbimage_conformance.reference.scalars import class_id, describe

ENTRY_KEYS = ("id", "name")
_ENTRY_HINT = " {'id': int, 'name': str}"
CLASS_SET_ATTRIBUTES = ("class_set", "_class_set")


def _entries(entries: Any, where: str) -> tuple[dict[str, Any], ...]:
    check_list(entries, where, "{'id': int, 'name': str} dicts")
    checked: list[dict[str, Any]] = []
    first_use: dict[int, int] = {}
    for index, entry in enumerate(entries):
        place = f"{where}[{index}]"
        check_mapping(entry, place, ENTRY_KEYS, hint=_ENTRY_HINT)
        number = class_id(entry["id"], at(place, "id"))
        name = check_str(entry["name"], at(place, "name"))
        if number in first_use:
            raise ValueError(f"{at(place, 'id')}: id {number} is already used by {where}[{first_use[number]}]")
        first_use[number] = index
        checked.append({"id": number, "name": name})
    return tuple(checked)


class Classes:
    """A validated class set: `class_set` is a tuple of `{"id": int, "name": str}` dicts.

    `_class_set` is the same tuple, under the name `wandb.Classes` uses."""

    def __init__(self, class_set: Iterable[Mapping[str, Any]]) -> None:
        self._class_set = _entries(class_set, "class_set")

    @classmethod
    def _of_checked(cls, entries: tuple[dict[str, Any], ...]) -> Classes:
        """A Classes over entries `_entries` has already checked (under another path)."""
        made = cls.__new__(cls)
        made._class_set = entries
        return made

    @property
    def class_set(self) -> tuple[dict[str, Any], ...]:
        return tuple(dict(entry) for entry in self._class_set)

    def names(self) -> dict[int, str]:
        """id -> name."""
        return {entry["id"]: entry["name"] for entry in self._class_set}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Classes) and self._class_set == other._class_set

    def __hash__(self) -> int:
        return hash(tuple((e["id"], e["name"]) for e in self._class_set))

    def __repr__(self) -> str:
        return f"Classes({list(self._class_set)!r})"


def check_classes(classes: Any, where: str = "classes") -> Classes | None:
    """The `classes` argument as a Classes (None stays None); errors name the argument."""
    if classes is None or isinstance(classes, Classes):
        return classes
    if isinstance(classes, (list, tuple)):
        entries = _entries(classes, where)
    else:
        attribute = next((a for a in CLASS_SET_ATTRIBUTES if hasattr(classes, a)), None)
        if attribute is None or isinstance(classes, (str, bytes, Mapping)):
            raise TypeError(
                f"{where}: expected a list of {{'id': int, 'name': str}} dicts or a Classes "
                f"object, got {describe(classes)}"
            )
        entries = _entries(getattr(classes, attribute), f"{where}.{attribute}")
    return Classes._of_checked(entries)


def check_class_labels(labels: Any, where: str) -> dict[int, str]:
    """A `class_labels` map: class id -> name, as plain ints and strs ([classes.id])."""
    if not isinstance(labels, Mapping):
        raise TypeError(f"{where}: expected a dict of class id -> name, got {describe(labels)}")
    checked: dict[int, str] = {}
    for key, name in labels.items():
        # the key's own repr names it, so a float key shows as 1.0 and a bool as True
        number = class_id(key, f"{where} key {key!r}")
        checked[number] = check_str(name, at(where, key))
    return checked
