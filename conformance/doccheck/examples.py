"""Run each usage example against the implementation under test, and check what the page
says about it.

Every example runs in its own `python -m wbimage_conformance.worker.doc_example` process (a stand-in
`wandb` whose `Image` is the implementation, seeded randomness, no network, a time limit,
a fresh temporary directory). The seed depends on the example key only, so the translations
of one example get the same data.

Two kinds of verdict come back:

- *example* findings: the implementation disagrees with the spec on what the example made.
  Every recorded `wandb.Image` call is evaluated by the spec's own evaluator
  (`wbimage_conformance.oracle`, exact arithmetic) on the very input the example built: pixels bit
  for bit, mode, size, format, encoded format, caption.
- *claim* findings: the page says something the spec contradicts ("multiplied by 256",
  "not clipped", a heading's range the data does not have, ".gif" where the code asks for
  jpg). Claims about values are also tried on the implementation: a probe calls
  `wandb.Image` on a tiny input of the example's kind and dtype holding the values the claim
  names, and the implementation's answer is compared with the spec's.

"0 -> 127.5" is a note, not an error: [norm.truncation] says the pixel is 127 and the
comment describes the real-valued intermediate.
"""

from __future__ import annotations

import concurrent.futures
import json
import math
import os
import secrets
import signal
import subprocess
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from wbimage_conformance import oracle
from wbimage_conformance.doccheck import coverage
from wbimage_conformance.doccheck import findings as F
from wbimage_conformance.doccheck.claims import Claim, example_claims
from wbimage_conformance.doccheck.classify import ClassifiedPage, PyBlock
from wbimage_conformance.doccheck.specdata import SpecData
from wbimage_conformance.errors import ConfigurationError
from wbimage_conformance.run import compare, pipe_drain, runner, sandbox

DEFAULT_TIMEOUT = 60.0
#: The longest reply an example process may write (its images come as files beside it); and
#: how long its pipes are waited for once it has exited (a child it left may hold them open).
MAX_REPLY_BYTES = 16 * 1024 * 1024
PIPE_GRACE = 2.0
CLIP_PROBE = (-4.0, 0.0, 0.25, 254.75, 255.0, 300.0)
FACTOR_PROBE = (0.0, 0.25, 0.5, 1.0)
_BRANCH_CLAUSE = {"unit": "norm.unit", "signed": "norm.signed", "other": "norm.other", "disabled": "norm.disabled"}
_KIND_NAMES = {"pil": "PIL image", "path": "file path", "image": "copied wandb.Image", "other": "value of another type"}
_SPEC_RANGE = {"unit": (Fraction(0), Fraction(1)), "signed": (Fraction(-1), Fraction(1))}


#: numpy.load parses .npy headers with ast.literal_eval, which CPython 3.11 cannot run in two
#: threads at once (python/cpython#106905); examples finish in worker threads, so loads take turns.
_NPY_LOAD_LOCK = threading.Lock()


class ExampleSetupError(ConfigurationError):
    """The implementation cannot be used to run examples (exit code 2)."""


@dataclass(frozen=True)
class Job:
    page: ClassifiedPage
    block: PyBlock
    claims: tuple[Claim, ...]
    probes: tuple[dict[str, Any], ...]
    probe_of: dict[int, str]           # index of a claim -> its probe id
    seed: int

    @property
    def label(self) -> str:
        return f"{self.page.path}:{self.block.line}"


@dataclass
class Outcome:
    status: str                        # ok, raised, timeout, crash, skipped, impl-error, sandbox-error
    reply: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    duration_s: float = 0.0
    message: str = ""


def seed_for(key: str) -> int:
    return zlib.crc32(key.encode("utf-8")) % 2**31


