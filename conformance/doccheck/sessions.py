"""A page's examples run as the reader follows them: a sandboxed process of its own per page,
its blocks in page order in one namespace (worker/doc_example.py).

Planning decides what runs: every block that is Python (examples and plain Python, which
defines what later examples use; not formulas, signatures or shell), the imports the page
takes for granted (names.py), each block's seed, and the probes its claims ask for. Running
starts the process in the sandbox with a time limit of its own per block and accepts a reply
only when it carries the token this call made. `PageOutcome.block(n)` gives the outcome of
one block as the verdicts read it.

`run_page` starts one process for one page. `run_all` runs many pages on job lanes (lanes.py):
one sandboxed server per lane forks each page's process from an interpreter that has already
started and imported what pages need (worker/doc_server.py), with the same outcomes. With
WBIMAGE_DOCS_SESSIONS=per-page it starts one process per page instead (to compare the two).
"""

from __future__ import annotations

import ast
import concurrent.futures
import contextlib
import json
import os
import secrets
import signal
import subprocess
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from wbimage_conformance.doccheck import lanes, names
from wbimage_conformance.doccheck.claims import Claim, example_claims
from wbimage_conformance.doccheck.classify import ClassifiedPage, PyBlock, image_calls
from wbimage_conformance.doccheck.consistency import logical_lines
from wbimage_conformance.errors import ConfigurationError
from wbimage_conformance.run import pipe_drain, runner, sandbox
from wbimage_conformance.worker import npy_reader

DEFAULT_TIMEOUT = 60.0
#: Block kinds that run.
RUNS = ("example", "python")
#: The longest reply a page's process may write (its images come as files beside it); and
#: how long its pipes are waited for once it has exited (a child it left may hold them open).
MAX_REPLY_BYTES = 16 * 1024 * 1024
PIPE_GRACE = 2.0
#: What the process may take beyond the blocks' own limits: interpreter start and imports.
START_ALLOWANCE = 30.0
#: The variable that makes run_all start one process per page ("per-page") rather than lanes.
SESSIONS_VARIABLE = "WBIMAGE_DOCS_SESSIONS"
CLIP_PROBE = (-4.0, 0.0, 0.25, 254.75, 255.0, 300.0)
FACTOR_PROBE = (0.0, 0.25, 0.5, 1.0)

#: The deepest a page's recording may nest: its calls' arguments (boxes, masks, classes) need
#: under ten levels, and the verdicts walk them recursively.
MAX_REPLY_DEPTH = 64
#: The most array data read of one page's recording (each file at most npy_reader's limit).
MAX_PAGE_ARRAY_BYTES = 512 * 1024 * 1024
#: NumPy's .npy header reader (npy_reader) uses ast.literal_eval, which CPython 3.11 cannot run in two
#: threads at once (python/cpython#106905); pages finish in worker threads, so loads take turns.
_NPY_LOAD_LOCK = threading.Lock()


class ExampleSetupError(ConfigurationError):
    """The implementation cannot be used to run examples (exit code 2)."""


@dataclass(frozen=True)
class Job:
    """One block of a page's session."""

    page: ClassifiedPage
    block: PyBlock
    number: int                        # its place in the session
    claims: tuple[Claim, ...]
    probes: tuple[dict[str, Any], ...]
    probe_of: dict[int, str]           # index of a claim -> its probe id
    seed: int

    @property
    def label(self) -> str:
        return f"{self.page.path}:{self.block.line}"


@dataclass(frozen=True)
class PageJob:
    page: ClassifiedPage
    jobs: tuple[Job, ...]
    names: names.PageNames

    @property
    def label(self) -> str:
        return self.page.path


@dataclass
class Outcome:
    """What one block did (or, for a page that did not run, what the page did)."""

    status: str                        # ok, raised, timeout, crash, skipped, impl-error, sandbox-error
    reply: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    duration_s: float = 0.0
    message: str = ""


