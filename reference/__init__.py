"""Reference implementation of `wandb.Image`'s documented pixel pipeline (spec/SPEC.md).

Drop-in for the documented surface: code written for `wandb.Image` runs with
`import reference as wandb`. Modules, each with one job:

- `image`: the `Image` class, which only dispatches;
- `inputs`: input kinds, layouts, PIL images and files;
- `arrays`: real dtypes and tensor-to-NumPy conversion (torch stays an optional import);
- `normalize`: the three-branch algorithm and `to_uint8`;
- `modes`: shape-to-mode rules, mode checks and conversion;
- `encoding`: file types and in-memory encoding;
- `limits`: `MAX_DIMENSION`, `MAX_ITEMS`.
"""

from reference.image import Image
from reference.limits import MAX_DIMENSION, MAX_ITEMS
from reference.modes import guess_mode
from reference.normalize import to_uint8

__all__ = ["Image", "MAX_DIMENSION", "MAX_ITEMS", "guess_mode", "to_uint8"]
