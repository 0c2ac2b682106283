"""`python -m wbimage_conformance.worker.doc_example --impl IMPL`: run one page's examples.

The parent (doccheck/sessions.py) starts one of these per page, in a fresh temporary
directory, with a time limit, and sends one JSON request on stdin (doc_server.py serves many
pages from one start the same way, one forked child per page):

    {"blocks": [{"id": 0, "code": ..., "seed": 1234, "prelude": "import numpy as np"}, ...],
     "label": "media.md", "torch": true,
     "block_timeout": 60, "probes": [{"id": "p0", "block": 0, "call_line": 8, "values": [-1, 0, 1],
                                      "extremes": true}]}

A page is one session, as a reader follows it: its blocks run in page order in one
namespace, so a block gets the names earlier blocks defined; a block that raises stops there
and the next block runs on. A block's prelude binds what the page takes for granted (`np`,
`run`) before it runs. Each block is compiled under a file name of its own
(`<doc-block-N>`), so every recorded call and every error names its block and line. Before
each block, `random`, NumPy's global generator and torch are seeded with the block's seed
(the parent derives it from the block's code without strings and comments, so translations
of one block get the same data).

Here, `wandb` is a stand-in (wandb_standin.py, built from a real release's public API):
`wandb.Image` is the implementation under test (a thin subclass that records every call: the
input as given, the keyword arguments, and what the implementation made of it), a run is
started as if the reader had called `wandb.init()`, what is logged is recorded per block, and
the rest of wandb's API is bound against its real signatures. Sockets refuse to connect. After
the page, each probe calls `wandb.Image` again on a tiny input of the same kind and dtype as a
recorded call of its block, holding the values a claim of the page is about (e.g. -1, 0 and 1
for "-1 -> 0, 0 -> 127.5, 1 -> 255"), under the same time limit as a block.

Arrays (inputs and pixels) are written as .npy files into the working directory; the
example's own prints go to stderr.

The reply cannot be forged by the example. This process forks before any example code runs:
the child runs the page and sends its recording to this parent through a private pipe; the
parent never runs example code, is not dumpable (the child cannot read its memory or open its
descriptors through /proc), and is the only process holding the reply pipe (the original
stdout, closed in the child) and the per-run token the checker passes on `--token-fd` (read
only after the fork). The parent checks the recording's shape and the child's exit, and
writes the reply with the token; the checker accepts no reply without it. What the recording
says the implementation made is still data from the example's process: the checker derives
every verdict from it with the oracle, so a fabricated recording passes only if it holds
what the spec says. Worker-side imports: standard library, NumPy, Pillow, the adapters; torch only when
the page imports it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import socket
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import numpy as np

from wbimage_conformance.worker import npy_reader

#: Each block is compiled as "<doc-block-N>": tracebacks and recorded calls name their block.
BLOCK_FILENAME = "<doc-block-{}>"
_BLOCK_PREFIX = "<doc-block-"
#: Positional parameters after data_or_path, in the spec's order, to name positional arguments.
PARAMETERS = ("mode", "caption", "grouping", "classes", "boxes", "masks", "file_type", "normalize")


class NetworkBlocked(ConnectionRefusedError):
    pass


def _no_network(*_args: Any, **_kwargs: Any) -> Any:
    raise NetworkBlocked("the docs sandbox allows no network access")


def block_network() -> None:
    socket.socket.connect = _no_network  # type: ignore[method-assign]
    socket.socket.connect_ex = _no_network  # type: ignore[method-assign]
    socket.create_connection = _no_network
    socket.getaddrinfo = _no_network


# -- recording ------------------------------------------------------------------------------


class Recorder:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.calls: List[Dict[str, Any]] = []
        self.logs: List[Dict[str, Any]] = []
        self.role = "example"
        self.probe_id: Optional[str] = None
        self.block: Optional[int] = None
        self.failures: List[BaseException] = []   # what the implementation raised, kept to tell it apart
        self._count = 0

    def save(self, array: np.ndarray, stem: str) -> str:
        """A new file of its own: whatever the example put under the name (a FIFO, a link) is
        removed first, and the file is created, never opened through a link."""
        self._count += 1
        name = f"{stem}-{self._count}.npy"
        path = self.workdir / name
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        with os.fdopen(os.open(path, flags, 0o600), "wb") as handle:
            np.save(handle, np.ascontiguousarray(array), allow_pickle=False)
        return name

    def begin(self, args: tuple, kwargs: Dict[str, Any], image_class: type) -> Dict[str, Any]:
        data = args[0] if args else kwargs.get("data_or_path")
        named = dict(zip(PARAMETERS, args[1:]))
        named.update({k: v for k, v in kwargs.items() if k != "data_or_path"})
        block, line = _example_place()
        entry: Dict[str, Any] = {
            "role": self.role, "probe": self.probe_id, "block": self.block if block is None else block, "line": line,
            "input": self.describe_input(data, image_class),
            "kwargs": {k: _jsonable(v) for k, v in named.items()},
        }
        self.calls.append(entry)
        return entry

    def describe_input(self, data: Any, image_class: type) -> Dict[str, Any]:
        torch = sys.modules.get("torch")
        if torch is not None and isinstance(data, torch.Tensor):
            tensor = data.detach().cpu()
            dtype = str(tensor.dtype).replace("torch.", "")
            if tensor.dtype == torch.bfloat16:
                tensor = tensor.float()
            return {"kind": "tensor", "dtype": dtype, "shape": list(tensor.shape),
                    "array": self.save(tensor.numpy().copy(), "input")}
        if isinstance(data, np.ndarray):
            return {"kind": "numpy", "dtype": str(data.dtype), "shape": list(data.shape),
                    "array": self.save(data.copy(), "input")}
        pil = sys.modules.get("PIL.Image")
        if pil is not None and isinstance(data, pil.Image):
            return {"kind": "pil", "mode": data.mode, "size": list(data.size),
                    "array": self.save(np.asarray(data).copy(), "input")}
        if isinstance(data, (str, os.PathLike)):
            entry: Dict[str, Any] = {"kind": "path", "path": os.fspath(data)}
            try:
                from PIL import Image as PILImage

                with PILImage.open(data) as opened:
                    entry.update(mode=opened.mode, array=self.save(np.asarray(opened).copy(), "input"))
            except Exception as exc:  # noqa: BLE001 - a path that does not load is the spec's business
                entry["unreadable"] = f"{type(exc).__name__}: {exc}"
            return entry
        if isinstance(data, image_class):
            return {"kind": "image"}
        return {"kind": "other", "type": type(data).__name__}

    def finish(self, entry: Dict[str, Any], observation: Any) -> None:
        pixels = observation.pixels
        entry["observed"] = {
            "pixels": self.save(pixels, "pixels") if isinstance(pixels, np.ndarray) else None,
            "mode": observation.mode,
            "size": list(observation.size) if observation.size is not None else None,
            "format": _jsonable(observation.format),
            "encoded": observation.encoded,
            "caption": _jsonable(observation.caption),
            "notes": list(observation.notes),
        }

    def fail(self, entry: Dict[str, Any], exc: BaseException) -> None:
        self.failures.append(exc)
        entry["error"] = {"type": type(exc).__name__, "message": exception_message(exc),
                          "bases": [c.__name__ for c in type(exc).__mro__[1:] if c is not object]}


def exception_message(exc: BaseException) -> str:
    """What an exception says, never empty: a report line must say what went wrong."""
    return str(exc)[:500] or "(raised without a message)"


def block_of(filename: str) -> Optional[int]:
    """The block a code file name stands for, or None when it is not a page block."""
    if filename.startswith(_BLOCK_PREFIX) and filename.endswith(">"):
        number = filename[len(_BLOCK_PREFIX):-1]
        return int(number) if number.isdigit() else None
    return None


def _example_place() -> Tuple[Optional[int], Optional[int]]:
    """(block, line) of the innermost page code on the stack."""
    frame = sys._getframe(1)
    while frame is not None:
        block = block_of(frame.f_code.co_filename)
        if block is not None:
            return block, frame.f_lineno
        frame = frame.f_back  # type: ignore[assignment]
    return None, None


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return {"repr": repr(value)[:200], "type": type(value).__name__}


# -- the stand-in wandb ---------------------------------------------------------------------


def recording_image_class(adapter: Any, recorder: Recorder) -> type:
    """`wandb.Image` for the example: the implementation, recorded."""
    base = getattr(adapter, "cls", None)
    if isinstance(base, type):
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            entry = recorder.begin(args, kwargs, base)
            try:
                base.__init__(self, *args, **kwargs)  # type: ignore[misc]  # the wrapped class's own constructor, on purpose
            except BaseException as exc:
                recorder.fail(entry, exc)
                raise
            recorder.finish(entry, adapter.observe(self))

        return type("Image", (base,), {"__init__": __init__, "__module__": "wandb", "__qualname__": "Image"})

    class Image:  # an adapter object without a class: Image(...) returns what it makes
        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            entry = recorder.begin(args, kwargs, cls)
            data = args[0] if args else kwargs.pop("data_or_path", None)
            named = dict(zip(PARAMETERS, args[1:]))
            named.update(kwargs)
            try:
                made = adapter.make_image(data, named)
            except BaseException as exc:
                recorder.fail(entry, exc)
                raise
            recorder.finish(entry, adapter.observe(made))
            return made

        @staticmethod
        def to_uint8(data: Any) -> Any:
            return adapter.to_uint8(data)

        @staticmethod
        def guess_mode(data: Any, **kwargs: Any) -> Any:
            return adapter.guess_mode(data, kwargs)

        @staticmethod
        def all_captions(images: Any) -> Any:
            return adapter.all_captions(images)

    Image.__module__ = "wandb"
    return Image


#: The implementation's classes that go with its Image, used for wandb.<name> when it has them.
COMPANIONS = ("BoundingBoxes2D", "ImageMask", "Classes")


def companions_of(adapter: Any) -> Dict[str, type]:
    """BoundingBoxes2D, ImageMask and Classes of the package the implementation's Image comes from."""
    base = getattr(adapter, "cls", None)
    if not isinstance(base, type):
        return {}
    found: Dict[str, type] = {}
    module_name = base.__module__
    while module_name:
        module = sys.modules.get(module_name)
        for name in COMPANIONS:
            value = getattr(module, name, None)
            if name not in found and isinstance(value, type):
                found[name] = value
        module_name = module_name.rpartition(".")[0]
    return found