@dataclass
class PageOutcome:
    status: str                        # ok, timeout, crash, skipped, impl-error, sandbox-error
    reply: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    duration_s: float = 0.0
    message: str = ""

    def block(self, number: int) -> Outcome:
        """The outcome of block `number` of the session: its status, error, calls, logs, variables, probes."""
        if self.status != "ok":
            return Outcome(self.status, {}, self.arrays, self.duration_s, self.message)
        entry = next((b for b in self.reply.get("blocks", []) if b.get("id") == number), None)
        if entry is None:
            return Outcome("crash", {}, self.arrays, self.duration_s, f"the page's process did not run block {number}")
        reply = {
            "error": entry.get("error"), "variables": entry.get("variables", {}),
            "calls": [c for c in self.reply.get("calls", []) if c.get("block") == number],
            "logs": [log for log in self.reply.get("logs", []) if log.get("block") == number],
            "probes": [p for p in self.reply.get("probes", []) if p.get("block") == number],
        }
        status = {"ok": "ok", "raised": "raised", "timeout": "timeout"}.get(entry.get("status"), "crash")
        message = reply["error"]["message"] if status == "timeout" and reply["error"] else ""
        return Outcome(status, reply, self.arrays, float(entry.get("duration_s", 0.0)), message)


def seed_for(key: str) -> int:
    return zlib.crc32(key.encode("utf-8")) % 2**31


def block_seed(block: PyBlock) -> int:
    """The same for translations of one block: its code without comments and string contents."""
    return seed_for("\n".join(line.tokens for line in logical_lines(block.block.code)))


def _imports_torch(block: PyBlock) -> bool:
    for node in ast.walk(block.tree) if block.tree is not None else ():
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "torch" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "torch":
            return True
    return False


def _code_line(claim: Claim) -> int | None:
    return int(claim.target.split(":", 1)[1]) if claim.target.startswith("call:") else None


def _job(page: ClassifiedPage, block: PyBlock, number: int, probe_count: int) -> Job:
    claims = tuple(example_claims(block)) if block.kind == "example" else ()
    probes: list[dict[str, Any]] = []
    probe_of: dict[int, str] = {}
    for index, claim in enumerate(claims):
        if claim.kind == "mapping":
            values, extremes = [float(a) for a, _ in claim.values], True
        elif claim.kind == "factor":
            values, extremes = list(FACTOR_PROBE), True
        elif claim.kind in ("clip", "no-clip"):
            values, extremes = list(CLIP_PROBE), False
        else:
            continue
        probe_id = f"p{probe_count + len(probes)}"
        probes.append({"id": probe_id, "block": number, "call_line": _code_line(claim), "values": values,
                       "extremes": extremes})
        probe_of[index] = probe_id
    return Job(page, block, number, claims, tuple(probes), probe_of, block_seed(block))


def plan(page: ClassifiedPage, blocks: list[PyBlock] | None = None) -> PageJob:
    """The page's session: `blocks` (default: every block that runs), in page order."""
    chosen = [b for b in (page.blocks if blocks is None else blocks) if b.kind in RUNS and b.tree is not None]
    jobs: list[Job] = []
    for block in chosen:
        jobs.append(_job(page, block, len(jobs), sum(len(j.probes) for j in jobs)))
    return PageJob(page, tuple(jobs), names.analyze(chosen))


def has_examples(job: PageJob) -> bool:
    return any(j.block.kind == "example" for j in job.jobs)


# -- running --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Launch:
    """How to start the example process: the command, the variables it needs, the sandbox and
    the cap on its address space in bytes (None: none); and the command that starts a lane's
    server of many pages (worker/doc_server.py)."""

    command: list[str]
    env: dict[str, str]
    python: str
    box: sandbox.Sandbox
    memory_limit: int | None = None
    serve_command: tuple[str, ...] = ()


