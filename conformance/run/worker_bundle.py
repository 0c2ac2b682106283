"""A private directory holding only the worker side of this package, for other interpreters.

A worker started under another interpreter (`--impl wandb@/venv/bin/python`) must import
that interpreter's own NumPy, Pillow and torch, or its verdicts describe the wrong
environment. Putting the directory that holds this package on its PYTHONPATH is not enough:
for an installed wheel that directory is the suite's whole site-packages. So the worker gets a
fresh directory with copies of exactly what runs there (the root `__init__.py`, `worker/` with
the stand-in wandb's manifest, and `reference/`, which an implementation may build on; they
import only the standard library, NumPy and Pillow), made once per process and removed at exit.
Workers under the suite's own interpreter import the installed package instead.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

import wbimage_conformance
from wbimage_conformance import reference, worker

ROOT_NAME = "wbimage_conformance"


#: Data files the worker side reads, besides its modules (the stand-in wandb's manifest).
WORKER_DATA = ("wandb_api.json",)


def _copy_package(source: Path, target: Path, data: tuple[str, ...] = ()) -> None:
    for path in sorted([*source.rglob("*.py"), *(source / name for name in data)]):
        if "__pycache__" in path.parts:
            continue
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


@functools.cache
def bundle_dir() -> Path:
    """The directory to put on a foreign worker's PYTHONPATH (it holds `wbimage_conformance/`)."""
    base = Path(tempfile.mkdtemp(prefix="wbimage-worker-"))
    base.chmod(0o755)  # readable by a sandbox's own user (sandbox.py)
    atexit.register(shutil.rmtree, base, True)
    package = base / ROOT_NAME
    package.mkdir()
    shutil.copyfile(Path(wbimage_conformance.__file__), package / "__init__.py")
    _copy_package(Path(worker.__file__).parent, package / "worker", WORKER_DATA)
    _copy_package(Path(reference.__file__).parent, package / "reference")
    return base
