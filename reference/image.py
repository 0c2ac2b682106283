"""`Image`: the documented public surface of `wandb.Image`, built from the modules beside it.

The constructor only dispatches: each input kind has one short method that says which
pipeline it takes ([input.dispatch]). Everything is computed eagerly and kept in memory:
`image` (the PIL image before encoding), `format` and `encoded` (the encoded file's bytes).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from PIL import Image as PILImage

from wbimage_conformance.reference import boxes as box_groups
from wbimage_conformance.reference import classes as class_sets
from wbimage_conformance.reference import encoding, inputs, limits, modes, runs
from wbimage_conformance.reference import masks as mask_sets
from wbimage_conformance.reference import normalize as normalization


def _check_normalize_flag(normalize: Any) -> None:
    """[norm.disabled]: `normalize` is a Python or NumPy bool, nothing else."""
    if not isinstance(normalize, (bool, np.bool_)):
        raise TypeError(
            f"normalize: expected True or False (a bool or numpy.bool_), got "
            f"{type(normalize).__qualname__} {normalize!r}"
        )


class Image:
    """An image made from an array, a tensor, a PIL image, a file path or another Image.

    Arrays and tensors are normalized to uint8 as the docs describe (unless
    `normalize=False`); PIL images and files are taken as they are. Attributes:

    - `image`: the `PIL.Image.Image` (pixels before encoding, so JPEG loss does not show);
    - `format`: "png" (default), "jpg", "jpeg", "bmp", or a file's extension as written;
    - `encoded`: the bytes of the encoded file, in memory (for a path, the file's bytes);
    - `width`, `height`, `caption`, `grouping`;
    - `classes`, `boxes`, `masks`: checked and normalized (see classes.py, boxes.py, masks.py).

    `_image`, `_caption` and `_grouping` hold the same objects, for code that reads the
    private names `wandb.Image` uses.
    """

    MAX_DIMENSION: int = limits.MAX_DIMENSION
    MAX_ITEMS: int = limits.MAX_ITEMS
    _classes: class_sets.Classes | None

    def __init__(
        self,
        data_or_path: Any,
        mode: str | None = None,
        caption: Any = None,
        grouping: Any = None,
        classes: Any = None,
        boxes: Any = None,
        masks: Any = None,
        file_type: str | None = None,
        normalize: bool = True,
    ) -> None:
        _check_normalize_flag(normalize)
        if isinstance(data_or_path, Image):
            self._copy_from(data_or_path, caption, grouping)
        else:
            kind = inputs.kind_of(data_or_path)
            if kind == "path":
                self._init_from_path(data_or_path)
            elif kind == "pil":
                self._init_from_pil(data_or_path, file_type)
            else:
                self._init_from_data(data_or_path, mode, file_type, bool(normalize))
            self._caption = caption
            self._grouping = grouping
        self._set_annotations(data_or_path, classes, boxes, masks)

    # -- one method per input kind ------------------------------------------------------

    def _init_from_data(self, data: Any, mode: Any, file_type: Any, normalize: bool) -> None:
        """Arrays and tensors: validate, normalize, pick the mode, encode ([norm.*], [mode.*])."""
        array = inputs.image_array(data)
        self._format = encoding.check_file_type(file_type)
        modes.check_mode(mode, self._format)
        target = mode if mode is not None else modes.guess_mode(data, self._format)
        pixels = normalization.normalize_array(array, enabled=normalize, order="C")
        self._set_image(modes.pixels_to_pil(pixels, target))

    def _init_from_pil(self, image: PILImage.Image, file_type: Any) -> None:
        """PIL images: used as they are; only `file_type` matters ([input.pil])."""
        self._format = encoding.check_file_type(file_type)
        self._set_image(inputs.pil_copy(image))

    def _init_from_path(self, path: Any) -> None:
        """Files: decoded as they are; the format is the extension ([input.path])."""
        loaded = inputs.load_path(path)
        self._format = loaded.extension
        self._image = loaded.image
        self._encoded = loaded.raw

    def _copy_from(self, other: Image, caption: Any, grouping: Any) -> None:
        """Another Image: same pixels and format; new metadata replaces old ([input.image])."""
        self._format = other._format
        self._image = other._image.copy()
        self._encoded = other._encoded
        self._caption = other._caption if caption is None else caption
        self._grouping = other._grouping if grouping is None else grouping

    def _set_annotations(self, data_or_path: Any, classes: Any, boxes: Any, masks: Any) -> None:
        """Classes, boxes and masks, checked against this image's size ([classes.*], [boxes.*],
        [masks.*]). A copy keeps the other Image's classes unless new ones are given, and
        never its boxes or masks: those belong to the call that gives them ([annotations.copy])."""
        if classes is None and isinstance(data_or_path, Image):
            self._classes = data_or_path._classes
        else:
            self._classes = class_sets.check_classes(classes)
        self._boxes = box_groups.check_boxes(boxes, self.width, self.height)
        self._masks = mask_sets.check_masks(masks, self.width, self.height)

    def _set_image(self, image: PILImage.Image) -> None:
        self._image = image
        self._encoded = encoding.encode(image, self._format)

    # -- read-only attributes -------------------------------------------------------------

    @property
    def image(self) -> PILImage.Image:
        """The PIL image: the pixels before encoding."""
        return self._image

    @property
    def format(self) -> str:
        """The file type the image is encoded as (a path's extension as written)."""
        return self._format

    @property
    def encoded(self) -> bytes:
        """The encoded file, in memory: PNG, JPEG or BMP bytes, or a path's file as read."""
        return self._encoded

    @property
    def width(self) -> int:
        return self._image.size[0]

    @property
    def height(self) -> int:
        return self._image.size[1]

    @property
    def caption(self) -> Any:
        return self._caption

    @property
    def grouping(self) -> Any:
        return self._grouping

    @property
    def classes(self) -> class_sets.Classes | None:
        """The checked class set, or None."""
        return self._classes

    @property
    def boxes(self) -> dict[str, dict[str, Any]] | None:
        """Group name -> checked box group (plain numbers, `middle` as a list), or None."""
        return self._boxes

    @property
    def masks(self) -> dict[str, dict[str, Any]] | None:
        """Mask name -> checked mask (`mask_data` as uint8, or `path` and its `file`), or None."""
        return self._masks

    def __repr__(self) -> str:
        return (
            f"<{type(self).__module__}.{type(self).__qualname__} {self.width}x{self.height} "
            f"{self._image.mode} format={self._format!r} caption={self._caption!r}>"
        )

    # -- documented class-level helpers ---------------------------------------------------

    @classmethod
    def guess_mode(cls, data: Any, file_type: str | None = None) -> str:
        """The PIL mode an array or tensor represents, from its shape ([mode.guess]).

        A classmethod, so it can be called on the class and on an instance alike.
        """
        return modes.guess_mode(data, file_type)

    @classmethod
    def to_uint8(cls, data: Any) -> np.ndarray:
        """The normalization algorithm on an array of any shape, as uint8 ([to-uint8])."""
        return normalization.to_uint8(data)

    @classmethod
    def all_captions(cls, images: Iterable[Any]) -> list[Any] | bool:
        """Every image's caption (None where missing), or False when none has one ([all-captions]).

        An image "has a caption" when its caption is not None, so "" counts as one.
        """
        captions = [getattr(image, "_caption", None) for image in images]
        return captions if any(c is not None for c in captions) else False

    @classmethod
    def all_boxes(cls, images: Sequence[Image], run: Any, run_key: str,
                  step: int | str) -> list[dict[str, Any] | None] | bool:
        """Per image, None or group name -> reference to the group's JSON file written under
        `run.dir`; False when no image has boxes ([all-boxes], [annotations.run])."""
        return runs.collect(images, run, run_key, step, Image, lambda image: image._boxes, runs.write_boxes)

    @classmethod
    def all_masks(cls, images: Sequence[Image], run: Any, run_key: str,
                  step: int | str) -> list[dict[str, Any] | None] | bool:
        """Per image, None or mask name -> reference to the mask's PNG file written under
        `run.dir`; False when no image has masks ([all-masks], [annotations.run])."""
        return runs.collect(images, run, run_key, step, Image, lambda image: image._masks, runs.write_mask)
