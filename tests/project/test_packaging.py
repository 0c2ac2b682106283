"""What a user installs, and what the sdist carries, listed from real builds of this checkout.

The build runs once per test process, offline and without isolation, with the backend the
test extra installs. It builds a copy of the source tree, since setuptools writes into the tree
it builds and two xdist workers building the checkout itself would trip over each other: the
sdist first, then the wheel from that sdist, so a file the sdist drops is missing from the
wheel too. The wheel must hold the repository's three package folders under one import root
and nothing else; the sdist must hold the whole source tree, tests and their fixtures
included, so its tests can run (.ci/wheel runs some of them from an unpacked sdist).
Installing and running the wheel is .ci/wheel's job, except for one thing only an installed
wheel has: the RECORD the suite verifies itself against before a run (run/install_check.py).
"""

from __future__ import annotations

import configparser
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath

import pytest
from locations import ROOT
from packaging.version import Version

IMPORT_ROOT = "wbimage_conformance"
# Repository folder -> where it sits in the wheel (pyproject.toml's package-dir).
PACKAGE_FOLDERS = {
    "conformance": IMPORT_ROOT,
    "reference": f"{IMPORT_ROOT}/reference",
    "spec": f"{IMPORT_ROOT}/spec",
}
NOT_INSTALLED = ("spec/tools/",)  # the case generator: a development tool
# What is left out of the copy that is built, and of the folders compared with its contents:
# environments, caches and build output, none of them source.
JUNK_NAMES = {".git", ".venv", ".venvs", ".hypothesis", ".mutation", "__pycache__", "build", "dist"}
JUNK_SUFFIXES = (".egg-info", ".pyc")
SETUPTOOLS_FLOOR = Version("77")  # pyproject.toml's build-system.requires
# Top-level parts of the source tree the sdist must carry besides the package folders.
SDIST_FOLDERS = (".ci", "docs", "tests")
SDIST_FILES = ("LICENSE", "README.md", "pyproject.toml", "MANIFEST.in")


@dataclass(frozen=True)
class Dists:
    wheel: Path
    sdist: Path
    wheel_names: frozenset[str]   # every file in the wheel, as posix paths
    sdist_names: frozenset[str]   # every file in the sdist, relative to its top folder


def _backend_missing() -> str | None:
    if importlib.util.find_spec("build") is None:
        return "the `build` frontend is not installed (pip install -e '.[test]')"
    try:
        found = Version(metadata.version("setuptools"))
    except metadata.PackageNotFoundError:
        return "setuptools, the build backend, is not installed (pip install -e '.[test]')"
    if found < SETUPTOOLS_FLOOR:
        return f"setuptools {found} is older than the backend floor {SETUPTOOLS_FLOOR} (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> Dists:
    reason = _backend_missing()
    if reason:
        pytest.skip(f"cannot build the wheel offline: {reason}")
    source = tmp_path_factory.mktemp("source") / ROOT.name
    shutil.copytree(ROOT, source, ignore=lambda _, names: [n for n in names if _is_junk(n)])
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"python -m build failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    with zipfile.ZipFile(wheel) as archive:
        wheel_names = frozenset(n for n in archive.namelist() if not n.endswith("/"))
    with tarfile.open(sdist) as archive:
        members = [m.name for m in archive.getmembers() if m.isfile()]
    tops = {PurePosixPath(name).parts[0] for name in members}
    assert len(tops) == 1, f"the sdist should unpack into one folder, found {sorted(tops)}"
    sdist_names = frozenset(str(PurePosixPath(*PurePosixPath(name).parts[1:])) for name in members)
    return Dists(wheel, sdist, wheel_names, sdist_names)


def _is_junk(name: str) -> bool:
    return name in JUNK_NAMES or name.endswith(JUNK_SUFFIXES)


def _source_files(folder: str) -> set[str]:
    """Files under a repository folder as they would be packed, posix paths from the root."""
    return {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and not any(_is_junk(part) for part in path.relative_to(ROOT).parts)
    }


def _in_wheel(source: str) -> str:
    folder, _, rest = source.partition("/")
    return f"{PACKAGE_FOLDERS[folder]}/{rest}"


def _dist_info(dists: Dists) -> str:
    (folder,) = {n.split("/")[0] for n in dists.wheel_names if n.split("/")[0].endswith(".dist-info")}
    return folder


