"""What a page's process leaves behind in a lane's sandbox, found and removed (doc_server.py).

A page may start processes that detach (a daemon, a double fork) and write files anywhere it
can: its folder, the folder above, the sandbox's /tmp and /dev/shm. The next page on the lane
must find none of it. Processes: the server is their subreaper (an orphan comes back to it,
not to the namespace's init), so every one is among its descendants in /proc and is killed.
Files: the folders are emptied, except the mounts the sandbox put there (the worker bundle,
the working directory), which belong to the sandbox, not to the page. Linux; elsewhere a
detached process is out of reach and /proc is not there to read.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import time
from typing import Any, Dict, List, Set

#: Rounds of killing a page's processes (each kill may orphan more, which come back here).
SWEEP_ROUNDS = 64


def become_subreaper() -> None:
    """PR_SET_CHILD_SUBREAPER: a page's process whose parent ends is re-parented here, not to
    the namespace's init, so _sweep finds it (Linux; elsewhere a detached one is out of reach)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _descendants(root: int) -> List[int]:
    """Live processes below `root`, from /proc (zombies are left to be reaped)."""
    children: Dict[int, List[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rpartition(b")")[2].split()
        except OSError:
            continue
        if len(fields) > 1 and fields[0] != b"Z":
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for pid in children.get(todo.pop(), []):
            found.append(pid)
            todo.append(pid)
    return found


def sweep() -> bool:
    """Kill and reap every process the page left; False when some still run."""
    for _ in range(SWEEP_ROUNDS):
        found = _descendants(os.getpid())
        for pid in found:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        _reap(block=bool(found))
        if not found:
            return True
    return False


def _reap(block: bool) -> None:
    """Collect ended children; `block`: wait for those just killed."""
    deadline = time.monotonic() + (1.0 if block else 0.0)
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            if time.monotonic() >= deadline:
                return
            time.sleep(0.001)


def mounts() -> Dict[str, str]:
    """Mount point -> file system type, of this sandbox: the private /tmp and /dev/shm are
    tmpfs; what it binds inside them (the worker bundle, the working directory) is never emptied."""
    found: Dict[str, str] = {}
    try:
        with open("/proc/self/mountinfo", encoding="utf-8") as handle:
            for line in handle:
                fields = line.split()
                if " - " in line and len(fields) > 4:
                    found[_unescape(fields[4])] = line.split(" - ", 1)[1].split()[0]
    except OSError:
        pass
    return found


def _unescape(path: str) -> str:
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        path = path.replace(code, char)
    return path


def empty(folder: str, mounts: Set[str]) -> None:
    """Remove what `folder` holds, except the mounts in it and the folders leading to them;
    OSError when something cannot be removed."""
    device = os.lstat(folder).st_dev
    for entry in list(os.scandir(folder)):
        if entry.path in mounts or entry.stat(follow_symlinks=False).st_dev != device:
            continue
        if any(m.startswith(entry.path + os.sep) for m in mounts) and entry.is_dir(follow_symlinks=False):
            empty(entry.path, mounts)
        elif entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, onerror=_open_and_retry)
        else:
            os.unlink(entry.path)


def _open_and_retry(function: Any, path: str, _error: Any) -> None:
    """A folder the page made unreadable or unwritable: made the owner's again, then retried."""
    os.chmod(os.path.dirname(path), stat.S_IRWXU)
    if os.path.isdir(path) and not os.path.islink(path):
        os.chmod(path, stat.S_IRWXU)
        shutil.rmtree(path, onerror=_give_up)
    else:
        function(path)


def _give_up(_function: Any, path: str, error: Any) -> None:
    raise OSError(f"cannot remove {path}, which a page left: {error[1]}")
