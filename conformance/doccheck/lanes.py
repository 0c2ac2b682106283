"""Job lanes: one sandboxed server per lane runs that lane's pages (worker/doc_server.py).

Starting the sandbox and an interpreter that imports NumPy, Pillow and the implementation
costs more than most pages' examples, so a lane starts its server once and sends it one page
at a time. Each page gets a token of its own, written to the server's token pipe as the page
is sent; a reply counts only if it carries it. The server enforces the page's time limit
itself (it kills the page's processes and goes on); the lane waits that limit plus a grace
for the reply, and when the server itself dies, hangs, or answers with anything but a reply
carrying the page's token, the page is a crash or a timeout and the lane starts a new
server (in a new working directory) for its next page. A server that cannot clear what the
previous page left answers "unclean" instead of running the page, which then goes to a new
server.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import secrets
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from wbimage_conformance.errors import ConfigurationError
from wbimage_conformance.run import pipe_drain, sandbox

#: Beyond a page's own limit, how long the server may take to answer before it counts as hung.
LANE_GRACE = 10.0
_EOF, _OVERFLOW = object(), object()


class LaneStartError(ConfigurationError):
    """A lane's server cannot be started at all (exit code 2)."""


@dataclass(frozen=True)
class Answer:
    """What a lane made of one page: "replied" (with the server's reply, token checked, and the
    page's folder, where its arrays are), or "timeout" or "crash" with a message ("unclean",
    the server could not clear the previous page, stays inside Lane.run)."""

    status: str
    reply: dict[str, Any] = field(default_factory=dict)
    folder: Path | None = None
    message: str = ""


@dataclass(frozen=True)
class Server:
    """How a lane starts its server: the command, the variables it needs, the interpreter, the
    sandbox, the cap on its address space, the time its start may take, and the longest reply."""

    command: tuple[str, ...]
    env: dict[str, str]
    python: str
    box: sandbox.Sandbox
    memory_limit: int | None
    start_allowance: float
    max_reply: int


