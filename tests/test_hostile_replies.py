"""A worker's replies are untrusted: however malformed, each ends the case as a crash with a
one-line reason, in bounded memory, and the run goes on."""

from __future__ import annotations

import io
import json
import sys
import textwrap

import numpy as np
import pytest

from wbimage_conformance.model import Status
from wbimage_conformance.run import runner
from wbimage_conformance.worker import protocol

import runner_support as support

#: An exec: implementation that says hello properly, then answers every run request with the
#: line given on its command line (a JSON text), with N bytes of junk and no newline, or with
#: N MiB written to stderr, a last line there, and an exit.
HOSTILE = textwrap.dedent('''
    import json, os, sys
    hello = {"type": "hello", "protocol": 1, "implementation": {"name": "hostile", "version": "1"},
             "capabilities": ["numpy"], "environment": {}}
    reply = sys.argv[1]
    for line in sys.stdin:
        message = json.loads(line)
        if message["type"] == "hello":
            print(json.dumps(hello), flush=True)
        elif message["type"] == "run":
            if reply.startswith("junk:"):
                sys.stdout.write("x" * int(reply[5:]))
                sys.stdout.flush()
            elif reply.startswith("stderr:"):
                block = b"e" * (1 << 20)
                for _ in range(int(reply[7:])):
                    os.write(2, block)
                os.write(2, b"\\nthe last words\\n")
                sys.exit(3)
            else:
                print(reply.replace("CASE", message["id"]), flush=True)
        else:
            break
''')


def _run_hostile(tmp_path, reply: str):
    script = tmp_path / "hostile.py"
    script.write_text(HOSTILE)
    cases_file = support.write_cases(tmp_path, [support.case("unit-plain"), support.case("unit-again")])
    from wbimage_conformance.cases import casefiles

    cases = casefiles.load_cases([cases_file])
    reply_arg = reply.replace("'", "'\\''")
    return runner.run(cases, f"exec:{sys.executable} {script} '{reply_arg}'", timeout=30).results


def _observed(observation: dict) -> str:
    return json.dumps({"type": "result", "id": "CASE", "outcome": "observed", "observation": observation})


@pytest.mark.parametrize("reply, message", [
    ('{"type": "result", "id": "CASE", "outcome": "observed", "observation": ' + "[" * 50000 + "]" * 50000 + "}",
     "nested too deeply"),
    (_observed({"pixels": {"$ndarray": {"npy_path": "/etc/passwd"}}}), "may not name a file"),
    ("not json at all", "not a JSON line"),
    ('{"type": "result", "id": "other", "outcome": "observed"}', "expected the result for"),
    (_observed({"pixels": {"$ndarray": {"npy": "kw=="}}}), "bad observation"),
])
def test_a_malformed_reply_is_a_crash_of_that_case_only(tmp_path, reply, message):
    results = _run_hostile(tmp_path, reply)
    assert [r.status for r in results] == [Status.CRASH, Status.CRASH]  # the second case ran too
    assert message in results[0].message and "\n" not in results[0].message


def test_an_endless_reply_line_is_cut_off(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "MAX_REPLY_BYTES", 1 << 20)
    results = _run_hostile(tmp_path, f"junk:{4 << 20}")
    assert results[0].status is Status.CRASH
    assert f"longer than {1 << 20} bytes" in results[0].message


def test_800_mb_of_stderr_end_the_case_as_a_crash_quoting_its_last_line(tmp_path):
    """Drained as it comes and only its tail kept (pipe_drain.py): neither memory nor disk
    holds the 800 MB."""
    results = _run_hostile(tmp_path, "stderr:800")
    assert [r.status for r in results] == [Status.CRASH, Status.CRASH]
    assert results[0].message == "the worker exited with code 3; stderr: the last words"


def test_an_npy_header_claiming_more_than_it_holds_is_refused_before_allocation():
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (10**7, 10**7)})
    with pytest.raises(protocol.ProtocolError, match="claims 100000000000000 elements"):
        protocol.npy_array(header.getvalue())


@pytest.mark.parametrize("hello, message", [
    ({"capabilities": 5}, "capabilities must be a list of strings"),
    ({"environment": ["numpy"]}, "environment must map names"),
    ({"environment": {"numpy": 2}}, "environment must map names"),
    ({"implementation": {"name": "x", "version": 3}}, "must be strings"),
])
def test_a_malformed_hello_is_a_protocol_error(hello, message):
    base = {"type": "hello", "protocol": 1, "implementation": {"name": "x"}, "capabilities": [], "environment": {}}
    with pytest.raises(protocol.ProtocolError, match=message):
        protocol.parse_hello_reply({**base, **hello})
