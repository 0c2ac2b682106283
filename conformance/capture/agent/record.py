"""One process's share of a capture folder: which samples it keeps, under limits every process
writing the same folder shares, and its own part of the manifest.

Sampling keeps the **first** N inputs of each call site, not a reservoir: it is deterministic
without a seed for a deterministic program, a sample once written is never replaced (so a
crash or a second process never leaves a half-replaced file), and once a site is full a call
costs a counter, which matters inside a training loop. A reservoir would have to rewrite
samples until the program ends, and its choice depends on a total no one knows in advance.

The limits (count and bytes per site, bytes in all) hold across processes: a small ledger in
the folder is read and updated under an exclusive file lock before a sample is written. Each
process writes only its own part file (`parts/<pid>-<start>.json`, replaced whole by a
rename), so DataLoader workers and subprocesses never write the same file; the capture
command merges the parts. Everything stays in the folder: nothing here opens a socket.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import sys
import threading
import time
from typing import Any

from . import describe

try:
    import fcntl
except ImportError:  # no fcntl (Windows): the limits hold within each process only
    fcntl = None  # type: ignore[assignment]

FORMAT = 1
ENV_DIR = "WBIMAGE_CAPTURE_DIR"
ENV_LIMITS = "WBIMAGE_CAPTURE_LIMITS"
DROP_REASONS = ("count", "bytes", "total", "error")
#: Seconds between rewrites of a part file that only counts dropped calls.
FLUSH_INTERVAL_S = 1.0


class Limits:
    """How much a capture keeps: samples and bytes per call site, bytes in all."""

    def __init__(self, max_per_site: int = 20, max_bytes_per_site: int = 64 * 1024 * 1024,
                 max_total_bytes: int = 1024 * 1024 * 1024) -> None:
        self.max_per_site = max_per_site
        self.max_bytes_per_site = max_bytes_per_site
        self.max_total_bytes = max_total_bytes

    def as_json(self) -> dict[str, int]:
        return {"max_per_site": self.max_per_site, "max_bytes_per_site": self.max_bytes_per_site,
                "max_total_bytes": self.max_total_bytes}

    @classmethod
    def from_json(cls, text: str) -> Limits:
        return cls(**{key: int(value) for key, value in json.loads(text).items()})


class Site:
    """Where the user's code called wandb.Image: file, line, function."""

    def __init__(self, filename: str, line: int, function: str) -> None:
        self.filename, self.line, self.function = filename, line, function
        self.key = f"{filename}:{line}"
        import hashlib
        import re

        stem = re.sub(r"[^A-Za-z0-9_.-]", "_", os.path.basename(filename))[:40] or "site"
        digest = hashlib.sha256(self.key.encode("utf-8", "backslashreplace")).hexdigest()[:10]
        self.folder = f"samples/{stem}-{line}-{digest}"


def _replace(path: str, content: bytes) -> None:
    """Write `content` at `path` through a temporary file and a rename: readers see all or nothing."""
    temporary = f"{path}.{os.getpid()}-{threading.get_ident()}.tmp"  # no other writer has this name
    try:
        with open(temporary, "wb") as out:
            out.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


class Ledger:
    """Samples and bytes already kept per site, shared by every process writing the folder."""

    def __init__(self, directory: str, limits: Limits) -> None:
        self.path = os.path.join(directory, ".ledger.json")
        self.lock_path = os.path.join(directory, ".ledger.lock")
        self.limits = limits

    def claim(self, key: str, size: int) -> Any:
        """The slot index the sample takes, or the reason (a DROP_REASONS word) it is dropped."""
        with open(self.lock_path, "a") as lock:
            if fcntl is not None:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                state = self._read()
                count, used = state["sites"].get(key, (0, 0))
                reason = self._refusal(count, used, state["total"], size)
                if reason:
                    return reason
                state["sites"][key] = (count + 1, used + size)
                state["total"] += size
                _replace(self.path, json.dumps(state).encode("ascii"))
                return count
            finally:
                if fcntl is not None:
                    fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _refusal(self, count: int, used: int, total: int, size: int) -> str:
        if count >= self.limits.max_per_site:
            return "count"
        if used + size > self.limits.max_bytes_per_site:
            return "bytes"
        if total + size > self.limits.max_total_bytes:
            return "total"
        return ""

    def _read(self) -> dict[str, Any]:
        try:
            with open(self.path, "rb") as handle:
                return json.loads(handle.read().decode("ascii"))
        except FileNotFoundError:
            return {"sites": {}, "total": 0}


def _new_site(site: Site) -> dict[str, Any]:
    return {"site": site.key, "file": site.filename, "line": site.line, "function": site.function,
            "folder": site.folder, "calls": 0, "kept": 0, "dropped": dict.fromkeys(DROP_REASONS, 0),
            "samples": []}


