"""The progress bar: drawn in place on a terminal, silent everywhere else."""

from __future__ import annotations

import io
import threading

from wbimage_conformance.model import Status
from wbimage_conformance.report.progress import ProgressBar


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_silent_when_the_stream_is_not_a_terminal():
    stream = io.StringIO()
    with ProgressBar(3, stream) as bar:
        for _ in range(3):
            bar.advance(Status.FAILED, "some-case")
    assert stream.getvalue() == ""
    assert bar.done == 3 and bar.unexpected == 3


def test_draws_in_place_on_a_terminal_and_erases_itself_at_the_end(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    stream = FakeTerminal()
    with ProgressBar(4, stream, min_interval=0) as bar:
        bar.advance(Status.PASSED, "norm-unit-half")
        bar.advance(Status.CRASH, "input-path-segfault")
    output = stream.getvalue()
    assert output.count("\r\x1b[2K") == 3          # two draws and the final erase
    assert "2/4" in output and "1 unexpected" in output and "input-path-segfault" in output
    assert output.endswith("\r\x1b[2K")
    assert "\n" not in output


def test_redraws_are_throttled_but_the_last_case_is_always_drawn():
    stream = FakeTerminal()
    bar = ProgressBar(50, stream, min_interval=3600, color=False)
    for _ in range(50):
        bar.advance(Status.PASSED)
    assert stream.getvalue().count("\r") == 2        # the first draw and the last
    assert "50/50" in stream.getvalue()


def test_line_fits_the_terminal_width():
    bar = ProgressBar(120, io.StringIO())
    for _ in range(30):
        bar.advance(Status.PASSED)
    line = bar.line("a-very-long-case-id-" * 10, width=60)
    assert len(line) < 60
    assert line.startswith("[" + "#" * 5) and "30/120" in line


def test_is_safe_to_call_from_many_threads():
    bar = ProgressBar(400, io.StringIO())
    workers = [threading.Thread(target=lambda: [bar.advance(Status.ERROR) for _ in range(100)]) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert bar.done == 400 and bar.unexpected == 400