def _summary(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        kinds = sorted({type(v).__name__ for v in value})
        return f"{type(value).__name__} of {len(value)} ({', '.join(kinds)})"
    return type(value).__name__


def install_wandb(image_class: type, recorder: Recorder, adapter: Any, manifest: Optional[dict] = None) -> Any:
    """The stand-in wandb (wandb_standin.py) around the recorded Image, with a run started as
    if the reader had called wandb.init(); what is logged is recorded per block. `manifest`:
    one already read (a server that runs many pages reads it once)."""
    from wbimage_conformance.worker import wandb_standin

    step = {"next": 0}

    def on_log(data: Dict[str, Any], at: Optional[int], _commit: Optional[bool]) -> None:
        current = step["next"] if at is None else at
        recorder.logs.append({"block": recorder.block, "step": current,
                              "keys": {str(k): _summary(v) for k, v in data.items()}})
        step["next"] = current + 1

    stand_in = wandb_standin.build(image_class, on_log, manifest, companions=companions_of(adapter))
    module = getattr(getattr(adapter, "cls", None), "__module__", "") or ""
    stand_in.install(keep_loaded=module == "wandb" or module.startswith("wandb."))  # the implementation is a real wandb
    stand_in.start_run()
    return stand_in


# -- probes ---------------------------------------------------------------------------------


def probe_input(call: Dict[str, Any], values: List[float], extremes: bool, workdir: Path) -> Any:
    """A (1, n) array or (1, 1, n) tensor of the recorded call's kind and dtype holding
    `values` (those the dtype cannot hold exactly are left out), plus the recorded input's
    minimum and maximum when `extremes` (so the probe takes the same branch). ArrayFileError
    when the recorded input's file cannot be read within npy_reader's bounds."""
    info = call["input"]
    if info.get("kind") not in ("numpy", "tensor") or "array" not in info:
        return None
    original = npy_reader.load(workdir, info["array"])  # the example may have replaced it: read within bounds
    wanted = [float(v) for v in values]
    if extremes and original.size:
        finite = original[np.isfinite(original)] if original.dtype.kind == "f" else original
        if finite.size:
            wanted += [float(finite.min()), float(finite.max())]
    dtype = original.dtype
    kept = []
    for value in wanted:
        with np.errstate(all="ignore"):
            cast = np.array([value]).astype(dtype)
        if float(cast[0]) == value:
            kept.append(cast[0])
    if not kept:
        return None
    array = np.array(kept, dtype=dtype).reshape(1, len(kept))
    if info["kind"] == "tensor":
        import torch

        tensor = torch.from_numpy(array.copy()).reshape(1, 1, len(kept))
        wanted_dtype = getattr(torch, info["dtype"], None)
        return tensor.to(wanted_dtype) if wanted_dtype is not None else tensor
    return array


def run_probes(request: Dict[str, Any], recorder: Recorder, image_class: type, workdir: Path) -> List[Dict[str, Any]]:
    report = []
    examples = [c for c in recorder.calls if c["role"] == "example"]
    for probe in request.get("probes", []):
        line, block = probe.get("call_line"), probe.get("block")
        base = next((c for c in examples if c.get("block") == block and (line is None or c.get("line") == line)), None)
        if base is None:
            report.append({"id": probe["id"], "block": block, "status": "skipped",
                           "reason": "the example made no such call"})
            continue
        try:
            data = probe_input(base, probe["values"], bool(probe.get("extremes")), workdir)
        except npy_reader.ArrayFileError as exc:
            report.append({"id": probe["id"], "block": block, "status": "skipped",
                           "reason": f"the call's recorded input cannot be read: {exc}"})
            continue
        if data is None:
            kind = base["input"].get("kind")
            report.append({"id": probe["id"], "block": block, "status": "skipped",
                           "reason": f"the call's input is a {kind} value, not an array or tensor"})
            continue
        kwargs = {k: v for k, v in base["kwargs"].items() if k in ("normalize", "file_type", "mode")
                  and isinstance(v, (bool, str, type(None)))}
        recorder.role, recorder.probe_id, recorder.block = "probe", probe["id"], block
        status = "ran"
        try:
            with time_limit(float(request.get("block_timeout", 60))):
                image_class(data, **kwargs)
        except BlockTimeout:
            status = "timeout"
        except Exception:  # noqa: BLE001 - recorded in the call entry
            pass
        finally:
            recorder.role, recorder.probe_id, recorder.block = "example", None, None
        report.append({"id": probe["id"], "block": block, "status": status})
    return report


# -- main -----------------------------------------------------------------------------------

#: At most this many array variables are described after each block.
MAX_VARIABLES = 64


def _as_array(value: Any) -> Optional[np.ndarray]:
    if isinstance(value, np.ndarray):
        return value
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        tensor = value.detach().cpu()
        return (tensor.float() if tensor.dtype == torch.bfloat16 else tensor).numpy()
    return None


def _variables(namespace: Dict[str, Any], before: Dict[str, int]) -> Dict[str, Any]:
    """The numeric arrays and tensors a block bound or rebound (by identity), described."""
    out: Dict[str, Any] = {}
    for name, value in list(namespace.items()):
        if name.startswith("_") or before.get(name) == id(value) or len(out) >= MAX_VARIABLES:
            continue
        array = _as_array(value)
        if array is None or array.dtype.kind not in "biuf" or array.size == 0:
            continue
        with np.errstate(all="ignore"):
            out[name] = {"dtype": str(array.dtype), "shape": list(array.shape),
                         "min": float(np.nanmin(array)) if array.dtype.kind == "f" else float(array.min()),
                         "max": float(np.nanmax(array)) if array.dtype.kind == "f" else float(array.max())}
    return out


def _seed(seed: int, with_torch: bool) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    if with_torch:
        try:
            import torch
        except ImportError:
            return  # the block's own import of torch says so
        torch.manual_seed(seed)


class BlockTimeout(BaseException):
    """A block ran past its time limit (a BaseException: the page's `except Exception` cannot keep it)."""


def _on_alarm(_signum: int, _frame: Any) -> None:
    raise BlockTimeout("the block did not finish within its time limit")


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """BlockTimeout is raised in the code running when `seconds` have passed."""
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _origin(exc: BaseException, recorder: Recorder) -> Tuple[str, Optional[str]]:
    """Where an exception came from: the implementation's Image call, the wandb stand-in,
    the page's own code, or a library it called (with that library's file)."""
    if any(exc is failure for failure in recorder.failures):
        return "implementation", None
    frames = traceback.extract_tb(exc.__traceback__)
    if frames and Path(frames[-1].filename).name == "wandb_standin.py":
        return "stand-in", None
    if not frames or block_of(frames[-1].filename) is not None:
        return "page", None
    return "library", frames[-1].filename


def _error(exc: BaseException, recorder: Recorder) -> Dict[str, Any]:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if block_of(f.filename) is not None]
    origin, where = _origin(exc, recorder)
    error: Dict[str, Any] = {
        "type": type(exc).__name__, "message": exception_message(exc),
        "line": frames[-1].lineno if frames else None, "origin": origin, "library": where,
        "missing_module": getattr(exc, "name", None) if isinstance(exc, ImportError) else None,
        "name": getattr(exc, "name", None) if isinstance(exc, NameError) else None,
        "suggestion": getattr(exc, "suggestion", None) if origin == "stand-in" else None,
    }
    return error


