"""Capture inside the current process, for a test session (the pytest option): the same agent
and folder as the capture command, started and finished around the session instead of around
a child program. Subprocesses the tests start are not captured (their environment is left
alone, as tests may check it); the capture command captures those.
"""

from __future__ import annotations

from pathlib import Path

from wbimage_conformance.capture import agent, launch, manifest


def start(directory: Path | str, limits: agent.Limits | None = None) -> agent.Recorder:
    """Start recording into `directory` (made if missing); CaptureError when it cannot be written."""
    folder = launch.prepare(Path(directory))
    return agent.start(str(folder), limits or agent.Limits())


def finish(recorder: agent.Recorder, merge: bool = True) -> str:
    """Stop recording; with `merge` (the process that ends the session), write DIR/manifest.json
    and return the summary line, else return ""."""
    agent.stop(recorder)
    if not merge:
        return ""
    kept, where = manifest.finish(recorder.directory, recorder.limits.as_json())
    return manifest.summary(kept, where)
