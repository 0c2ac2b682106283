"""The release models against the real releases: every gallery sample, and about 165 invented
inputs of every dtype, layout, range, keyword and tensor kind (tests/fixtures/invented_samples.py,
two seeds), must give exactly the pixels and mode (or the same exception type) the release gives.

A training script captured under the release is then run through `impact --verify` from that
release: the release itself runs every sample again, and the model must agree on each.

Opt-in, because it needs a virtualenv per release: set WBIMAGE_RELEASE_VENVS to a folder
holding `wandb-X/bin/python` (`.ci/releases` makes 0.28.2 and 0.31.0); every `wandb-*` there
whose version has a model is checked. A release installed with another Pillow than this
process's is skipped: the models use this process's Pillow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import invented_samples
import PIL
import pytest

from wbimage_conformance.capture import gallery
from wbimage_conformance.commands import cli
from wbimage_conformance.impact import engine, models, samples
from wbimage_conformance.impact.real import RealSide

VENVS = os.environ.get("WBIMAGE_RELEASE_VENVS")
PYTHONS = sorted(Path(VENVS).glob("wandb-*/bin/python")) if VENVS else []


def version_of(python: Path) -> str:
    return python.parents[1].name.split("-")[1]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[samples.Sample]:
    root = tmp_path_factory.mktemp("inputs")
    gallery.write(root / "gallery")
    for seed in (7, 99):
        invented_samples.write(root / f"invented-{seed}", seed)
    found = samples.read([root / "gallery", root / "invented-7", root / "invented-99"])
    return [s for s in found if not s.skipped]


@pytest.mark.skipif(not PYTHONS, reason="set WBIMAGE_RELEASE_VENVS to a folder with wandb-X/bin/python")
@pytest.mark.parametrize("python", PYTHONS, ids=lambda path: path.parents[1].name)
def test_the_model_gives_what_the_release_gives(python, inputs):
    version = version_of(python)
    model = models.release_model(version)
    if model is None:
        pytest.skip(f"no model of wandb {version}")
    theirs = subprocess.run([str(python), "-c", "import PIL; print(PIL.__version__)"], capture_output=True, text=True,
                            check=True).stdout.strip()
    if theirs != PIL.__version__:
        pytest.skip(f"the release has Pillow {theirs}, the models use {PIL.__version__}")
    real = RealSide(f"wandb@{python}", sandbox_mode="none")
    with real.opened():
        answers = real.render_all([(sample, sample.load()) for sample in inputs])
    differing = []
    for sample, answer in zip(inputs, answers, strict=True):
        assert answer.failed is None, f"{sample.label}: {answer.failed}"
        modelled = model.render(sample, sample.load())
        if not engine.same(modelled, answer):
            differing.append(f"{sample.described}: model {engine.summary(modelled)}; real {engine.summary(answer)}")
    assert len(inputs) > 300
    assert not differing, "\n".join(differing)


TRAINING = '''
import numpy as np
import torch
import wandb

rng = np.random.default_rng(1)
for step in range(3):
    wandb.Image(rng.random((20, 24)).astype(np.float32))                      # an attention map in [0, 1)
    wandb.Image(torch.sigmoid(torch.randn(3, 20, 24)))                        # a generator's output
    wandb.Image((rng.random((20, 24)) > 0.5).astype(np.uint8) * 255, mode="L", file_type="jpg")
print("ok")
'''


@pytest.mark.skipif(not PYTHONS, reason="set WBIMAGE_RELEASE_VENVS to a folder with wandb-X/bin/python")
@pytest.mark.parametrize("python", PYTHONS, ids=lambda path: path.parents[1].name)
def test_a_capture_under_the_release_is_verified_by_it(python, tmp_path, capsys):
    """Capture a training script under the release, then `impact --verify` from that release:
    every sample is run by the release again, and its model must agree on each."""
    version = version_of(python)
    if models.release_model(version) is None or f"wandb-{version}" != python.parents[1].name:
        pytest.skip(f"{python.parents[1].name}: not a release with a model")
    (tmp_path / "train.py").write_text(TRAINING)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["WANDB_MODE"] = "disabled"
    done = subprocess.run([sys.executable, "-m", "wbimage_conformance.capture", str(tmp_path / "cap"), "--",
                           str(python), "train.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    code = cli.main(["impact", "--from", version, "--to", "spec", str(tmp_path / "cap"), "--verify",
                     "--verify-samples", "0", "--venvs", str(python.parents[2]), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code != 3
    assert report["totals"]["samples"] == 9
    (check,) = report["verification"]
    assert (check["checked"], check["disagreements"], check["unanswered"]) == (9, [], 0)