def run_block(block: Dict[str, Any], namespace: Dict[str, Any], recorder: Recorder, timeout: float,
              with_torch: bool) -> Dict[str, Any]:
    """One block in the page's namespace: ok, raised (with the error) or timeout."""
    number = int(block["id"])
    before = {name: id(value) for name, value in namespace.items()}
    _seed(int(block.get("seed", 0)), with_torch)
    result: Dict[str, Any] = {"id": number, "status": "ok", "error": None}
    recorder.block = number
    started = time.monotonic()
    try:
        code = compile(block["code"], BLOCK_FILENAME.format(number), "exec")
        with time_limit(timeout):
            _prelude(block.get("prelude") or "", namespace)
            exec(code, namespace)  # noqa: S102 - the job of this sandbox: a doc example, in its own process
    except BlockTimeout:
        result.update(status="timeout", error={"type": "Timeout", "message": f"the block did not finish within "
                                               f"{timeout:g} s", "line": None, "origin": "page"})
    except SystemExit as exc:
        result.update(status="raised", error={"type": "SystemExit", "message": str(exc.code), "line": None,
                                              "origin": "page"})
    except BaseException as exc:  # noqa: BLE001 - whatever the example raises is the report
        result.update(status="raised", error=_error(exc, recorder))
    finally:
        recorder.block = None
    result["variables"] = _variables(namespace, before)
    result["duration_s"] = round(time.monotonic() - started, 4)
    return result


