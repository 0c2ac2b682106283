"""`python -m wbimage_conformance.worker --impl IMPL`: one Python implementation behind the protocol.

The runner starts this under the implementation's interpreter (its own, or e.g. an old
wandb's virtualenv with only the worker bundle on PYTHONPATH) and talks spec/PROTOCOL.md to it. The
worker owns the real stdout for protocol lines and points file descriptor 1 at stderr, so an
implementation that prints cannot corrupt the protocol.

Imports: standard library, NumPy, and what the implementation needs; never YAML or
jsonschema, which an implementation's environment need not have.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from typing import Any, BinaryIO, Dict, Optional, Tuple

from wbimage_conformance.worker import inputs, protocol
from wbimage_conformance.worker.adapters import UnknownImplementation, Unmappable, load, perform
from wbimage_conformance.worker.versions import environment


def _claim_stdio() -> Tuple[BinaryIO, BinaryIO]:
    """Private copies of stdin/stdout for the protocol; fd 0 becomes /dev/null, fd 1 stderr."""
    proto_in = os.fdopen(os.dup(0), "rb")
    proto_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return proto_in, proto_out


def handle(adapter: Any, message: Dict[str, Any]) -> Dict[str, Any]:
    """One run request to one result message (MemoryError propagates: the worker dies)."""
    case_id = str(message.get("id", ""))
    call = message.get("call") or {}
    try:
        data = inputs.build(message["input"], adapter.make_image)
        kwargs = inputs.decode_arguments(call.get("kwargs") or {})
    except (inputs.Skip, Unmappable) as skip:
        return protocol.result_reply(case_id, protocol.SKIPPED, reason=str(skip))
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to build the input is the case's setup error
        return protocol.result_reply(case_id, protocol.SETUP_ERROR, reason=f"{type(exc).__name__}: {exc}")
    before, kwargs_before = inputs.snapshot(data), inputs.snapshot(kwargs)
    after: list = []  # the snapshot after the call, taken before the caller changes its data

    def caller_changes_data() -> None:
        after.append(inputs.snapshot(data))
        inputs.change_after_call(message["input"], data)

    try:
        observation = perform(adapter, str(call.get("api")), data, kwargs, call.get("name"), caller_changes_data)
    except Unmappable as skip:
        return protocol.result_reply(case_id, protocol.SKIPPED, reason=str(skip))
    change = inputs.describe_change(before, after[0] if after else inputs.snapshot(data))
    if not change and inputs.snapshot(kwargs) != kwargs_before:
        change = "the keyword arguments changed"
    if change:
        observation = replace(observation, input_mutated=True, notes=observation.notes + (change,))
    return protocol.result_reply(case_id, protocol.OBSERVED, observation)


def serve(impl: str, proto_in: BinaryIO, proto_out: BinaryIO) -> int:
    def send(message: Dict[str, Any]) -> None:
        proto_out.write(protocol.dumps(message))
        proto_out.flush()

    hello = protocol.loads(proto_in.readline() or b'{"type": "eof"}')
    if hello.get("type") != "hello":
        send({"type": "hello", "error": f"expected hello, got {hello.get('type')!r}"})
        return 2
    try:
        adapter = load(impl)
    except UnknownImplementation as exc:
        send({"type": "hello", "error": str(exc)})
        return 2
    except Exception as exc:  # noqa: BLE001 - whatever importing the implementation raises is told to the runner
        send({"type": "hello", "error": f"importing {impl!r} failed: {type(exc).__name__}: {exc}"})
        return 2
    send(protocol.hello_reply(
        name=str(getattr(adapter, "name", impl)),
        version=getattr(adapter, "version", None),
        capabilities=sorted(getattr(adapter, "capabilities", protocol.INPUT_KINDS)),
        environment=environment(),
        display=getattr(adapter, "display", None),
    ))
    for line in proto_in:
        message = protocol.loads(line)
        if message["type"] == "bye":
            break
        if message["type"] != "run":
            raise protocol.ProtocolError(f"unexpected message type {message['type']!r}")
        try:
            reply = handle(adapter, message)
        except MemoryError:
            send(protocol.result_reply(str(message.get("id", "")), protocol.CRASHED, reason="MemoryError"))
            return 3  # the heap may be in any state; the runner starts a fresh worker
        send(reply)
    return 0


def _cwd_last() -> None:
    """`python -m` puts the working directory first on sys.path, where a local folder named
    like the implementation (`reference`, `wandb`) would shadow it. Keep it importable (for
    MODULE:ATTR names), but after everything else."""
    here = {"", os.getcwd()}
    front = [p for p in sys.path if p not in here]
    sys.path[:] = front + [p for p in sys.path if p in here]


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wbimage_conformance.worker")
    parser.add_argument("--impl", default="reference")
    args = parser.parse_args(argv)
    _cwd_last()
    proto_in, proto_out = _claim_stdio()
    return serve(args.impl, proto_in, proto_out)

