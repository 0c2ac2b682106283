"""Cases through worker subprocesses, to raw verdicts (expectations are applied afterwards).

Every implementation runs in a subprocess speaking spec/PROTOCOL.md: the suite's own Python
worker (`python -m wbimage_conformance.worker --impl NAME`, under any interpreter) or a user's
`exec:COMMAND`. So a segfault, `os._exit`, an endless loop or a blown heap costs one case
(status crash or timeout) and a fresh worker, never the run.

Determinism: each case is one request to a worker that has no other work in flight, results
are put back in case order, and nothing a worker did for one case is compared with another;
`jobs` changes wall time only. The runner's own work overlaps the worker's: it builds the next
request while a worker works, and judges a reply after sending the next request (Session._lane).

Sandbox: each worker starts inside the sandbox of sandbox.py (bubblewrap where it is usable,
unless `sandbox_mode="none"` asks for none), after install_check.py has verified the suite's own
installed files: a tampered install runs nothing.

stderr: a worker's standard error is drained on a thread (pipe_drain.py) that keeps its last
64 KiB, so a worker writing without end costs neither memory nor disk.

Memory: `memory_limit` (bytes) caps each worker's address space with RLIMIT_AS, set by a
shell that then execs the worker, so an `exec:` wrapper's children inherit it; a case that
exceeds it dies with MemoryError or a signal and is reported as a crash. Address space is not
resident memory: importing torch alone maps about 1 GB, so limits below a few GB make tensor
cases crash.

Signals: SIGINT (Ctrl-C), and SIGTERM and SIGHUP inside `signals_interrupt()`, stop a run at once
whatever `jobs` is: the session kills every worker's process group (their pipes close, so each
lane sees its worker die and stops taking cases), drops what the killed cases would report,
removes its folder, and Session.run raises Interrupted with the results of the cases that
finished before the signal. `run` writes those as a partial report marked interrupted and
exits 128 + the signal's number (130, 143, 129).

POSIX only: workers are read with select() and killed by process group.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import itertools
import os
import platform
import queue
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import wbimage_conformance
from wbimage_conformance.cases import materialize
from wbimage_conformance.errors import ConfigurationError
from wbimage_conformance.model import Case, Environment, Observation, Result, RunReport, Status
from wbimage_conformance.run import (
    compare,
    install_check,
    limits,
    pipe_drain,
    replies,
    retention,
    sandbox,
    worker_bundle,
)
from wbimage_conformance.run.reproduction import reproduction
from wbimage_conformance.worker import protocol

DEFAULT_TIMEOUT = 60.0
#: The longest reply line read from a worker (a 4096x4096 RGBA observation is about 90 MB in
#: base64); a longer one kills the worker and fails the case as a crash.
MAX_REPLY_BYTES = 128 * 1024 * 1024
STARTUP_TIMEOUT = 120.0
#: The most read from a worker's stdout at once (a pipe holds 64 KiB on Linux).
READ_CHUNK_BYTES = 1 << 20
#: How long a dead worker's last stderr lines are waited for.
STDERR_GRACE = 1.0


class RunnerError(ConfigurationError):
    """A configuration problem that stops the run (exit code 2): the implementation cannot be
    started, or its name or command is wrong."""


# -- implementations ------------------------------------------------------------------------


@dataclass(frozen=True)
class ImplSpec:
    """How to start an implementation: `label` as the user wrote it, and the command."""

    label: str
    command: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    python: str | None = None          # the interpreter of a Python adapter; None for exec:

    @classmethod
    def parse(cls, impl: str) -> ImplSpec:
        """`exec:COMMAND` (split like a shell would, run without one), or a Python adapter
        name, optionally `NAME@/path/to/python` to run it under another interpreter."""
        if impl.startswith("exec:"):
            try:
                command = shlex.split(impl[len("exec:"):])
            except ValueError as exc:
                raise RunnerError(f"--impl {impl!r}: cannot split the command: {exc}") from None
            if not command:
                raise RunnerError(f"--impl {impl!r}: exec: needs a command")
            return cls(impl, tuple(command))
        name, python = impl, sys.executable
        head, at, tail = impl.rpartition("@")
        if at and head and ("/" in tail or os.sep in tail):
            name, python = head, tail
            if not os.access(python, os.X_OK):
                raise RunnerError(f"--impl {impl!r}: {python} is not an executable interpreter")
        if not name:
            raise RunnerError("--impl: empty implementation name")
        command = [python, "-m", "wbimage_conformance.worker", "--impl", name]
        if os.path.abspath(python) == os.path.abspath(sys.executable):
            return cls(impl, tuple(command), python=python)  # this environment: the installed package is importable
        # another interpreter: only the worker bundle, never this environment's site-packages
        return cls(impl, tuple(command), bundle_path(), python=python)


def bundle_path() -> dict[str, str]:
    existing = os.environ.get("PYTHONPATH")
    path = str(worker_bundle.bundle_dir()) + (os.pathsep + existing if existing else "")
    return {"PYTHONPATH": path}


# -- one worker process ---------------------------------------------------------------------


class Interrupted(KeyboardInterrupt):
    """A run stopped by a signal: its name, and the results of the cases that finished before
    it, in case order (empty where the signal came before Session.run)."""

    def __init__(self, signal_name: str = "SIGINT", results: Sequence[Result] = ()) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name
        self.results = list(results)

    @property
    def exit_code(self) -> int:
        """128 + the signal's number, as a shell reports a process the signal ended."""
        return 128 + signal.Signals[self.signal_name].value


