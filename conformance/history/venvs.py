"""One virtualenv per release, made cheaply: the heavy packages are installed once.

torch alone is about 1 GB installed. So `DIR/base` holds torch, NumPy and Pillow at the versions
the shipped expectations were measured with (`BASE_PACKAGES`, the recipe of .ci/releases), and
each release gets `DIR/wandb-X`: a virtualenv without pip whose site-packages holds a `.pth`
file naming the base's site-packages, so it imports the base's packages after its own; pip (the
base's, run with `--python`) installs only wandb and what wandb needs there. Measured for
wandb 0.25.0: 32 s and 125 MB (mostly pip's download), against 273 s and 1.1 GB for a
virtualenv with its own torch; the base takes 164 s and 988 MB once. A folder
`DIR/wandb-X` that already imports wandb X (such as the full virtualenvs .ci/releases makes)
is used as it is, unless an install into it was interrupted. pip's cache is `DIR/pip-cache`
unless PIP_CACHE_DIR says otherwise. Where uv is installed, it makes the release virtualenvs
and installs wandb into them (its cache `DIR/uv-cache`, unless UV_CACHE_DIR says; pip's index, find-links and
constraint settings in the environment are handed to it, but uv does not read pip.conf): measured
side by side in docs/performance.md, "Refresh". DIR is the user cache folder by default
(`default_root`), never the current directory.

unless PIP_CACHE_DIR says otherwise.

A release whose source calls `make_grid` (wandb 0.19.x, swanlab) also gets torchvision's own
`utils` module, loaded alone (history.grid_torchvision: the torchvision built for this torch
does not import here), so its tensor cases measure the real function; the wheel is kept in
`DIR/wheels`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from packaging.specifiers import SpecifierSet

from wbimage_conformance import user_cache
from wbimage_conformance.errors import ConfigurationError
from wbimage_conformance.history import grid_torchvision

#: Installed in this order: torch==2.13.0 first (that pin is the CPU build; any other spec
#: would pull CUDA), then NumPy and Pillow.
BASE_PACKAGES: tuple[tuple[str, ...], ...] = (("torch==2.13.0",), ("numpy==2.4.6", "pillow==13.0.0"))
PTH_NAME = "wbimage_history_base.pth"
#: In a release virtualenv while pip installs into it: one left behind is not reused.
UNFINISHED = "wbimage-history-unfinished"
_BASE_LOCK = threading.Lock()
#: pip's settings from the environment and the uv settings that mean the same (pip.conf is not read by uv).
PIP_TO_UV = {"PIP_INDEX_URL": "UV_INDEX_URL", "PIP_EXTRA_INDEX_URL": "UV_EXTRA_INDEX_URL",
             "PIP_FIND_LINKS": "UV_FIND_LINKS", "PIP_CONSTRAINT": "UV_CONSTRAINT"}

Log = Callable[[str], None]


class VenvError(ConfigurationError):
    """A virtualenv could not be made (exit code 2): the message ends with pip's last line."""


def default_root() -> Path:
    """Where virtualenvs go unless `--venvs` says: the platform's user cache folder, never the
    current directory (a wheel user's project is no place for 1 GB of torch). Not inside the
    suite's own cache folder (`wbimage-conformance`, the validated cases): the sandbox hides
    that folder from implementations, and a release's interpreter must be seen to run."""
    return user_cache.folder(user_cache.VENVS)


def uv_command() -> list[str] | None:
    """uv, where it is installed (on PATH or beside this interpreter): it makes a release's
    virtualenv several times faster than pip (docs/performance.md, "Refresh"); None: use pip.
    WBIMAGE_CONFORMANCE_NO_UV=1 uses pip anyway."""
    if os.environ.get("WBIMAGE_CONFORMANCE_NO_UV"):
        return None
    beside = Path(sys.executable).parent / "uv"
    found = shutil.which("uv") or (str(beside) if beside.is_file() else None)
    return [found] if found else None


def python_of(venv: Path) -> Path:
    return venv / "bin" / "python"


def release_dir(root: Path, version: str, package: str = "wandb") -> Path:
    return root / f"{package}-{version}"


def installed_version(python: Path, package: str = "wandb") -> str | None:
    """The version of `package` that `python` imports, or None."""
    if not python.exists():
        return None
    code = f"import importlib.metadata as m; print(m.version({package!r}))"
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=120, cwd="/")
    return done.stdout.strip() if done.returncode == 0 else None


