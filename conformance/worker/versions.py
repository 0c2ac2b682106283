"""Versions as the interpreter that runs this code sees them: one lookup for the whole suite.

Workers call `environment()` in the implementation's own interpreter, so a report header shows
the NumPy, Pillow and torch that the implementation really ran with (None: not installed).
torch's version comes from its metadata: importing it costs seconds, and the torch a tensor
case imports is the one this same sys.path finds.
"""

from __future__ import annotations

import importlib
import platform
from importlib import metadata
from typing import Dict, Optional


def distribution_version(*names: str) -> Optional[str]:
    """The version of the first installed distribution among `names`, else None."""
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def module_version(module_name: str) -> Optional[str]:
    """The version of the distribution providing `module_name`'s top-level package, else that
    package's `__version__` (for modules not installed as a distribution)."""
    top = module_name.split(".", maxsplit=1)[0]
    try:
        for dist in metadata.packages_distributions().get(top, []):
            return metadata.version(dist)
    except Exception:  # noqa: BLE001 - a broken metadata entry must not stop a worker
        pass
    try:
        version = getattr(importlib.import_module(top), "__version__", None)
    except Exception:  # noqa: BLE001 - an unimportable module has no version to report
        return None
    return None if version is None else str(version)


def _imported_version(module_name: str) -> Optional[str]:
    try:
        return str(importlib.import_module(module_name).__version__)
    except ImportError:
        return None


def environment() -> Dict[str, Optional[str]]:
    """Python, NumPy and Pillow as imported here; torch as installed here; the platform."""
    return {
        "python": platform.python_version(),
        "numpy": _imported_version("numpy"),
        "pillow": _imported_version("PIL"),
        "torch": distribution_version("torch"),
        "platform": platform.platform(),
    }
