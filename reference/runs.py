"""`Image.all_boxes` and `Image.all_masks`: a run's files for the boxes and masks of many images.

[annotations.run]: the only thing asked of `run` is `run.dir`, an existing directory; each box
group and each mask becomes one file under it, and the call returns, per image, a JSON-ready
reference to each file ([all-boxes], [all-masks]):

    {"_type": "boxes2D", "path": "media/metadata/boxes2D/<run_key>_<step>_<id>.boxes2D.json",
     "sha256": "<hex of the file>", "size": <bytes>}

`<id>` is the first 20 hex digits of the file's sha256, so writing the same content twice
gives the same file, and different content never shares a name.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from PIL import Image as PILImage
from wbimage_conformance.reference import encoding
from wbimage_conformance.reference.scalars import describe

BOXES_DIR = "media/metadata/boxes2D"
MASKS_DIR = "media/images/mask"
BOXES_SUFFIX = ".boxes2D.json"
MASK_SUFFIX = ".mask.png"
_FORBIDDEN = ("/", "\\", "\0")


@dataclass(frozen=True)
class RunStub:
    """The smallest `run` that `all_boxes` and `all_masks` accept: a directory to write into.

    `reference.RunStub(dir=tempfile.mkdtemp())` stands in for a tracker's run object; any
    object with such a `dir` attribute does as well."""

    dir: str | os.PathLike[str]


def run_directory(run: Any) -> str:
    """`run.dir` as a str, checked to be an existing directory ([annotations.run])."""
    if not hasattr(run, "dir"):
        raise TypeError(f"run: expected an object with a 'dir' attribute naming a directory "
                        f"(e.g. reference.RunStub(dir=...)), got {describe(run)}")
    directory = run.dir
    if not isinstance(directory, (str, os.PathLike)):
        raise TypeError(f"run.dir: expected a directory path (str or pathlib.Path), got {describe(directory)}")
    if not os.path.isdir(directory):
        raise ValueError(f"run.dir: {os.fspath(directory)!r} is not an existing directory")
    return os.fspath(directory)


def _name_part(value: Any, where: str) -> str:
    """run_key and step become part of a file name: no separators, not '.' or '..'."""
    text = str(value)
    if text in ("", ".", "..") or any(c in text for c in _FORBIDDEN):
        raise ValueError(f"{where}: {value!r} cannot be part of a file name; use a non-empty name "
                         f"without '/', '\\\\' or NUL that is not '.' or '..'")
    return text


def check_run_key(run_key: Any) -> str:
    if not isinstance(run_key, str):
        raise TypeError(f"run_key: expected a str, got {describe(run_key)}")
    return _name_part(run_key, "run_key")


def check_step(step: Any) -> str:
    if isinstance(step, bool) or not isinstance(step, (int, str)):
        raise TypeError(f"step: expected an int or a str, got {describe(step)}")
    if isinstance(step, int) and step < 0:
        raise ValueError(f"step: {step} is negative")
    return _name_part(step, "step")


def collect(
    images: Any,
    run: Any,
    run_key: Any,
    step: Any,
    image_type: type,
    entries: Callable[[Any], Mapping[str, Any] | None],
    write: Callable[[Any, str, str], dict[str, Any]],
) -> list[dict[str, Any] | None] | bool:
    """Per image: None, or name -> `write(entry, directory, prefix)` for each entry of
    `entries(image)` (the image's boxes or masks, None when it has none); False when no
    image has any ([all-boxes], [all-masks]). Arguments are checked before anything else."""
    if not isinstance(images, (list, tuple)):
        raise TypeError(f"images: expected a list or tuple of Images, got {describe(images)}")
    for index, image in enumerate(images):
        if not isinstance(image, image_type):
            raise TypeError(f"images[{index}]: expected an Image, got {describe(image)}")
    directory = run_directory(run)
    prefix = f"{check_run_key(run_key)}_{check_step(step)}_"
    found = [entries(image) for image in images]
    if not any(found):
        return False
    return [
        None if not groups else {name: write(entry, directory, prefix) for name, entry in groups.items()}
        for groups in found
    ]


def _store(content: bytes, directory: str, folder: str, prefix: str, suffix: str, kind: str) -> dict[str, Any]:
    digest = hashlib.sha256(content).hexdigest()
    relative = f"{folder}/{prefix}{digest[:20]}{suffix}"
    target = os.path.join(directory, *relative.split("/"))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as handle:
        handle.write(content)
    return {"_type": kind, "path": relative, "sha256": digest, "size": len(content)}


def box_file_content(group: Mapping[str, Any]) -> dict[str, Any]:
    """What a box group's file holds: `box_data`, and `class_labels` (ids as decimal strings)
    when the group gave them."""
    content: dict[str, Any] = {"box_data": group["box_data"]}
    if "class_labels" in group:
        content["class_labels"] = {str(k): v for k, v in group["class_labels"].items()}
    return content


def write_boxes(group: Mapping[str, Any], directory: str, prefix: str) -> dict[str, Any]:
    content = json.dumps(box_file_content(group), ensure_ascii=False, allow_nan=False,
                         separators=(",", ":")).encode("utf-8")
    return _store(content, directory, BOXES_DIR, prefix, BOXES_SUFFIX, "boxes2D")


def write_mask(mask: Mapping[str, Any], directory: str, prefix: str) -> dict[str, Any]:
    """mask_data as an 8-bit grayscale PNG; a mask file's bytes as they were read, under its
    own extension."""
    if "mask_data" in mask:
        data: np.ndarray = mask["mask_data"]
        content = encoding.encode(PILImage.fromarray(data), "png")  # uint8 (H, W): mode L
        return _store(content, directory, MASKS_DIR, prefix, MASK_SUFFIX, "mask")
    loaded = mask["file"]
    suffix = f".{loaded.extension}" if loaded.extension else ""
    return _store(loaded.raw, directory, MASKS_DIR, prefix, suffix, "mask")