def _needs_torch(block: PyBlock) -> bool:
    import ast

    assert block.tree is not None
    for node in ast.walk(block.tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "torch" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "torch":
            return True
    return False


def plan(page: ClassifiedPage, block: PyBlock) -> Job:
    claims = tuple(example_claims(block))
    probes: list[dict[str, Any]] = []
    probe_of: dict[int, str] = {}
    for index, claim in enumerate(claims):
        call_line = _code_line(claim, block)
        if claim.kind == "mapping":
            values, extremes = [float(a) for a, _ in claim.values], True
        elif claim.kind == "factor":
            values, extremes = list(FACTOR_PROBE), True
        elif claim.kind in ("clip", "no-clip"):
            values, extremes = list(CLIP_PROBE), False
        else:
            continue
        probe_id = f"p{len(probes)}"
        probes.append({"id": probe_id, "call_line": call_line, "values": values, "extremes": extremes})
        probe_of[index] = probe_id
    return Job(page, block, claims, tuple(probes), probe_of, seed_for(block.key))


def _code_line(claim: Claim, block: PyBlock) -> int | None:
    return int(claim.target.split(":", 1)[1]) if claim.target.startswith("call:") else None


# -- running --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Launch:
    """How to start the example process: the command, the variables it needs, the sandbox and
    the cap on its address space in bytes (None: none)."""

    command: list[str]
    env: dict[str, str]
    python: str
    box: sandbox.Sandbox
    memory_limit: int | None = None


def sandbox_command(impl: str, sandbox_mode: str = "auto", memory_limit: int | None = None) -> Launch:
    if impl.startswith("exec:"):
        raise ExampleSetupError(f"--impl {impl!r}: docs check runs examples as Python with the implementation as "
                                "wandb.Image; exec: implementations cannot be used here")
    try:
        box = sandbox.choose(sandbox_mode)
        spec = runner.ImplSpec.parse(impl)
    except (runner.RunnerError, sandbox.SandboxError) as exc:
        raise ExampleSetupError(str(exc)) from None
    if box.kind != "none":
        spec = spec.sandboxed()
    python, name = spec.command[0], spec.command[-1]
    env = {**spec.env, "WANDB_MODE": "disabled", "WANDB_SILENT": "true", "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONHASHSEED": "0"}
    path = env.get("PYTHONPATH", os.environ.get("PYTHONPATH", ""))
    if path:  # examples run in a temporary directory: relative entries would move
        env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) if p else p for p in path.split(os.pathsep))
    return Launch([python, "-m", "wbimage_conformance.worker.doc_example", "--impl", name], env, python, box,
                  memory_limit)


def run_one(job: Job, launch: Launch, timeout: float) -> Outcome:
    """One example in its own process; the reply counts only if it carries the token this
    call made and passed on a pipe only the harness reads (worker/doc_example.py)."""
    request = {"code": job.block.block.code, "label": job.label, "seed": job.seed,
               "torch": _needs_torch(job.block), "probes": list(job.probes)}
    started = time.monotonic()
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
        out = pipe_drain.PipeDrain(proc.stdout, MAX_REPLY_BYTES, "head")
        err = pipe_drain.PipeDrain(proc.stderr, pipe_drain.STDERR_KEEP)
        threading.Thread(target=_send, args=(proc.stdin, json.dumps(request).encode("utf-8")), daemon=True).start()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            return Outcome("timeout", duration_s=time.monotonic() - started,
                           message=f"the example did not finish within {timeout:g} s")
        out.wait(PIPE_GRACE)
        err.wait(PIPE_GRACE)
        duration = time.monotonic() - started
        if out.overflowed:
            return Outcome("crash", duration_s=duration,
                           message=f"the example process wrote more than {MAX_REPLY_BYTES} bytes on its reply pipe")
        try:
            reply = json.loads(out.data.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            reply = None
        if not isinstance(reply, dict) or reply.get("token") != token:
            tail = err.data.decode("utf-8", "replace").strip().splitlines()[-3:]
            what = "no reply" if reply is None else "a reply the harness did not write (no run token)"
            return Outcome("crash", duration_s=duration,
                           message=f"the sandbox process ended with status {proc.returncode} and {what}"
                           + (f": {' | '.join(tail)}" if tail else ""))
        gaps = unaccounted(job, reply) if reply.get("status") == "ok" else ""
        if gaps:
            return Outcome("crash", duration_s=duration,
                           message=f"the recording is not what the harness makes of this example: {gaps}")
        with _NPY_LOAD_LOCK:
            arrays = {p.name: np.load(p, allow_pickle=False) for p in Path(workdir).glob("*.npy")}
    status = str(reply.get("status", "sandbox-error"))
    return Outcome(status, reply, arrays, duration, str(reply.get("message", "")))


def unaccounted(job: Job, reply: dict[str, Any]) -> str:
    """What a finished example's recording lacks: an answer to every probe asked, and a call
    for every wandb.Image(...) in a top-level statement (one that runs whenever the example
    finishes). A recording the example wrote itself, to end early, shows as such a gap."""
    import ast

    probes = {p.get("id") for p in reply["probes"] if isinstance(p, dict)}
    missing = [p["id"] for p in job.probes if p["id"] not in probes]
    recorded = {c.get("line") for c in reply["calls"] if isinstance(c, dict) and c.get("role") == "example"}
    lines = []
    for statement in job.block.tree.body if job.block.tree is not None else ():
        if not isinstance(statement, (ast.Expr, ast.Assign, ast.AnnAssign)):
            continue
        nodes = list(ast.walk(statement))
        if any(isinstance(n, (ast.Lambda, ast.IfExp, ast.BoolOp, ast.comprehension)) for n in nodes):
            continue
        if any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "Image"
               and isinstance(n.func.value, ast.Name) and n.func.value.id == "wandb" for n in nodes):
            if statement.lineno not in recorded:
                lines.append(statement.lineno)
    parts = ([f"no answer to probe(s) {', '.join(missing)}"] if missing else []) + (
        [f"no record of the wandb.Image call on example line(s) {', '.join(map(str, lines))}"] if lines else [])
    return "; ".join(parts)