def _dist_info_text(dists: Dists, name: str) -> str:
    with zipfile.ZipFile(dists.wheel) as archive:
        return archive.read(f"{_dist_info(dists)}/{name}").decode("utf-8")


def test_the_wheel_installs_one_import_root_and_its_dist_info(dists):
    """So nothing lands at the top of site-packages under a generic name (spec, reference, ...)."""
    tops = {name.split("/")[0] for name in dists.wheel_names}
    assert tops == {IMPORT_ROOT, _dist_info(dists)}
    assert _dist_info_text(dists, "top_level.txt").split() == [IMPORT_ROOT]


def test_the_dist_info_carries_the_license(dists):
    with zipfile.ZipFile(dists.wheel) as archive:
        shipped = archive.read(f"{_dist_info(dists)}/licenses/LICENSE")
    assert shipped == (ROOT / "LICENSE").read_bytes()
    assert "License-Expression: MIT" in _dist_info_text(dists, "METADATA")


def test_every_package_folder_is_in_the_wheel(dists):
    """A subpackage left out of pyproject.toml's explicit `packages` list fails here."""
    folders = sorted(
        path.parent.relative_to(ROOT).as_posix()
        for top in PACKAGE_FOLDERS
        for path in (ROOT / top).rglob("__init__.py")
        if not any(_is_junk(part) for part in path.relative_to(ROOT).parts)
    )
    assert len(folders) > len(PACKAGE_FOLDERS)  # the zones are subpackages
    missing = [f for f in folders if _in_wheel(f"{f}/__init__.py") not in dists.wheel_names]
    assert not missing, f"package folders missing from the wheel (add them to [tool.setuptools] packages): {missing}"


def test_the_spec_its_cases_schemas_and_expectations_are_shipped(dists):
    spec = f"{IMPORT_ROOT}/spec"
    for name in ("SPEC.md", "PROTOCOL.md", "case.schema.json"):
        assert f"{spec}/{name}" in dists.wheel_names
    for data in ("spec/cases", "conformance/schemas", "conformance/expectations"):
        files = _source_files(data)
        assert files, f"{data} is empty in the checkout"
        missing = sorted(f for f in files if _in_wheel(f) not in dists.wheel_names)
        assert not missing, f"not in the wheel: {missing}"


def test_the_case_generator_is_not_installed(dists):
    assert (ROOT / "spec/tools/make_cases.py").is_file()
    assert not [n for n in dists.wheel_names if "/tools/" in n or n.endswith("make_cases.py")]


def test_the_wheel_holds_exactly_the_package_folders(dists):
    """Nothing from the package folders is lost, nothing else slips in (spec/tools excepted)."""
    expected = {
        _in_wheel(source)
        for folder in PACKAGE_FOLDERS
        for source in _source_files(folder)
        if not source.startswith(NOT_INSTALLED)
    }
    shipped = {n for n in dists.wheel_names if n.startswith(f"{IMPORT_ROOT}/")}
    assert sorted(expected - shipped) == [], "in the repository but not in the wheel"
    assert sorted(shipped - expected) == [], "in the wheel but not in the repository"


def _entry_points(dists: Dists) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(delimiters=("=",))
    parser.optionxform = str  # keep names as written
    parser.read_string(_dist_info_text(dists, "entry_points.txt"))
    return parser


def test_the_entry_points_name_the_command_and_the_pytest_plugin(dists):
    points = _entry_points(dists)
    assert dict(points["console_scripts"]) == {"wbimage-conformance": "wbimage_conformance.commands.cli:main"}
    assert dict(points["pytest11"]) == {"wbimage": "wbimage_conformance.commands.pytest_plugin"}


