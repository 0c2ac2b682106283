"""What the checker knows of wandb's public API beyond the spec, from the manifest the docs
sandbox builds its stand-in `wandb` from (worker/wandb_api.json, read off a real release by
spec/tools/wandb_api.py).

The docs pages document more of `Image` than the spec covers (`from_json`, `seq_to_json`,
`get_media_subdir`, ...) and other classes entirely. A method the real class has is known: it
is listed as outside the spec, not warned about. Only a name the real API does not have is
worth a warning.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from wbimage_conformance.worker import wandb_standin


@lru_cache(maxsize=1)
def manifest() -> dict[str, Any]:
    """The shipped manifest, or an empty one where it is missing (then nothing is known)."""
    try:
        return wandb_standin.load_manifest()
    except OSError:
        return {"classes": {}, "wandb_version": None}


def version() -> str | None:
    return manifest().get("wandb_version")


def _classes_named(name: str) -> list[str]:
    return [ref for ref, entry in manifest().get("classes", {}).items() if entry.get("name") == name]


def public_methods(class_name: str) -> frozenset[str]:
    """The public methods and properties of wandb's class `class_name` and its bases, by name."""
    classes = manifest().get("classes", {})
    seen: set[str] = set()
    out: set[str] = set()
    todo = _classes_named(class_name)
    while todo:
        ref = todo.pop()
        if ref in seen or ref not in classes:
            continue
        seen.add(ref)
        entry = classes[ref]
        out.update(name for name in entry.get("methods", {}) if not name.startswith("_"))
        out.update(name for name in entry.get("properties", {}) or () if not name.startswith("_"))
        out.update(name for name in entry.get("attributes", {}) or () if not name.startswith("_"))
        todo.extend(entry.get("bases", []))
    return frozenset(out)