def _send(stdin: Any, request: bytes) -> None:
    """The request, on a thread of its own: a process that never reads it cannot block the
    harness (its time limit ends it)."""
    try:
        stdin.write(request)
        stdin.close()
    except OSError:
        pass


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def run_all(jobs: list[Job], impl: str, timeout: float, workers: int, sandbox_mode: str = "auto",
            memory_limit: int | None = None) -> list[Outcome]:
    if not jobs:
        return []
    launch = sandbox_command(impl, sandbox_mode, memory_limit)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        outcomes = list(pool.map(lambda job: run_one(job, launch, timeout), jobs))
    for outcome in outcomes:
        if outcome.status == "impl-error":
            raise ExampleSetupError(f"--impl {impl!r}: {outcome.message}")
    return outcomes


# -- what the spec says about one recorded call ---------------------------------------------


@dataclass(frozen=True)
class Expected:
    pixels: np.ndarray | None = None
    mode: str | None = None
    size: tuple[int, int] | None = None
    format: str | None = None
    encoded: str | None = None
    error: str | None = None           # the exception type the spec names
    reason: str = ""
    clause: str = ""


def expected_for(call: dict[str, Any], arrays: dict[str, np.ndarray]) -> Expected | None:
    """The spec's outcome for a recorded call, or None when the spec does not decide pixels
    here (a copy of another Image)."""
    info = call["input"]
    kwargs = call.get("kwargs", {})
    kind = info.get("kind")
    file_type = kwargs.get("file_type")
    try:
        if kind in ("numpy", "tensor"):
            data = arrays[info["array"]]
            normalize = kwargs.get("normalize", True)
            branch = oracle.branch_of(data, bool(normalize)) if isinstance(normalize, bool) else None
            picture = oracle.image(data, kind, mode=kwargs.get("mode"), file_type=file_type, normalize=normalize)
            return Expected(picture.pixels, picture.mode, picture.size, picture.format, picture.encoded,
                            clause=_BRANCH_CLAUSE.get(branch or "", "norm.applies"))
        if kind in ("pil", "path"):
            if "array" not in info:
                return Expected(error="ValueError", reason=f"the path does not load: {info.get('unreadable')}",
                                clause="input.path")
            pixels = arrays[info["array"]]
            mode = info.get("mode")
            if kind == "path":
                fmt = Path(info["path"]).suffix.lstrip(".")
                return Expected(pixels, mode, (pixels.shape[1], pixels.shape[0]), fmt, None, clause="input.path")
            fmt = oracle.check_file_type(file_type)
            if fmt in oracle.JPEG_FILE_TYPES and mode not in ("L", "RGB"):
                return Expected(error="ValueError", reason=f"a {mode} PIL image cannot be stored as {fmt}",
                                clause="input.pil")
            height, width = pixels.shape[:2]
            oracle.check_size(width, height)
            return Expected(pixels, mode, (width, height), fmt, oracle.ENCODED_FORMAT[fmt], clause="input.pil")
        if kind == "image":
            return None
        return Expected(error="TypeError", reason=f"a {info.get('type')} is not an accepted input",
                        clause="input.unsupported")
    except oracle.SpecError as exc:
        return Expected(error=exc.error_type, reason=str(exc), clause="")


