"""The adapter for any class with the `wandb.Image` public surface.

Reference, wandb and `MODULE:ATTR` classes are all driven through this one adapter, so the
same observation rules apply to all: pixels are `numpy.asarray(img.image)`, mode and size
come from that PIL image, the caption is `caption` (or wandb's private `_caption`), and the
encoded format is read from the signature bytes of whatever encoded file the object exposes.
"""

from __future__ import annotations

import inspect
import os
import warnings
from typing import Any, ContextManager, Dict, List, Optional

import numpy as np

from wbimage_conformance.worker import protocol
from wbimage_conformance.worker.adapters import run_files
from wbimage_conformance.worker.adapters.base import AdapterNote
from wbimage_conformance.worker.observation import Observation

_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"BM", "bmp"))
#: Where implementations keep their encoded file: bytes in memory, or a path on disk.
ENCODED_ATTRIBUTES = ("encoded", "_encoded", "_path", "path")


def sniff(head: bytes) -> str:
    """The encoded format by signature bytes: png, jpeg, bmp, or "unknown". Written here
    rather than borrowed from `reference`, so the checker does not trust the checked."""
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return name
    return "unknown"


class ImageClassAdapter:
    """Drives a wandb.Image-shaped class."""

    def __init__(self, cls: type, name: str, version: Optional[str] = None, display: Optional[str] = None) -> None:
        self.cls: Any = cls  # the implementation's class: its methods are known only by calling them
        self.name = name
        self.version = version
        self.display = display or f"{cls.__module__}.{cls.__qualname__}"
        self._keywords = self._accepted_keywords()

    def _accepted_keywords(self) -> Optional[frozenset]:
        """Keyword names the constructor takes; None when it takes any (**kwargs) or when the
        signature cannot be read."""
        try:
            parameters = inspect.signature(self.cls).parameters.values()
        except (TypeError, ValueError):
            return None
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
            return None
        return frozenset(p.name for p in parameters if p.kind is not inspect.Parameter.VAR_POSITIONAL)

    @property
    def capabilities(self) -> frozenset:
        kinds = set(protocol.INPUT_KINDS)
        if self._keywords is None or "normalize" in self._keywords:
            kinds.add("normalize-keyword")
        return frozenset(kinds)

    # -- calls ------------------------------------------------------------------------------

    def make_image(self, data: Any, kwargs: Dict[str, Any]) -> Any:
        if self._keywords is not None:
            for key in kwargs:
                if key not in self._keywords:
                    warnings.warn(AdapterNote(f"{self.display} has no keyword argument {key!r}"))
        return self.cls(data, **kwargs)

    def to_uint8(self, data: Any) -> Any:
        return self.cls.to_uint8(data)

    def guess_mode(self, data: Any, kwargs: Dict[str, Any]) -> Any:
        """Called on the class. wandb declares it as a plain method, which needs an instance;
        then it is called with an instance made without running the constructor, and noted."""
        declared = inspect.getattr_static(self.cls, "guess_mode")
        if inspect.isfunction(declared):
            warnings.warn(AdapterNote(
                f"{self.display}.guess_mode is an instance method; called as "
                f"guess_mode(cls.__new__(cls), data, ...)"
            ))
            return self.cls.guess_mode(self.cls.__new__(self.cls), data, **kwargs)
        return self.cls.guess_mode(data, **kwargs)

    def guess_mode_on_class(self, data: Any, kwargs: Dict[str, Any]) -> Any:
        """`cls.guess_mode(data, ...)` and nothing else: what [api.classmethods] requires."""
        return self.cls.guess_mode(data, **kwargs)

    def all_captions(self, images: Any) -> Any:
        return self.cls.all_captions(images)

    def all_boxes(self, images: Any, kwargs: Dict[str, Any]) -> Any:
        return self._files_of("all_boxes", images, kwargs)

    def all_masks(self, images: Any, kwargs: Dict[str, Any]) -> Any:
        return self._files_of("all_masks", images, kwargs)

    def _files_of(self, method: str, images: Any, kwargs: Dict[str, Any]) -> Any:
        """`cls.all_boxes(images, run, run_key, step)` (or all_masks) with the run from
        `open_run`, its file references read back (run_files.resolve)."""
        run_key = kwargs.get("run_key", run_files.RUN_KEY)
        step = kwargs.get("step", run_files.STEP)
        with self.open_run() as run:
            self.prepare_run(images, run, run_key, step)
            returned = getattr(self.cls, method)(images, run, run_key, step)
            return run_files.resolve(returned, os.fspath(run.dir), run_key, step)

    def open_run(self) -> ContextManager[Any]:
        """The run passed to all_boxes and all_masks: by default a fresh stand-in with only a
        `dir` ([annotations.run]). An implementation that needs its own run overrides this."""
        return run_files.fresh_run()

    def prepare_run(self, images: Any, run: Any, run_key: Any, step: Any) -> None:
        """What must happen to `images` before all_boxes/all_masks can be called with `run`;
        nothing by default."""

    def attribute(self, name: Optional[str]) -> Any:
        if not name:
            raise ValueError("api 'attribute' needs a name")
        return getattr(self.cls, name)

    def signature(self) -> List[List[Any]]:
        """[name, default] for each parameter after `data_or_path` (after the first one when
        no parameter has that name); no default shows as `inspect._empty`."""
        parameters = list(inspect.signature(self.cls).parameters.values())
        names = [p.name for p in parameters]
        start = names.index("data_or_path") + 1 if "data_or_path" in names else 1
        out: List[List[Any]] = []
        for p in parameters[start:]:
            prefix = "*" if p.kind is p.VAR_POSITIONAL else "**" if p.kind is p.VAR_KEYWORD else ""
            out.append([prefix + p.name, p.default])
        return out

    # -- observing --------------------------------------------------------------------------

    def observe(self, image: Any) -> Observation:
        """Read every observable field; a field that cannot be read is left None, with a note."""
        notes: List[str] = []

        def read(what: str, getter: Any) -> Any:
            try:
                return getter()
            except Exception as exc:
                notes.append(f"could not read {what}: {type(exc).__name__}: {exc}")
                return None

        pil = read("image", lambda: image.image)
        pixels = read("pixels", lambda: np.asarray(pil)) if pil is not None else None
        mode = read("image.mode", lambda: pil.mode) if pil is not None else None
        size = read("image.size", lambda: pil.size) if pil is not None else None
        return Observation(
            pixels=pixels,
            mode=mode,
            size=size,
            format=read("format", lambda: image.format),
            encoded=read("encoded bytes", lambda: self.encoded_format(image, notes)),
            caption=read("caption", lambda: _first_attribute(image, ("caption", "_caption"))),
            grouping=read("grouping", lambda: _first_attribute(image, ("grouping", "_grouping"))),
            notes=tuple(notes),
        )

    def encoded_format(self, image: Any, notes: List[str]) -> Optional[str]:
        """The format of the encoded file the object exposes (bytes, or a file path), or None
        when it exposes none."""
        for attribute in ENCODED_ATTRIBUTES:
            value = getattr(image, attribute, None)
            if callable(value):
                continue
            if isinstance(value, (bytes, bytearray, memoryview)):
                return sniff(bytes(value[:16]))
            if isinstance(value, (str, os.PathLike)) and os.path.isfile(value):
                with open(value, "rb") as handle:
                    return sniff(handle.read(16))
        notes.append(f"no encoded file reachable (looked at {', '.join(ENCODED_ATTRIBUTES)})")
        return None


def _first_attribute(obj: Any, names: tuple) -> Any:
    for name in names:
        if hasattr(obj, name):
            return getattr(obj, name)
    return None
