"""The test command of a mutation run: the cases that cite a reference module's clauses,
run in this process against a copy of `reference/`.

    python .ci/mutation/cases.py --copy DIR --module NAME [--save-selection FILE | --selection FILE]
    python .ci/mutation/cases.py --copy DIR --selection FILE --serve SOCKET [--limit SECONDS]
    python .ci/mutation/ask.py SOCKET

Exit 0 when every selected case passes (the mutant survives), 1 at the first case that does
not (the mutant is killed), 2 when the selection cannot be made.

Why a server: importing torch, NumPy and the suite takes seconds, the selected cases a
second or two. With `--serve`, this process imports everything except the reference once
and listens on a Unix socket; for each connection (made by `ask.py`, the test command
cosmic-ray runs per mutant) it forks a child that loads the mutated reference from DIR and
runs the cases, and sends back the verdict. A child still running after `--limit` seconds is
killed and counts as killing the mutant (an endless loop is a wrong implementation too).

Why in-process: a mutation run starts this command once per mutant; a worker subprocess per
run would double the start-up cost. The reference is our own code, so running it inside the
judge is safe here, which it is not for an implementation under test. The cases run through
the suite session of `wbimage-conformance run` (run.session, with --maxfail 1): each still goes
through the protocol's messages (encoded and decoded) and through `compare`; only the pipe is
gone.

Why a copy: cosmic-ray mutates files on disk, and a run takes a while. DIR holds copies of
the checkout's `conformance/`, `reference/` and `spec/`; `wbimage_conformance` and its
`reference` and `spec` are loaded from there, not from the installed (editable) checkout, so
the checkout's files are never mutated and editing them during a run changes nothing in it.

Which cases: a module names the clauses it implements in its docstrings and comments
(`[norm.unit]`, `[mode.*]`); a case is selected when one of its clauses is among them. The
selection is saved once (`--save-selection`, at the baseline) and read back for every mutant
(`--selection`), so mutants do not pay for parsing and checking every case file.
"""

from __future__ import annotations

import argparse
import fnmatch
import importlib.util
import pickle
import re
import sys
from pathlib import Path
from typing import Any

CITATION = re.compile(r"\[([a-z0-9-]+(?:\.[a-z0-9*-]+)*)\]")


ROOT = "wbimage_conformance"


def load_package(name: str, directory: Path) -> Any:
    """Import package `name` (and so its submodules) from `directory`, whatever is installed."""
    spec = importlib.util.spec_from_file_location(
        name, directory / "__init__.py", submodule_search_locations=[str(directory)])
    if spec is None or spec.loader is None:
        raise SystemExit(f"cases.py: no package in {directory}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    if "." in name:
        parent, _, child = name.rpartition(".")
        setattr(sys.modules[parent], child, module)
    return module


def use_suite_from(copy: Path) -> None:
    """The suite and the spec from the copy; the reference is loaded later (use_reference_from)."""
    load_package(ROOT, copy / "conformance")
    load_package(f"{ROOT}.spec", copy / "spec")


def use_reference_from(copy: Path) -> None:
    """The reference from the copy, as it is on disk now (mutated or not)."""
    load_package(f"{ROOT}.reference", copy / "reference")


def cited_clauses(source: str) -> list[str]:
    """What a module's text cites in brackets, in order: clause ids, `prefix.*` patterns, and
    (for the caller to drop) index expressions such as `[0]` that match no clause."""
    return list(dict.fromkeys(CITATION.findall(source)))


def select(cases: Any, patterns: list[str]) -> list[Any]:
    return [c for c in cases if any(fnmatch.fnmatchcase(clause, p) for clause in c.clauses for p in patterns)]


class InProcessWorker:
    """Stands in for runner.Worker: answers each protocol message with the worker's own code,
    called here, the messages encoded and decoded as on the pipe."""

    def __init__(self) -> None:
        from wbimage_conformance.worker import adapters

        self.adapter = adapters.load("reference")
        self.reply = b""

    def spawn(self) -> None:
        """Nothing to start: the worker's code runs in this process."""

    def greet(self, timeout: float) -> Any:
        from wbimage_conformance.worker import protocol
        from wbimage_conformance.worker.versions import environment

        hello = protocol.hello_reply(name=self.adapter.name, version=self.adapter.version,
                                     capabilities=sorted(self.adapter.capabilities),
                                     environment=environment(), display=self.adapter.display)
        return protocol.parse_hello_reply(protocol.loads(protocol.dumps(hello)))

    def send(self, line: bytes, deadline: float) -> None:
        from wbimage_conformance.worker import protocol, serve

        self.reply = protocol.dumps(serve.handle(self.adapter, protocol.loads(line)))

    def receive(self, deadline: float) -> bytes:
        return self.reply

    def kill(self) -> None:
        pass

    def stop(self) -> None:
        pass


def run_cases(cases: list[Any], verbose: bool = False) -> tuple[int, str]:
    """(0, summary) when every case passes or is skipped, else (1, the first failure): a suite
    session (run.session) with --maxfail 1, its worker in this process."""
    from wbimage_conformance.cases.casefiles import CaseSet
    from wbimage_conformance.report.summary import UNEXPECTED
    from wbimage_conformance.run import runner, session

    class InProcessSession(runner.Session):
        def _new_worker(self) -> Any:
            return InProcessWorker()

    def said(result: Any) -> None:
        print(f"{result.status.value:8} {result.case.id}")

    options = session.Options("reference", case_set=CaseSet(tuple(cases), (), ""), maxfail=1, empty_ok=True)
    with session.Session(options, workers=InProcessSession) as suite:
        outcome = suite.run(said if verbose else None)
    failure = next((r for r in outcome.report.results if r.status in UNEXPECTED), None)
    if failure is not None:
        return 1, f"killed by {failure.case.id}: {failure.status.value}: {failure.message[:300]}"
    return 0, f"all {len(cases)} cases pass"


def serve(socket_path: Path, copy: Path, cases: list[Any], limit: float) -> int:
    """Answer each connection with the verdict of a forked child on the copy's reference
    as it is on disk at that moment (see the module docstring)."""
    import socket

    sys.dont_write_bytecode = True  # each child compiles the mutated module from its source

    import numpy  # noqa: F401  (imported once, before any fork)
    import PIL.Image  # noqa: F401

    from wbimage_conformance.cases import materialize  # noqa: F401
    from wbimage_conformance.run import compare  # noqa: F401
    from wbimage_conformance.worker import inputs, protocol  # noqa: F401
    try:
        import torch  # noqa: F401
    except ImportError:
        pass
    socket_path.unlink(missing_ok=True)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(socket_path))
    server.listen(1)
    print(f"serving {len(cases)} cases on {socket_path}", flush=True)
    try:
        while True:
            connection, _ = server.accept()
            with connection:
                if connection.recv(16).strip() == b"stop":
                    return 0
                code, text = _forked_verdict(copy, cases, limit)
                connection.sendall(f"{code}\n{text}\n".encode())
    finally:
        server.close()
        socket_path.unlink(missing_ok=True)


