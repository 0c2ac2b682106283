"""Where this suite keeps what it caches for a user: the platform's user cache folder
(`$XDG_CACHE_HOME`, else `~/.cache`), never the current directory, which is the user's project.
Two folders live there: `wbimage-conformance` (the validated cases, hidden from implementations
by the sandbox) and `wbimage-conformance-venvs` (release virtualenvs, whose interpreters must be
seen to run, so not inside the first)."""

from __future__ import annotations

import os
from pathlib import Path

SUITE = "wbimage-conformance"
VENVS = "wbimage-conformance-venvs"


def folder(name: str) -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / name
