"""The adapter for a real wandb release, whichever is importable in the worker's interpreter.

`wandb.Image` has the documented surface, so the generic `ImageClassAdapter` drives it; what
is wandb's own is kept here:

- Before the import, the worker is pinned offline (see offline.py): runs disabled, no error
  reporting, no git or code capture, silent, a base URL that goes nowhere, and every
  directory wandb may write to (config, cache, data, artifacts, runs) private.
- Where a release keeps what the suite observes: the caption in `_caption`, the grouping in
  `_grouping`, the encoded file at `_path` (a temporary PNG/JPEG/BMP it wrote, or the user's
  file for a path input). `image` is a property that decodes that file again in releases
  that drop the in-memory picture after writing it, so JPEG pixels are after compression.
- `guess_mode` is a plain method in every release measured, so it needs an instance; the
  generic adapter calls it on one made without the constructor, and says so in a note.
- `all_boxes` and `all_masks` need a real `wandb.Run` and images already bound to it (as
  `run.log` does): one offline run per worker, and each Image bound before the call.
- `normalize=` exists only in 0.20.0-0.28.x; where it is missing, the capability is not
  declared and each such case fails with the implementation's own TypeError and a note.

Worker-side: standard library and NumPy; wandb itself is imported by `load()`.
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from dataclasses import replace
from typing import Any, ContextManager, Dict, List, Optional

from wbimage_conformance.worker.adapters import offline
from wbimage_conformance.worker.adapters.image_class import ImageClassAdapter, sniff
from wbimage_conformance.worker.observation import Observation

#: Settings read by wandb at import and when a run would start; all keep it off the network.
OFFLINE_ENVIRONMENT: Dict[str, str] = {
    "WANDB_MODE": "disabled",
    "WANDB_SILENT": "true",
    "WANDB_QUIET": "true",
    "WANDB_ERROR_REPORTING": "false",
    "WANDB_DISABLE_GIT": "true",
    "WANDB_DISABLE_CODE": "true",
    "WANDB_SAVE_CODE": "false",
    "WANDB_CONSOLE": "off",
    "WANDB_BASE_URL": "http://127.0.0.1:9",  # the discard port: a slip fails fast, locally
}
#: Directories wandb may write to; each is pointed into one private temporary directory.
PRIVATE_DIRECTORIES = ("WANDB_DIR", "WANDB_CONFIG_DIR", "WANDB_CACHE_DIR", "WANDB_DATA_DIR", "WANDB_ARTIFACT_DIR")

#: Where a wandb Image keeps what the suite observes.
CAPTION_ATTRIBUTE = "_caption"
GROUPING_ATTRIBUTE = "_grouping"
ENCODED_FILE_ATTRIBUTE = "_path"


def isolate(environ: Optional[Dict[str, str]] = None) -> str:
    """Pin wandb offline in `environ` (default: this process's); returns the private
    directory that its writable directories point into."""
    return offline.pin(OFFLINE_ENVIRONMENT, PRIVATE_DIRECTORIES, prefix="wbimage-wandb-", environ=environ)


class WandbAdapter(ImageClassAdapter):
    """`wandb.Image`, observed through the attributes wandb keeps its state in."""

    def observe(self, image: Any) -> Observation:
        observation = super().observe(image)
        # The generic reader prefers public attributes; a release has only the private ones.
        return replace(
            observation,
            caption=getattr(image, CAPTION_ATTRIBUTE, observation.caption),
            grouping=getattr(image, GROUPING_ATTRIBUTE, observation.grouping),
        )

    def encoded_format(self, image: Any, notes: List[str]) -> Optional[str]:
        path = getattr(image, ENCODED_FILE_ATTRIBUTE, None)
        if isinstance(path, (str, os.PathLike)) and os.path.isfile(path):
            with open(path, "rb") as handle:
                return sniff(handle.read(16))
        notes.append(f"no encoded file at {ENCODED_FILE_ATTRIBUTE} ({path!r})")
        return None

    # -- all_boxes / all_masks: a real offline run, and the images bound to it ----------------

    _run: Any = None

    def open_run(self) -> ContextManager[Any]:
        """One offline `wandb.Run` per worker, started on first use: releases accept no other
        kind of run, and starting one takes about a second. Offline, because a disabled run
        asks the server for its version when an image is bound; offline writes only under the
        private WANDB_DIR and opens no connection."""
        if self._run is None:
            import wandb

            self._run = wandb.init(mode="offline")
        return nullcontext(self._run)

    def prepare_run(self, images: Any, run: Any, run_key: Any, step: Any) -> None:
        """Releases read boxes and masks back from files that only binding an Image to the run
        writes (`run.log` binds before it calls all_boxes); bind each Image with the same key
        and step."""
        for image in images if isinstance(images, (list, tuple)) else ():
            if isinstance(image, self.cls):
                image.bind_to_run(run, run_key, step)


def load() -> WandbAdapter:
    """Isolate, import wandb, and wrap its Image."""
    isolate()
    import wandb

    version = getattr(wandb, "__version__", None)
    return WandbAdapter(wandb.Image, "wandb", None if version is None else str(version), "wandb.Image")
