"""The capture agent: what runs inside the user's program to sample its wandb.Image inputs.

It imports only the standard library (and NumPy, once an array arrives), because it runs
under the user's interpreter, where this package may not be installed: `boot/sitecustomize.py`
loads it from its files under the name `wbimage_capture_agent`. Everything it writes goes to the capture folder; nothing
leaves the machine (no network is opened, nothing is sent).
"""

from __future__ import annotations

import os

from . import hook
from .record import ENV_DIR, ENV_LIMITS, Limits, Recorder

__all__ = ["ENV_DIR", "ENV_LIMITS", "Limits", "Recorder", "start", "start_from_environment", "stop"]

def start(directory: str, limits: Limits) -> Recorder:
    """Record into `directory` from now on in this process."""
    recorder = Recorder(directory, limits)
    hook.install(recorder)
    return recorder


def stop(recorder: Recorder) -> None:
    """Stop recording (wandb.Image stays wrapped, reporting to no one) and write the part."""
    hook.install(None)
    recorder.close()


def start_from_environment() -> Recorder | None:
    """Start as the capture command asked through the environment the program inherited."""
    directory = os.environ.get(ENV_DIR)
    if not directory:
        return None
    limits = os.environ.get(ENV_LIMITS)
    return start(directory, Limits.from_json(limits) if limits else Limits())
