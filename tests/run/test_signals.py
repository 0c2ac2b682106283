"""SIGINT and SIGTERM stop a run at once, whatever --jobs is: the partial report is written,
marked interrupted, the exit code is 128 + the signal's number, and nothing the run started
survives it (workers, their children, the run's and the sandbox's folders).

The implementation answers the cases named `quick-*` at once and sleeps in the others, having
started a child process of its own; the signal is sent once every lane is busy sleeping."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

import runner_support as support

SLEEPER = textwrap.dedent('''
    import base64, io, json, os, subprocess, sys, time
    import numpy as np
    token, started = sys.argv[1], sys.argv[2]
    if sys.argv[3:] == ["slow-hello"]:
        time.sleep(300)
    buffer = io.BytesIO()
    np.save(buffer, np.array([[51, 76]], dtype=np.uint8))
    pixels = base64.b64encode(buffer.getvalue()).decode("ascii")
    hello = {"type": "hello", "protocol": 1, "implementation": {"name": "sleeper", "version": "1"},
             "capabilities": ["numpy"], "environment": {}}
    for line in sys.stdin:
        message = json.loads(line)
        if message["type"] == "hello":
            print(json.dumps(hello), flush=True)
        elif message["type"] == "run":
            if not message["id"].startswith("quick-"):
                subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", token])
                try:
                    open(os.path.join(started, message["id"]), "w").close()
                except OSError:  # in a sandbox, which shows the implementation no such folder
                    pass
                time.sleep(300)
            observation = {"pixels": {"$ndarray": {"npy": pixels}}, "mode": "L", "size": [2, 1]}
            print(json.dumps({"type": "result", "id": message["id"], "outcome": "observed",
                              "observation": observation}), flush=True)
        else:
            break
''')

QUICK, SLOW = 3, 6


def _processes_with(token: str) -> list[str]:
    listing = subprocess.run(["ps", "-eo", "pid,args", "-ww"], capture_output=True, text=True, check=True).stdout
    return [line for line in listing.splitlines() if token in line and "ps -eo" not in line]


def _start(tmp_path: Path, jobs: int, sandbox: str, token: str, *extra: str) -> tuple[subprocess.Popen, Path, Path, Path]:
    script = tmp_path / "sleeper.py"
    script.write_text(SLEEPER, encoding="utf-8")
    started = tmp_path / "started"
    started.mkdir()
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    cases = support.write_cases(tmp_path, [support.case(f"quick-{n}") for n in range(QUICK)]
                                + [support.case(f"slow-{n}") for n in range(SLOW)])
    report = tmp_path / "out" / "report.json"
    command = [sys.executable, "-m", "wbimage_conformance", "run", "--cases", str(cases), "--jobs", str(jobs),
               "--timeout", "120", "--sandbox", sandbox, "--impl", f"exec:{sys.executable} {script} {token} {started} {' '.join(extra)}",
               "--format", "json", "--output", str(report)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "TMPDIR": str(private_tmp)})
    return process, started, private_tmp, report


#: How long the workers may take to reach the slow cases (a loaded CI machine starts them slowly).
START_WITHIN_S = 300


def _wait_until(process: subprocess.Popen, busy: Callable[[], bool]) -> None:
    """Until `busy()` (every lane sleeps in a slow case); the run is killed if the test fails."""
    deadline = time.monotonic() + START_WITHIN_S
    try:
        while not busy():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the slow cases never started"
            time.sleep(0.05)
    except BaseException:
        process.kill()  # the test's own run; its workers end when their pipes close
        raise
    time.sleep(0.3)  # the lanes are in their select() now


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_stops_the_run_at_once_with_a_partial_report_and_nothing_left(tmp_path, jobs, stop):
    token = f"wbimage-signal-test-{uuid.uuid4().hex}"
    process, started, private_tmp, report_path = _start(tmp_path, jobs, "none", token)
    _wait_until(process, lambda: len(list(started.iterdir())) >= jobs)
    sent = time.monotonic()
    process.send_signal(stop)
    out, err = process.communicate(timeout=60)
    took = time.monotonic() - sent
    print(f"{stop.name} with --jobs {jobs}: exit {process.returncode} after {took:.2f} s")

    assert process.returncode == 128 + stop.value, err
    assert took < 10, f"took {took:.1f} s"
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["interrupted"] == stop.name and report["ok"] is False
    finished = {r["id"]: r["status"] for r in report["results"]}
    assert finished == {f"quick-{n}": "passed" for n in range(QUICK)}  # the killed cases are not crashes
    assert sorted(report["not_run"]) == sorted(f"slow-{n}" for n in range(SLOW))
    assert f"by {stop.name}: a partial run, {SLOW} selected cases not run" in out  # the text report
    assert f"interrupted by {stop.name}" in err
    time.sleep(0.2)
    assert _processes_with(token) == []
    assert sorted(p.name for p in private_tmp.iterdir()) == []


def test_under_bubblewrap_a_signal_leaves_no_sandbox_or_folder_behind(tmp_path):
    from wbimage_conformance.run import sandbox

    box = sandbox.choose("auto")
    if box.kind != "bwrap":
        pytest.skip(f"bubblewrap is not usable here: {box.description}")
    token = f"wbimage-signal-test-{uuid.uuid4().hex}"
    process, started, private_tmp, report_path = _start(tmp_path, 2, "bwrap", token)
    # the sandbox shows the implementation no `started` folder: watch for the slow cases' children
    _wait_until(process, lambda: len([line for line in _processes_with(token) if "time.sleep(300)" in line]) >= 2)
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    took = time.monotonic() - sent
    print(f"SIGTERM under bwrap: exit {process.returncode} after {took:.2f} s")
    assert process.returncode == 143, err
    assert took < 10
    assert json.loads(report_path.read_text(encoding="utf-8"))["interrupted"] == "SIGTERM"
    time.sleep(0.2)
    assert _processes_with(token) == []
    assert list(private_tmp.iterdir()) == []


def test_a_signal_while_the_first_worker_starts_stops_without_a_report_or_leftovers(tmp_path):
    token = f"wbimage-signal-test-{uuid.uuid4().hex}"
    process, _, private_tmp, report_path = _start(tmp_path, 2, "none", token, "slow-hello")
    _wait_until(process, lambda: any("wbimage_conformance" not in line for line in _processes_with(token)))  # the worker
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert err.strip().splitlines()[-1] == "wbimage-conformance: interrupted"
    assert not report_path.exists()  # no case ran: nothing to report
    time.sleep(0.2)
    assert _processes_with(token) == []
    assert list(private_tmp.iterdir()) == []
