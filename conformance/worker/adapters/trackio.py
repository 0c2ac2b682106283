"""The adapter for trackio's image class, `trackio.Image` (`trackio.media.image.TrackioImage`).

trackio's constructor is `Image(value, caption=None)`. It documents `value` as a file path
(`str` or `pathlib.Path`), a PIL image, or a NumPy array "of type np.uint8 with RGB values
in the range [0, 255]"; it has no tensors, no normalization, no mode, no file type, no
grouping. How the documented calls map onto it:

| documented | trackio |
|---|---|
| `caption=` | `caption=` |
| `mode=None`, `file_type=None` or `"png"`, `normalize=True`, `grouping/classes/boxes/masks=None` | left out: each says "the class's own behaviour"; trackio always writes PNG |
| any other value of those | skipped: trackio has no such parameter |
| tensor inputs, `Image(other_image)` | skipped by the runner: trackio does not document them |
| `to_uint8`, `guess_mode`, `all_captions`, `MAX_DIMENSION`, `MAX_ITEMS`, the signature | skipped: trackio's class has none of them |

What trackio logs is the file `_save_media(path)` writes: the array or PIL image converted
to RGBA and saved as PNG, or the user's file copied for a path. The adapter has it write
that file into a private temporary folder (not trackio's media directory, which belongs to
a run) and observes the decoded file; `format` is the file extension trackio gives it.

Before the import the worker is pinned offline (see offline.py): trackio's own directory
and the Hugging Face cache point into a private folder, Hub access is offline, telemetry
and analytics are off.

Worker-side: standard library, NumPy and PIL; trackio itself is imported by `load()`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Dict

from wbimage_conformance.worker.adapters import offline
from wbimage_conformance.worker.adapters.mapped import DEFAULT_ONLY, MappedAdapter, observe_encoded
from wbimage_conformance.worker.observation import Observation
from wbimage_conformance.worker.versions import distribution_version

OFFLINE_ENVIRONMENT: Dict[str, str] = {
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "DO_NOT_TRACK": "1",
}
PRIVATE_DIRECTORIES = ("TRACKIO_DIR", "HF_HOME")

KEYWORDS = {
    "caption": "caption",
    "mode": DEFAULT_ONLY, "file_type": DEFAULT_ONLY, "normalize": DEFAULT_ONLY,
    "grouping": DEFAULT_ONLY, "classes": DEFAULT_ONLY, "boxes": DEFAULT_ONLY, "masks": DEFAULT_ONLY,
}
DEFAULTS_ONLY = {"file_type": (None, "png")}
WHY = {
    "mode": "trackio.Image has no mode parameter (it always stores RGBA)",
    "file_type": "trackio.Image has no file_type parameter (it always writes PNG)",
    "normalize": "trackio.Image has no normalize parameter",
}
#: The input kinds trackio documents (`images` only feeds all_captions, which is skipped).
ACCEPTS = frozenset({"numpy", "pil", "path", "python", "images"})


class TrackioAdapter(MappedAdapter):
    """trackio's Image, observed through the file it would log."""

    def observe(self, image: Any) -> Observation:
        extension = image._file_extension()
        with tempfile.TemporaryDirectory(prefix="wbimage-trackio-") as folder:
            target = Path(folder) / f"image.{extension}"
            image._save_media(target)
            encoded = target.read_bytes()
        return observe_encoded(encoded, extension, getattr(image, "caption", None))


def load() -> TrackioAdapter:
    offline.pin(OFFLINE_ENVIRONMENT, PRIVATE_DIRECTORIES, prefix="wbimage-trackio-")
    import trackio

    version = distribution_version("trackio")
    return TrackioAdapter(trackio.Image, "trackio", version, "trackio.Image",
                          keywords=KEYWORDS, defaults_only=DEFAULTS_ONLY, accepts=ACCEPTS, why=WHY)

