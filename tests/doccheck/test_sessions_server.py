"""Pages on a job lane: one sandboxed server runs many pages (worker/doc_server.py), with the
outcomes one process per page gives; a page's hang, crash or attack on its server costs that
page only; nothing of a page reaches the next."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest
from locations import DOC_PAGES as FIXTURES

from wbimage_conformance.doccheck import classify, lanes, sessions
from wbimage_conformance.doccheck.markdown import parse_page
from wbimage_conformance.run import sandbox

BWRAP = sandbox.choose("auto")
MODES = ["none", pytest.param("bwrap", marks=pytest.mark.skipif(BWRAP.kind != "bwrap", reason=BWRAP.description))]


def job_of(*blocks: str, path: str = "lane.en.md") -> sessions.PageJob:
    body = "\n\nThen:\n\n".join(f"```python\n{textwrap.dedent(b).strip()}\n```" for b in blocks)
    return sessions.plan(classify.classify(parse_page(f"## Examples\n\nRun it\n\n{body}\n", path)))


def fixture_job(name: str) -> sessions.PageJob:
    path = FIXTURES / name
    return sessions.plan(classify.classify(parse_page(path.read_text(encoding="utf-8"), str(path))))


@pytest.fixture
def lane_of():
    """A lane for a sandbox mode, closed after the test."""
    made = []

    def make(mode: str = "auto") -> lanes.Lane:
        made.append(lanes.Lane(sessions.server_of(sessions.sandbox_command("reference", mode))))
        return made[-1]

    yield make
    for lane in made:
        lane.close()


def comparable(outcome: sessions.PageOutcome) -> tuple:
    """An outcome without what differs from run to run: the token and the times."""
    reply = {k: v for k, v in outcome.reply.items() if k != "token"}
    reply["blocks"] = [{k: v for k, v in b.items() if k != "duration_s"} for b in reply.get("blocks", [])]
    return outcome.status, outcome.message, json.dumps(reply, sort_keys=True), \
        {name: array.tolist() for name, array in outcome.arrays.items()}


# -- the same outcomes ---------------------------------------------------------------------


def test_pages_through_lanes_give_what_one_process_per_page_gives(monkeypatch):
    jobs = [fixture_job("good/guide.en.md"), fixture_job("good/image.ja.md"), fixture_job("drift/example-raises.en.md"),
            job_of("import wandb\nimport numpy as np\nwandb.Image(np.random.rand(3, 3))")]
    on_lanes = sessions.run_all(jobs, "reference", 60, 2)
    monkeypatch.setenv(sessions.SESSIONS_VARIABLE, "per-page")
    per_page = sessions.run_all(jobs, "reference", 60, 2)
    assert [comparable(o) for o in on_lanes] == [comparable(o) for o in per_page]
    assert all(o.status == "ok" for o in on_lanes) and any(o.arrays for o in on_lanes)


# -- a page's failure is the page's ---------------------------------------------------------


def test_a_page_that_hangs_past_its_limit_is_a_timeout_and_the_next_page_runs(lane_of, monkeypatch):
    lane = lane_of()
    monkeypatch.setattr(sessions, "START_ALLOWANCE", 1.0)
    hangs = job_of("""
        import signal
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # deaf to its block's time limit
        while True:
            pass
        """)
    outcome = sessions.run_on_lane(hangs, lane, 1)
    assert outcome.status == "timeout" and outcome.message == "the example did not finish within 2 s"
    after = sessions.run_on_lane(job_of("import wandb\nimport numpy as np\nwandb.Image(np.zeros((2, 2)))"), lane, 60)
    assert after.status == "ok" and after.block(0).status == "ok"
    assert lane.starts == 1


def test_a_page_that_kills_its_process_is_a_crash_and_the_lane_goes_on(lane_of):
    lane = lane_of()
    outcome = sessions.run_on_lane(job_of("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"), lane, 60)
    assert outcome.status == "crash" and "killed by signal 9" in outcome.message
    assert sessions.run_on_lane(job_of("x = 1"), lane, 60).status == "ok"
    assert lane.starts == 1


def test_a_page_that_kills_its_server_is_a_crash_and_the_lane_starts_another(lane_of):
    lane = lane_of()
    outcome = sessions.run_on_lane(job_of("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"), lane, 60)
    assert outcome.status == "crash" and "no reply" in outcome.message
    assert sessions.run_on_lane(job_of("x = 1"), lane, 60).status == "ok"
    assert lane.starts == 2


def test_a_server_that_stops_answering_is_a_timeout_and_is_replaced(lane_of, monkeypatch):
    lane = lane_of()
    assert sessions.run_on_lane(job_of("x = 1"), lane, 60).status == "ok"  # started: no allowance for a start
    monkeypatch.setattr(lanes, "LANE_GRACE", 1.0)
    monkeypatch.setattr(sessions, "START_ALLOWANCE", 1.0)
    outcome = sessions.run_on_lane(job_of("import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)"), lane, 1)
    assert outcome.status == "timeout" and "was restarted" in outcome.message
    assert sessions.run_on_lane(job_of("x = 1"), lane, 60).status == "ok"
    assert lane.starts == 2


@pytest.mark.parametrize("mode", MODES)
def test_the_memory_limit_holds_for_each_page_on_a_lane(mode):
    job = job_of("import wandb\nb = bytearray(2 * 1024**3)")
    (outcome,) = sessions.run_all([job], "reference", 60, 1, mode, memory_limit=1024**3)
    assert outcome.block(0).status == "raised" and outcome.block(0).reply["error"]["type"] == "MemoryError"


def test_a_reply_that_lacks_the_pages_token_is_a_crash(lane_of):
    """What a page writes on the descriptors it finds reaches no reply pipe: the server's is closed in its child."""
    lane = lane_of()
    forge = """
        import json, os
        forged = json.dumps({"status": "ok", "token": "guess", "impl": {}, "blocks": [], "probes": [], "calls": [],
                             "logs": []})
        for fd in range(3, 64):
            try:
                os.write(fd, (forged + "\\n").encode())
            except OSError:
                pass
        os._exit(0)
        """
    outcome = sessions.run_on_lane(job_of(forge), lane, 60)
    assert outcome.status == "crash", outcome
    assert sessions.run_on_lane(job_of("x = 1"), lane, 60).status == "ok"