def _prelude(imports: str, namespace: Dict[str, Any]) -> None:
    """The imports a page takes for granted (`np`, `plt`, ...), each on its own: one that
    fails leaves its name unbound, and the block's use of it says so."""
    for statement in imports.splitlines():
        with contextlib.suppress(Exception):  # the block that uses the name reports it
            exec(compile(statement, "<implied import>", "exec"), namespace)  # noqa: S102 - a fixed import line


def execute(request: Dict[str, Any], impl: str, manifest: Optional[dict] = None) -> Dict[str, Any]:
    workdir = Path.cwd()
    block_network()
    try:
        from wbimage_conformance.worker.adapters import load

        adapter = load(impl)
    except Exception as exc:  # noqa: BLE001 - reported as the implementation failing to load
        return {"status": "impl-error", "message": f"{type(exc).__name__}: {exc}"}
    recorder = Recorder(workdir)
    image_class = recording_image_class(adapter, recorder)
    install_wandb(image_class, recorder, adapter, manifest)
    namespace: Dict[str, Any] = {"__name__": "__main__", "__file__": BLOCK_FILENAME.format(0)}
    timeout = float(request.get("block_timeout", 60))
    blocks = [run_block(block, namespace, recorder, timeout, bool(request.get("torch")))
              for block in request["blocks"]]
    named = {"name": getattr(adapter, "name", impl), "version": getattr(adapter, "version", None)}
    return {"status": "ok", "impl": named,
            "blocks": blocks, "probes": run_probes(request, recorder, image_class, workdir),
            "calls": recorder.calls, "logs": recorder.logs}