class Lane:
    """One server, restarted when it fails; its pages run one at a time."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.starts = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._fresh = False
        self._pages = 0

    def run(self, request: dict[str, Any], limit: float) -> Answer:
        """The page `request` under the time limit `limit` (seconds)."""
        answer = self._run(request, limit)
        if answer.status == "unclean":  # the previous page left what could not be removed
            self._stop()
            answer = self._run(request, limit)
        if answer.status == "unclean":
            self._stop()
            return Answer("crash", message=f"the sandbox cannot give the page a clean start: {answer.message}")
        return answer

    def _run(self, request: dict[str, Any], limit: float) -> Answer:
        if self._proc is None:
            self._start()
        assert self._proc is not None and self._proc.stdin is not None
        self._pages += 1
        name = f"page-{self._pages}"
        token = secrets.token_hex(16)
        wait = limit + LANE_GRACE + (self.server.start_allowance if self._fresh else 0.0)
        line = json.dumps({**request, "dir": name, "limit": limit}).encode("utf-8") + b"\n"
        with contextlib.suppress(OSError):  # the server has ended: its reply pipe says so
            os.write(self._token_write, token.encode("ascii") + b"\n")
        threading.Thread(target=_send, args=(self._proc.stdin, line), daemon=True).start()
        try:
            got = self._replies.get(timeout=wait)
        except queue.Empty:
            self._stop()
            return Answer("timeout", message=f"the example did not finish within {limit:g} s "
                          f"(its sandbox did not answer within {wait:g} s and was restarted)")
        if got is _EOF:
            status = self._proc.wait()
            tail = self._stderr.last_lines(3)
            self._stop()
            return Answer("crash", message=f"the sandbox process ended with status {status} and no reply"
                          + (f": {tail}" if tail else ""))
        if got is _OVERFLOW:
            self._stop()
            return Answer("crash", message=f"the example process wrote more than {self.server.max_reply} bytes "
                          "on its reply pipe")
        try:
            reply = json.loads(got)
        except (ValueError, UnicodeDecodeError, RecursionError):
            reply = None
        if not isinstance(reply, dict) or reply.get("token") != token:
            self._stop()
            return Answer("crash", message="the sandbox process sent a reply the harness did not write (no run token)")
        self._fresh = False
        if reply.get("status") == "unclean":
            return Answer("unclean", message=str(reply.get("message", "")))
        return Answer("replied", reply, Path(self._workdir.name) / name)

    def _start(self) -> None:
        self._workdir = tempfile.TemporaryDirectory(prefix="wbimage-docs-")
        token_read, self._token_write = os.pipe()
        flags = ["--token-fd", str(token_read)] + (["--private-tmp"] if self.server.box.kind == "bwrap" else [])
        command, env = self.server.box.wrap([*self.server.command, *flags], self.server.env,
                                            python=self.server.python, workdir=self._workdir.name,
                                            memory_limit=self.server.memory_limit)
        try:
            self._proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, cwd=self._workdir.name, env=env,
                                          start_new_session=True, pass_fds=(token_read,))
        except OSError as exc:
            os.close(self._token_write)
            self._workdir.cleanup()
            raise LaneStartError(f"cannot start {command[0]!r}: {exc}") from None
        finally:
            os.close(token_read)
        assert self._proc.stdout is not None and self._proc.stderr is not None
        self._replies: queue.Queue[Any] = queue.Queue()
        threading.Thread(target=_read_lines, args=(self._proc.stdout, self._replies, self.server.max_reply),
                         daemon=True).start()
        self._stderr = pipe_drain.PipeDrain(self._proc.stderr, pipe_drain.STDERR_KEEP)
        self._fresh = True
        self.starts += 1

    def _stop(self) -> None:
        """End the server and everything in its sandbox, and remove its working directory."""
        if self._proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, signal.SIGKILL)
        self._proc.wait()
        os.close(self._token_write)
        self._stderr.wait(1.0)
        self._workdir.cleanup()
        self._proc = None

    def close(self) -> None:
        """End the server: it holds nothing to keep, so it is not waited for to wind down."""
        self._stop()


def _send(stdin: IO[bytes], line: bytes) -> None:
    """A request on a thread of its own: a server that stops reading cannot block the lane
    (its time limit ends it)."""
    try:
        stdin.write(line)
        stdin.flush()
    except (OSError, ValueError):
        pass


def _read_lines(stream: IO[bytes], out: queue.Queue[Any], limit: int) -> None:
    """The server's replies, a line each, as they come; a line longer than `limit` is
    dropped for _OVERFLOW (so a reply is never held whole past the bound); _EOF at the end."""
    fd, line, overflowed = stream.fileno(), bytearray(), False
    try:
        while chunk := os.read(fd, pipe_drain.READ_SIZE):
            while chunk:
                head, newline, chunk = chunk.partition(b"\n")
                if not overflowed:
                    line += head
                    overflowed = len(line) > limit
                    if overflowed:
                        line.clear()
                if newline:
                    out.put(_OVERFLOW if overflowed else bytes(line))
                    line.clear()
                    overflowed = False
    except OSError:
        pass
    finally:
        out.put(_EOF)
        with contextlib.suppress(OSError):
            stream.close()


@contextlib.contextmanager
def lanes(count: int, make: Callable[[], Lane]) -> Iterator[Callable[[], contextlib.AbstractContextManager[Lane]]]:
    """`count` lanes; the value given is `borrow`, which lends a free lane for one page."""
    free: queue.Queue[Lane] = queue.Queue()
    every = [make() for _ in range(max(1, count))]
    for lane in every:
        free.put(lane)

    @contextlib.contextmanager
    def borrow() -> Iterator[Lane]:
        lane = free.get()
        try:
            yield lane
        finally:
            free.put(lane)

    try:
        yield borrow
    finally:
        for lane in every:
            lane.close()
