"""The data files this process has read that hold what an implementation must not see.

Case files (their expected values), expectations files, saved reports and history records
can come from any folder a user names (`--cases`, `--expectations`, `history --runs`,
`report FILE`), and such a folder may sit inside one the sandbox must show, such as the user's
own project on PYTHONPATH. The readers of such data (cases/casefiles.py, stored/files.py) note
each file here, and the sandbox (run/sandbox.py) hides every file noted before a worker
starts. Standard library only: the readers of every zone import it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

_lock = threading.Lock()
_noted: set[str] = set()


def note(path: Path | str) -> None:
    """Remember `path` (made absolute and resolved) as data to hide from implementations."""
    resolved = os.path.realpath(path)
    with _lock:
        _noted.add(resolved)


def noted() -> frozenset[str]:
    """Every data file noted so far, resolved."""
    with _lock:
        return frozenset(_noted)
