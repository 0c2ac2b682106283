"""Running the user's command unchanged, with the capture agent started in every Python
interpreter it (or any program it starts) runs.

The agent is injected through the environment only: the folder `boot/` (holding one
`sitecustomize.py`) goes first on PYTHONPATH and the capture folder and limits go in two
variables, all inherited by subprocesses, so `python train.py`, `python -m module`, a shell
script that runs Python and DataLoader workers are all captured. Standard input and output
are the program's own; the capture writes nothing to either. Interpreters started with `-I`,
`-E` or `-S` ignore PYTHONPATH or skip sitecustomize, and are not captured.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType

from wbimage_conformance.capture.agent import ENV_DIR, ENV_LIMITS, Limits
from wbimage_conformance.capture.manifest import CaptureError

BOOT = Path(__file__).resolve().parent / "boot"
#: Signals passed on to the program; Ctrl-C (SIGINT) reaches it from the terminal already.
FORWARDED = (signal.SIGTERM, signal.SIGHUP)


def prepare(directory: Path) -> Path:
    """The capture folder, made if missing; CaptureError when it cannot hold a capture."""
    if directory.exists() and not directory.is_dir():
        raise CaptureError(f"{directory}: not a folder (the capture folder must be a folder or not exist)")
    try:
        (directory / "parts").mkdir(parents=True, exist_ok=True)
        probe = directory / "parts" / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise CaptureError(f"{directory}: cannot write the capture folder: {exc.strerror or exc}") from None
    return directory.resolve()


def child_environment(directory: Path, limits: Limits, environment: Mapping[str, str]) -> dict[str, str]:
    """The program's environment plus what starts the agent in each of its interpreters."""
    child = dict(environment)
    path = child.get("PYTHONPATH", "")
    child["PYTHONPATH"] = str(BOOT) + (os.pathsep + path if path else "")
    child[ENV_DIR] = str(directory)
    child[ENV_LIMITS] = json.dumps(limits.as_json())
    return child


def exit_code(returncode: int) -> int:
    """The program's exit code as a shell reports it: 128 + N when signal N ended it."""
    return 128 - returncode if returncode < 0 else returncode


def run(command: Sequence[str], environment: Mapping[str, str]) -> int:
    """Run `command` to its end and return its exit code; signals sent to us are passed on."""
    try:
        child = subprocess.Popen(list(command), env=dict(environment))
    except OSError as exc:
        raise CaptureError(f"{command[0]}: cannot start the command: {exc.strerror or exc}") from None

    def forward(number: int, frame: FrameType | None) -> None:
        child.send_signal(number)

    previous = {number: signal.signal(number, forward) for number in FORWARDED}
    previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return exit_code(child.wait())
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
