"""A user's own implementation runs under the default sandbox, and the suite's data stays
hidden: what the sandbox shows and hides (view(), checked without bubblewrap), a user package
installed for real into the site-packages of the interpreter that runs the suite (by module,
by entry point, under another interpreter), the README's example implementation, and the
exec: example over the whole suite with its docstring's command.

The user's virtualenv is made without pip and reaches the suite's own site-packages through a
`.pth` file (`site.addsitedir`, so the suite's editable install and NumPy work there as in the
suite's venv); `myimg` is then installed into it with pip, as a user would."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

import wbimage_conformance
from wbimage_conformance import private_data, spec, stored
from wbimage_conformance.run import sandbox

import runner_support as support

BWRAP = sandbox.choose("auto")
needs_bwrap = pytest.mark.skipif(BWRAP.kind != "bwrap", reason=f"no usable bubblewrap here: {BWRAP.description}")
REPOSITORY = support.FIXTURES.parents[1]
#: A few dozen shipped cases, enough to see a user's implementation judged case by case.
SELECTION = ["--clause", "norm.unit"]


@pytest.fixture(autouse=True)
def own_notes(monkeypatch):
    """The data files a test notes stay its own (the registry is process-wide)."""
    monkeypatch.setattr(private_data, "_noted", set(private_data.noted()))


def view_of(pythonpath: list[Path]):
    return sandbox.view([sys.executable, "-c", "pass"], sys.executable, os.pathsep.join(map(str, pythonpath)))


# -- what is shown and what is hidden -------------------------------------------------------


def test_the_suites_package_and_its_site_packages_are_shown():
    seen = view_of([])
    shown = [Path(p) for p in seen.shown]
    for needed in (Path(wbimage_conformance.__file__), Path(sysconfig.get_paths()["purelib"])):
        assert any(needed.resolve().is_relative_to(p.resolve()) for p in shown), (needed, shown)


def test_the_shipped_cases_and_expectations_are_hidden():
    seen = view_of([])
    assert str(spec.CASES_DIR) in seen.hidden_folders
    assert str(Path(wbimage_conformance.__file__).resolve().parent / "expectations") in seen.hidden_folders


def test_a_copy_of_the_suite_in_a_shown_folder_has_its_data_hidden(tmp_path):
    """A wheel's layout in some site-packages the implementation sees."""
    package = tmp_path / "site" / "wbimage_conformance"
    for folder in (package / "spec" / "cases", package / "expectations"):
        folder.mkdir(parents=True)
        (folder / "data.yaml").write_text("cases: []\n", encoding="utf-8")
    seen = view_of([tmp_path / "site"])
    assert str(tmp_path / "site") in seen.shown
    assert {str(package / "spec" / "cases"), str(package / "expectations")} <= set(seen.hidden_folders)


def test_a_case_file_beside_code_is_hidden_alone_and_a_folder_of_case_files_whole(tmp_path):
    project = tmp_path / "project"
    (project / "cases").mkdir(parents=True)
    (project / "myimpl.py").write_text("", encoding="utf-8")
    beside, alone = project / "extra.yaml", project / "cases" / "a.yaml"
    for path in (beside, alone):
        path.write_text("cases: []\n", encoding="utf-8")
        private_data.note(path)
    seen = view_of([project])
    assert str(beside) in seen.hidden_files
    assert str(project / "cases") in seen.hidden_folders
    assert str(project) in seen.shown


def test_a_saved_report_or_expectations_file_read_by_this_process_is_hidden(tmp_path):
    """Read back as stored files (a report to merge, `--expectations`), beside the user's code."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "myimpl.py").write_text("", encoding="utf-8")
    (project / "run.json").write_text("{}", encoding="utf-8")
    (project / "mine.yaml").write_text("implementation: x\n", encoding="utf-8")
    stored.read_json(project / "run.json", stored.SAVED_REPORT)
    stored.read_yaml(project / "mine.yaml", stored.EXPECTATIONS)
    seen = view_of([project])
    assert {str(project / "run.json"), str(project / "mine.yaml")} <= set(seen.hidden_files)


def test_data_reached_through_a_symbolic_link_is_hidden_where_the_link_shows_it(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "code.py").write_text("", encoding="utf-8")
    (real / "cases.yaml").write_text("cases: []\n", encoding="utf-8")
    private_data.note(real / "cases.yaml")
    (tmp_path / "link").symlink_to(real)
    seen = view_of([tmp_path / "link"])
    assert str(tmp_path / "link" / "cases.yaml") in seen.hidden_files


def test_the_case_cache_is_hidden_when_a_shown_folder_holds_it(tmp_path, monkeypatch):
    (tmp_path / "cache" / "wbimage-conformance").mkdir(parents=True)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    seen = view_of([tmp_path])
    assert str(tmp_path / "cache" / "wbimage-conformance") in seen.hidden_folders


def test_a_pythonpath_entry_inside_the_shipped_cases_is_not_shown():
    seen = view_of([spec.CASES_DIR])
    assert not any(Path(p).resolve().is_relative_to(spec.CASES_DIR) for p in seen.shown)


@pytest.mark.skipif(not (REPOSITORY / ".git").exists() or Path(wbimage_conformance.__file__).resolve().parent.name
                    == "wbimage_conformance", reason="the suite does not run from a git checkout here")
def test_a_shown_checkout_of_the_suite_has_its_git_objects_hidden():
    seen = view_of([REPOSITORY])
    assert str(REPOSITORY / ".git") in seen.hidden_folders


# -- a user's package, installed ------------------------------------------------------------


MYIMG_PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "myimg"
version = "0.3.0"

[project.entry-points."wbimage_conformance.implementations"]
myimg = "myimg.images:Image"
"""