def sandbox_command(impl: str, sandbox_mode: str = "auto", memory_limit: int | None = None) -> Launch:
    if impl.startswith("exec:"):
        raise ExampleSetupError(f"--impl {impl!r}: docs check runs examples as Python with the implementation as "
                                "wandb.Image; exec: implementations cannot be used here")
    try:
        box = sandbox.choose(sandbox_mode)
        spec = runner.ImplSpec.parse(impl)
    except (runner.RunnerError, sandbox.SandboxError) as exc:
        raise ExampleSetupError(str(exc)) from None
    python, name = spec.command[0], spec.command[-1]
    env = {**spec.env, "WANDB_MODE": "disabled", "WANDB_SILENT": "true", "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONHASHSEED": "0"}
    path = env.get("PYTHONPATH", os.environ.get("PYTHONPATH", ""))
    if path:  # examples run in a temporary directory: relative entries would move
        env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) if p else p for p in path.split(os.pathsep))
    return Launch([python, "-m", "wbimage_conformance.worker.doc_example", "--impl", name], env, python, box,
                  memory_limit, (python, "-m", "wbimage_conformance.worker.doc_server", "--impl", name))


def request_of(job: PageJob, block_timeout: float) -> dict[str, Any]:
    blocks = []
    for j in job.jobs:
        assert j.block.runnable is not None
        blocks.append({"id": j.number, "code": j.block.runnable.code, "seed": j.seed,
                       "prelude": "\n".join(job.names.implied.get(j.block.line, ()))})
    return {"blocks": blocks, "label": job.label, "torch": any(_imports_torch(j.block) for j in job.jobs),
            "block_timeout": block_timeout, "probes": [p for j in job.jobs for p in j.probes]}


def run_page(job: PageJob, launch: Launch, timeout: float) -> PageOutcome:
    """The page's session in its own process; the reply counts only if it carries the token
    this call made and passed on a pipe only the harness reads (worker/doc_example.py)."""
    request = request_of(job, timeout)
    started = time.monotonic()
    limit = timeout * max(1, len(job.jobs)) + START_ALLOWANCE
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="wbimage-docs-") as workdir:
        token_read, token_write = os.pipe()
        os.write(token_write, token.encode("ascii"))
        os.close(token_write)
        command, env = launch.box.wrap([*launch.command, "--token-fd", str(token_read)], launch.env,
                                       python=launch.python, workdir=workdir, memory_limit=launch.memory_limit)
        try:
            proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    cwd=workdir, env=env, start_new_session=True, pass_fds=(token_read,))
        except OSError as exc:
            raise ExampleSetupError(f"cannot start {command[0]!r}: {exc}") from None
        finally:
            os.close(token_read)
        # read as they come, within bounds: an example may write without end to either pipe
        assert proc.stdout is not None and proc.stderr is not None  # opened as pipes above
        out = pipe_drain.PipeDrain(proc.stdout, MAX_REPLY_BYTES, "head")
        err = pipe_drain.PipeDrain(proc.stderr, pipe_drain.STDERR_KEEP)
        threading.Thread(target=_send, args=(proc.stdin, json.dumps(request).encode("utf-8")), daemon=True).start()
        try:
            proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            _kill(proc)
            return PageOutcome("timeout", duration_s=time.monotonic() - started,
                               message=f"the example did not finish within {limit:g} s")
        out.wait(PIPE_GRACE)
        err.wait(PIPE_GRACE)
        duration = time.monotonic() - started
        if out.overflowed:
            return PageOutcome("crash", duration_s=duration,
                               message=f"the example process wrote more than {MAX_REPLY_BYTES} bytes on its reply pipe")
        try:
            reply = json.loads(out.data.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError):
            reply = None
        if not isinstance(reply, dict) or reply.get("token") != token:
            tail = err.data.decode("utf-8", "replace").strip().splitlines()[-3:]
            what = "no reply" if reply is None else "a reply the harness did not write (no run token)"
            return PageOutcome("crash", duration_s=duration,
                               message=f"the sandbox process ended with status {proc.returncode} and {what}"
                               + (f": {' | '.join(tail)}" if tail else ""))
        return _finish(job, reply, Path(workdir), duration)


def run_on_lane(job: PageJob, lane: lanes.Lane, timeout: float) -> PageOutcome:
    """The page's session on a lane's server: what run_page gives, without a start of its own."""
    started = time.monotonic()
    answer = lane.run(request_of(job, timeout), timeout * max(1, len(job.jobs)) + START_ALLOWANCE)
    duration = time.monotonic() - started
    if answer.status != "replied":
        return PageOutcome(answer.status, duration_s=duration, message=answer.message)
    assert answer.folder is not None
    return _finish(job, answer.reply, answer.folder, duration)


