"""Keeping a tracker's client off the network and out of the user's home, before it is imported.

wandb, trackio and swanlab are clients of hosted services. Making an image object needs no
run and no server, but each reads settings from the environment at import time, and a
user's shell may point it online. Each release adapter calls `pin()` with its own settings
before importing its package: the values are set unconditionally (whatever the caller's shell
says), and every directory the client may write to points into one private temporary
directory that is removed when the worker exits.

Worker-side: standard library only.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from typing import Dict, Iterable, MutableMapping, Optional


def pin(settings: Dict[str, str], directories: Iterable[str] = (), *, prefix: str = "wbimage-",
        environ: Optional[MutableMapping[str, str]] = None) -> str:
    """Set `settings` in `environ` (default: this process's environment) and point each
    variable named in `directories` at its own folder in a fresh private directory, which
    is returned."""
    environ = os.environ if environ is None else environ
    home = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, home, True)
    environ.update(settings)
    for name in directories:
        path = os.path.join(home, name.lower())
        os.makedirs(path, exist_ok=True)
        environ[name] = path
    return home
