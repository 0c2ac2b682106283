"""Dicts with a fixed set of keys, and the paths that name a place inside an argument.

[annotations.errors]: every mapping in `classes`, `boxes` and `masks` has a fixed set of keys,
like a TypedDict; a missing or an unknown key is a TypeError, and every message starts with
the path of the offending part written as Python subscripts on the argument's name, e.g.
`boxes['pred']['box_data'][2]['position']`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wbimage_conformance.reference.scalars import describe


def at(where: str, key: Any) -> str:
    """The path one subscript further: at("boxes", "pred") == "boxes['pred']"."""
    return f"{where}[{key!r}]"


def _listed(keys: Sequence[Any]) -> str:
    return ", ".join(repr(k) for k in keys)


def check_mapping(value: Any, where: str, required: Sequence[str], optional: Sequence[str] = (),
                  hint: str = "") -> Mapping[Any, Any]:
    """`value` as a mapping holding every `required` key and nothing outside `required` and
    `optional`; TypeError naming the first problem otherwise. `hint` says what is expected."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{where}: expected a dict{hint}, got {describe(value)}")
    allowed = tuple(required) + tuple(optional)
    unknown = [k for k in value if k not in allowed]
    if unknown:
        raise TypeError(f"{where}: unknown key {unknown[0]!r}; the keys are {_listed(allowed)}")
    missing = [k for k in required if k not in value]
    if missing:
        raise TypeError(f"{where}: missing {_listed(missing)}")
    return value


def check_list(value: Any, where: str, what: str) -> Sequence[Any]:
    """`value` as a list or tuple (not a string, not a mapping); TypeError otherwise."""
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{where}: expected a list of {what}, got {describe(value)}")
    return value


def check_str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{where}: expected a str, got {describe(value)}")
    return value


class Named:
    """A checked annotation with its name: the base of BoundingBoxes2D and ImageMask.

    `key` is the name (e.g. "predictions"), `val` the value after `normalize(val, "val")`,
    which each subclass gives; the fit to an image is checked when it is given to `Image`."""

    @staticmethod
    def normalize(val: Any, where: str) -> dict[str, Any]:
        raise NotImplementedError

    def __init__(self, val: Mapping[str, Any], key: str) -> None:
        self._key = check_str(key, "key")
        self._val = type(self).normalize(val, "val")

    @property
    def key(self) -> str:
        return self._key

    @property
    def val(self) -> dict[str, Any]:
        return self._val


def check_named(value: Any, where: str, kind: type[Named], item: str, item_name: str,
                fits: Any, width: int, height: int) -> dict[str, dict[str, Any]] | None:
    """The `boxes` or `masks` argument: a dict of `item_name` -> `item` (plain or a `kind`),
    each normalized and checked by `fits(val, width, height, place)`; None when there are none
    (None or an empty dict)."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"{where}: expected a dict of {item_name} -> {item}, got {describe(value)}")
    checked: dict[str, dict[str, Any]] = {}
    for name, entry in value.items():
        if not isinstance(name, str):
            raise TypeError(f"{where}: {item_name}s are strings, got {describe(name)}")
        place = at(where, name)
        val = entry.val if isinstance(entry, kind) else kind.normalize(entry, place)
        fits(val, width, height, place)
        checked[name] = val
    return checked or None
