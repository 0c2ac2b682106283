"""What untrusted code writes to a pipe is read in bounded memory: stderr keeps its tail, a
reply its head and the knowledge that it overflowed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from wbimage_conformance.run.pipe_drain import STDERR_KEEP, PipeDrain

#: Writes argv[1] MiB of "e" to stdout, then a last line.
WRITER = ("import os, sys\nblock = b'e' * (1 << 20)\nfor _ in range(int(sys.argv[1])):\n    os.write(1, block)\n"
          "os.write(1, b'\\nlast line\\n')\n")


def drain_of(mib: int, limit: int, keep: str) -> PipeDrain:
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(mib)], stdout=subprocess.PIPE)
    drain = PipeDrain(process.stdout, limit, keep)
    assert process.wait(timeout=120) == 0
    assert drain.wait(timeout=30)
    return drain


def test_800_mb_keep_only_the_last_64_kib():
    drain = drain_of(800, STDERR_KEEP, "tail")
    assert drain.total == 800 * (1 << 20) + len(b"\nlast line\n")
    assert len(drain.data) == STDERR_KEEP == 64 * 1024
    assert drain.data.endswith(b"e\nlast line\n") and drain.overflowed
    assert drain.last_lines() == "last line"


def test_a_head_keeps_the_first_bytes_and_says_it_overflowed():
    drain = drain_of(3, 1000, "head")
    assert drain.data == b"e" * 1000 and drain.overflowed


def test_what_fits_is_kept_whole():
    drain = drain_of(0, 1000, "head")
    assert drain.data == b"\nlast line\n" and not drain.overflowed


def test_keep_is_head_or_tail():
    with pytest.raises(ValueError, match="'head' or 'tail'"):
        PipeDrain(None, 10, "middle")  # type: ignore[arg-type]
