"""An adapter for image classes that are like `wandb.Image` but take other arguments.

Trackers such as trackio and swanlab have an `Image` class of their own with a smaller or
different constructor. Their adapters say, keyword by keyword, how a documented call maps
onto the class: renamed, passed as it is, or meaningful only at its documented default
(`mode=None`, `normalize=True`, ...), in which case leaving it out says the same thing. A
call that cannot be said in the class's own terms (a keyword it has no counterpart for, a
method or constant it lacks) raises `Unmappable`: the case is skipped with that reason,
never faked by the adapter doing the work itself.

Worker-side: standard library and NumPy.
"""

from __future__ import annotations

import inspect
import io
from types import MappingProxyType
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Tuple

import numpy as np

from wbimage_conformance.worker.adapters.base import Unmappable
from wbimage_conformance.worker.adapters.image_class import ImageClassAdapter, sniff
from wbimage_conformance.worker.observation import Observation

#: The documented constructor keywords and their documented defaults ([api.signature]).
DOCUMENTED_DEFAULTS: Dict[str, Any] = {
    "mode": None, "caption": None, "grouping": None, "classes": None, "boxes": None,
    "masks": None, "file_type": None, "normalize": True,
}
#: Marks a keyword whose only mappable values are the ones listed in `defaults_only`.
DEFAULT_ONLY = object()


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


class MappedAdapter(ImageClassAdapter):
    """Drives `cls` through a keyword map.

    `keywords` maps each documented keyword to the class's own keyword name, or to
    `DEFAULT_ONLY` when the class has no such parameter; `defaults_only` lists, for those,
    the values that mean "the class's own behaviour" (the documented default, and any value
    the class always behaves as, e.g. `file_type="png"` for a class that always writes PNG).
    `accepts` are the protocol input kinds the class documents; cases with other inputs are
    skipped by the runner before they are sent."""

    def __init__(self, cls: type, name: str, version: Optional[str], display: str, *,
                 keywords: Mapping[str, Any], defaults_only: Mapping[str, Tuple[Any, ...]] = MappingProxyType({}),
                 accepts: FrozenSet[str], why: Mapping[str, str] = MappingProxyType({})) -> None:
        super().__init__(cls, name, version, display)
        self.keywords = dict(keywords)
        self.defaults_only = {k: tuple(v) for k, v in dict(defaults_only).items()}
        self.accepts = frozenset(accepts)
        self.why = dict(why)

    @property
    def capabilities(self) -> frozenset:
        return self.accepts  # never `normalize-keyword`: these classes have no such parameter

    def map_kwargs(self, kwargs: Dict[str, Any]) -> Dict[str, Any]:
        mapped: Dict[str, Any] = {}
        for key, value in kwargs.items():
            target = self.keywords.get(key)
            if target is None:
                raise Unmappable(f"{self.display} has no counterpart for keyword {key!r}")
            if target is DEFAULT_ONLY:
                allowed = self.defaults_only.get(key, (DOCUMENTED_DEFAULTS.get(key),))
                if any(_same(value, a) for a in allowed):
                    continue
                reason = self.why.get(key, f"{self.display} has no {key!r} parameter")
                raise Unmappable(f"{key}={value!r} cannot be mapped: {reason}")
            mapped[target] = value
        return mapped

    def make_image(self, data: Any, kwargs: Dict[str, Any]) -> Any:
        return self.cls(data, **self.map_kwargs(kwargs))

    def _class_member(self, name: str) -> Any:
        try:
            return getattr(self.cls, name)
        except AttributeError:
            raise Unmappable(f"{self.display} has no {name}") from None

    def to_uint8(self, data: Any) -> Any:
        return self._class_member("to_uint8")(data)

    def guess_mode(self, data: Any, kwargs: Dict[str, Any]) -> Any:
        self._class_member("guess_mode")
        return super().guess_mode(data, kwargs)

    def guess_mode_on_class(self, data: Any, kwargs: Dict[str, Any]) -> Any:
        self._class_member("guess_mode")
        return super().guess_mode_on_class(data, kwargs)

    def all_captions(self, images: Any) -> Any:
        return self._class_member("all_captions")(images)

    def all_boxes(self, images: Any, kwargs: Dict[str, Any]) -> Any:
        self._class_member("all_boxes")
        return super().all_boxes(images, kwargs)

    def all_masks(self, images: Any, kwargs: Dict[str, Any]) -> Any:
        self._class_member("all_masks")
        return super().all_masks(images, kwargs)

    def attribute(self, name: Optional[str]) -> Any:
        if not name:
            raise ValueError("api 'attribute' needs a name")
        return self._class_member(name)

    def signature(self) -> List[List[Any]]:
        own = ", ".join(str(p) for p in inspect.signature(self.cls).parameters.values())
        raise Unmappable(f"{self.display}({own}) is not wandb's constructor; the adapter maps keywords onto it")


def observe_encoded(encoded: bytes, file_format: Any, caption: Any, grouping: Any = None) -> Observation:
    """The observation of an image that exists only as the encoded file a class stores:
    pixels, mode and size as decoded from those bytes (after compression, for JPEG). Bytes
    that do not decode leave the pixels unobserved, with a note: the class made no error."""
    from PIL import Image as PILImage

    common = {"format": file_format, "encoded": sniff(encoded[:16]), "caption": caption, "grouping": grouping}
    try:
        with PILImage.open(io.BytesIO(encoded)) as decoded:
            decoded.load()
            return Observation(pixels=np.asarray(decoded), mode=decoded.mode, size=decoded.size, **common,
                               notes=("pixels decoded from the encoded file the class stores",))
    except Exception as exc:
        return Observation(**common, notes=(f"the file the class stores does not decode as an image: "
                                            f"{type(exc).__name__}: {exc}",))