def _forked_verdict(copy: Path, cases: list[Any], limit: float) -> tuple[int, str]:
    import os
    import signal
    import time

    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read_end)
        try:
            use_reference_from(copy)
            code, text = run_cases(cases)
        except BaseException as error:  # an import error, a crash: the mutant is killed
            code, text = 1, f"killed: {type(error).__name__}: {str(error)[:300]}"
        os.write(write_end, f"{code}\n{text}".encode())
        os._exit(0)
    os.close(write_end)
    deadline = time.monotonic() + limit
    while True:
        done, status = os.waitpid(child, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            os.close(read_end)
            return 1, f"killed: no verdict within {limit:g} s"
        time.sleep(0.02)
    with os.fdopen(read_end, "rb") as pipe:
        reply = pipe.read().decode(errors="replace")
    if not reply:
        return 1, f"killed: the child ended with status {status} and no verdict"
    code, _, text = reply.partition("\n")
    return int(code), text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cases.py", description=__doc__.splitlines()[0])
    parser.add_argument("--copy", type=Path, required=True,
                        help="a folder with copies of conformance/, reference/ (mutated) and spec/")
    parser.add_argument("--module", help="the reference module whose clauses select the cases")
    chosen = parser.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--save-selection", type=Path, help="select the cases, save them here, and run them")
    chosen.add_argument("--selection", type=Path, help="run the cases saved by --save-selection")
    parser.add_argument("--serve", type=Path, metavar="SOCKET", help="answer ask.py on this socket (with --selection)")
    parser.add_argument("--limit", type=float, default=120.0, help="seconds a served verdict may take (default 120)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every case's verdict")
    args = parser.parse_args(argv)
    copy = args.copy.resolve()
    use_suite_from(copy)

    if args.selection:
        cases = pickle.loads(args.selection.read_bytes())
        if args.serve:
            return serve(args.serve, copy, cases, args.limit)
    else:
        if not args.module:
            parser.error("--save-selection needs --module")
        from wbimage_conformance.cases import casefiles

        source = Path(copy, "reference", f"{args.module}.py").read_text(encoding="utf-8")
        defined = [c.id for c in casefiles.load_clauses()]
        patterns = [p for p in cited_clauses(source) if fnmatch.filter(defined, p)]
        cases = select(casefiles.load_case_set().cases, patterns)
        if not cases:
            print(f"cases.py: no case cites a clause of {args.module}.py ({', '.join(patterns) or 'none cited'})")
            return 2
        args.save_selection.write_bytes(pickle.dumps(cases))
        print(f"{args.module}.py cites {', '.join(patterns)}: {len(cases)} cases")
    use_reference_from(copy)
    code, text = run_cases(cases, args.verbose)
    print(text)
    return code


if __name__ == "__main__":
    sys.exit(main())
