"""The inputs an impact is computed on: the samples of capture folders (or their manifests),
and loose `.npy` arrays and image files, each with its call site and the arguments its call
gave.

A capture may come from anyone, so it is read through the manifest's schema
(capture/manifest.py), every sample file must lie inside its folder (no `..`, no link out of
it), arrays are read with `allow_pickle=False` and must have the dtype and shape the manifest
states. The data is loaded one sample at a time (`Sample.load`), so memory stays that of the
largest sample, not of the capture.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from wbimage_conformance.capture import manifest
from wbimage_conformance.errors import ConfigurationError

#: The arguments that decide the pixels, with the value a call has when it does not give one.
DEFAULTS: dict[str, Any] = {"mode": None, "normalize": True, "file_type": None}
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
#: An image with more pixels than this is refused before it is decoded (a few KB of PNG can
#: declare gigapixels).
MAX_PIXELS = 1 << 28
#: A loose file larger than this is refused (a capture's own limit is 64 MiB per site by default).
MAX_FILE_BYTES = 1 << 31


class SampleError(ConfigurationError):
    """An input that cannot be read as a sample (exit code 2)."""


@dataclass(frozen=True)
class Sample:
    """One input as a call gave it: `kind` is numpy, torch or pil; `dtype` is the array's
    dtype, or the tensor's torch dtype without `torch.` (a bfloat16 tensor is stored as
    float32, which holds it exactly); `given` holds only the pixel arguments the call passed."""

    site: str
    function: str
    index: int
    kind: str
    dtype: str
    shape: tuple[int, ...]
    path: Path | None
    given: dict[str, Any] = field(default_factory=dict)
    pil_mode: str | None = None
    skipped: str | None = None     # why it cannot be compared (a path, an unreadable tensor)

    @property
    def label(self) -> str:
        return f"{self.site} #{self.index}"

    @property
    def described(self) -> str:
        kind = {"numpy": "array", "torch": "tensor", "pil": "PIL image"}.get(self.kind, self.kind)
        shape = "x".join(str(n) for n in self.shape)
        given = ", ".join(f"{k}={v!r}" for k, v in sorted(self.given.items()))
        return f"{self.dtype} {kind} {shape}" + (f" ({given})" if given else "")

    def argument(self, name: str) -> Any:
        return self.given.get(name, DEFAULTS[name])

    def load(self) -> np.ndarray:
        """The values (a PIL image's pixels for pil samples), checked against what the manifest says."""
        assert self.path is not None, "a skipped sample has no data"
        if self.kind == "pil":
            with image_file(self.path) as image:
                image.load()
                return np.asarray(image)
        dtype, shape = npy_header(self.path)
        stored = "float32" if self.dtype == "bfloat16" else self.dtype
        if str(dtype) != stored or shape != self.shape:
            raise SampleError(f"{self.path}: holds {dtype} {list(shape)}, but its manifest says "
                              f"{stored} {list(self.shape)}")
        try:
            return np.load(self.path, allow_pickle=False)
        except (OSError, ValueError, EOFError) as exc:
            raise SampleError(f"{self.path}: not a readable .npy array: {' '.join(str(exc).split())[:200]}") from None


def npy_header(path: Path) -> tuple[np.dtype, tuple[int, ...]]:
    """The dtype and shape a .npy file declares, checked before anything is allocated: no
    object dtype (it needs pickle), and exactly the bytes the shape needs (a header of a few
    bytes could otherwise ask numpy.load for terabytes)."""
    from numpy.lib import format as npy_format

    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            version = npy_format.read_magic(handle)
            read = npy_format.read_array_header_1_0 if version == (1, 0) else npy_format.read_array_header_2_0
            shape, _, dtype = read(handle)
            offset = handle.tell()
    except (OSError, ValueError, EOFError, SyntaxError) as exc:
        raise SampleError(f"{path}: not a readable .npy array: {' '.join(str(exc).split())[:200]}") from None
    if dtype.hasobject:
        raise SampleError(f"{path}: holds Python objects (dtype {dtype}), which only pickle can read; refused")
    if math.prod(shape) * dtype.itemsize != size - offset:
        raise SampleError(f"{path}: its header declares {list(shape)} {dtype} ({math.prod(shape) * dtype.itemsize} "
                          f"bytes), but the file holds {size - offset}")
    return dtype, tuple(shape)


def read(inputs: Iterable[str | os.PathLike[str]]) -> list[Sample]:
    """Every sample of the inputs, in the order given: a capture folder or its manifest.json,
    a `.npy` file (an array) or an image file (a PIL image)."""
    found: list[Sample] = []
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            found.extend(from_capture(path))
        elif path.name == manifest.MANIFEST:
            found.extend(from_capture(path.parent))
        elif path.suffix.lower() == ".npy":
            found.append(_loose_array(path))
        elif path.suffix.lower() in IMAGE_SUFFIXES:
            found.append(_loose_image(path))
        elif not path.exists():
            raise SampleError(f"{path}: no such file or folder")
        else:
            raise SampleError(f"{path}: neither a capture folder, a manifest.json, a .npy file nor an image "
                              f"({', '.join(IMAGE_SUFFIXES)})")
    return _numbered_apart(found)


def _numbered_apart(found: list[Sample]) -> list[Sample]:
    """The same call site in two captures (two runs of one project) is one site: a sample whose
    number the site already has gets the next free one, so each stays its own sample."""
    taken: dict[str, set[int]] = {}
    unique = []
    for sample in found:
        numbers = taken.setdefault(sample.site, set())
        kept = replace(sample, index=max(numbers) + 1) if sample.index in numbers else sample
        numbers.add(kept.index)
        unique.append(kept)
    return unique


def from_capture(folder: Path) -> list[Sample]:
    document = manifest.read(folder)
    root = folder.resolve()
    samples = []
    for site in document["sites"]:
        for entry in site["samples"]:
            samples.append(_captured(root, site, entry))
    return samples


def _captured(root: Path, site: dict[str, Any], entry: dict[str, Any]) -> Sample:
    kind = entry["kind"]
    given = _given(entry)
    common = {"site": site["site"], "function": site["function"], "index": entry["index"], "given": given}
    shape = tuple(entry.get("shape") or ())
    if kind not in ("numpy", "torch", "pil") or entry["file"] is None:
        why = entry.get("note") or {"path": f"a path ({entry.get('path', '?')}): the file is read, not captured",
                                    "other": f"a {entry['type']}, which is not an array, tensor or PIL image"
                                    }.get(kind, "no data was kept")
        return Sample(kind=kind, dtype=str(entry.get("dtype", "")), shape=shape, path=None, skipped=why, **common)
    path = _inside(root, entry["file"])
    if kind == "pil":
        return Sample(kind=kind, dtype="uint8", shape=shape, path=path, pil_mode=entry.get("pil_mode"), **common)
    dtype = entry.get("dtype", "")
    if kind == "torch":
        dtype = str(entry.get("torch", {}).get("dtype", dtype)).removeprefix("torch.")
    return Sample(kind=kind, dtype=dtype, shape=shape, path=path, **common)


def _given(entry: dict[str, Any]) -> dict[str, Any]:
    """The pixel arguments the call passed. A capture without `given` (written before it was
    recorded) shows defaults filled in: a value other than the default was given."""
    kwargs = entry["kwargs"]
    if "given" in entry:
        return {name: kwargs.get(name) for name in entry["given"]}
    return {name: value for name, value in kwargs.items() if value != DEFAULTS.get(name)}


def _inside(root: Path, relative: str) -> Path:
    target = (root / relative).resolve()
    if root not in target.parents:
        raise SampleError(f"{root / relative}: lies outside the capture folder {root}")
    if not target.is_file():
        raise SampleError(f"{root / relative}: the sample file is missing")
    return target


def _size_checked(path: Path) -> Path:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SampleError(f"{path}: {exc.strerror or exc}") from None
    if size > MAX_FILE_BYTES:
        raise SampleError(f"{path}: {size} bytes; at most {MAX_FILE_BYTES} are read")
    return path


def _loose_array(path: Path) -> Sample:
    _size_checked(path)
    dtype, shape = npy_header(path)
    return Sample(site=str(path), function="", index=0, kind="numpy", dtype=str(dtype), shape=shape,
                  path=path.resolve())


@contextmanager
def image_file(path: Path) -> Iterator[Any]:
    """The image file opened (not yet decoded) once its size is known to be within MAX_PIXELS;
    anything PIL cannot read, then or while the caller decodes it, is a SampleError."""
    from PIL import Image as PILImage

    try:
        with PILImage.open(path) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise SampleError(f"{path}: {width}x{height} pixels; at most {MAX_PIXELS} are read")
            yield image
    except (OSError, ValueError, PILImage.DecompressionBombError) as exc:
        raise SampleError(f"{path}: not a readable image: {exc}") from None


def _loose_image(path: Path) -> Sample:
    _size_checked(path)
    with image_file(path) as image:
        size, mode = image.size, image.mode
    return Sample(site=str(path), function="", index=0, kind="pil", dtype="uint8", shape=(size[1], size[0]),
                  path=path.resolve(), pil_mode=mode)
