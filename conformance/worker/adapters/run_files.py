"""The run `all_boxes` and `all_masks` are called with, and reading back the files they write.

[annotations.run]: of `run` an implementation may require only `run.dir`, an existing
directory; `RunStandIn` is exactly that, over a fresh temporary directory per call.

[all-boxes], [all-masks]: the return value refers to files under `run.dir` by path, sha256 and
size, and the path holds an id of the implementation's choosing. What the suite compares must
not depend on that id or on how the JSON was formatted, so `resolve` turns every file
reference into

    {"_type": ..., "path": "<dir>/<run_key>_<step>_*<suffix>", "file": <the file's content>}

where `file` is the parsed JSON of a `.json` file, `{"mode", "size", "pixels"}` of an image
file, or a string saying why there is no content (missing, outside run.dir, unreadable).
`sha256` and `size` are checked against the file's bytes and left out when they agree, kept
as given when they do not (so the comparison shows them); other keys are kept as they are.

Worker-side: standard library, NumPy, and PIL when an image file is read.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from typing import Any, Dict, Iterator

import numpy as np

#: run_key and step when the case does not give them.
RUN_KEY = "key"
STEP = 0
_CHECKED = ("sha256", "size")


class RunStandIn:
    """The smallest run: a `dir` to write into, and nothing else."""

    def __init__(self, directory: str) -> None:
        self.dir = directory

    def __repr__(self) -> str:
        return f"RunStandIn(dir={self.dir!r})"


@contextmanager
def fresh_run() -> Iterator[RunStandIn]:
    """A RunStandIn over a new temporary directory, removed afterwards."""
    directory = tempfile.mkdtemp(prefix="wbimage-run-")
    try:
        yield RunStandIn(directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def is_reference(value: Any) -> bool:
    """A file reference: a dict with a string `path` and a `sha256`."""
    return isinstance(value, dict) and isinstance(value.get("path"), str) and "sha256" in value


def resolve(value: Any, run_dir: str, run_key: Any, step: Any) -> Any:
    """`value` with every file reference inside it read back (see the module docstring)."""
    if is_reference(value):
        return read_reference(value, run_dir, f"{run_key}_{step}_")
    if isinstance(value, dict):
        return {k: resolve(v, run_dir, run_key, step) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [resolve(v, run_dir, run_key, step) for v in value]
    return value


def canonical_path(path: str, prefix: str) -> str:
    """The path with its id written `*`: the part of the file name after `prefix`, up to
    the first dot, when that part is letters and digits; otherwise the path unchanged."""
    folder, slash, name = path.rpartition("/")
    if not name.startswith(prefix):
        return path
    rest = name[len(prefix):]
    ident, dot, suffix = rest.partition(".")
    if not ident.isalnum():
        return path
    return f"{folder}{slash}{prefix}*{dot}{suffix}"


def read_reference(reference: Dict[str, Any], run_dir: str, prefix: str) -> Dict[str, Any]:
    path = reference["path"]
    out = {k: v for k, v in reference.items() if k not in ("path",) + _CHECKED}
    out["path"] = canonical_path(path, prefix)
    parts = path.split("/")
    if os.path.isabs(path) or "\\" in path or ".." in parts:
        out["file"] = "not read: the path is not relative to run.dir"
        return out
    target = os.path.join(run_dir, *parts)
    if not os.path.isfile(target):
        out["file"] = "missing: no such file under run.dir"
        return out
    with open(target, "rb") as handle:
        raw = handle.read()
    if reference.get("sha256") != hashlib.sha256(raw).hexdigest():
        out["sha256"] = reference.get("sha256")
    if reference.get("size") != len(raw):
        out["size"] = reference.get("size")
    out["file"] = content(raw, path)
    return out


def content(raw: bytes, path: str) -> Any:
    """Parsed JSON for a .json file, else the decoded image as mode, size and pixels."""
    if path.endswith(".json"):
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            return f"unreadable: not UTF-8 JSON ({exc})"
    try:
        from PIL import Image as PILImage

        with PILImage.open(io.BytesIO(raw)) as picture:
            picture.load()
            return {"mode": picture.mode, "size": list(picture.size), "pixels": np.asarray(picture).tolist()}
    except Exception as exc:  # any decoder failure is an observation, not a crash
        return f"unreadable: not an image PIL decodes ({type(exc).__name__}: {exc})"
