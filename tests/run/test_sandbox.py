"""The sandbox against the catalogue of hostile implementations (fixtures/hostile_impls.py)
and hostile documentation examples: each attack gets the outcome the sandbox must give. The
sandbox shows the environment and hides the suite's data, so the attacks on data are tried
with that data in sight: the run's case file beside the implementation's code, the suite's
checkout and a validated-case cache in folders on PYTHONPATH.

Skipped, with the reason, where bubblewrap is not installed or cannot run (no user
namespaces); the `none` baselines run everywhere and show the attacks work without it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import sysconfig
import textwrap
import time
import uuid
from pathlib import Path

import pytest

import wbimage_conformance
from wbimage_conformance.cases import casefiles
from wbimage_conformance.doccheck import classify, examples, sessions, specdata
from wbimage_conformance.doccheck.markdown import parse_page
from wbimage_conformance.errors import ConfigurationError
from wbimage_conformance.model import Status
from wbimage_conformance.run import runner, sandbox

import runner_support as support

BWRAP = sandbox.choose("auto")
needs_bwrap = pytest.mark.skipif(BWRAP.kind != "bwrap", reason=f"no usable bubblewrap here: {BWRAP.description}")


@pytest.fixture
def listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield server
    server.close()


#: Where the run's case file is: outside everything shown (the private /tmp), beside the
#: implementation's code in a folder on PYTHONPATH (hidden alone), or in a folder of its own
#: inside one (hidden with its folder).
CASE_PLACES = ("private", "beside-code", "shown-folder")
_SUITE_PACKAGE = Path(wbimage_conformance.__file__).resolve().parent
#: The suite's source checkout when it runs from one (an editable install); None for a wheel.
CHECKOUT = _SUITE_PACKAGE.parent if _SUITE_PACKAGE.name != "wbimage_conformance" else None


@pytest.fixture
def target(tmp_path, monkeypatch, listener, request):
    """hostile_target.py naming what the hostile implementations attack, and the cases. The
    folder holding it is on PYTHONPATH, with a validated-case cache inside; so is the suite's
    checkout (when it runs from one): both are shown, and what they hold of the suite's data
    must still be hidden."""
    place = getattr(request, "param", "private")
    target_dir = tmp_path / "target"
    cases_dir = {"private": tmp_path / "cases", "beside-code": target_dir, "shown-folder": target_dir / "cases"}[place]
    cases_dir.mkdir(parents=True, exist_ok=True)
    cache_dir = target_dir / "cache" / "wbimage-conformance"
    cache_dir.mkdir(parents=True)
    (cache_dir / "cases-0000.json").write_text('{"cases": []}', encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_dir.parent))
    marker = f"hostile-daemon-{uuid.uuid4().hex}"
    (target_dir / "hostile_target.py").write_text(
        f"CASES_DIR = {str(cases_dir)!r}\nSUITE_DIR = {str(Path(wbimage_conformance.__file__).parent)!r}\n"
        f"PORT = {listener.getsockname()[1]}\nMARKER = {marker!r}\nPROCESSES = {sandbox.process_limit() + 64}\n"
        f"CACHE_DIR = {str(cache_dir)!r}\nCHECKOUT = {str(CHECKOUT) if CHECKOUT else None!r}\n",
        encoding="utf-8")
    support.use_fixtures_path(monkeypatch)
    shown = [str(target_dir), *([str(CHECKOUT)] if CHECKOUT else []), os.environ["PYTHONPATH"]]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(shown))
    path = support.write_cases(cases_dir, [support.case("unit", title=marker)])
    return {"cases": casefiles.load_cases([path]), "marker": marker}


def status_of(target, name: str, mode: str) -> Status:
    (result,) = runner.run(target["cases"], f"hostile_impls:{name}", sandbox_mode=mode, timeout=60).results
    return result.status


def running_with(marker: str) -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            pass
    return found


ATTACKS_ON_DATA = ["ReadsShippedCases", "ReadsShippedExpectations", "ReadsSuiteCheckout", "ReadsCaseCache",
                   "LoadsCasesThroughTheSuite"]
ATTACKS_ON_THE_RUNS_CASES = ["ReadsCaseFiles", "GlobsForCaseFiles", "ComputesWithOracleFromCaseFile"]


@needs_bwrap
@pytest.mark.parametrize("name", ["OpensSocket", "WritesSuiteFiles", "WritesSitePackages", "StartsManyProcesses",
                                  *ATTACKS_ON_DATA])
def test_each_attack_fails_in_the_sandbox(target, name):
    assert status_of(target, name, "bwrap") is Status.FAILED
    assert not (Path(wbimage_conformance.__file__).parent / "hostile_canary.py").exists()
    assert not (Path(sysconfig.get_paths()["purelib"]) / "hostile_canary.py").exists()


@needs_bwrap
@pytest.mark.parametrize("target", CASE_PLACES, indirect=True)
@pytest.mark.parametrize("name", ATTACKS_ON_THE_RUNS_CASES)
def test_the_runs_own_case_files_are_hidden_wherever_they_are(target, name):
    assert status_of(target, name, "bwrap") is Status.FAILED


@pytest.mark.parametrize("name", ["ReadsCaseFiles", "OpensSocket", "StartsManyProcesses", "ComputesWithOracleFromCaseFile",
                                  *[a for a in ATTACKS_ON_DATA if a != "ReadsSuiteCheckout" or CHECKOUT]])
def test_without_the_sandbox_the_attacks_work(target, name):
    """The baseline: the catalogue's attacks are real (they pass when nothing stops them)."""
    assert status_of(target, name, "none") is Status.PASSED