MYIMG_IMAGES = '''\
"""A user's first implementation: the suite's reference with one thing changed."""

from wbimage_conformance import reference


class Image(reference.Image):
    """The reference's pixels, with a repr of its own."""

    def __repr__(self):
        return f"<myimg.Image {self.image.size}>"
'''


@pytest.fixture(scope="module")
def user_venv(tmp_path_factory):
    """A virtualenv whose site-packages holds `myimg` (installed by pip) and reaches the suite's."""
    if shutil.which("pip", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("pip is not installed beside this interpreter")
    root = tmp_path_factory.mktemp("user")
    source = root / "myimg"
    (source / "myimg").mkdir(parents=True)
    (source / "pyproject.toml").write_text(MYIMG_PYPROJECT, encoding="utf-8")
    (source / "myimg" / "__init__.py").write_text("", encoding="utf-8")
    (source / "myimg" / "images.py").write_text(MYIMG_IMAGES, encoding="utf-8")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "suite-env.pth").write_text(f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n",
                                        encoding="utf-8")
    done = subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index",
                           str(source)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (site / "myimg" / "images.py").is_file()
    return python


def run_cli(python: Path, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    return subprocess.run([str(python), "-m", "wbimage_conformance", "run", *args], capture_output=True, text=True,
                          timeout=600, cwd=cwd or REPOSITORY, env={**os.environ, **(env or {})})


def report_of(done, output: Path) -> dict:
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(output.read_text(encoding="utf-8"))
    assert report["environment"]["sandbox"].startswith("bwrap"), report["environment"]["sandbox"]
    return report


@needs_bwrap
@pytest.mark.parametrize("impl", ["myimg.images:Image", "myimg", "myimg.images:Image@{python}"])
def test_a_user_package_in_the_suites_venv_passes_under_the_default_sandbox(user_venv, tmp_path, impl):
    output = tmp_path / "run.json"
    done = run_cli(user_venv, "--impl", impl.format(python=user_venv), *SELECTION, "--format", "json",
                   "--output", str(output))
    report = report_of(done, output)
    assert report["results"] and all(r["status"] == "passed" for r in report["results"])


@needs_bwrap
def test_a_user_package_under_another_interpreter_passes_under_the_default_sandbox(user_venv, tmp_path):
    """The suite in its own venv, the implementation in the user's: only the worker bundle
    (with the reference) joins the user's interpreter."""
    output = tmp_path / "run.json"
    done = run_cli(Path(sys.executable), "--impl", f"myimg.images:Image@{user_venv}", *SELECTION,
                   "--format", "json", "--output", str(output))
    report = report_of(done, output)
    assert report["results"] and all(r["status"] == "passed" for r in report["results"])


@needs_bwrap
def test_the_readme_example_implementation_fails_with_its_cause_under_the_default_sandbox():
    done = run_cli(Path(sys.executable), "--impl", "wrong_implementations:RoundsInsteadOfTruncating", *SELECTION,
                   env={"PYTHONPATH": str(REPOSITORY / "tests" / "fixtures")})
    assert done.returncode == 1, done.stderr[-3000:]
    assert "rounds to nearest instead of truncating" in done.stdout
    assert re.search(r"^ *sandbox +bwrap ", done.stdout, re.M), done.stdout[:2000]


def docstring_command() -> list[str]:
    """The command exec_impl.py's docstring tells a porter to run."""
    text = support.EXEC_IMPL.read_text(encoding="utf-8")
    (line,) = [ln.strip() for ln in text.split('"""')[1].splitlines() if ln.strip().startswith("wbimage-conformance")]
    return shlex.split(line)


def test_the_exec_example_passes_the_whole_suite_with_its_docstring_command():
    """From the repository root with the suite's virtualenv active (its bin first on PATH),
    as the docstring says; under the default sandbox where bubblewrap is usable."""
    command = docstring_command()
    assert command[:2] == ["wbimage-conformance", "run"]
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=REPOSITORY, env=env)
    assert done.returncode == 0, (done.stdout[:3000], done.stderr[-3000:])
    first = done.stdout.splitlines()[0]
    assert first.endswith("every case as expected"), first
    assert re.search(rf"^ *sandbox +{BWRAP.kind} ", done.stdout, re.M), done.stdout[:2000]