# -- nothing of a page reaches the next -----------------------------------------------------


LEAVES = """
    import os, subprocess, sys, time
    open("left.txt", "w").write("x")
    open("../beside.txt", "w").write("x")
    open(os.path.join(os.environ.get("TMPDIR", "/tmp"), "left-in-tmp.txt"), "w").write("x") if PRIVATE_TMP else None
    open("leaky_module.py", "w").write("VALUE = 1")
    sys.path.insert(0, os.getcwd())
    import leaky_module
    sys.modules["json"].leaked = True
    os.environ["LEAKED"] = "1"
    daemon = subprocess.Popen([sys.executable, "-c", "import os, time\\nif os.fork() == 0:\\n    os.setsid()\\n    "
                               "open('daemon.pid', 'w').write(str(os.getpid()))\\n    time.sleep(120)"])
    daemon.wait()
    while not os.path.exists("daemon.pid"):
        time.sleep(0.01)
    time.sleep(0.05)
    """

FINDS_NOTHING = """
    import json, os, sys
    assert os.listdir("..") == [os.path.basename(os.getcwd())], os.listdir("..")
    assert os.listdir(".") == [], os.listdir(".")
    assert "leaky_module" not in sys.modules and not hasattr(json, "leaked")
    assert "LEAKED" not in os.environ
    assert not PRIVATE_TMP or not os.path.exists("/tmp/left-in-tmp.txt")
    assert not os.path.exists("/proc/DAEMON"), "the previous page's daemon still runs"
    """


@pytest.mark.parametrize("mode", MODES)
def test_a_page_finds_nothing_the_previous_page_left(lane_of, mode):
    lane = lane_of(mode)
    private = str(mode == "bwrap")
    first = lane.run(sessions.request_of(job_of(LEAVES.replace("PRIVATE_TMP", private)), 60), 60)
    assert first.status == "replied" and first.reply["blocks"][0]["status"] == "ok", first
    assert first.folder is not None
    daemon = (first.folder / "daemon.pid").read_text()
    second = job_of(FINDS_NOTHING.replace("PRIVATE_TMP", private).replace("DAEMON", daemon))
    outcome = sessions.run_on_lane(second, lane, 60).block(0)
    assert outcome.status == "ok", outcome.reply.get("error")
    assert lane.starts == 1


# -- a server that cannot clear the previous page ---------------------------------------------

#: A stand-in server: answers "unclean" until the file MARK exists (it makes it unless STAYS), then replies.
UNCLEAN_SERVER = """
import json, os, sys
fd = int(sys.argv[sys.argv.index("--token-fd") + 1])
for line in sys.stdin:
    token = b""
    while not token.endswith(b"\\n"):
        token += os.read(fd, 1)
    status = "ok" if os.path.exists(MARK) else "unclean"
    if not STAYS:
        open(MARK, "w").close()
    print(json.dumps({"status": status, "message": "a file stayed", "token": token.decode().strip()}), flush=True)
"""


def unclean_lane(mark: Path, stays: bool) -> lanes.Lane:
    code = UNCLEAN_SERVER.replace("MARK", repr(str(mark))).replace("STAYS", repr(stays))
    return lanes.Lane(lanes.Server((sys.executable, "-c", code), {}, sys.executable, sandbox.choose("none"), None,
                                   30.0, 1 << 20))


def test_a_page_a_server_cannot_start_clean_goes_to_a_fresh_server(tmp_path):
    lane = unclean_lane(tmp_path / "cleared", stays=False)
    try:
        answer = lane.run({"blocks": []}, 10)
    finally:
        lane.close()
    assert answer.status == "replied" and answer.reply["status"] == "ok" and lane.starts == 2


def test_a_page_no_server_can_start_clean_is_a_crash_that_says_why(tmp_path):
    lane = unclean_lane(tmp_path / "cleared", stays=True)
    try:
        answer = lane.run({"blocks": []}, 10)
    finally:
        lane.close()
    assert answer.status == "crash" and answer.message == "the sandbox cannot give the page a clean start: a file stayed"


def test_each_page_is_told_as_it_ends_and_the_outcomes_keep_the_pages_order():
    jobs = [job_of(f"x = {n}", path=f"told-{n}.en.md") for n in range(3)]
    told = []
    outcomes = sessions.run_all(jobs, "reference", 60, 2, on_done=lambda job, outcome: told.append((job, outcome)))
    assert sorted(j.label for j, _ in told) == [j.label for j in jobs]
    by_job = {id(job): outcome for job, outcome in told}
    assert [by_job[id(job)] for job in jobs] == outcomes