#: The signals that stop a run: Ctrl-C, a polite kill (CI cancelling a job), a closed terminal.
STOPPING_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def signals_interrupt() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP (and SIGINT) raise Interrupted in the main thread, so a
    run ended by any of them cleans up as after Ctrl-C, instead of leaving its workers and
    folders behind.
    Elsewhere than in the main thread (where handlers cannot be set) it changes nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(number: int, frame: object) -> None:
        raise Interrupted(signal.Signals(number).name)

    previous = {number: signal.signal(number, interrupt) for number in STOPPING_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """While a stopping run cleans up (a few hundred milliseconds), a second signal is
    ignored instead of abandoning the cleanup half way."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, signal.SIG_IGN) for number in STOPPING_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


class WorkerTimeout(Exception):
    pass


class WorkerDied(Exception):
    pass


class Worker:
    """One implementation subprocess and the line-oriented pipe to it."""

    def __init__(self, spec: ImplSpec, memory_limit: int | None = None, box: sandbox.Sandbox | None = None,
                 staging: str | None = None, cancelled: threading.Event | None = None) -> None:
        self.spec = spec
        self.memory_limit = memory_limit
        self.box = box or sandbox.Sandbox("none", "none")
        self.staging = staging
        self.cancelled = cancelled   # set: the session is stopping, a process started now is killed at once
        self.proc: subprocess.Popen[bytes] | None = None
        self._stderr: pipe_drain.PipeDrain | None = None
        self._buffer = bytearray()
        self._chunk = bytearray(READ_CHUNK_BYTES)

    def start(self, timeout: float = STARTUP_TIMEOUT) -> protocol.Handshake:
        self.spawn()
        return self.greet(timeout)

    def spawn(self) -> None:
        """Start the process. Its thread must outlive it: bwrap's --die-with-parent kills the
        sandbox when the thread that started it ends (PR_SET_PDEATHSIG follows the thread)."""
        if self.box.kind != "none" and shutil.which(self.spec.command[0]) is None:  # else bwrap's own message
            raise RunnerError(f"--impl {self.spec.label!r}: cannot start {self.spec.command[0]!r}: no such program")
        command, env = self.box.wrap(self.spec.command, self.spec.env, python=self.spec.python,
                                     staging=self.staging, memory_limit=self.memory_limit)
        try:
            self.proc = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            raise RunnerError(f"--impl {self.spec.label!r}: cannot start {self.spec.command[0]!r}: {exc}") from None
        if self.cancelled is not None and self.cancelled.is_set():
            self.signal_group()  # the session stopped while this one was starting
        assert self.proc.stdin and self.proc.stdout and self.proc.stderr  # all three opened as pipes above
        try:
            self._stderr = pipe_drain.PipeDrain(self.proc.stderr, pipe_drain.STDERR_KEEP)
        except RuntimeError as exc:  # no thread to be had: unconfined, a fork bomb takes this user's all
            self.proc.stderr.close()
            self.kill()
            raise RunnerError(f"--impl {self.spec.label!r}: cannot watch the worker's stderr: {exc}") from None
        os.set_blocking(self.proc.stdout.fileno(), False)
        os.set_blocking(self.proc.stdin.fileno(), False)

    def greet(self, timeout: float = STARTUP_TIMEOUT) -> protocol.Handshake:
        """The handshake with a spawned worker (any thread may wait for it)."""
        try:
            reply = self.request(protocol.hello_request(wbimage_conformance.__version__), timeout)
            return protocol.parse_hello_reply(reply)
        except (WorkerDied, WorkerTimeout, protocol.ProtocolError) as exc:
            self.kill()
            raise RunnerError(f"--impl {self.spec.label!r}: {exc}") from None

    def request(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send one message and read one reply line within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        self.send(protocol.dumps(message), deadline)
        return replies.parse(self.receive(deadline))[0]

    def send(self, line: bytes, deadline: float) -> None:
        """Write one request line (before `deadline`, if the pipe is full)."""
        assert self.proc is not None
        self._write(line, deadline)

    def receive(self, deadline: float) -> bytes:
        """The next reply line, read before `deadline`."""
        assert self.proc is not None
        return self._readline(deadline)

    def _write(self, data: bytes, deadline: float) -> None:
        """Write all of `data`, waiting in select() only while the pipe is full (a request
        usually fits at once, so one system call)."""
        assert self.proc is not None and self.proc.stdin is not None  # a started worker
        fd = self.proc.stdin.fileno()
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(fd, view):]
                continue
            except BlockingIOError:
                pass
            except (BrokenPipeError, ConnectionResetError):
                raise WorkerDied(self.describe_exit()) from None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WorkerTimeout("the implementation did not read its request")
            select.select([], [fd], [], remaining)

    def _readline(self, deadline: float) -> bytes:
        assert self.proc is not None and self.proc.stdout is not None  # a started worker
        fd = self.proc.stdout.fileno()
        newline = self._buffer.find(b"\n")
        while newline < 0:
            # past the deadline, still take what has arrived: the runner may have been busy
            # judging the case before while this reply came (so a timeout holds to within the
            # runner's own time for one case)
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(remaining, 0.0))
            if not ready:
                if remaining <= 0:
                    raise WorkerTimeout("no answer in time")
                continue
            try:
                count = os.readv(fd, [self._chunk])  # into a reused buffer: os.read(fd, n) allocates n bytes per call
            except BlockingIOError:
                continue
            if not count:
                raise WorkerDied(self.describe_exit())
            found = self._chunk.find(b"\n", 0, count)  # only the new bytes: a long line arrives in many chunks
            if found >= 0:
                newline = len(self._buffer) + found
            self._buffer += memoryview(self._chunk)[:count]
            if newline < 0 and len(self._buffer) > MAX_REPLY_BYTES:
                raise protocol.ProtocolError(f"a reply line longer than {MAX_REPLY_BYTES} bytes")
        line = bytes(self._buffer[: newline + 1])
        del self._buffer[: newline + 1]
        return line

    def describe_exit(self) -> str:
        """How the process ended, with the last line it wrote to stderr. bwrap passes on a
        signal that killed what it ran as the exit status 128 + the signal's number."""
        assert self.proc is not None
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.returncode
        if code is not None and code > 128 and self.box.kind == "bwrap":
            code = 128 - code
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            how = f"the worker was killed by {name}"
        else:
            how = f"the worker exited with code {code}"
        tail = self.stderr_tail()
        return how + (f"; stderr: {tail}" if tail else "")

    def stderr_tail(self, lines: int = 1) -> str:
        """The last lines the worker wrote to stderr; once it has exited, its last words
        are waited for briefly (a child that inherited the pipe may hold it open)."""
        if self._stderr is None:
            return ""
        if self.proc is not None and self.proc.poll() is not None:
            self._stderr.wait(STDERR_GRACE)
        return self._stderr.last_lines(lines)

    def signal_group(self) -> None:
        """SIGKILL to the worker's process group, from any thread, touching nothing else: its
        pipes close, and the lane reading them sees it die and cleans up as after a crash."""
        proc = self.proc
        if proc is not None and proc.returncode is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
        if self.proc is not None:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self._close_pipes()

    def stop(self) -> None:
        """Say bye and give the worker a moment to leave on its own, then make sure."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                self._write(protocol.dumps({"type": "bye"}), time.monotonic() + 1)
                self.proc.wait(timeout=2)
            except (WorkerDied, WorkerTimeout, subprocess.TimeoutExpired, OSError):
                pass
        self.kill()

    def _close_pipes(self) -> None:
        """stdin and stdout; stderr is closed by its drain thread at its end (closing it here,
        under a read in progress, could hand the number to the next file opened)."""
        for stream in (self.proc.stdin if self.proc else None, self.proc.stdout if self.proc else None):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
        self._stderr = None


# -- a session: workers for one implementation ----------------------------------------------


class Session:
    """Up to `jobs` workers of one implementation, each running one case at a time.

    Use as a context manager; the first worker starts on entry, so a wrong --impl fails at
    once with RunnerError."""

    def __init__(
        self,
        impl: str = "reference",
        *,
        jobs: int = 1,
        timeout: float = DEFAULT_TIMEOUT,
        memory_limit: int | None = None,
        sandbox_mode: str = "auto",
        keep_arrays: bool = False,
    ) -> None:
        for option, check, value in (("--jobs", limits.check_jobs, jobs), ("--timeout", limits.check_timeout, timeout)):
            try:
                check(value)
            except ValueError as exc:
                raise RunnerError(f"{option}: {exc}") from None
        if memory_limit is not None and not 0 < memory_limit <= limits.MAX_MEMORY_LIMIT_MB << 20:
            raise RunnerError(f"memory limit: must be from 1 byte to {limits.MAX_MEMORY_LIMIT_MB} MiB, not {memory_limit!r} bytes")
        self.install = install_check.verify()
        self.box = sandbox.choose(sandbox_mode)
        self.spec = ImplSpec.parse(impl)
        self.jobs = jobs
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.keep_arrays = keep_arrays   # whole pixels in every result (a caller that uses each at once)
        self.handshake: protocol.Handshake | None = None
        self._first: Worker | None = None       # started by begin(), greeted by what it returns
        self._idle: queue.Queue[Worker | None] = queue.Queue()
        self._staging_root: tempfile.TemporaryDirectory[str] | None = None
        self._staging_names = itertools.count()
        self._cancelled = threading.Event()
        self._workers: weakref.WeakSet[Worker] = weakref.WeakSet()   # every worker made, for cancel()
        self._workers_lock = threading.Lock()

    def begin(self) -> Callable[[], None]:
        """Start the first worker in this thread and return the wait for its handshake, which
        any thread may do: so the worker's start overlaps the caller's own work (loading the
        cases). `with` does both when begin was not called. Every data file must be noted
        first (private_data): the sandbox's view is fixed when the worker starts."""
        self._staging_root = tempfile.TemporaryDirectory(prefix="wbimage-run-")  # cases' files, per case
        os.chmod(self._staging_root.name, 0o755)  # readable by a sandbox's own user (sandbox.py)
        first = self._new_worker()
        self._first = first
        try:
            first.spawn()
        except BaseException:
            self._abandon(first)
            raise
        return self._greet_first

    def _greet_first(self) -> None:
        first = self._first
        assert first is not None
        try:
            self.handshake = first.greet(max(self.timeout, STARTUP_TIMEOUT))
        except BaseException:  # RunnerError, or a signal during the start
            self._abandon(first)
            raise
        self._idle.put(first)

    def _abandon(self, first: Worker) -> None:
        first.kill()
        if self._staging_root is not None:
            self._staging_root.cleanup()
            self._staging_root = None

    def __enter__(self) -> Session:
        if self.handshake is None:
            self.begin()()
        for _ in range(self.jobs - 1):
            self._idle.put(None)  # started when first needed
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            if worker is not None and self._cancelled.is_set():
                worker.kill()
            elif worker is not None:
                worker.stop()
        if self._staging_root is not None:
            self._staging_root.cleanup()
            self._staging_root = None

    def _new_worker(self) -> Worker:
        assert self._staging_root is not None
        worker = Worker(self.spec, self.memory_limit, self.box, self._staging_root.name, self._cancelled)
        with self._workers_lock:
            self._workers.add(worker)
        return worker

    def cancel(self) -> None:
        """Stop the run: no case starts, none is reported any more, and every worker's process
        group is killed, so each lane returns as soon as it sees its worker die."""
        self._cancelled.set()
        with self._workers_lock:
            workers = list(self._workers)
        for worker in workers:
            worker.signal_group()

    @property
    def capabilities(self) -> frozenset:
        """What the implementation declared in its handshake (input kinds, `normalize-keyword`)."""
        return self.handshake.capabilities if self.handshake else frozenset()

    @property
    def image_name(self) -> str:
        return (self.handshake.display if self.handshake else None) or "Image"

    def environment(self, case_set_digest: str) -> Environment:
        assert self.handshake is not None
        env = self.handshake.environment
        return Environment(
            suite_version=wbimage_conformance.__version__,
            case_set_digest=case_set_digest,
            implementation=self.handshake.name,
            implementation_version=self.handshake.version,
            python=env.get("python") or "unknown",
            numpy=env.get("numpy"),
            pillow=env.get("pillow"),
            torch=env.get("torch"),
            torchvision=env.get("torchvision"),
            platform=env.get("platform") or platform.platform(),
            sandbox=self.box.description,
            install=self.install,
        )

    def run_case(self, case: Case) -> Result:
        """One case on an idle worker (waits for one when all are busy)."""
        return self.run([case])[0]

    def run(self, cases: Sequence[Case], progress: Callable[[Result], None] | None = None,
            stop: Callable[[], bool] | None = None) -> list[Result]:
        """Every case, results in the order of `cases` whatever order they finish in. Once
        `stop()` is true no further case starts (those running finish): --maxfail. A signal
        (KeyboardInterrupt, Interrupted) cancels the run and raises Interrupted carrying the
        results delivered before it.

        Each of up to `jobs` lanes holds one worker and feeds it cases one at a time (see _lane)."""
        results: list[Result | None] = [None] * len(cases)
        order = iter(range(len(cases)))
        lock = threading.Lock()

        def take() -> tuple[int, Case] | None:
            with lock:
                if self._cancelled.is_set() or (stop is not None and stop()):
                    return None
                index = next(order, None)
            return None if index is None else (index, cases[index])

        def deliver(index: int, result: Result) -> None:
            with lock:
                if self._cancelled.is_set():
                    return  # a case killed by the stop: not run, not a crash
                results[index] = result
                if progress is not None:
                    progress(result)

        try:
            self._lanes(min(self.jobs, len(cases)), take, deliver, stop is None)
        except KeyboardInterrupt as exc:
            with _signals_held():
                self.cancel()
            name = exc.signal_name if isinstance(exc, Interrupted) else "SIGINT"
            raise Interrupted(name, [r for r in results if r is not None]) from None
        return [r for r in results if r is not None]

    def _lanes(self, lanes: int, take: Callable[[], tuple[int, Case] | None],
               deliver: Callable[[int, Result], None], lookahead: bool) -> None:
        """The lanes, in this thread when there is one; else on threads, cancelled (and
        waited for) when this thread is interrupted."""
        if lanes <= 1:
            self._lane(take, deliver, lookahead)
            return
        with concurrent.futures.ThreadPoolExecutor(max_workers=lanes) as pool:
            futures = [pool.submit(self._lane, take, deliver, lookahead) for _ in range(lanes)]
            try:
                for future in futures:
                    future.result()
            except BaseException:
                with _signals_held():
                    self.cancel()
                    concurrent.futures.wait(futures)
                raise

    # -- one lane: a worker and the cases it runs ----------------------------------------------

    def _lane(self, take: Callable[[], tuple[int, Case] | None], deliver: Callable[[int, Result], None],
              lookahead: bool = True) -> None:
        """Cases through one worker, pipelined without ever giving it two at once: the next
        case's request is built while the worker works on the current one, and sent as soon as
        the current reply is in, before that reply is judged. The runner's own work per case
        thus overlaps the implementation's instead of adding to it.

        Without `lookahead` (a run that may stop early), a case is taken only once the one
        before it is judged, so no case starts after the verdict that stops the run."""
        worker = self._idle.get()
        flight: _InFlight | None = None  # sent, reply awaited
        try:
            ahead = self._prepare(take())   # built, not yet sent
            while (ahead is not None or flight is not None) and not self._cancelled.is_set():
                if flight is None:
                    assert ahead is not None
                    flight, worker = self._dispatch(worker, ahead, deliver)
                    ahead = None
                else:
                    reply, worker = self._collect(worker, flight)
                    done, flight = flight, None
                    if ahead is not None:
                        flight, worker = self._dispatch(worker, ahead, deliver)
                        ahead = None
                    deliver(done.index, self._verdict(done, reply))
                if ahead is None and (lookahead or flight is None):
                    ahead = self._prepare(take())
        finally:
            if flight is not None and worker is not None:  # it owes a reply no one will read
                worker.kill()
                worker = None
            for unsent in (ahead, flight):
                if unsent is not None and unsent.staging is not None:
                    unsent.staging.remove()
            self._idle.put(worker)

    def _prepare(self, taken: tuple[int, Case] | None) -> _Prepared | None:
        """A case's request line, with its files staged; or its result, if it ends here (an
        input that cannot be built, a kind the implementation does not accept)."""
        if taken is None:
            return None
        index, case = taken
        started = time.monotonic()
        try:
            built = materialize.materialize(case)
        except materialize.MaterializeError as exc:
            return _Prepared(index, case, started, early=self._result(
                case, started, Status.ERROR, f"the case input cannot be built: {exc}"))
        missing = sorted(built.kinds() - self.capabilities)
        if missing:
            return _Prepared(index, case, started, early=self._result(
                case, started, Status.SKIPPED, f"the implementation does not accept {', '.join(missing)} inputs"))
        assert self._staging_root is not None, "use the Session as a context manager"
        root = self._staging_root.name
        staging = materialize.Staging(os.path.join(root, f"case-{next(self._staging_names)}"), shared=root)
        call: dict[str, Any] = {"api": case.call["api"]}
        if "name" in case.call:
            call["name"] = case.call["name"]
        try:
            call["kwargs"] = materialize.kwargs_to_wire(built, staging)
            line = protocol.dumps(protocol.run_request(case.id, call, materialize.to_wire(built, staging)))
        except BaseException:
            staging.remove()
            raise
        return _Prepared(index, case, started, line=line, staging=staging)

    def _dispatch(self, worker: Worker | None, prepared: _Prepared,
                  deliver: Callable[[int, Result], None]) -> tuple[_InFlight | None, Worker | None]:
        """Send a prepared case (starting a fresh worker if the last one died); a case that ends
        without a worker is delivered here and nothing is in flight."""
        case = prepared.case
        if prepared.early is not None:
            deliver(prepared.index, prepared.early)
            return None, worker
        assert prepared.line is not None and prepared.staging is not None
        if worker is None:
            worker = self._new_worker()
            try:
                worker.start(max(self.timeout, STARTUP_TIMEOUT))
            except RunnerError as exc:
                prepared.staging.remove()
                deliver(prepared.index, self._result(case, prepared.started, Status.CRASH,
                                                     f"could not start a fresh worker: {exc}"))
                return None, None
        sent = time.monotonic()
        flight = _InFlight(prepared.index, case, prepared.staging, sent, sent + self.timeout)
        try:
            worker.send(prepared.line, flight.deadline)
        except (WorkerTimeout, WorkerDied) as exc:
            flight.failure = exc  # reported when collected, like a reply that never comes
        return flight, worker

    def _collect(self, worker: Worker | None, flight: _InFlight) -> tuple[dict[str, Any] | Result, Worker | None]:
        """The in-flight case's reply, or its result when the worker failed it (the worker is
        then killed and a fresh one starts for the next case)."""
        assert worker is not None
        case = flight.case
        try:
            if flight.failure is not None:
                raise flight.failure
            reply, flight.shape = replies.parse(worker.receive(flight.deadline))
            if reply.get("type") != "result" or reply.get("id") != case.id:
                raise protocol.ProtocolError(f"expected the result for {case.id!r}, got {str(reply)[:120]}")
        except WorkerTimeout:
            worker.kill()
            return self._result(case, flight.sent, Status.TIMEOUT,
                                f"no answer within {self.timeout:g} s; the worker was killed"), None
        except WorkerDied as exc:
            worker.kill()
            return self._result(case, flight.sent, Status.CRASH, str(exc)), None
        except protocol.ProtocolError as exc:
            worker.kill()
            return self._result(case, flight.sent, Status.CRASH, f"protocol error: {exc}"), None
        finally:
            flight.staging.remove()
        flight.answered = time.monotonic()
        if reply.get("outcome") == protocol.CRASHED:  # the worker exits after saying so
            worker.kill()
            return reply, None
        return reply, worker

    def _verdict(self, flight: _InFlight, reply: dict[str, Any] | Result) -> Result:
        """The result for a collected reply."""
        if isinstance(reply, Result):
            return reply
        case = flight.case

        def result(status: Status, message: str = "", **extra: Any) -> Result:
            return self._result(case, flight.sent, status, message, ended=flight.answered, **extra)

        outcome = reply.get("outcome")
        reason = retention.clip(str(reply.get("reason", "")))
        if outcome == protocol.SKIPPED:
            return result(Status.SKIPPED, reason)
        if outcome == protocol.SETUP_ERROR:
            return result(Status.ERROR, f"the input could not be set up in the worker: {reason}")
        if outcome == protocol.CRASHED:
            return result(Status.CRASH, f"the implementation ran out of memory ({reason})")
        if outcome != protocol.OBSERVED:
            return result(Status.CRASH, f"protocol error: unknown outcome {outcome!r}")
        try:
            observation, verdict = self._judge(case, reply.get("observation", {}))
        except _UNJUDGEABLE as exc:
            reason = retention.clip(" ".join(str(exc).split()) or type(exc).__name__, 300)
            return result(Status.CRASH, f"protocol error: bad observation: {reason}")
        message = verdict.message
        notes = list(observation.notes)
        if "normalize" in (case.call.get("kwargs") or {}) and "normalize-keyword" not in self.capabilities:
            notes.append("the implementation declares no `normalize` keyword")
        if notes and verdict.status is not Status.PASSED:
            message += " [" + "; ".join(notes) + "]"
        judged = result(verdict.status, message, mismatches=verdict.mismatches, observation=observation)
        if not self.keep_arrays and flight.shape is not None and retention.needs_summary(flight.shape.size, flight.shape.values):
            return retention.summarize_result(judged)  # its big arrays are dropped here (bounded memory)
        return judged

    @staticmethod
    def _judge(case: Case, wire: Any) -> tuple[Observation, compare.Verdict]:
        """The observation in a reply and its verdict; an error of any kind _UNJUDGEABLE lists
        when the reply holds what the protocol does not allow."""
        if not isinstance(wire, dict):
            raise protocol.ProtocolError(f"'observation' must be an object, not {protocol.safe_repr(wire, 80)}")
        observation = protocol.decode_observation(wire)
        return observation, compare.compare(case, observation)

    def _result(self, case: Case, started: float, status: Status, message: str = "",
                ended: float | None = None, **extra: Any) -> Result:
        """`duration_s` is the case's time with the implementation (request sent to reply
        read), or for a case that never reached one, the time spent preparing it."""
        return Result(
            case=case, status=status, message=message,
            reproduction_source=functools.partial(reproduction, case, self.image_name),
            duration_s=round((ended if ended is not None else time.monotonic()) - started, 6), **extra,
        )


@dataclass
class _Prepared:
    """A case ready to send (`line`, with its files in `staging`), or already decided (`early`)."""

    index: int
    case: Case
    started: float
    line: bytes | None = None
    staging: materialize.Staging | None = None
    early: Result | None = None


#: What decoding or judging a malformed observation can raise: the case's crash, not the run's end.
_UNJUDGEABLE = (protocol.ProtocolError, KeyError, TypeError, ValueError, IndexError, AttributeError,
                OverflowError, RecursionError, MemoryError)


@dataclass
class _InFlight:
    """A case sent to a worker: when, until when its reply may come, and what went wrong
    while sending it (raised again when it is collected)."""

    index: int
    case: Case
    staging: materialize.Staging
    sent: float
    deadline: float
    answered: float | None = None
    failure: Exception | None = None
    shape: replies.Shape | None = None      # of the reply line, once read


def run(
    cases: Sequence[Case],
    impl: str = "reference",
    *,
    jobs: int = 1,
    timeout: float = DEFAULT_TIMEOUT,
    memory_limit: int | None = None,
    case_set_digest: str = "",
    progress: Callable[[Result], None] | None = None,
    sandbox_mode: str = "auto",
) -> RunReport:
    """Run `cases` on `impl` and return the report with raw statuses (no expectations)."""
    with Session(impl, jobs=jobs, timeout=timeout, memory_limit=memory_limit, sandbox_mode=sandbox_mode) as session:
        results = session.run(cases, progress)
        return RunReport(session.environment(case_set_digest), tuple(results))
