"""pytest --wbimage-capture DIR: a test session's wandb.Image inputs, kept as the capture
command keeps a program's."""

from __future__ import annotations

import subprocess
import sys

from capture_project import environment, write_project

from wbimage_conformance.capture import manifest

TESTS = '''
import numpy as np
import wandb


def test_logs_an_image():
    assert wandb.Image(np.full((2, 2), 7, dtype=np.uint8)).kind == "ndarray"
'''


def run_pytest(project, *args):
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
                          cwd=project, env=environment(project), capture_output=True, text=True, timeout=120)


def test_the_session_inputs_are_kept_and_summed_up(tmp_path):
    project = write_project(tmp_path / "project")
    (project / "test_logging.py").write_text(TESTS)
    done = run_pytest(project, "--wbimage-capture", str(tmp_path / "dir"), "test_logging.py")
    assert done.returncode == 0, done.stdout + done.stderr
    (site,) = manifest.read(tmp_path / "dir")["sites"]
    assert site["file"] == str(project / "test_logging.py") and site["function"] == "test_logs_an_image"
    assert site["samples"][0]["max"] == 7
    assert "wbimage capture: 1 call site(s), 1 call(s), 1 sample(s) kept" in done.stderr


def test_a_file_as_the_folder_is_a_usage_error(tmp_path):
    project = write_project(tmp_path / "project")
    (project / "test_logging.py").write_text(TESTS)
    (tmp_path / "file").write_text("")
    done = run_pytest(project, "--wbimage-capture", str(tmp_path / "file"), "test_logging.py")
    assert done.returncode == 4
    assert f"--wbimage-capture: {tmp_path / 'file'}: not a folder" in done.stderr


def test_under_xdist_the_workers_parts_are_merged(tmp_path):
    project = write_project(tmp_path / "project")
    (project / "test_many.py").write_text(
        "import numpy as np, pytest, wandb\n\n\n@pytest.mark.parametrize('i', range(6))\n"
        "def test_log(i):\n    wandb.Image(np.full((2, 2), i, dtype=np.uint8))\n")
    done = run_pytest(project, "-n", "2", "--wbimage-capture", str(tmp_path / "dir"), "test_many.py")
    assert done.returncode == 0, done.stdout + done.stderr
    data = manifest.read(tmp_path / "dir")
    assert [(site["calls"], site["kept"]) for site in data["sites"]] == [(6, 6)]
    assert sorted(sample["max"] for sample in data["sites"][0]["samples"]) == list(range(6))
    assert len(data["processes"]) == 2