def test_the_exec_example_declares_only_what_it_reads():
    """The handshake's capabilities are the input kinds the example builds: a kind it
    declares but cannot build would be an error blamed on the implementation."""
    code = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(support.FIXTURES)!r})
        import exec_impl
        print(sorted(set(exec_impl.CAPABILITIES) - {{"normalize-keyword"}}) == sorted(exec_impl.BUILDERS))
        """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "True", done.stderr


@needs_bwrap
def test_an_exec_command_names_its_script_by_a_bare_name_from_its_folder():
    """`exec:python exec_impl.py` run from tests/fixtures: the file is shown and found."""
    env = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = run_cli(Path(sys.executable), "--impl", "exec:python exec_impl.py", *SELECTION, env=env,
                   cwd=support.FIXTURES)
    assert done.returncode == 0, done.stderr[-3000:]


@needs_bwrap
def test_a_python_launcher_script_runs_the_interpreter_it_launches(tmp_path):
    """A pyenv-style shim needs its tool's files, out of sight inside: the interpreter it
    launches (as that reports itself) runs instead."""
    tool = tmp_path / "tool"
    (tool / "lib").mkdir(parents=True)
    (tool / "lib" / "env.sh").write_text(f"REAL={shlex.quote(sys.executable)}\n", encoding="utf-8")
    shim = tool / "python"
    shim.write_text(f"#!/bin/sh\n. {shlex.quote(str(tool / 'lib' / 'env.sh'))}\nexec \"$REAL\" \"$@\"\n",
                    encoding="utf-8")
    shim.chmod(0o755)
    argv, env = BWRAP.wrap([str(shim), "-c", "import numpy, sys; print(sys.prefix)"], {})
    done = subprocess.run(argv, env=env or None, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == sys.prefix


def test_this_interpreter_shows_at_least_what_it_reports_of_itself_from_a_fresh_process():
    """The suite's own interpreter is described in process (no process to start): what it
    shows covers what a fresh process of it reports, so nothing a worker imports is missing."""
    here = set(sandbox._installation(os.path.abspath(sys.executable)).paths)
    fresh = sandbox._described_by(sys.executable)
    reported = {os.path.dirname(p) if os.path.isfile(p) else p for p in fresh["paths"] if os.path.isabs(p)}
    assert reported <= here, reported - here
    assert set(fresh["mapped"].values()) <= here


BASE_PYTHON = os.path.realpath(getattr(sys, "_base_executable", sys.executable))


@needs_bwrap
def test_a_package_installed_for_the_user_imports_inside(tmp_path, monkeypatch):
    """`pip install --user` puts a package under the user's base, which the interpreter finds
    through HOME; inside, home is /tmp, so the sandbox names that base (PYTHONUSERBASE)."""
    probe = "import site, sys; print(site.ENABLE_USER_SITE, site.getusersitepackages())"
    enabled, user_site = subprocess.run([BASE_PYTHON, "-c", probe], capture_output=True, text=True, check=True,
                                        env={**os.environ, "PYTHONUSERBASE": str(tmp_path / "base")}).stdout.split()
    if enabled != "True":
        pytest.skip(f"{BASE_PYTHON} has no user site-packages")
    Path(user_site).mkdir(parents=True)
    (Path(user_site) / "user_installed_impl.py").write_text("ANSWER = 42\n", encoding="utf-8")
    monkeypatch.setenv("PYTHONUSERBASE", str(tmp_path / "base"))
    argv, env = BWRAP.wrap([BASE_PYTHON, "-c", "import user_installed_impl as m; print(m.ANSWER)"], {},
                           python=BASE_PYTHON)
    done = subprocess.run(argv, env=env or None, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "42"


@needs_bwrap
def test_an_exec_script_imports_the_modules_beside_it(tmp_path):
    """A port's main script finds its own helper modules (its folder is shown, not the file alone)."""
    port = tmp_path / "port"
    port.mkdir()
    (port / "helpers.py").write_text("ANSWER = 42\n", encoding="utf-8")
    (port / "main.py").write_text("import helpers\nprint(helpers.ANSWER)\n", encoding="utf-8")
    argv, env = BWRAP.wrap([sys.executable, str(port / "main.py")], {})
    done = subprocess.run(argv, env=env or None, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "42"
