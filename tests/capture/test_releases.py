"""Capture under real wandb releases: the agent finds and wraps each release's Image, and the
program prints what it prints without capture.

Opt-in, because it needs a virtualenv per release: set WBIMAGE_RELEASE_VENVS to a folder
holding `wandb-X/bin/python` (`.ci/releases` makes `.venvs/wandb-0.28.2` and `wandb-0.31.0`);
every `wandb-*` found there is tried, with torch tensors where the venv has torch.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from wbimage_conformance.capture import manifest

VENVS = os.environ.get("WBIMAGE_RELEASE_VENVS")
PYTHONS = sorted(Path(VENVS).glob("wandb-*/bin/python")) if VENVS else []

SCRIPT = '''
import importlib.util
import os

import numpy as np
import wandb

os.environ["WANDB_MODE"] = "disabled"
images = [wandb.Image(np.full((4, 4, 3), step / 10, dtype=np.float32)) for step in range(3)]  # site: loop
images.append(wandb.Image(np.arange(300, 348, dtype=np.int16).reshape(6, 8), caption="depth"))  # site: depth
if importlib.util.find_spec("torch"):
    import torch
    images.append(wandb.Image(torch.rand((3, 4, 4), generator=torch.Generator().manual_seed(1))))  # site: tensor
print([type(image).__name__ for image in images], all(isinstance(image, wandb.Image) for image in images))
'''


def run(python: Path, folder: Path, *capture: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    command = [sys.executable, "-m", "wbimage_conformance.capture", *capture, "--"] if capture else []
    return subprocess.run([*command, str(python), "train.py"], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.skipif(not PYTHONS, reason="set WBIMAGE_RELEASE_VENVS to a folder with wandb-X/bin/python")
@pytest.mark.parametrize("python", PYTHONS, ids=lambda path: path.parents[1].name)
def test_a_release_is_captured_and_the_program_unchanged(python, tmp_path):
    (tmp_path / "train.py").write_text(SCRIPT)
    plain = run(python, tmp_path)
    captured = run(python, tmp_path, str(tmp_path / "dir"))
    assert (captured.returncode, captured.stdout) == (plain.returncode, plain.stdout) == (0, plain.stdout)
    data = manifest.read(tmp_path / "dir")
    assert [p["wandb"] for p in data["processes"]] == [python.parents[1].name.split("-")[1]]
    has_torch = data["processes"][0]["torch"] is not None
    expected = {"loop": 3, "depth": 1, **({"tensor": 1} if has_torch else {})}
    lines = {text.rsplit("# site: ", 1)[1]: number
             for number, text in enumerate((tmp_path / "train.py").read_text().splitlines(), 1) if "# site: " in text}
    assert {site["line"]: site["calls"] for site in data["sites"]} == {lines[name]: n for name, n in expected.items()}
    # no call passed mode, normalize or file_type: the defaults are recorded, as not given
    assert all(sample["given"] == [] for site in data["sites"] for sample in site["samples"])