def compare_call(call: dict[str, Any], expected: Expected, arrays: dict[str, np.ndarray]) -> list[str]:
    """How the implementation's result differs from the spec's (empty: it does not)."""
    error = call.get("error")
    if expected.error is not None:
        if error is None:
            return [f"returned an image where the spec raises {expected.error} ({expected.reason})"]
        names = [error["type"], *error.get("bases", [])]
        return [] if expected.error in names else [f"raised {error['type']}: {error['message']}; the spec raises "
                                                   f"{expected.error} ({expected.reason})"]
    if error is not None:
        return [f"raised {error['type']}: {error['message']}"]
    observed = call.get("observed") or {}
    problems = []
    pixels = arrays.get(observed.get("pixels") or "")
    if expected.pixels is not None:
        if pixels is None:
            problems.append("its image has no readable pixels")
        else:
            mismatch = compare.compare_pixels(_digest(expected.pixels), pixels)
            if mismatch is not None:
                stats = compare.difference_stats(expected.pixels, pixels) if pixels.shape == expected.pixels.shape else None
                if stats:
                    problems.append(f"pixels: {stats['differing']} of {stats['total']} values differ; first at "
                                    f"{tuple(stats['first_index'])}: the spec gives {stats['expected_at_first']}, "
                                    f"the implementation {stats['actual_at_first']}")
                else:
                    problems.append("pixels: " + str(mismatch.detail.get("summary", "differ")))
    for name in ("mode", "format", "encoded"):
        want, got = getattr(expected, name), observed.get(name)
        if want is None or (name == "encoded" and got is None):
            continue
        if name == "format" and isinstance(got, str) and call["input"].get("kind") == "path":
            if got.lower() != str(want).lower():
                problems.append(f"format {got!r}; the spec's is {want!r}")
            continue
        if got != want:
            problems.append(f"{name} {got!r}; the spec's is {want!r}")
    if expected.size is not None and observed.get("size") is not None and tuple(observed["size"]) != tuple(expected.size):
        problems.append(f"size {tuple(observed['size'])}; the spec's is {tuple(expected.size)}")
    caption = call.get("kwargs", {}).get("caption")
    if isinstance(caption, str) and observed.get("caption") != caption:
        problems.append(f"caption {observed.get('caption')!r}; the call passed {caption!r}")
    return problems


def _digest(pixels: np.ndarray) -> dict[str, Any]:
    import hashlib

    return {"shape": list(pixels.shape), "sha256": hashlib.sha256(np.ascontiguousarray(pixels).tobytes()).hexdigest()}


# -- evaluating one example -----------------------------------------------------------------


@dataclass
class _Context:
    job: Job
    outcome: Outcome
    spec: SpecData
    cases: tuple[str, ...]
    out: list[F.Finding] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.job.page.path

    @property
    def subject(self) -> str:
        return self.job.block.key

    def add(self, severity: str, check: str, line: int, message: str, clauses: tuple[str, ...] = (),
            cases: tuple[str, ...] | None = None) -> None:
        make = {"error": F.error, "warning": F.warning, "note": F.note}[severity]
        self.out.append(make(check, self.path, line, self.subject, message, clauses=clauses,
                             cases=self.cases if cases is None else cases))

    def page_line(self, code_line: int | None) -> int:
        return self.job.block.block.page_line(code_line) if code_line else self.job.block.line

    def calls(self, role: str = "example") -> list[dict[str, Any]]:
        return [c for c in self.outcome.reply.get("calls", []) if c.get("role") == role]

    def probe_calls(self, probe_id: str) -> list[dict[str, Any]]:
        return [c for c in self.calls("probe") if c.get("probe") == probe_id]


