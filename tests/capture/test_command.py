"""python -m wbimage_conformance.capture DIR -- COMMAND: the program runs as before, and DIR
holds, per call site, the first inputs it gave wandb.Image, within the limits, said in the
manifest and in one line on stderr."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import numpy as np
import pytest
from capture_project import line_of, run_captured, run_plain, write_project

from wbimage_conformance.capture import manifest


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return write_project(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="module")
def train_run(project, tmp_path_factory):
    directory = tmp_path_factory.mktemp("capture") / "dir"
    done = run_captured(project, directory, "train.py", limits=("--max-per-site", "5"))
    return directory, done


def sites_by_marker(project: Path, data: dict, script: str, markers: list[str]) -> dict[str, dict]:
    by_key = {site["site"]: site for site in data["sites"]}
    return {marker: by_key[f"{project / script}:{line_of(project / script, marker)}"] for marker in markers}


def test_three_call_sites_are_found_through_a_loop_and_a_helper_module(project, train_run):
    directory, done = train_run
    assert done.returncode == 0, done.stderr
    data = json.loads((directory / "manifest.json").read_text())
    assert len(data["sites"]) == 4
    sites = sites_by_marker(project, data, "train.py", ["loop", "depth", "error"])
    helper = next(site for site in data["sites"] if site["file"] == str(project / "viz.py"))
    assert helper["line"] == line_of(project / "viz.py", "helper") and helper["function"] == "show"
    assert [sites["loop"]["calls"], sites["depth"]["calls"], sites["error"]["calls"], helper["calls"]] == [12, 1, 1, 1]


def test_the_first_n_of_a_site_are_kept_and_the_rest_counted(project, train_run):
    directory, _ = train_run
    loop = sites_by_marker(project, json.loads((directory / "manifest.json").read_text()), "train.py", ["loop"])["loop"]
    assert loop["kept"] == 5 and loop["dropped"] == {"count": 7, "bytes": 0, "total": 0, "error": 0}
    assert [sample["index"] for sample in loop["samples"]] == [0, 1, 2, 3, 4]
    for step, sample in enumerate(loop["samples"]):
        kept = np.load(directory / sample["file"])
        np.testing.assert_array_equal(kept, np.full((4, 4, 3), step / 10, dtype=np.float32))
        assert (sample["dtype"], sample["shape"], sample["kind"]) == ("float32", [4, 4, 3], "numpy")
        assert sample["min"] == sample["max"] == pytest.approx(step / 10, rel=1e-6)


def test_tensors_arrays_and_arguments_are_described(project, train_run):
    directory, _ = train_run
    data = json.loads((directory / "manifest.json").read_text())
    depth = sites_by_marker(project, data, "train.py", ["depth"])["depth"]["samples"][0]
    assert (depth["dtype"], depth["shape"], depth["min"], depth["max"]) == ("int16", [6, 8], 300, 347)
    assert depth["kwargs"] == {"mode": "I", "normalize": False, "file_type": None}
    tensor = next(site for site in data["sites"] if site["file"].endswith("viz.py"))["samples"][0]
    assert (tensor["kind"], tensor["dtype"], tensor["shape"], tensor["min"], tensor["max"]) == (
        "torch", "float32", [3, 4, 4], 0.0, 1.0)
    assert tensor["torch"] == {"dtype": "torch.float32", "device": "cpu", "requires_grad": False}
    assert tensor["kwargs"] == {"mode": None, "normalize": True, "file_type": None}
    assert tensor["other_kwargs"] == ["caption"]


def test_captions_are_not_kept(train_run):
    directory, _ = train_run
    for path in directory.rglob("*"):
        if path.is_file():
            assert b"secret-caption-text" not in path.read_bytes() and b"private caption" not in path.read_bytes()


def test_an_input_wandb_refuses_is_kept_and_the_error_reaches_the_program(project, train_run):
    directory, done = train_run
    assert "error: Un-supported shape for image conversion [2, 2, 7]" in done.stdout
    data = json.loads((directory / "manifest.json").read_text())
    error = sites_by_marker(project, data, "train.py", ["error"])["error"]
    assert error["samples"][0]["shape"] == [2, 2, 7]


def test_the_program_prints_and_returns_what_it_did_without_capture(project, train_run):
    _, done = train_run
    plain = run_plain(project, "train.py")
    assert done.stdout == plain.stdout
    assert "logged 14 ['ndarray', 'Tensor', 'ndarray'] True" in done.stdout  # the real results, isinstance kept
    captured_err = done.stderr.splitlines()
    assert captured_err[:-1] == plain.stderr.splitlines()
    assert captured_err[-1].startswith("wbimage capture: 4 call site(s), 15 call(s), 8 sample(s) kept")


def test_the_summary_line_states_the_limits_and_what_they_dropped(train_run):
    _, done = train_run
    last = done.stderr.splitlines()[-1]
    assert "dropped 7: 7 over --max-per-site" in last
    assert "limits: first 5 per site, 67108864 bytes per site, 1073741824 bytes in all" in last


def test_the_manifest_states_the_limits_and_the_sampling(train_run):
    directory, _ = train_run
    data = manifest.read(directory)
    assert data["limits"] == {"max_per_site": 5, "max_bytes_per_site": 64 * 1024 * 1024,
                              "max_total_bytes": 1024 * 1024 * 1024}
    assert data["sampling"] == "first"
    assert data["processes"][0]["wandb"] == "0.0.test"


@pytest.mark.parametrize("code", [0, 3, 1])
def test_the_program_exit_code_is_passed_through(project, tmp_path, code):
    done = run_captured(project, tmp_path / "dir", "loop.py", str(code))
    assert done.returncode == code
    assert manifest.read(tmp_path / "dir")["sites"], "what was captured before the exit is kept"


def test_a_crash_is_passed_through_with_its_traceback(project, tmp_path):
    (project / "crash.py").write_text("import numpy as np, wandb\nwandb.Image(np.zeros((2, 2)))\n1 / 0\n")
    done = run_captured(project, tmp_path / "dir", "crash.py")
    plain = run_plain(project, "crash.py")
    assert done.returncode == plain.returncode == 1
    assert done.stderr.splitlines()[:-1] == plain.stderr.splitlines()
    assert manifest.read(tmp_path / "dir")["sites"][0]["kept"] == 1


def test_a_program_ended_by_a_signal_exits_as_a_shell_says(project, tmp_path):
    (project / "killed.py").write_text("import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n")
    done = run_captured(project, tmp_path / "dir", "killed.py")
    assert done.returncode == 128 + signal.SIGTERM


def test_a_program_that_builds_no_image_gets_an_empty_manifest(project, tmp_path):
    done = run_captured(project, tmp_path / "dir", "-c", "print('nothing')")
    assert done.returncode == 0 and done.stdout == "nothing\n"
    assert manifest.read(tmp_path / "dir")["sites"] == []


def test_python_dash_m_and_forked_workers_share_the_limits(project, tmp_path):
    done = run_captured(project, tmp_path / "dir", "processes.py", limits=("--max-per-site", "5"))
    assert done.returncode == 0, done.stderr
    assert "exit codes [0, 0, 0, 0]" in done.stdout
    data = manifest.read(tmp_path / "dir")
    worker = sites_by_marker(project, data, "processes.py", ["worker"])["worker"]
    assert (worker["calls"], worker["kept"], worker["dropped"]["count"]) == (40, 5, 35)
    assert sorted(sample["index"] for sample in worker["samples"]) == [0, 1, 2, 3, 4]
    assert len({sample["pid"] for sample in worker["samples"]}) >= 1
    module = sites_by_marker(project, data, "childmod.py", ["module"])["module"]
    assert module["kept"] == 1
    assert len(data["processes"]) == 5  # four workers and the `-m` subprocess; the parent built no Image


def test_hostile_inputs_are_described_and_never_disturb_the_program(project, tmp_path):
    done = run_captured(project, tmp_path / "dir", "hostile.py", limits=("--max-bytes-per-site", "1M"))
    assert (done.returncode, done.stdout) == (0, "done\n")
    sites = sites_by_marker(project, manifest.read(tmp_path / "dir"), "hostile.py",
                            ["meta", "grad", "zero-d", "huge", "object", "bfloat16", "pil", "path", "nan", "int64"])
    sample = {marker: (site["samples"][0] if site["samples"] else None) for marker, site in sites.items()}
    assert sample["meta"]["file"] is None and "meta" in sample["meta"]["note"]
    assert sample["meta"]["torch"]["device"] == "meta" and sample["meta"]["shape"] == [3, 8, 8]
    assert sample["grad"]["torch"]["requires_grad"] is True and sample["grad"]["max"] == 0.5
    assert (sample["zero-d"]["shape"], sample["zero-d"]["min"]) == ([], 0.75)
    assert np.load(tmp_path / "dir" / sample["zero-d"]["file"]).shape == ()
    assert sample["huge"] is None and sites["huge"]["dropped"]["bytes"] == 1
    assert sample["object"]["file"] is None and "object" in sample["object"]["note"]
    assert (sample["bfloat16"]["dtype"], sample["bfloat16"]["torch"]["dtype"]) == ("bfloat16", "torch.bfloat16")
    assert np.load(tmp_path / "dir" / sample["bfloat16"]["file"]).dtype == np.float32
    assert sample["pil"]["file"].endswith(".png") and sample["pil"]["pil_mode"] == "RGB"
    assert sample["pil"]["shape"] == [4, 5]
    assert sample["path"]["path"] == "pictures/cat.png" and sample["path"]["file"] is None
    assert (sample["nan"]["min"], sample["nan"]["max"], sample["nan"]["has_nan"]) == ("-inf", 2.0, True)
    assert (sample["int64"]["min"], sample["int64"]["max"]) == (-(2 ** 63), 2 ** 63 - 1)
    assert all(site["dropped"]["error"] == 0 for site in sites.values())


def test_the_total_cap_holds_across_sites(project, tmp_path):
    done = run_captured(project, tmp_path / "dir", "loop.py", limits=("--max-total-bytes", "1000"))
    assert done.returncode == 0
    data = manifest.read(tmp_path / "dir")
    assert sum(sample["bytes"] for site in data["sites"] for sample in site["samples"]) <= 1000
    assert sum(site["dropped"]["total"] for site in data["sites"]) > 0
    assert "over --max-total-bytes" in done.stderr.splitlines()[-1]


# -- refused before the program starts: one line, exit code 2 ----------------------------------


def test_a_file_as_the_folder_is_refused_and_the_program_never_runs(project, tmp_path):
    target = tmp_path / "not-a-folder"
    target.write_text("x")
    (project / "marker.py").write_text("open('ran', 'w').close()\n")
    done = run_captured(project, target, "marker.py")
    assert done.returncode == 2
    assert done.stderr == (f"wbimage capture: {target}: not a folder "
                           "(the capture folder must be a folder or not exist)\n")
    assert not (project / "ran").exists()


def test_a_folder_that_cannot_be_written_is_refused(project, tmp_path):
    if os.geteuid() == 0:
        target = Path("/sys/wbimage-capture-test")  # not even root may make a folder there
        if not Path("/sys").is_dir():
            pytest.skip("running as root without /sys: no folder root cannot write")
    else:
        (tmp_path / "locked").mkdir(mode=0o500)
        target = tmp_path / "locked" / "dir"
    done = run_captured(project, target, "train.py")
    assert done.returncode == 2
    assert done.stderr.startswith(f"wbimage capture: {target}: cannot write the capture folder: ")
    assert len(done.stderr.splitlines()) == 1 and done.stdout == ""


@pytest.mark.parametrize("limits, said", [
    (("--max-per-site", "-1"), "'-1' is not a whole number"),
    (("--max-bytes-per-site", "12X"), "'12X' is not a byte count"),
    (("--max-total-bytes", "9" * 30), "is not a byte count"),
])
def test_a_bad_limit_is_refused(project, tmp_path, limits, said):
    done = run_captured(project, tmp_path / "dir", "train.py", limits=limits)
    assert done.returncode == 2 and said in done.stderr and done.stdout == ""
    assert done.stderr.startswith(f"wbimage capture: argument {limits[0]}: ") and len(done.stderr.splitlines()) == 1


def test_a_command_that_does_not_exist_is_refused(tmp_path):
    from wbimage_conformance.capture.__main__ import main

    assert main([str(tmp_path / "dir"), "--", str(tmp_path / "no-such-program")]) == 2


def test_no_command_is_refused(tmp_path, capsys):
    from wbimage_conformance.capture.__main__ import main

    assert main([str(tmp_path / "dir")]) == 2
    said = capsys.readouterr().err
    assert said == "wbimage capture: no command: write it after `--`, e.g. `DIR -- python train.py`\n"
