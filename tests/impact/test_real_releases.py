"""The release models against the real releases: every gallery sample, and about 165 invented
inputs of every dtype, layout, range, keyword and tensor kind (tests/fixtures/invented_samples.py,
two seeds), must give exactly the pixels and mode (or the same exception type) the release gives.

Opt-in, because it needs a virtualenv per release: set WBIMAGE_RELEASE_VENVS to a folder
holding `wandb-X/bin/python` (`.ci/releases` makes 0.28.2 and 0.31.0); every `wandb-*` there
whose version has a model is checked. A release installed with another Pillow than this
process's is skipped: the models use this process's Pillow.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import invented_samples
import PIL
import pytest

from wbimage_conformance.capture import gallery
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