def evaluate(job: Job, outcome: Outcome, spec: SpecData, impl: str) -> tuple[list[F.Finding], F.ExampleRun]:
    page, block = job.page, job.block
    cases = tuple(coverage.case_ids(page, block.key, spec))
    ctx = _Context(job, outcome, spec, cases)
    if outcome.status == "timeout":
        ctx.add("error", "example", block.line, outcome.message)
    elif outcome.status == "skipped":
        ctx.add("warning", "example", block.line, f"not run: {outcome.message}")
    elif outcome.status in ("crash", "sandbox-error"):
        ctx.add("error", "example", block.line, f"the example could not be run: {outcome.message}")
    else:
        _check_raised(ctx, impl)
        _check_calls(ctx, impl)
        for index, claim in enumerate(job.claims):
            _check_claim(ctx, claim, job.probe_of.get(index), impl)
    errors = [f for f in ctx.out if f.severity is F.Severity.ERROR]
    status = {"timeout": "timeout", "skipped": "skipped", "crash": "error", "sandbox-error": "error"}.get(
        outcome.status, "failed" if errors else "passed")
    logged = tuple(sorted({k for log in outcome.reply.get("logs", []) for k in log.get("keys", {})}))
    message = outcome.message
    if errors and not message:  # it ran, but the page or the implementation is wrong: say what
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        message = f"[{first.check}] line {first.line}: {first.message}{more}"
    run = F.ExampleRun(page.path, block.line, block.key, status, round(outcome.duration_s, 3),
                       len(ctx.calls()), logged, message)
    return ctx.out, run


def _check_raised(ctx: _Context, impl: str) -> None:
    error = ctx.outcome.reply.get("error")
    if ctx.outcome.status != "raised" or not error:
        return
    line = ctx.page_line(error.get("line"))
    missing = error.get("missing_module")
    if missing in ("torch", "PIL", "numpy"):
        ctx.add("warning", "example", line, f"not run to the end: cannot import {missing} here ({error['message']})")
        return
    failed_call = next((c for c in ctx.calls() if c.get("error")), None)
    if failed_call is not None:
        expected = expected_for(failed_call, ctx.outcome.arrays)
        if expected is not None and expected.error is not None:
            ctx.add("error", "example", line,
                    f"the example raises {error['type']}: {error['message']}; the spec raises "
                    f"{expected.error} here too ({expected.reason}), so the example itself is wrong",
                    (expected.clause,) if expected.clause else ())
            return
        ctx.add("error", "example", line,
                f"the implementation ({impl}) raises {error['type']} in wandb.Image: {error['message']}",
                (expected.clause,) if expected and expected.clause else ())
        return
    ctx.add("error", "example", line, f"the example raises {error['type']}: {error['message']}")


def _check_calls(ctx: _Context, impl: str) -> None:
    """One finding per source line of a wandb.Image call (a loop makes several calls there):
    the first differing call's differences, and how many of the line's calls differ."""
    by_line: dict[Any, list[tuple[dict[str, Any], Expected, list[str]]]] = {}
    for call in ctx.calls():
        if call.get("error"):
            continue  # reported by _check_raised (the example stopped there)
        expected = expected_for(call, ctx.outcome.arrays)
        if expected is None:
            continue
        by_line.setdefault(call.get("line"), []).append((call, expected, compare_call(call, expected, ctx.outcome.arrays)))
    for line, results in by_line.items():
        differing = [r for r in results if r[2]]
        if not differing:
            continue
        call, expected, problems = differing[0]
        count = f" ({len(differing)} of the {len(results)} calls made here differ; the first:)" if len(results) > 1 else ""
        clause = (expected.clause,) if expected.clause else ()
        ctx.add("error", "example", ctx.page_line(line),
                f"the implementation ({impl}) differs from the spec on this example's wandb.Image call "
                f"({_describe_input(call)}){count}: " + "; ".join(problems), clause)


def _describe_input(call: dict[str, Any]) -> str:
    info = call["input"]
    kind = info.get("kind")
    if kind in ("numpy", "tensor"):
        return f"{info.get('dtype')} {kind} of shape {tuple(info.get('shape', ()))}"
    if kind == "pil":
        return f"{info.get('mode')} PIL image"
    return str(kind)


def _target_call(ctx: _Context, claim: Claim) -> dict[str, Any] | None:
    calls = ctx.calls()
    if claim.target.startswith("call:"):
        line = int(claim.target.split(":", 1)[1])
        return next((c for c in calls if c.get("line") == line), None)
    return calls[0] if calls else None


def _input_array(ctx: _Context, call: dict[str, Any]) -> np.ndarray | None:
    info = call["input"]
    if info.get("kind") in ("numpy", "tensor") and info.get("array") in ctx.outcome.arrays:
        return ctx.outcome.arrays[info["array"]]
    return None


