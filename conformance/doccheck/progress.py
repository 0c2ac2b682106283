"""`docs check` on a terminal: which page it is at, `[ 37/120] run content/ja/...`, redrawn in
place on standard error. A tree of thousands of pages takes a while; a log (a pipe, CI, a file)
gets nothing, so it holds only the report.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from typing import TextIO

from wbimage_conformance.doccheck.report import shown
from wbimage_conformance.report.terminal import is_terminal


class PageProgress:
    """Called as (stage, done, total, path); `close()` erases the line before the report."""

    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None,
                 min_interval: float = 0.05) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.enabled = is_terminal(self.stream) if enabled is None else enabled
        self.min_interval = min_interval
        self._last = 0.0
        self._drawn = False
        self._lock = threading.Lock()

    @staticmethod
    def line(stage: str, done: int, total: int, path: str, width: int = 80) -> str:
        """`[ 37/120] classify content/ja/...`, cut to the terminal's width from the left of the path."""
        digits = len(str(total))
        head = f"[{done:>{digits}}/{total}] {stage} "
        room = max(8, width - 1 - len(head))
        path = shown(path)  # a file name may hold escape sequences
        return head + (path if len(path) <= room else "…" + path[-(room - 1):])

    def __call__(self, stage: str, done: int, total: int, path: str) -> None:
        if not self.enabled:
            return
        with self._lock:
            now = time.monotonic()
            if done < total and now - self._last < self.min_interval:
                return
            self._last = now
            width = shutil.get_terminal_size((80, 24)).columns
            self.stream.write("\r\x1b[2K" + self.line(stage, done, total, path, width))
            self.stream.flush()
            self._drawn = True

    def close(self) -> None:
        with self._lock:
            if self._drawn:
                self.stream.write("\r\x1b[2K")
                self.stream.flush()
                self._drawn = False