@needs_bwrap
def test_a_fork_bomb_costs_its_case_a_timeout_and_the_run_goes_on(tmp_path, target):
    """Capped at the sandbox's process limit, the bomb cannot take the machine's process table
    (or the runner's next worker) with it; at --timeout the sandbox and all in it are killed."""
    path = support.write_cases(tmp_path, [support.case("bomb", kwargs={"caption": "bomb"}), support.case("after")])
    bomb, after = runner.run(casefiles.load_cases([path]), "hostile_impls:ForkBomb", sandbox_mode="bwrap",
                             timeout=5).results
    assert bomb.status is Status.TIMEOUT and "no answer within 5 s" in bomb.message
    assert bomb.duration_s < 15
    assert after.status is Status.PASSED
    assert gone_within("hostile_impls:ForkBomb", seconds=5) == []


@needs_bwrap
def test_a_daemon_child_dies_with_the_run(target):
    status_of(target, "SpawnsDaemon", "bwrap")
    assert gone_within(target["marker"], seconds=5) == []


def gone_within(marker: str, seconds: float) -> list[str]:
    """The processes still running with `marker` once they had `seconds` to go: the kernel
    takes a moment to tear down a PID namespace and reap what was in it."""
    deadline = time.monotonic() + seconds
    while running_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    return running_with(marker)


def test_bwrap_demanded_where_it_cannot_run_is_a_configuration_error(monkeypatch):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    with pytest.raises(ConfigurationError, match="--sandbox bwrap: bwrap is not installed"):
        sandbox.choose("bwrap")
    assert sandbox.choose("auto").description.startswith("none (--sandbox auto: bwrap is not installed")


@needs_bwrap
def test_the_report_header_names_the_sandbox(target):
    report = runner.run(target["cases"], "reference", sandbox_mode="bwrap")
    assert report.environment.sandbox.startswith("bwrap")
    report = runner.run(target["cases"], "reference", sandbox_mode="none")
    assert report.environment.sandbox.startswith("none (--sandbox none")


@needs_bwrap
def test_the_memory_limit_holds_inside(target):
    """Set before exec: a 64 MB address space cannot even start Python with NumPy."""
    with pytest.raises(runner.RunnerError):
        runner.run(target["cases"], "reference", sandbox_mode="bwrap", memory_limit=64 * 1024 * 1024)


# -- hostile documentation examples --------------------------------------------------------


def run_example(code: str, mode: str):
    code = "import wandb\n" + textwrap.dedent(code).strip()
    text = f"## Examples\n\nRun it\n\n```python\n{code}\n```\n"
    page = classify.classify(parse_page(text, "hostile.en.md"))
    (block,) = page.examples
    job = sessions.plan(page, [block])
    outcome = sessions.run_page(job, sessions.sandbox_command("reference", mode), 60)
    return outcome.block(0), examples.evaluate_page(job, outcome, specdata.load(), "reference")[1][0]


FORGE_AND_EXIT = """
import json, os
import numpy as np
forged = json.dumps({"status": "ok", "impl": {}, "blocks": [{"id": 0, "status": "ok", "error": None, "variables": {}}],
                     "probes": [], "calls": [], "logs": []})
for fd in range(3, 64):
    try:
        os.write(fd, forged.encode())
    except OSError:
        pass
os._exit(0)
wandb.Image(np.zeros((2, 2)))
"""


@pytest.mark.parametrize("mode", ["none", pytest.param("bwrap", marks=needs_bwrap)])
def test_a_forged_reply_followed_by_exit_is_not_a_pass(mode):
    outcome, run = run_example(FORGE_AND_EXIT, mode)
    assert outcome.status == "crash", outcome
    assert run.status != "passed"
    assert "no record of the wandb.Image call on example line(s) 12" in outcome.message, outcome.message


FLOOD_STDERR = """
import os
block = b"e" * (1 << 20)
for _ in range(800):
    os.write(2, block)
os.write(1, block)  # an example's fd 1 is its stderr too
"""


