"""The runner builds the next case's request while a worker works and sends it as soon as the
reply is in: a worker must still never hold two requests, every result must still belong to
its own case, and a worker that dies must cost only the case it was working on."""

from __future__ import annotations

import sys
import textwrap
import time

import pytest

from wbimage_conformance.cases import casefiles
from wbimage_conformance.model import Status
from wbimage_conformance.run import runner

import runner_support as support

#: An exec: implementation that reads its requests unbuffered, takes a while over each (the
#: case's number, in milliseconds), then looks whether another request is already waiting
#: before it replies. It answers "skipped" with a reason naming the request, and exits without
#: a word on the request whose id is given on its command line.
PATIENT = textwrap.dedent('''
    import json, os, select, sys, time
    hello = {"type": "hello", "protocol": 1, "implementation": {"name": "patient", "version": "1"},
             "capabilities": ["numpy"], "environment": {}}
    die_on = sys.argv[1]
    pending = b""
    def line():
        global pending
        while b"\\n" not in pending:
            chunk = os.read(0, 65536)
            if not chunk:
                sys.exit(0)
            pending += chunk
        head, _, pending = pending.partition(b"\\n")
        return json.loads(head)
    while True:
        message = line()
        if message["type"] == "hello":
            print(json.dumps(hello), flush=True)
            continue
        if message["type"] != "run":
            break
        if message["id"] == die_on:
            os._exit(9)
        time.sleep(int(message["id"].rsplit("-", 1)[1]) / 1000)
        waiting = bool(pending) or bool(select.select([0], [], [], 0)[0])
        reason = f"answered {message['id']}" + ("; another request was already waiting" if waiting else "")
        print(json.dumps({"type": "result", "id": message["id"], "outcome": "skipped", "reason": reason}), flush=True)
''')


def _run(tmp_path, count: int, jobs: int = 1, die_on: str = "none"):
    script = tmp_path / "patient.py"
    script.write_text(PATIENT)
    ids = [f"case-{n}" for n in range(1, count + 1)]
    cases = casefiles.load_cases([support.write_cases(tmp_path, [support.case(i) for i in ids])])
    report = runner.run(cases, f"exec:{sys.executable} {script} {die_on}", jobs=jobs, timeout=30, sandbox_mode="none")
    return ids, report.results


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_worker_never_holds_two_requests_and_results_keep_their_cases(tmp_path, jobs):
    ids, results = _run(tmp_path, 12, jobs=jobs)
    assert [r.case.id for r in results] == ids
    assert [r.status for r in results] == [Status.SKIPPED] * len(ids)
    assert [r.message for r in results] == [f"answered {i}" for i in ids]


def test_a_worker_that_dies_costs_only_its_case(tmp_path):
    ids, results = _run(tmp_path, 6, die_on="case-3")
    statuses = {r.case.id: r.status for r in results}
    assert statuses.pop("case-3") is Status.CRASH
    assert set(statuses.values()) == {Status.SKIPPED}
    assert [r.message for r in results if r.case.id != "case-3"] == [f"answered {i}" for i in ids if i != "case-3"]
    assert "killed by SIGKILL" in next(r.message for r in results if r.case.id == "case-3") or \
        "exited with code 9" in next(r.message for r in results if r.case.id == "case-3")


def test_a_run_that_may_stop_takes_a_case_only_after_the_last_verdict(tmp_path):
    """--maxfail: with a stop predicate no case is taken ahead, so none starts after the
    verdict that stops the run."""
    script = tmp_path / "patient.py"
    script.write_text(PATIENT)
    cases = casefiles.load_cases([support.write_cases(tmp_path, [support.case(f"case-{n}") for n in range(1, 7)])])
    seen: list[str] = []
    with runner.Session(f"exec:{sys.executable} {script} none", timeout=30, sandbox_mode="none") as session:
        results = session.run(cases, progress=lambda r: seen.append(r.case.id), stop=lambda: len(seen) >= 2)
    assert [r.case.id for r in results] == ["case-1", "case-2"]


def test_a_reply_that_came_in_time_counts_though_the_runner_reads_it_late(tmp_path):
    """The runner judges one case while the worker works on the next: a reply already in the
    pipe when the runner gets to it is read, however late that is."""
    script = tmp_path / "patient.py"
    script.write_text(PATIENT)
    worker = runner.Worker(runner.ImplSpec.parse(f"exec:{sys.executable} {script} none"))
    worker.start(30)
    try:
        worker.send(b'{"type": "run", "id": "case-0"}\n', time.monotonic() + 5)
        time.sleep(0.3)  # the reply is in the pipe by now; the deadline below has passed
        line = worker.receive(time.monotonic() - 1)
        assert b'"answered case-0"' in line
        worker.send(b'{"type": "run", "id": "case-900"}\n', time.monotonic() + 5)
        with pytest.raises(runner.WorkerTimeout):  # nothing there yet: a past deadline is a timeout
            worker.receive(time.monotonic() - 1)
    finally:
        worker.kill()
