"""torchvision's utils module, installed alone into a release virtualenv whose source calls
make_grid: the module byte for byte, a package that imports only it, a version that says so;
nothing for a release that does not draw with make_grid; clear errors otherwise."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from wbimage_conformance.history import grid_torchvision as grid
from wbimage_conformance.history import venvs

#: Stands in for torchvision's utils.py: the test checks it arrives unchanged and is what runs.
FAKE_UTILS = b"def make_grid(tensor, normalize=False):\n    return ('the wheel', tensor, normalize)\n"


def fake_wheel(folder, requires_torch="2.13.0"):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"torchvision-{grid.TORCHVISION_VERSION}-cp311-cp311-manylinux_2_28_x86_64.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("torchvision/utils.py", FAKE_UTILS)
        archive.writestr("torchvision/__init__.py", "raise ImportError('the compiled part is missing')\n")
        archive.writestr(f"torchvision-{grid.TORCHVISION_VERSION}.dist-info/METADATA",
                         f"Metadata-Version: 2.1\nName: torchvision\nVersion: {grid.TORCHVISION_VERSION}\n"
                         f"Requires-Dist: numpy\nRequires-Dist: torch (=={requires_torch})\n")
    return path


def release_site(tmp_path, source="image = vis_util.make_grid(data, normalize=True)\n"):
    site = tmp_path / "site-packages"
    (site / "wandb" / "sdk").mkdir(parents=True)
    (site / "wandb" / "sdk" / "image.py").write_text(source, encoding="utf-8")
    return site


def imported(site, code):
    done = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {code}"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_release_calling_make_grid_gets_the_wheels_utils_module_alone(tmp_path):
    site = release_site(tmp_path)
    fake_wheel(tmp_path / "wheels")
    assert grid.ensure(site, "wandb", tmp_path / "wheels", ["false"], {}) is True
    assert (site / "torchvision" / "utils.py").read_bytes() == FAKE_UTILS
    assert imported(site, "import torchvision; print(torchvision.utils.make_grid(1, normalize=True))") == \
        "('the wheel', 1, True)"


def test_the_installed_torchvision_says_it_is_the_utils_module_alone(tmp_path):
    site = release_site(tmp_path)
    fake_wheel(tmp_path / "wheels")
    grid.ensure(site, "wandb", tmp_path / "wheels", ["false"], {})
    shown = imported(site, "import importlib.metadata as m, torchvision; "
                           "print(m.version('torchvision'), torchvision.__version__)")
    assert shown == "0.28.0+utils.only 0.28.0+utils.only"
    init = (site / "torchvision" / "__init__.py").read_text()
    assert "torchvision-0.28.0-cp311-cp311-manylinux_2_28_x86_64.whl" in init


def test_a_release_that_does_not_call_make_grid_gets_nothing(tmp_path):
    site = release_site(tmp_path, source="image = data.permute(1, 2, 0).numpy()\n")
    assert grid.ensure(site, "wandb", tmp_path / "wheels", ["false"], {}) is False
    assert not (site / "torchvision").exists()


def test_an_installed_module_is_kept_without_asking_pip_again(tmp_path):
    site = release_site(tmp_path)
    fake_wheel(tmp_path / "wheels")
    grid.ensure(site, "wandb", tmp_path / "wheels", ["false"], {})
    (tmp_path / "wheels").joinpath(next((tmp_path / "wheels").iterdir()).name).unlink()
    assert grid.ensure(site, "wandb", tmp_path / "wheels", ["false"], {}) is True


def test_a_wheel_that_is_not_for_the_bases_torch_is_refused(tmp_path):
    site = release_site(tmp_path)
    fake_wheel(tmp_path / "wheels", requires_torch="2.12.0")
    with pytest.raises(grid.GridTorchvisionError, match=r"does not require torch==2\.13\.0"):
        grid.ensure(site, "wandb", tmp_path / "wheels", ["false"], {})
    assert not (site / "torchvision").exists()


def test_a_failed_download_is_a_configuration_error_naming_the_package(tmp_path):
    site = release_site(tmp_path)
    with pytest.raises(grid.GridTorchvisionError, match=r"pip download torchvision==0\.28\.0: no wheel downloaded"):
        grid.ensure(site, "wandb", tmp_path / "wheels", ["false"], {})


def test_the_torchvision_is_the_one_paired_with_the_bases_torch():
    pins = [spec for group in venvs.BASE_PACKAGES for spec in group if spec.startswith("torch==")]
    assert pins == [f"torch=={grid.TORCH_VERSION}"]


def environment(torchvision):
    from wbimage_conformance.model import Environment

    return Environment("0.1.0", "sha256:x", "wandb", "0.19.8", "3.11.7", "2.4.6", "13.0.0", "2.13.0+cpu", "Linux",
                       sandbox="none (test)", torchvision=torchvision)


def test_a_saved_run_keeps_the_torchvision_the_worker_reported(tmp_path):
    import json

    from wbimage_conformance.history import record

    saved = record.from_results([], environment("0.28.0+utils.only"), [])
    path = tmp_path / "wandb-0.19.8.json"
    path.write_text(record.dumps(saved), encoding="utf-8")
    assert json.loads(path.read_text())["environment"]["torchvision"] == "0.28.0+utils.only"
    assert record.load(path).environment["torchvision"] == "0.28.0+utils.only"


def test_a_run_without_torchvision_records_none_and_shows_none():
    from wbimage_conformance.history import record
    from wbimage_conformance.model import RunReport
    from wbimage_conformance.report import summary

    assert "torchvision" not in record.from_results([], environment(None), []).environment
    assert "torchvision" not in dict(summary.header_rows(RunReport(environment(None), ())))
    rows = dict(summary.header_rows(RunReport(environment("0.28.0+utils.only"), ())))
    assert rows["torchvision"] == "0.28.0+utils.only"
