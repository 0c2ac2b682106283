"""The adapter for swanlab's image class, `swanlab.Image`.

swanlab's constructor is `Image(data_or_path, mode=None, caption=None, file_type=None,
size=None)`. It documents a `str` path, a PIL image, a NumPy array `(H, W)` or `(H, W, 3/4)`,
a torch tensor, a matplotlib figure, or another swanlab Image; file types png, jpg, jpeg and
bmp. It encodes at once into an in-memory buffer and keeps only that, the file type and the
caption. How the documented calls map onto it:

| documented | swanlab |
|---|---|
| `mode=`, `caption=`, `file_type=` | the same keywords |
| `normalize=True`, `grouping/classes/boxes/masks=None` | left out: each says "the class's own behaviour" |
| `normalize=False` or another value, `grouping=` and the other three with a value | skipped: swanlab has no such parameter |
| `to_uint8`, `guess_mode`, `all_captions`, `MAX_DIMENSION`, `MAX_ITEMS`, the signature | skipped: swanlab's class has none of them |

Every input kind is passed as it is (a `pathlib.Path` too: it is a documented input of the
docs, and what swanlab does with it is its behaviour). The observation decodes the stored
buffer, so JPEG pixels are after compression; `format` is the class's `file_type`.

swanlab's tensor path calls `torchvision.utils.make_grid(t, normalize=True)` and hands the
result to `PIL.Image.fromarray(..., mode=mode)`; tensors are passed to it as they are. Where
torchvision does not import, every tensor case errors with swanlab's own exception, reported
as it is; the history's virtualenvs give it torchvision's own utils module, loaded alone
(history/grid_torchvision.py), so the real make_grid runs.

Before the import the worker is pinned offline (see offline.py): runs disabled, and swanlab's
folders point into a private directory.

Worker-side: standard library, NumPy and PIL; swanlab itself is imported by `load()`.
"""

from __future__ import annotations

from typing import Any, Dict

from wbimage_conformance.worker.adapters import offline
from wbimage_conformance.worker.adapters.mapped import DEFAULT_ONLY, MappedAdapter, observe_encoded
from wbimage_conformance.worker.observation import Observation
from wbimage_conformance.worker.versions import distribution_version

OFFLINE_ENVIRONMENT: Dict[str, str] = {"SWANLAB_MODE": "disabled"}
PRIVATE_DIRECTORIES = ("SWANLAB_SAVE_DIR", "SWANLAB_LOG_DIR", "SWANLAB_CONFIG_DIR", "SWANLAB_ROOT")

KEYWORDS = {
    "mode": "mode", "caption": "caption", "file_type": "file_type",
    "normalize": DEFAULT_ONLY,
    "grouping": DEFAULT_ONLY, "classes": DEFAULT_ONLY, "boxes": DEFAULT_ONLY, "masks": DEFAULT_ONLY,
}
WHY = {"normalize": "swanlab.Image has no normalize parameter"}
ACCEPTS = frozenset({"numpy", "tensor", "pil", "path", "image", "images", "python"})


class SwanlabAdapter(MappedAdapter):
    """swanlab's Image, observed through the encoded buffer it keeps."""

    def observe(self, image: Any) -> Observation:
        return observe_encoded(image.buffer.getvalue(), image.file_type, getattr(image, "caption", None))


def load() -> SwanlabAdapter:
    offline.pin(OFFLINE_ENVIRONMENT, PRIVATE_DIRECTORIES, prefix="wbimage-swanlab-")
    import swanlab

    version = distribution_version("swanlab")
    return SwanlabAdapter(swanlab.Image, "swanlab", version, "swanlab.Image",
                          keywords=KEYWORDS, accepts=ACCEPTS, why=WHY)