def _finish(job: PageJob, reply: dict[str, Any], folder: Path, duration: float) -> PageOutcome:
    """The outcome of a reply that carries its token; its arrays are read from `folder`."""
    if _deeper_than(reply, MAX_REPLY_DEPTH):  # the example's process wrote it: the checker walks it
        return PageOutcome("crash", duration_s=duration,
                           message=f"the example's recording nests deeper than {MAX_REPLY_DEPTH} levels")
    status = str(reply.get("status", "sandbox-error"))
    gaps = unaccounted(job, reply) if status == "ok" else ""
    if gaps:
        return PageOutcome("crash", duration_s=duration,
                           message=f"the recording is not what the harness makes of this example: {gaps}")
    try:
        arrays = _load_arrays(folder, reply) if status == "ok" else {}
    except npy_reader.ArrayFileError as exc:
        return PageOutcome("crash", duration_s=duration, message=f"the example's arrays cannot be judged: {exc}")
    return PageOutcome(status, reply, arrays, duration, str(reply.get("message", "")))


def _load_arrays(workdir: Path, reply: dict[str, Any]) -> dict[str, np.ndarray]:
    """The .npy files the recording names, and only those (a page may leave others), read by
    npy_reader (never a link, a FIFO, or more than its header's bytes), at most
    MAX_PAGE_ARRAY_BYTES in all; ArrayFileError for the first that cannot be read."""
    wanted = set()
    for call in reply.get("calls", []):
        if isinstance(call, dict):
            wanted |= _array_names(call)
    out: dict[str, np.ndarray] = {}
    room = MAX_PAGE_ARRAY_BYTES
    with _NPY_LOAD_LOCK:
        for name in sorted(wanted):
            out[name] = npy_reader.load(workdir, name, min(room, npy_reader.MAX_ARRAY_BYTES))
            room -= out[name].nbytes
    return out


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and dicts in `value` nest deeper than `limit` (found without recursion)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            pending.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            pending.extend((v, depth + 1) for v in item)
    return False


def _array_names(call: dict[str, Any]) -> set[str]:
    """The files a recorded call names: its input's array (which an array, tensor or PIL
    input always has) and its image's pixels; ArrayFileError for a name that is not a string."""
    given, observed = call.get("input"), call.get("observed")
    given = given if isinstance(given, dict) else {}
    names = {given.get("array"), observed.get("pixels") if isinstance(observed, dict) else None}
    if given.get("kind") in ("numpy", "tensor", "pil") and not isinstance(given.get("array"), str):
        raise npy_reader.ArrayFileError(f"a recorded {given.get('kind')} input names no array file")
    wrong = [name for name in names if name is not None and not isinstance(name, str)]
    if wrong:
        raise npy_reader.ArrayFileError(f"the recording names {wrong[0]!r} as an array file")
    return {name for name in names if isinstance(name, str)}


def unaccounted(job: PageJob, reply: dict[str, Any]) -> str:
    """What a finished page's recording lacks: an entry for every block, an answer to every
    probe asked, and, for every block that finished, a call for each wandb.Image(...) in a
    top-level statement (one that runs whenever the block finishes). A recording the page wrote
    itself, to end early, shows as such a gap."""
    blocks = {b.get("id"): b for b in reply["blocks"] if isinstance(b, dict)}
    parts = []
    missing_blocks = [str(j.number) for j in job.jobs if j.number not in blocks]
    if missing_blocks:
        parts.append(f"no entry for block(s) {', '.join(missing_blocks)}")
    probes = {p.get("id") for p in reply["probes"] if isinstance(p, dict)}
    missing = [p["id"] for j in job.jobs for p in j.probes if p["id"] not in probes]
    if missing:
        parts.append(f"no answer to probe(s) {', '.join(missing)}")
    parts += [gap for j in job.jobs if (blocks.get(j.number) or {}).get("status") == "ok"
              if (gap := _unrecorded_image_calls(j, reply["calls"], several=len(job.jobs) > 1))]
    return "; ".join(parts)