def _f(value: Any) -> str:
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else repr(float(value))
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.6g}"
    return str(value)


def _check_claim(ctx: _Context, claim: Claim, probe_id: str | None, impl: str) -> None:
    said = f"the page says {claim.describe()} ({claim.text!r})"
    if claim.kind == "range":
        _check_range(ctx, claim, said)
        return
    if claim.kind == "default-format":
        if claim.values[0] != "png":
            ctx.add("error", "claim", claim.line, f"{said}; the spec's default file type is png ([file-type.default])",
                    ("file-type.default",))
        return
    if claim.kind == "format":
        _check_format(ctx, claim, said)
        return
    call = _target_call(ctx, claim)
    if call is None:
        ctx.add("note", "claim", claim.line, f"{said}; not checked: the example made no wandb.Image call there")
        return
    kind = call["input"].get("kind")
    normalize = call.get("kwargs", {}).get("normalize", True)
    if claim.kind in ("normalized", "not-normalized"):
        applied = kind in ("numpy", "tensor") and normalize is not False
        if claim.kind == "not-normalized" and applied:
            ctx.add("error", "claim", claim.line, f"{said}; but the call passes a {kind} with normalize left True, "
                    "which the spec normalizes ([norm.applies])", ("norm.applies",))
        elif claim.kind == "normalized" and not applied:
            why = "normalize=False" if kind in ("numpy", "tensor") else f"a {_KIND_NAMES.get(kind, kind)} is used as it is"
            ctx.add("error", "claim", claim.line, f"{said}; but {why} ([norm.applies])", ("norm.applies", "input.pil"))
        return
    data = _input_array(ctx, call)
    if claim.kind in ("rescaled", "not-rescaled"):
        _check_rescaled(ctx, claim, said, kind, normalize, data)
        return
    if data is None:
        ctx.add("note", "claim", claim.line, f"{said}; not checked: the call's input is a {kind}, not an array or tensor")
        return
    branch = oracle.branch_of(data, normalize is not False) if isinstance(normalize, bool) else "other"
    clause = _BRANCH_CLAUSE[branch]
    probe = ctx.probe_calls(probe_id)[0] if probe_id and ctx.probe_calls(probe_id) else None
    if claim.kind == "factor":
        _check_factor(ctx, claim, said, branch, data, probe, impl)
    elif claim.kind == "mapping":
        _check_mapping(ctx, claim, said, branch, data, probe, impl)
    elif claim.kind in ("clip", "no-clip"):
        _check_clip(ctx, claim, said, "norm.disabled" if normalize is False else "norm.other", probe, impl)
    else:
        ctx.add("note", "claim", claim.line, f"{said}; not a kind of claim this checker evaluates ({clause})")


def _check_rescaled(ctx: _Context, claim: Claim, said: str, kind: str, normalize: Any, data: np.ndarray | None) -> None:
    """Rescaling happens for arrays and tensors in [0, 1] or [-1, 1] with normalize=True; with
    normalize=False values are only clipped, other data only clipped, PIL images kept."""
    if kind not in ("numpy", "tensor"):
        rescaled, why = False, f"a {_KIND_NAMES.get(kind, kind)} is used as it is ([input.pil], [norm.applies])"
        clause = "norm.applies"
    elif normalize is False:
        rescaled, why, clause = False, "with normalize=False values are only clipped to [0, 255]", "norm.disabled"
    elif data is not None:
        branch = oracle.branch_of(data, True)
        clause = _BRANCH_CLAUSE[branch]
        rescaled = branch in ("unit", "signed")
        why = f"this data takes [{clause}]" + ("" if rescaled else ", which only clips")
    else:
        return
    if claim.kind == "rescaled" and not rescaled:
        ctx.add("error", "claim", claim.line, f"{said}; but {why}", (clause,))
    elif claim.kind == "not-rescaled" and rescaled:
        ctx.add("error", "claim", claim.line, f"{said}; but {why}, which rescales", (clause,))