#: The largest recording the parent reads from the example's process (arrays are files).
MAX_RECORD_BYTES = 64 * 1024 * 1024
#: Fields of a recording and their types, checked before anything is replied.
RECORD_FIELDS = {"status": str, "impl": dict, "blocks": list, "probes": list, "calls": list, "logs": list}


def not_dumpable() -> None:
    """PR_SET_DUMPABLE 0: a process of the same user cannot ptrace this one or open its
    /proc/PID/fd or mem (Linux; elsewhere nothing to do)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _read_all(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            return b""
        chunks.append(chunk)


def run_example_child(request: Dict[str, Any], impl: str, record_fd: int, manifest: Optional[dict] = None) -> None:
    """In the forked child: run the example, send the recording, leave."""
    try:
        result = execute(request, impl, manifest)
    except BaseException as exc:  # noqa: BLE001 - the sandbox itself failed; say so
        result = {"status": "sandbox-error", "message": f"{type(exc).__name__}: {exc}",
                  "traceback": traceback.format_exc()[-2000:]}
    with os.fdopen(record_fd, "w", encoding="utf-8") as out:
        out.write(json.dumps(result))
    os._exit(0)


def checked_record(data: bytes, wait_status: int) -> Dict[str, Any]:
    """The child's recording if it is whole and the child ended normally, else why not."""
    if not os.WIFEXITED(wait_status) or os.WEXITSTATUS(wait_status) != 0:
        how = (f"killed by signal {os.WTERMSIG(wait_status)}" if os.WIFSIGNALED(wait_status)
               else f"exited with status {os.WEXITSTATUS(wait_status)}")
        return {"status": "crash", "message": f"the example's process {how}"}
    try:
        record = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        record = None
    if not isinstance(record, dict) or record.get("status") in ("sandbox-error", "impl-error", "skipped"):
        return record if isinstance(record, dict) and isinstance(record.get("message"), str) else {
            "status": "crash", "message": "the example's process ended without a readable recording"}
    wrong = [name for name, kind in RECORD_FIELDS.items() if not isinstance(record.get(name), kind)]
    if wrong or record["status"] != "ok":
        return {"status": "crash", "message": "the example's process sent an incomplete recording "
                f"({', '.join(wrong) or 'status ' + repr(record['status'])}); it was not produced by the harness"}
    return record


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wbimage_conformance.worker.doc_example")
    parser.add_argument("--impl", default="reference")
    parser.add_argument("--token-fd", type=int, default=None, help="where the checker's per-run token is read")
    args = parser.parse_args(argv)
    reply = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    request = json.loads(sys.stdin.read())
    not_dumpable()
    record_read, record_write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(record_read)
        reply.close()
        if args.token_fd is not None:
            os.close(args.token_fd)
        run_example_child(request, args.impl, record_write)
    os.close(record_write)
    token = ""
    if args.token_fd is not None:
        token = _read_all(args.token_fd, 4096).decode("ascii", "replace")
        os.close(args.token_fd)
    data = _read_all(record_read, MAX_RECORD_BYTES)
    os.close(record_read)
    _, wait_status = os.waitpid(child, 0)
    result = checked_record(data, wait_status)
    result["token"] = token
    reply.write(json.dumps(result))
    reply.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