def test_the_entry_points_import_from_the_unpacked_wheel(dists, tmp_path):
    """Imported with the wheel first on the path and site processing off, so an editable
    install of this checkout (a finder registered by a .pth file) cannot answer instead."""
    with zipfile.ZipFile(dists.wheel) as archive:
        archive.extractall(tmp_path)
    points = _entry_points(dists)
    targets = [value for section in ("console_scripts", "pytest11") for _, value in points.items(section)]
    probe = (
        "import importlib, sys\n"
        "for target in sys.argv[1:]:\n"
        "    module_name, _, attr = target.partition(':')\n"
        "    module = importlib.import_module(module_name)\n"
        "    if attr:\n"
        "        assert callable(getattr(module, attr)), target\n"
        "    print(module.__file__)\n"
    )
    paths = [str(tmp_path), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    done = subprocess.run([sys.executable, "-S", "-c", probe, *targets], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)}, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    files = done.stdout.split()
    assert len(files) == len(targets) == 2
    assert all(Path(f).is_relative_to(tmp_path / IMPORT_ROOT) for f in files), files


def test_the_sdist_holds_the_source_tree_tests_and_fixtures_included(dists):
    expected = set(SDIST_FILES)
    for folder in (*PACKAGE_FOLDERS, *SDIST_FOLDERS):
        expected |= _source_files(folder)
    for needed in ("tests/conftest.py", "spec/tools/make_cases.py", ".ci/env.sh", ".ci/tests"):
        assert needed in expected
    assert any(name.startswith("tests/fixtures/docs/") for name in expected)
    missing = sorted(expected - dists.sdist_names)
    assert not missing, f"not in the sdist: {missing}"


def test_the_sdist_carries_no_bytecode(dists):
    assert not [n for n in dists.sdist_names if "__pycache__" in n or n.endswith((".pyc", ".pyo"))]


# -- the installed wheel verifies itself ----------------------------------------------------


@pytest.fixture(scope="module")
def installed(dists, tmp_path_factory) -> Path:
    """The wheel, installed by pip (with the bytecode it compiles) into a folder of its own."""
    target = tmp_path_factory.mktemp("site")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
                           "--target", str(target), str(dists.wheel)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    target.chmod(0o755)  # as pip leaves site-packages: the sandbox's user (root runs it as another) must read it
    return target


def _run_installed(site: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`wbimage-conformance run` from `site`, this environment's dependencies behind it; site
    processing off, so the editable install of this checkout cannot answer instead."""
    import runner_support

    cases = runner_support.write_cases(cwd, [runner_support.case("unit")])
    paths = [str(site), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    return subprocess.run([sys.executable, "-S", "-m", IMPORT_ROOT, "run", "--cases", str(cases), "--jobs", "1"],
                          capture_output=True, text=True, cwd=cwd, timeout=300,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)})


def test_an_untouched_install_runs_and_its_header_says_it_was_verified(installed, tmp_path):
    done = _run_installed(installed, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"wheel at {installed / IMPORT_ROOT}: " in done.stdout and "files match its RECORD" in done.stdout


def test_an_install_with_one_byte_changed_is_refused(installed, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(installed, site)
    changed = site / IMPORT_ROOT / "oracle" / "arithmetic.py"
    data = bytearray(changed.read_bytes())
    data[data.index(b"255")] = ord("3")  # one byte of the oracle's arithmetic
    changed.write_bytes(bytes(data))
    done = _run_installed(site, tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert f"{changed} does not match its sha256 in RECORD" in line and "reinstall" in line


def test_an_install_whose_judge_was_edited_and_record_deleted_is_refused(installed, tmp_path):
    """Deleting the manifest once made the run "not verified" instead of refused, and a judge
    edited to pass everything then passed a wrong implementation."""
    site = tmp_path / "site"
    shutil.copytree(installed, site)
    judge = site / IMPORT_ROOT / "run" / "compare.py"
    judge.write_text(judge.read_text(encoding="utf-8") + "\ncheck = lambda expect, obs: []\n", encoding="utf-8")
    (record,) = site.glob(f"{IMPORT_ROOT}-*.dist-info/RECORD")
    record.unlink()
    done = _run_installed(site, tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert f"{record} is missing" in line and "reinstall" in line


def test_an_install_with_a_file_planted_in_its_dist_info_is_refused(installed, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(installed, site)
    (info,) = site.glob(f"{IMPORT_ROOT}-*.dist-info")
    assert {p.name for p in info.iterdir()} >= {"RECORD", "INSTALLER"}  # what pip wrote, all listed
    (info / "entry_points.txt.bak").write_text("[pytest11]\nwbimage = planted\n", encoding="utf-8")
    done = _run_installed(site, tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "entry_points.txt.bak is not in RECORD" in done.stderr
