"""`python -m wbimage_conformance.worker.doc_server --impl IMPL --token-fd N`: many pages, one start.

Starting a sandboxed interpreter and importing NumPy, Pillow and the implementation takes
longer than most pages' examples; so docs check (doccheck/lanes.py) starts one of these per
job lane and sends it pages one at a time: one JSON line on stdin per page, the request
doc_example.py reads, plus `dir` (the name of the page's folder in the working directory)
and `limit` (the page's time limit in seconds). Each page is served as doc_example.py serves
its one: a forked child runs it (doc_example.run_example_child) in its own fresh folder, where
its arrays are saved and the checker reads them; this process reads the page's token from the
token pipe only after the fork, checks the child's recording and its exit, and writes the
reply with the token as one JSON line on the reply pipe (the original stdout), which no child
holds. It runs no example code and is not dumpable.

Nothing of one page reaches the next. Modules, working folder, environment and the stand-in's
run live in the page's child. Once the child has ended (or run past the page's limit: a
timeout, and the server goes on), every process the page started is killed: this process is
their subreaper, so none escapes by detaching (leftovers.py). Before each page the working directory is
emptied, and with `--private-tmp` (the sandbox's /tmp and /dev/shm are its own) so are those,
except the mounts the sandbox put there. When that cannot be done (a process that will not
die, a file that cannot be removed) the page is not run: the reply is "unclean", and the lane
sends the page again to a fresh server.

Started once, it imports what every page needs: Pillow, the stand-in's manifest, and the
implementation (after the network is blocked, as a page's child would), and torch with
`--preload-torch` (when a page of the run imports it, so that every page of the lane sees the
same modules whichever ran first). An implementation that fails to import here is imported
again by each page's child, which reports why (impl-error). So the implementation's own import
code runs in the process that holds the reply pipe, as it does in the runner's worker, whose
replies it could write anyway; the examples, which the token guards against, never run here.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import select
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

from wbimage_conformance.worker import doc_example, leftovers

#: How long the recording pipe is read once the page's child has exited (a process it
#: started may hold the pipe open; it is killed afterwards).
PIPE_GRACE = 1.0
#: How often the child is looked at where it cannot be waited for with select (no pidfd).
POLL_S = 0.02
#: The longest token line read.
MAX_TOKEN = 256


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wbimage_conformance.worker.doc_server")
    parser.add_argument("--impl", default="reference")
    parser.add_argument("--token-fd", type=int, required=True, help="where each page's token is read, one a line")
    parser.add_argument("--private-tmp", action="store_true", help="/tmp and /dev/shm are the sandbox's own")
    parser.add_argument("--preload-torch", action="store_true")
    args = parser.parse_args(argv)
    reply = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    doc_example.not_dumpable()
    leftovers.become_subreaper()
    manifest = _preload(args.impl, args.preload_torch)
    workdir = Path.cwd()
    mounts = leftovers.mounts()
    scratch = [f for f in ("/tmp", "/dev/shm") if mounts.get(f) == "tmpfs"] if args.private_tmp else []
    for line in sys.stdin.buffer:
        problem = _clean_slate(str(workdir), scratch, set(mounts))
        if problem:  # the lane starts a fresh server and sends the page again
            result = {"status": "unclean", "message": problem, "token": _read_token(args.token_fd)}
        else:
            result = serve(line, args.impl, args.token_fd, reply.fileno(), workdir, manifest)
        reply.write(json.dumps(result) + "\n")
        reply.flush()
    return 0


def _clean_slate(workdir: str, scratch: List[str], mounts: Set[str]) -> Optional[str]:
    """None when nothing of the previous page is left, else what is (the lane then replaces this server)."""
    if not leftovers.sweep():
        return "processes of the previous page outlived every attempt to end them"
    try:
        for folder in scratch:
            leftovers.empty(folder, mounts)
        leftovers.empty(workdir, set())
    except OSError as exc:
        return f"what the previous page left cannot be removed: {exc}"
    return None


def serve(line: bytes, impl: str, token_fd: int, reply_fd: int, workdir: Path,
          manifest: Optional[dict]) -> Dict[str, Any]:
    """One page: its child run in `workdir`/dir, its recording checked, the token added."""
    try:
        request = json.loads(line)
        name = str(request["dir"])
        limit = float(request["limit"])
        if os.sep in name or name in ("", ".", ".."):
            raise ValueError(f"{name!r} is not a folder name")
        (workdir / name).mkdir()
    except (ValueError, KeyError, TypeError, OSError) as exc:
        return {"status": "sandbox-error", "message": f"the page's request cannot be served: {exc}",
                "token": _read_token(token_fd)}
    record_read, record_write = os.pipe()
    child = os.fork()
    if child == 0:
        _enter_child(workdir / name, (record_read, token_fd, reply_fd))
        doc_example.run_example_child(request, impl, record_write, manifest)
    os.close(record_write)
    token = _read_token(token_fd)
    try:
        data, status = _collect(record_read, child, time.monotonic() + limit)
    finally:
        os.close(record_read)
        leftovers.sweep()  # before the reply: a page's process must not outlive it (checked again before the next)
    if status is None:
        result: Dict[str, Any] = {"status": "timeout", "message": f"the example did not finish within {limit:g} s"}
    else:
        result = doc_example.checked_record(data, status)
    result["token"] = token
    return result


def _preload(impl: str, torch: bool) -> Optional[dict]:
    doc_example.block_network()
    importlib.import_module("PIL.Image")
    from wbimage_conformance.worker import wandb_standin
    from wbimage_conformance.worker.adapters import load

    with contextlib.suppress(Exception):  # each page's child imports it again and reports why not
        load(impl)
    if torch:
        with contextlib.suppress(Exception):  # the page's own import of torch says why not
            importlib.import_module("torch")
    return wandb_standin.load_manifest()


def _enter_child(folder: Path, held: Tuple[int, ...]) -> None:
    """In the page's child, before any of the page: let go of what only the server holds
    (the recording's read end, the token pipe, the reply pipe, the requests on stdin), stand
    in the page's folder, in a session of its own."""
    try:
        for fd in held:
            os.close(fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.chdir(folder)
        os.setsid()
    except BaseException:  # noqa: BLE001 - the page cannot run; its exit status says so
        os._exit(70)


def _read_token(fd: int) -> str:
    token = b""
    while not token.endswith(b"\n") and len(token) < MAX_TOKEN:
        byte = os.read(fd, 1)
        if not byte:
            break
        token += byte
    return token.strip().decode("ascii", "replace")


def _collect(record_fd: int, child: int, deadline: float) -> Tuple[bytes, Optional[int]]:
    """The child's recording (b"" past doc_example.MAX_RECORD_BYTES) and its wait status, or
    status None when the deadline came first."""
    chunks: List[bytes] = []
    size, status, reading, grace_end = 0, None, True, deadline
    pidfd = _pidfd(child)
    try:
        while True:
            now = time.monotonic()
            if status is None:
                pid, wait_status = os.waitpid(child, os.WNOHANG)
                if pid:
                    status, grace_end = wait_status, min(deadline, now + PIPE_GRACE)
            if status is not None and (not reading or now >= grace_end):
                return (b"".join(chunks) if size <= doc_example.MAX_RECORD_BYTES else b""), status
            if now >= deadline:
                return b"", None
            watch = ([record_fd] if reading else []) + ([pidfd] if pidfd is not None and status is None else [])
            wait = grace_end - now if pidfd is not None or status is not None else min(grace_end - now, POLL_S)
            ready = select.select(watch, [], [], max(wait, 0))[0]
            if record_fd in ready:
                chunk = os.read(record_fd, 1 << 20)
                reading = bool(chunk)
                size += len(chunk)
                if size <= doc_example.MAX_RECORD_BYTES:
                    chunks.append(chunk)
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _pidfd(pid: int) -> Optional[int]:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


if __name__ == "__main__":
    sys.exit(main())
