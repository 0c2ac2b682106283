"""Finding the adapter for an `--impl` name, inside a worker.

Names: `reference` (the default), `wandb` (whichever release is importable), `trackio` and
`swanlab` (their image classes, through adapters that map the documented calls onto theirs;
one module each in this package, with a `load()` function), `MODULE:ATTR`
(a wandb.Image-shaped class, an adapter object, an adapter class, or a function returning
one), or the name of an entry point in the group `wbimage_conformance.implementations`
(whose object is read the same way as MODULE:ATTR). See base.py for the adapter protocol.

Worker-side: standard library and NumPy only; the implementation is imported on demand.
"""

from __future__ import annotations

import importlib
import inspect
from importlib import metadata
from typing import Any, List, Optional

from wbimage_conformance.worker.adapters.base import AdapterNote, Unmappable, perform
from wbimage_conformance.worker.adapters.image_class import ImageClassAdapter
from wbimage_conformance.worker.versions import module_version

ENTRY_POINT_GROUP = "wbimage_conformance.implementations"
BUILTIN = ("reference", "wandb", "trackio", "swanlab")
_ADAPTER_METHODS = ("make_image", "observe")

__all__ = ["AdapterNote", "ImageClassAdapter", "UnknownImplementation", "Unmappable", "load", "perform"]


class UnknownImplementation(LookupError):
    """An --impl name that names nothing loadable."""


def _reference() -> ImageClassAdapter:
    from wbimage_conformance import reference

    return ImageClassAdapter(reference.Image, "reference", module_version("wbimage_conformance"), "reference.Image")


def from_object(obj: Any, name: str, version: Optional[str] = None, display: Optional[str] = None) -> Any:
    """An adapter from what MODULE:ATTR or an entry point names."""
    if all(hasattr(obj, m) for m in _ADAPTER_METHODS):
        adapter = obj() if inspect.isclass(obj) else obj
        for attribute, default in (("name", name), ("version", version), ("display", display or "Image")):
            if not hasattr(adapter, attribute):
                try:
                    setattr(adapter, attribute, default)
                except AttributeError:
                    pass
        return adapter
    if inspect.isclass(obj):
        return ImageClassAdapter(obj, name, version, display)
    if callable(obj):
        return from_object(obj(), name, version, display)
    raise UnknownImplementation(
        f"{name}: {type(obj).__name__} is neither a wandb.Image-shaped class nor an adapter "
        f"(an object with {' and '.join(_ADAPTER_METHODS)})"
    )


def _entry_points() -> List[Any]:
    found = metadata.entry_points()
    if hasattr(found, "select"):
        return list(found.select(group=ENTRY_POINT_GROUP))
    return list(found.get(ENTRY_POINT_GROUP, []))  # Python 3.9


def load(impl: str) -> Any:
    """The adapter for `impl`; raises UnknownImplementation, or whatever importing it raised."""
    if impl == "reference":
        return _reference()
    if impl in BUILTIN:
        return importlib.import_module(f"wbimage_conformance.worker.adapters.{impl}").load()
    if ":" in impl:
        module_name, _, attr = impl.partition(":")
        if not module_name or not attr:
            raise UnknownImplementation(f"{impl!r}: expected MODULE:ATTR")
        obj: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            try:
                obj = getattr(obj, part)
            except AttributeError:
                raise UnknownImplementation(f"{impl!r}: module {module_name!r} has no attribute {attr!r}") from None
        return from_object(obj, impl, module_version(module_name), f"{module_name}.{attr}")
    for entry in _entry_points():
        if entry.name == impl:
            dist = getattr(entry, "dist", None)
            version = getattr(dist, "version", None) if dist is not None else None
            return from_object(entry.load(), impl, version, entry.value.replace(":", "."))
    known = sorted({e.name for e in _entry_points()})
    raise UnknownImplementation(
        f"unknown implementation {impl!r}: use {', '.join(BUILTIN)}, MODULE:ATTR or exec:COMMAND"
        + (f", or a registered one: {', '.join(known)}" if known else "")
    )