def test_an_example_writing_800_mb_to_stderr_is_read_in_bounded_memory():
    """Measured in a process of its own: its peak memory grows far less than the 800 MB
    (the growth over the peak its imports reached; what the imports take varies with the
    environment, torch or not)."""
    probe = textwrap.dedent(f"""
        import resource, sys
        sys.path[:0] = {[str(Path(__file__).parent), str(support.FIXTURES)]!r}
        import test_sandbox
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        outcome, _ = test_sandbox.run_example({FLOOD_STDERR!r}, "auto")
        print(outcome.status, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
        """)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).parent)
    assert done.returncode == 0, done.stderr[-2000:]
    status, growth_mib = done.stdout.split()
    assert status == "ok"
    assert int(growth_mib) < 200, f"peak grew by {growth_mib} MiB"


def test_a_reply_pipe_written_past_its_limit_is_a_crash(tmp_path):
    flood = f"import os\nfor _ in range({sessions.MAX_REPLY_BYTES // (1 << 20) + 2}):\n    os.write(1, b'x' * (1 << 20))\n"
    page, block = _one_block("import wandb\nwandb.Image(None)")
    job = sessions.plan(page, [block])
    launch = sessions.Launch([sys.executable, "-c", flood], {}, sys.executable, sandbox.choose("none"))
    outcome = sessions.run_page(job, launch, 60)
    assert outcome.status == "crash"
    assert outcome.message == f"the example process wrote more than {sessions.MAX_REPLY_BYTES} bytes on its reply pipe"


def _one_block(code: str):
    page = classify.classify(parse_page(f"## Examples\n\nRun it\n\n```python\n{code}\n```\n", "flood.en.md"))
    (block,) = page.examples
    return page, block


@needs_bwrap
def test_an_example_cannot_read_the_callers_home(tmp_path, monkeypatch):
    secret = tmp_path / "home" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("token", encoding="utf-8")
    monkeypatch.setenv("HOME", str(secret.parent))
    outcome, _ = run_example(f"""
        import os
        assert os.environ["HOME"] != {str(secret.parent)!r}, "the caller's HOME leaked"
        open({str(secret)!r}).read()
        """, "bwrap")
    assert outcome.status == "raised"
    assert outcome.reply["error"]["type"] == "FileNotFoundError", outcome.reply["error"]


@needs_bwrap
def test_an_example_has_no_network_even_through_the_raw_socket_module(listener):
    port = listener.getsockname()[1]
    outcome, _ = run_example(f"""
        import _socket
        s = _socket.socket()
        s.connect(("127.0.0.1", {port}))
        """, "bwrap")
    assert outcome.status == "raised"
    assert outcome.reply["error"]["type"] in ("OSError", "ConnectionRefusedError"), outcome.reply["error"]
    listener.settimeout(0.1)
    with pytest.raises(socket.timeout):
        listener.accept()


@needs_bwrap
def test_inside_multiprocessing_locks_work_in_a_private_dev_shm():
    """wandb 0.19.0 and 0.19.1 start an offline run with multiprocessing queues, whose locks
    are POSIX semaphores in /dev/shm: the sandbox's user must be able to make them there, and
    what it makes must not reach the host's /dev/shm."""
    marker = f"wbimage-shm-probe-{os.getpid()}"
    code = ("import multiprocessing, os; multiprocessing.Lock(); "
            f"open('/dev/shm/{marker}', 'w').write('x'); print(sorted(os.listdir('/dev/shm')))")
    argv, env = BWRAP.wrap([sys.executable, "-c", code], {}, python=sys.executable)
    done = subprocess.run(argv, env=env or None, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == repr([marker])
    assert not os.path.exists(f"/dev/shm/{marker}")


@needs_bwrap
def test_inside_the_host_name_resolves_without_any_network():
    """Code that looks up its own host name (wandb 0.20.1 does in all_boxes and all_masks)
    gets localhost from the sandbox's private hosts file."""
    code = "import socket; print(socket.gethostname(), socket.gethostbyname(socket.gethostname()))"
    argv, env = BWRAP.wrap([sys.executable, "-c", code], {}, python=sys.executable)
    done = subprocess.run(argv, env=env or None, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["localhost", "127.0.0.1"]


@pytest.mark.parametrize("mode", ["none", pytest.param("bwrap", marks=needs_bwrap)])
def test_an_example_over_the_memory_limit_fails_with_memory_error(mode):
    code = "import wandb\nb = bytearray(2 * 1024**3)"
    page, block = _one_block(code)
    job = sessions.plan(page, [block])
    outcome = sessions.run_page(job, sessions.sandbox_command("reference", mode, memory_limit=1024**3), 60).block(0)
    assert outcome.status == "raised", outcome
    assert outcome.reply["error"]["type"] == "MemoryError"