class Recorder:
    """Keeps samples of one process's wandb.Image inputs in a capture folder."""

    def __init__(self, directory: str, limits: Limits, process: dict[str, Any] | None = None) -> None:
        """`process`: what to record as the process instead of this one's pid and versions (a
        generated capture that must be the same on every machine)."""
        self.directory = os.path.abspath(directory)
        self.limits = limits
        self.ledger = Ledger(self.directory, limits)
        self.fixed_process = process
        self._begin()
        atexit.register(self.flush)
        if hasattr(os, "register_at_fork") and process is None:
            os.register_at_fork(after_in_child=self._after_fork)

    def _begin(self) -> None:
        self.sites: dict[str, dict[str, Any]] = {}
        self.full: set = set()
        self.lock = threading.Lock()  # new in a forked child: a thread of the parent may have held it
        self.pid = self.fixed_process["pid"] if self.fixed_process else os.getpid()
        self.part = os.path.join(self.directory, "parts", f"{self.pid}-{time.time_ns()}.json")
        self.last_flush = 0.0

    def close(self) -> None:
        """Write the part one last time and stop writing it at exit."""
        self.flush()
        atexit.unregister(self.flush)

    def _after_fork(self) -> None:
        """A forked child starts a part of its own; a multiprocessing child leaves by os._exit,
        past atexit, so its part is also written by multiprocessing's own exit step."""
        self._begin()
        util = sys.modules.get("multiprocessing.util")
        if util is not None:
            util.register_after_fork(self, lambda recorder: util.Finalize(recorder, recorder.flush, exitpriority=10))

    def counted_if_full(self, site: Site) -> bool:
        """Count a call of a site that already has all its samples, and say so: then nothing
        about the call needs to be looked at (the cheap path of a long training loop)."""
        if site.key not in self.full:
            return False
        with self.lock:
            entry = self.sites[site.key]
            entry["calls"] += 1
            self._dropped(entry, "count")
        return True

    def record(self, site: Site, value: Any, kwargs: dict[str, Any], other_kwargs: list[str],
               given: list[str] | None = None) -> None:
        """Keep `value` as a sample of `site` if the limits allow; count it as dropped if not.
        `kwargs` holds mode, normalize and file_type as the release saw them (defaults filled
        in); `given` names those the call passed itself (a release without `normalize` would
        refuse it)."""
        if self.counted_if_full(site):
            return
        with self.lock:
            entry = self.sites.get(site.key) or self.sites.setdefault(site.key, _new_site(site))
            entry["calls"] += 1
            try:
                self._keep(site, entry, value, {"kwargs": kwargs, "given": list(given or []),
                                                "other_kwargs": other_kwargs})
            except Exception as exc:  # noqa: BLE001 - capture must never change the user's program: counted, shown
                entry["last_error"] = f"{type(exc).__name__}: {str(exc)[:160]}"
                self._dropped(entry, "error")

    def _keep(self, site: Site, entry: dict[str, Any], value: Any, call: dict[str, Any]) -> None:
        kind = describe.kind_of(value)
        facts = describe.described(value, kind)
        estimate = describe.estimated_bytes(value, kind)
        if estimate > self.limits.max_bytes_per_site or estimate > self.limits.max_total_bytes:
            self._dropped(entry, "bytes" if estimate > self.limits.max_bytes_per_site else "total")
            return
        try:
            kept = describe.payload(value, kind, facts)
        except describe.Unreadable as exc:
            kept, facts["note"] = None, str(exc)
        size = len(kept[0]) if kept else 0
        slot = self.ledger.claim(site.key, size)
        if isinstance(slot, str):
            if slot == "count":
                self.full.add(site.key)
            self._dropped(entry, slot)
            return
        facts.update(index=slot, bytes=size, pid=self.pid, file=None, **call)
        if kept:
            facts["file"] = f"{site.folder}/{slot:04d}{kept[1]}"
            os.makedirs(os.path.join(self.directory, site.folder), exist_ok=True)
            _replace(os.path.join(self.directory, facts["file"]), kept[0])
        entry["samples"].append(facts)
        entry["kept"] += 1
        self.flush()

    def _dropped(self, entry: dict[str, Any], reason: str) -> None:
        entry["dropped"][reason] += 1
        if time.monotonic() - self.last_flush >= FLUSH_INTERVAL_S:
            self.flush()

    def flush(self) -> None:
        """Rewrite this process's part file (nothing when the process recorded nothing)."""
        if not self.sites:
            return
        self.last_flush = time.monotonic()
        document = {"format": FORMAT, "sampling": "first", "limits": self.limits.as_json(),
                    "processes": [self._process()], "sites": list(self.sites.values())}
        try:
            os.makedirs(os.path.dirname(self.part), exist_ok=True)
            _replace(self.part, json.dumps(document, indent=1).encode("utf-8", "backslashreplace"))
        except (OSError, RuntimeError):
            # the folder went away or filled up, or (at exit) another thread was still recording:
            # the user's program carries on, and the part stays as it was last written
            pass

    def _process(self) -> dict[str, Any]:
        if self.fixed_process is not None:
            return dict(self.fixed_process)
        versions = {name: str(getattr(sys.modules.get(name), "__version__", "")) or None
                    for name in ("numpy", "torch", "wandb")}
        return {"pid": os.getpid(), "python": sys.version.split()[0], **versions}
