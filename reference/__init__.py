"""Reference implementation of `wandb.Image`'s documented pixel pipeline (spec/SPEC.md).

Drop-in for the documented surface: code written for `wandb.Image` runs with
`import reference as wandb`. Modules, each with one job:

- `image`: the `Image` class, which only dispatches;
- `inputs`: input kinds, layouts, PIL images and files;
- `arrays`: real dtypes and tensor-to-NumPy conversion (torch stays an optional import);
- `normalize`: the three-branch algorithm and `to_uint8`;
- `modes`: shape-to-mode rules, mode checks and conversion;
- `encoding`: file types and in-memory encoding;
- `limits`: `MAX_DIMENSION`, `MAX_ITEMS`;
- `classes`, `boxes`, `masks`: the `classes`, `boxes` and `masks` arguments, checked (with
  `scalars` for the numbers in them and `fields` for their keys and error paths);
- `runs`: `all_boxes` and `all_masks`, which write files under `RunStub(dir).dir`.
"""

from wbimage_conformance.reference.boxes import BoundingBoxes2D
from wbimage_conformance.reference.classes import Classes
from wbimage_conformance.reference.image import Image
from wbimage_conformance.reference.limits import MAX_DIMENSION, MAX_ITEMS
from wbimage_conformance.reference.masks import ImageMask
from wbimage_conformance.reference.modes import guess_mode
from wbimage_conformance.reference.normalize import to_uint8
from wbimage_conformance.reference.runs import RunStub

__all__ = [
    "MAX_DIMENSION",
    "MAX_ITEMS",
    "BoundingBoxes2D",
    "Classes",
    "Image",
    "ImageMask",
    "RunStub",
    "guess_mode",
    "to_uint8",
]