def _probe_table(ctx: _Context, probe: dict[str, Any] | None) -> list[tuple[float, int, int | None]]:
    """(input value, the spec's pixel, the implementation's pixel or None) for a probe call."""
    if probe is None:
        return []
    data = _input_array(ctx, probe)
    if data is None:
        return []
    expected = expected_for(probe, ctx.outcome.arrays)
    if expected is None or expected.pixels is None:
        return []
    spec_values = expected.pixels.reshape(-1)
    pixels = ctx.outcome.arrays.get((probe.get("observed") or {}).get("pixels") or "")
    got = pixels.reshape(-1) if pixels is not None and pixels.size == spec_values.size and not probe.get("error") else None
    return [(float(v), int(spec_values[i]), int(got[i]) if got is not None else None)
            for i, v in enumerate(data.reshape(-1))]


def _check_probe_against_spec(ctx: _Context, claim: Claim, probe: dict[str, Any] | None, clause: str,
                              impl: str, values: list[float]) -> None:
    """The implementation's answer to a probe against the spec's, for the claimed values."""
    if probe is None:
        return
    if probe.get("error"):
        error = probe["error"]
        expected = expected_for(probe, ctx.outcome.arrays)
        if expected is not None and expected.error is None:
            ctx.add("error", "example", claim.line, f"the implementation ({impl}) raises {error['type']} on "
                    f"{_describe_input(probe)} holding {', '.join(_f(v) for v in values)} (probe of the claim "
                    f"{claim.describe()!r}): {error['message']}", (clause,))
        return
    wrong = [(v, s, i) for v, s, i in _probe_table(ctx, probe) if i is not None and i != s and v in values]
    if wrong:
        shown = ", ".join(f"{_f(v)} → {i} (spec: {s})" for v, s, i in wrong[:4])
        ctx.add("error", "example", claim.line, f"the implementation ({impl}) does not do what the spec says for "
                f"the values this claim is about: {shown} ({_describe_input(probe)})", (clause,))
        return
    expected = expected_for(probe, ctx.outcome.arrays)
    problems = compare_call(probe, expected, ctx.outcome.arrays) if expected is not None else []
    if problems:
        ctx.add("error", "example", claim.line, f"the implementation ({impl}) differs from the spec on "
                f"{_describe_input(probe)} holding {', '.join(_f(v) for v in values)} (probe of the claim "
                f"{claim.describe()!r}): " + "; ".join(problems), (clause,))


def _check_factor(ctx: _Context, claim: Claim, said: str, branch: str, data: np.ndarray,
                  probe: dict[str, Any] | None, impl: str) -> None:
    factor = claim.values[0]
    low, high = _data_range(data)
    if branch != "unit":
        ctx.add("error", "claim", claim.line, f"{said}; but this data is in [{_f(low)}, {_f(high)}], which takes "
                f"[{_BRANCH_CLAUSE[branch]}], not the multiplication by 255 of [norm.unit]",
                (_BRANCH_CLAUSE[branch], "norm.unit"))
    elif factor != 255:
        table = _probe_table(ctx, probe)
        evidence = [(v, s) for v, s, _ in table if v in FACTOR_PROBE and math.floor(v * float(factor)) != s]
        shown = "; ".join(f"{_f(v)} → {s} by the spec, {math.floor(v * float(factor))} by the page's rule"
                          for v, s in evidence[:2])
        ctx.add("error", "claim", claim.line, f"{said}; [norm.unit] multiplies by 255" + (f" ({shown})" if shown else ""),
                ("norm.unit",), tuple(ctx.spec.cases_for_clause("norm.unit", ctx.job.page.locale, 4)) + ctx.cases)
    _check_probe_against_spec(ctx, claim, probe, "norm.unit", impl, list(FACTOR_PROBE))


def _check_mapping(ctx: _Context, claim: Claim, said: str, branch: str, data: np.ndarray,
                   probe: dict[str, Any] | None, impl: str) -> None:
    table = {v: s for v, s, _ in _probe_table(ctx, probe)}
    fmt = oracle.format_of(data.dtype)
    clause = _BRANCH_CLAUSE[branch]
    for a, b in claim.values:
        spec_value = table.get(float(a))
        if spec_value is None:
            spec_value = oracle.normalize_value(oracle.exact_value(float(a)), branch, fmt) if branch != "disabled" \
                else oracle.normalize_value(oracle.exact_value(float(a)), "disabled", fmt)
        if b == spec_value:
            continue
        if b.denominator != 1 and math.floor(b) == spec_value and 0 <= b < 256:
            ctx.add("note", "claim", claim.line, f"the page says {_f(a)} → {_f(b)}; the pixel is {spec_value}: the "
                    f"conversion to uint8 truncates the real-valued {_f(b)} ([norm.truncation]); informative, not an "
                    f"error", ("norm.truncation", clause))
            continue
        ctx.add("error", "claim", claim.line, f"the page says {_f(a)} → {_f(b)}; for this data [{clause}] gives "
                f"{_f(a)} → {spec_value}", (clause,))
    _check_probe_against_spec(ctx, claim, probe, clause, impl, [float(a) for a, _ in claim.values])