def _run(command: Sequence[str], what: str, env: dict[str, str]) -> None:
    done = subprocess.run(list(command), capture_output=True, text=True, env=env)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip() and not line.startswith("WARNING")]
        raise VenvError(f"{what}: {(lines or ['exit status ' + str(done.returncode)])[-1]}")


def _environment(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("PIP_CACHE_DIR", str(root / "pip-cache"))
    env.setdefault("UV_CACHE_DIR", str(root / "uv-cache"))
    for pip_name, uv_name in PIP_TO_UV.items():  # uv reads no pip configuration: hand on what the environment says
        if pip_name in env:
            env.setdefault(uv_name, env[pip_name])
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.pop("PYTHONPATH", None)
    return env


def site_packages(python: Path) -> Path:
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return Path(done.stdout.strip())


def ensure_base(root: Path, log: Log = lambda _: None, interpreter: str = sys.executable) -> Path:
    """`root/base` with BASE_PACKAGES (made, or completed, when needed); its python."""
    root = root.absolute()
    base = root / "base"
    python = python_of(base)
    env = _environment(root)
    with _BASE_LOCK:  # release virtualenvs are made two at a time; the base once
        if not python.exists():
            log(f"creating {base}")
            _run([_host_python(interpreter), "-m", "venv", str(base)], f"python -m venv {base}", env)
        for group in BASE_PACKAGES:
            if all(_satisfied(python, spec) for spec in group):
                continue
            log(f"{base}: pip install {' '.join(group)}")
            _run([str(python), "-m", "pip", "install", "-q", *group], f"{base}: pip install {' '.join(group)}", env)
    return python


def _satisfied(python: Path, requirement: str) -> bool:
    """`python` has a release of the package matching `name==version` (torch's `+cpu` local
    label matches `==2.13.0`, as in pip)."""
    name, _, version = requirement.partition("==")
    found = installed_version(python, name)
    return found is not None and SpecifierSet(f"=={version}").contains(found)


def ensure_release(root: Path, version: str, log: Log = lambda _: None, package: str = "wandb",
                   interpreter: str = sys.executable) -> Path:
    """The python of a virtualenv importing `package==version` and the base's packages; an
    existing one is reused."""
    root = root.absolute()
    venv = release_dir(root, version, package)
    python = python_of(venv)
    unfinished = venv / UNFINISHED
    if not unfinished.exists() and installed_version(python, package) == version:
        _ensure_make_grid(root, python, package, log)
        return python
    base_python = ensure_base(root, log, interpreter)
    env = _environment(root)
    uv = uv_command()
    if not python.exists():
        log(f"creating {venv} over {root / 'base'}")
        _make_venv(uv, _host_python(interpreter), venv, env)
    unfinished.write_text("install interrupted or failed: this virtualenv is made again\n", encoding="utf-8")
    (site_packages(python) / PTH_NAME).write_text(f"{site_packages(base_python)}\n", encoding="utf-8")
    installer = [*uv, "pip", "install", "--quiet", "--python", str(python)] if uv else \
        [str(base_python), "-m", "pip", "--python", str(python), "install", "-q"]
    log(f"{venv}: {'uv pip' if uv else 'pip'} install {package}=={version}")
    _run([*installer, f"{package}=={version}"], f"{venv}: install {package}=={version}", env)
    found = installed_version(python, package)
    if found != version:
        raise VenvError(f"{venv}: pip installed {package} {found}, not {version}")
    _ensure_make_grid(root, python, package, log)
    unfinished.unlink()
    return python


def _make_venv(uv: list[str] | None, host: str, venv: Path, env: dict[str, str]) -> None:
    """A virtualenv without pip (the base's pip, or uv, installs into it)."""
    if uv:
        _run([*uv, "venv", "--quiet", "--python", host, str(venv)], f"uv venv {venv}", env)
    else:
        _run([host, "-m", "venv", "--without-pip", str(venv)], f"python -m venv {venv}", env)


def _ensure_make_grid(root: Path, python: Path, package: str, log: Log) -> None:
    grid_torchvision.ensure(site_packages(python), package, root / "wheels", [sys.executable, "-m", "pip"],
                            _environment(root), log)


def _host_python(interpreter: str) -> str:
    """The interpreter new virtualenvs are made from: the one under this process's virtualenv,
    if any, so the release virtualenvs do not see this suite's own packages."""
    base = getattr(sys, "_base_executable", None) if interpreter == sys.executable else None
    return base or interpreter
