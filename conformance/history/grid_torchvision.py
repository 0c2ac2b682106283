"""torchvision's real `make_grid` in the release virtualenvs whose tensor path draws with it.

wandb 0.19.x and swanlab turn a tensor into pixels with `torchvision.utils.make_grid(t,
normalize=True)`. The only torchvision built for torch 2.13.0 (0.28.0) is a CUDA build whose
package does not import with the base's CPU-only torch, so in such a virtualenv every tensor
case would raise and the history would measure this machine, not the release. The module
that holds `make_grid`, `torchvision/utils.py`, is pure Python over torch, NumPy and Pillow:
it is taken from the torchvision wheel byte for byte and installed alone, in a `torchvision`
package whose `__init__` imports only it. The release calls the real function; the rest of
torchvision (its compiled operators, models, transforms, io) is absent.

The distribution is installed as `torchvision 0.28.0+utils.only` (a PEP 440 local label), so
the worker's environment, a report header, a saved run and `pip list` all say which
torchvision it is and that it is its utils module alone.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

from wbimage_conformance.errors import ConfigurationError

#: The torchvision release paired with the base's torch (its metadata requires torch==2.13.0).
TORCHVISION_VERSION = "0.28.0"
TORCH_VERSION = "2.13.0"
LOCAL_LABEL = "utils.only"
INSTALLED_VERSION = f"{TORCHVISION_VERSION}+{LOCAL_LABEL}"
MODULE = "torchvision/utils.py"
#: What a package's source must contain for its virtualenv to get the module.
CALL = "make_grid("
#: A package of this size is not scanned further (wandb 0.19.8 has 827 Python files: 0.9 s to scan).
MAX_FILES = 20_000

Log = Callable[[str], None]


class GridTorchvisionError(ConfigurationError):
    """torchvision's utils module could not be put into a release virtualenv (exit code 2)."""


def draws_with_make_grid(package_dir: Path) -> bool:
    """Whether any Python file of the installed package calls make_grid: decided from the
    release's own source, so no list of releases has to be kept."""
    for count, path in enumerate(package_dir.rglob("*.py")):
        if count >= MAX_FILES:
            return False
        try:
            if CALL in path.read_text(encoding="utf-8", errors="replace"):
                return True
        except OSError:
            continue
    return False


def installed(site_packages: Path) -> bool:
    return (site_packages / _dist_info_name()).is_dir() and (site_packages / MODULE).is_file()


def ensure(site_packages: Path, package: str, wheels: Path, pip: list[str], env: dict[str, str],
           log: Log = lambda _: None) -> bool:
    """Install torchvision's utils module alone into `site_packages` when `package` there
    draws tensors with make_grid; True when it is (or already was) installed."""
    if installed(site_packages):
        return True
    if not draws_with_make_grid(site_packages / package):
        return False
    wheel = _wheel(wheels, pip, env, log)
    log(f"{site_packages}: torchvision {INSTALLED_VERSION} ({MODULE} of {wheel.name}, loaded alone)")
    _install(wheel, site_packages)
    return True


def _wheel(wheels: Path, pip: list[str], env: dict[str, str], log: Log) -> Path:
    """The torchvision wheel, downloaded once into `wheels` (pip download: nothing installed)."""
    found = sorted(wheels.glob(f"torchvision-{TORCHVISION_VERSION}-*.whl"))
    if not found:
        log(f"{wheels}: pip download torchvision=={TORCHVISION_VERSION}")
        command = [*pip, "download", "-q", "--no-deps", "--only-binary", ":all:", "-d", str(wheels),
                   f"torchvision=={TORCHVISION_VERSION}"]
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900, check=False)
        found = sorted(wheels.glob(f"torchvision-{TORCHVISION_VERSION}-*.whl"))
        if done.returncode != 0 or not found:
            lines = [line for line in done.stderr.splitlines() if line.strip() and not line.startswith("WARNING")]
            raise GridTorchvisionError(f"pip download torchvision=={TORCHVISION_VERSION}: "
                                       f"{(lines or ['no wheel downloaded'])[-1]}")
    return found[-1]


def _install(wheel: Path, site_packages: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        module = archive.read(MODULE)
        metadata = archive.read(f"torchvision-{TORCHVISION_VERSION}.dist-info/METADATA").decode("utf-8")
    if not re.search(rf"^Requires-Dist: torch \(?=={re.escape(TORCH_VERSION)}\)?\s*$", metadata, re.MULTILINE):
        raise GridTorchvisionError(f"{wheel.name}: its METADATA does not require torch=={TORCH_VERSION}")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    files = {
        MODULE: module,
        "torchvision/__init__.py": _package_init(wheel.name, digest).encode("utf-8"),
        f"{_dist_info_name()}/METADATA": _metadata(wheel.name).encode("utf-8"),
        f"{_dist_info_name()}/INSTALLER": b"wbimage-conformance\n",
    }
    record = "".join(f"{name},,\n" for name in [*files, f"{_dist_info_name()}/RECORD"])
    files[f"{_dist_info_name()}/RECORD"] = record.encode("utf-8")
    for name, data in files.items():
        target = site_packages / name
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + ".part")
        temporary.write_bytes(data)
        os.replace(temporary, target)


def _dist_info_name() -> str:
    return f"torchvision-{INSTALLED_VERSION}.dist-info"


def _package_init(wheel_name: str, digest: str) -> str:
    return (
        f'"""torchvision {TORCHVISION_VERSION}\'s utils module alone (installed by wbimage-conformance).\n\n'
        f"utils.py is {MODULE} of {wheel_name} (sha256 {digest}), unchanged; the rest of the\n"
        f"package needs compiled operators this torch cannot load, and make_grid does not use them.\n"
        f'"""\n\n'
        f"from torchvision import utils  # noqa: F401  (wandb and swanlab reach it as torchvision.utils)\n\n"
        f'__version__ = "{INSTALLED_VERSION}"\n'
    )


def _metadata(wheel_name: str) -> str:
    return (f"Metadata-Version: 2.1\nName: torchvision\nVersion: {INSTALLED_VERSION}\n"
            f"Summary: torchvision/utils.py of {wheel_name} alone, for make_grid\n"
            f"Requires-Dist: torch (=={TORCH_VERSION})\n")
