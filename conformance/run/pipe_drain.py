"""Reading what untrusted code writes to a pipe, within a fixed amount of memory.

A worker or a documentation example may write without end (800 MB of stderr, a reply that
never stops): reading it all would hold it all. A PipeDrain reads the pipe to its end on a
thread of its own, so the writer never blocks on a full pipe, and keeps at most `limit` bytes:
the last ones for stderr (the message that matters is at the end), the first ones for a reply
(which must be whole to count: `overflowed` says it was not).
"""

from __future__ import annotations

import os
import threading
from typing import IO

#: What is kept of a worker's or an example's stderr: its last 64 KiB.
STDERR_KEEP = 64 * 1024
READ_SIZE = 1 << 16


class PipeDrain:
    """Reads `stream` to its end on a daemon thread, keeping the first or last `limit` bytes."""

    def __init__(self, stream: IO[bytes], limit: int, keep: str = "tail") -> None:
        if keep not in ("head", "tail"):
            raise ValueError(f"keep must be 'head' or 'tail', not {keep!r}")
        self._stream = stream
        self._limit = limit
        self._keep = keep
        self._kept = bytearray()
        self._lock = threading.Lock()
        self.total = 0
        self._thread = threading.Thread(target=self._drain, name="wbimage-pipe-drain", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        fd = self._stream.fileno()
        try:
            while True:
                chunk = os.read(fd, READ_SIZE)
                if not chunk:
                    return
                with self._lock:
                    self.total += len(chunk)
                    if self._keep == "head":
                        room = self._limit - len(self._kept)
                        if room > 0:
                            self._kept += chunk[:room]
                    else:
                        self._kept += chunk
                        if len(self._kept) > self._limit:
                            del self._kept[: len(self._kept) - self._limit]
        except OSError:
            return
        finally:
            try:
                self._stream.close()
            except OSError:
                pass

    def wait(self, timeout: float | None = None) -> bool:
        """Until the pipe's end (True), or `timeout` seconds (False: a process that inherited
        the pipe still holds it open)."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def data(self) -> bytes:
        with self._lock:
            return bytes(self._kept)

    @property
    def overflowed(self) -> bool:
        """More was written than was kept."""
        with self._lock:
            return self.total > len(self._kept)

    def last_lines(self, count: int = 1) -> str:
        """The last `count` non-empty lines kept, joined with " | "."""
        text = self.data.decode("utf-8", "replace")
        kept = [line.strip() for line in text.splitlines() if line.strip()]
        return " | ".join(kept[-count:])