def _check_clip(ctx: _Context, claim: Claim, said: str, clause: str, probe: dict[str, Any] | None, impl: str) -> None:
    table = _probe_table(ctx, probe)
    evidence = "; ".join(f"{_f(v)} → {s}" for v, s, _ in table if v in (-4.0, 300.0))
    if claim.kind == "no-clip":
        ctx.add("error", "claim", claim.line, f"{said}; [{clause}] clips every value to [0, 255]"
                + (f" (spec: {evidence})" if evidence else ""), (clause,), _clip_cases(ctx, clause))
    elif claim.values and tuple(claim.values) != (0, 255):
        low, high = claim.values
        ctx.add("error", "claim", claim.line, f"{said}; [{clause}] clips to [0, 255], not [{_f(low)}, {_f(high)}]"
                + (f" (spec: {evidence})" if evidence else ""), (clause,), _clip_cases(ctx, clause))
    _check_probe_against_spec(ctx, claim, probe, clause, impl, list(CLIP_PROBE))


def _clip_cases(ctx: _Context, clause: str) -> tuple[str, ...]:
    return tuple(ctx.spec.cases_for_clause(clause, ctx.job.page.locale, 4)) + ctx.cases


def _data_range(data: np.ndarray) -> tuple[float, float]:
    with np.errstate(all="ignore"):
        if data.dtype.kind == "f":
            return float(np.nanmin(data)), float(np.nanmax(data))
        return float(data.min()), float(data.max())


def _check_range(ctx: _Context, claim: Claim, said: str) -> None:
    low, high = claim.values
    if claim.target.startswith("variable:"):
        name = claim.target.split(":", 1)[1]
        stats = ctx.outcome.reply.get("variables", {}).get(name)
        if stats is None:
            return  # not an array: the words are about something else
        found, what = (stats["min"], stats["max"]), f"{name}"
    else:
        call = _target_call(ctx, claim)
        data = _input_array(ctx, call) if call is not None else None
        if data is None:
            return
        found, what = _data_range(data), "the data passed to wandb.Image"
    if not (low <= Fraction(found[0]) and Fraction(found[1]) <= high):
        ctx.add("error", "claim", claim.line, f"{said}; running the example, {what} holds values in "
                f"[{_f(found[0])}, {_f(found[1])}], outside [{_f(low)}, {_f(high)}]", ("norm.range",))
        return
    if claim.target == "example" and ctx.calls():
        call = ctx.calls()[0]
        data = _input_array(ctx, call)
        normalize = call.get("kwargs", {}).get("normalize", True)
        if data is not None and normalize is not False:
            branch = oracle.branch_of(data, True)
            for name, (a, b) in _SPEC_RANGE.items():
                if (low, high) == (a, b) and branch != name:
                    ctx.add("error", "claim", claim.line, f"{said}; but the data takes [{_BRANCH_CLAUSE[branch]}], "
                            f"not [{_BRANCH_CLAUSE[name]}]", (_BRANCH_CLAUSE[branch],))


def _check_format(ctx: _Context, claim: Claim, said: str) -> None:
    wanted = claim.values[0]
    family = {"jpg": "jpeg", "jpeg": "jpeg"}
    for call in ctx.calls():
        expected = expected_for(call, ctx.outcome.arrays)
        if expected is None or expected.format is None:
            continue
        if family.get(expected.format, expected.format) != family.get(wanted, wanted):
            ctx.add("error", "claim", claim.line, f"{said}; but the example's images have format "
                    f"{expected.format!r} (file_type={call.get('kwargs', {}).get('file_type')!r}, "
                    "[file-type.accepted])", ("file-type.accepted", "file-type.default"))
            return