def _unrecorded_image_calls(j: Any, calls: list[Any], several: bool) -> str:
    """The top-level wandb.Image calls of a finished block that the recording has no call for."""
    recorded = {c.get("line") for c in calls if isinstance(c, dict) and c.get("role") == "example"
                and c.get("block") == j.number}
    lines = [first for first, last in top_level_image_calls(j.block)
             if not any(isinstance(r, int) and first <= r <= last for r in recorded)]
    if not lines:
        return ""
    return (f"no record of the wandb.Image call on example line(s) {', '.join(map(str, lines))}"
            + (f" of block {j.number}" if several else ""))


def top_level_image_calls(block: PyBlock) -> list[tuple[int, int]]:
    """(first, last) code lines of each wandb.Image call in a top-level statement that runs
    it unconditionally (no lambda, conditional expression, `and`/`or` or comprehension)."""
    found = []
    for statement in block.tree.body if block.tree is not None else ():
        if not isinstance(statement, (ast.Expr, ast.Assign, ast.AnnAssign)):
            continue
        nodes = list(ast.walk(statement))
        if any(isinstance(n, (ast.Lambda, ast.IfExp, ast.BoolOp, ast.comprehension)) for n in nodes):
            continue
        wrapper = ast.Module(body=[statement], type_ignores=[])
        found += [(call.lineno, call.end_lineno or call.lineno) for call in image_calls(wrapper)]
    return found


def _send(stdin: Any, request: bytes) -> None:
    """The request, on a thread of its own: a process that never reads it cannot block the
    harness (its time limit ends it)."""
    try:
        stdin.write(request)
        stdin.close()
    except OSError:
        pass


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def run_all(jobs: list[PageJob], impl: str, timeout: float, workers: int, sandbox_mode: str = "auto",
            memory_limit: int | None = None, *,
            on_done: Callable[[PageJob, PageOutcome], None] | None = None) -> list[PageOutcome]:
    """The pages' sessions on `workers` lanes, in the order of `jobs`; `on_done(job, outcome)`
    is told as each page ends (from the thread that ran it)."""
    if not jobs:
        return []
    launch = sandbox_command(impl, sandbox_mode, memory_limit)
    count = max(1, min(workers, len(jobs)))
    with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
        if os.environ.get(SESSIONS_VARIABLE) == "per-page":
            outcomes = list(pool.map(lambda job: _told(job, run_page(job, launch, timeout), on_done), jobs))
        else:
            torch = any(_imports_torch(j.block) for job in jobs for j in job.jobs)
            with lanes.lanes(count, lambda: lanes.Lane(server_of(launch, torch))) as borrow:
                outcomes = list(pool.map(lambda job: _told(job, _on_a_lane(job, borrow, timeout), on_done), jobs))
    for outcome in outcomes:
        if outcome.status == "impl-error":
            raise ExampleSetupError(f"--impl {impl!r}: {outcome.message}")
    return outcomes


def server_of(launch: Launch, torch: bool = False) -> lanes.Server:
    """How a lane starts its server for `launch`; `torch`: a page of the run imports it, so the
    server imports it once for all (not under a memory limit: every page's process would
    inherit its address space, torch page or not, and have that much less room than before)."""
    preload = torch and not launch.memory_limit
    command = (*launch.serve_command, *(["--preload-torch"] if preload else []))
    return lanes.Server(command, launch.env, launch.python, launch.box, launch.memory_limit, START_ALLOWANCE,
                        MAX_REPLY_BYTES)


def _told(job: PageJob, outcome: PageOutcome, on_done: Callable[[PageJob, PageOutcome], None] | None) -> PageOutcome:
    if on_done is not None:
        on_done(job, outcome)
    return outcome


def _on_a_lane(job: PageJob, borrow: Callable[[], AbstractContextManager[lanes.Lane]], timeout: float) -> PageOutcome:
    with borrow() as lane:
        return run_on_lane(job, lane, timeout)
