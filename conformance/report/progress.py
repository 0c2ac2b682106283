"""A one-line progress bar for long runs, drawn only on an interactive terminal.

The runner calls `advance` once per finished case, from any thread. On a TTY the bar
redraws in place (at most ten times a second); anywhere else (a pipe, a CI log, a file)
it writes nothing at all, so logs hold only the report itself.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from typing import TextIO

from wbimage_conformance.model import Status
from wbimage_conformance.model import UNEXPECTED
from wbimage_conformance.report.terminal import is_terminal, wants_color


class ProgressBar:
    """`[#######.......]  42/120  2 unexpected  norm-signed-zero`, redrawn in place.

    Use as a context manager, or call `close()` when the run ends: it erases the line so the
    report starts on a clean one.
    """

    def __init__(self, total: int, stream: TextIO | None = None, *, enabled: bool | None = None,
                 color: bool | None = None, min_interval: float = 0.1) -> None:
        self.total = max(0, total)
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = is_terminal(self.stream) if enabled is None else enabled
        self.color = (self.enabled and wants_color(self.stream)) if color is None else color
        self.min_interval = min_interval
        self.done = 0
        self.unexpected = 0
        self._last_draw: float | None = None
        self._drawn = False
        self._lock = threading.Lock()

    def advance(self, status: Status | None = None, case_id: str = "") -> None:
        """Record one finished case (its status and id, when known) and redraw if due."""
        with self._lock:
            self.done += 1
            if status in UNEXPECTED:
                self.unexpected += 1
            now = time.monotonic()
            due = self._last_draw is None or now - self._last_draw >= self.min_interval
            if self.enabled and (due or self.done >= self.total):
                self._draw(case_id)
                self._last_draw = now

    def line(self, case_id: str = "", width: int | None = None) -> str:
        """The bar as text for a terminal `width` columns wide (no colour, no carriage return)."""
        width = width or shutil.get_terminal_size((80, 24)).columns
        counter = f"{self.done}/{self.total}" if self.total else str(self.done)
        bad = f"  {self.unexpected} unexpected" if self.unexpected else ""
        bar_width = max(10, min(40, width // 3))
        filled = bar_width if not self.total else min(bar_width, bar_width * self.done // self.total)
        bar = "[" + "#" * filled + "." * (bar_width - filled) + "]"
        text = f"{bar} {counter}{bad}"
        room = width - len(text) - 3
        if case_id and room > 8:
            text += "  " + (case_id if len(case_id) <= room else case_id[: room - 1] + "…")
        return text[: width - 1]

    def _draw(self, case_id: str) -> None:
        text = self.line(case_id)
        if self.color and self.unexpected:
            text = text.replace(f"{self.unexpected} unexpected", f"\x1b[31m{self.unexpected} unexpected\x1b[0m", 1)
        self.stream.write("\r\x1b[2K" + text)
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        with self._lock:
            if self.enabled and self._drawn:
                self.stream.write("\r\x1b[2K")
                self.stream.flush()
                self._drawn = False

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
