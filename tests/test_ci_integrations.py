"""What other repositories use: the GitHub Actions composite action (its run step as the shell
script it is, with the environment Actions gives it) and the pre-commit hook (installed and
run by `pre-commit try-repo`, as a documentation repository would)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

import runner_support as support

ROOT = Path(__file__).resolve().parents[1]
ACTION_DIR = ROOT / ".github" / "actions" / "wbimage-conformance"
DOCS = ROOT / "tests" / "fixtures" / "docs"


# -- the composite action ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def action() -> dict:
    return yaml.safe_load((ACTION_DIR / "action.yml").read_text(encoding="utf-8"))


def test_the_action_is_composite_and_its_default_suite_is_this_repository(action):
    assert action["runs"]["using"] == "composite"
    install = action["runs"]["steps"][0]["run"]
    assert "$GITHUB_ACTION_PATH/../../.." in install
    assert (ACTION_DIR / "../../.." / "pyproject.toml").resolve() == ROOT / "pyproject.toml"


def test_every_input_the_steps_use_is_declared_and_the_run_step_is_the_script(action):
    steps = action["runs"]["steps"]
    used = {value.split("inputs.")[1].split()[0].rstrip("}") for step in steps
            for value in [*step.get("env", {}).values(), *step.get("with", {}).values()] if "inputs." in str(value)}
    assert used <= set(action["inputs"]) and used
    run_step = next(s for s in steps if s.get("id") == "run")
    assert run_step["run"] == 'bash "$GITHUB_ACTION_PATH/run.sh"'
    upload = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    assert upload["if"] == "always()" and upload["with"]["path"] == "${{ inputs.report-dir }}"
    assert set(action["outputs"]) == {"exit-code", "report-dir"}


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A repository with its own case file; RoundingImage fails one case of two."""
    support.use_fixtures_path(monkeypatch)
    support.write_cases(tmp_path, [
        support.case("rounds-here"),
        support.case("exact-here", [[0.0, 1.0]], expect={"pixels": [[0, 255]], "mode": "L", "size": [2, 1]}),
    ], "conformance-cases.yaml")
    return tmp_path


def run_script(directory: Path, **inputs: str) -> tuple[subprocess.CompletedProcess, Path, Path]:
    summary, output = directory / "step-summary.md", directory / "github-output.txt"
    summary.write_text("")
    output.write_text("")
    env = {**os.environ, "PYTHON": sys.executable, "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output),
           **inputs}
    done = subprocess.run(["bash", str(ACTION_DIR / "run.sh")], cwd=directory, env=env, capture_output=True,
                          text=True, timeout=300)
    return done, summary, output


def test_the_script_writes_the_reports_the_summary_and_the_outputs(project):
    done, summary, output = run_script(project, WBIMAGE_IMPL=support.toy("RoundingImage"),
                                       WBIMAGE_CASES="conformance-cases.yaml\n", WBIMAGE_ARGS="--jobs 1\n--timeout 30",
                                       WBIMAGE_REPORT_DIR="out/wbimage")
    assert done.returncode == 1, done.stderr
    assert "verdict: 1 unexpected result(s)" in done.stdout
    reports = project / "out" / "wbimage"
    assert json.loads((reports / "report.json").read_text())["summary"]["failed"] == 1
    assert {t.get("name") for t in ET.parse(reports / "junit.xml").getroot().iter("testcase")} == {"rounds-here", "exact-here"}
    assert "rounds-here" in (reports / "report.html").read_text()
    assert "| **total** | **2** | **1** | **1** |" in summary.read_text()
    assert output.read_text() == "exit-code=1\nreport-dir=out/wbimage\n"


def test_without_inputs_the_script_takes_the_pyproject_section(project):
    (project / "pyproject.toml").write_text('[tool.wbimage-conformance]\nimpl = "toy_impls:ToyImage"\n'
                                            'cases = "conformance-cases.yaml"\njobs = 1\n')
    done, summary, output = run_script(project)
    assert done.returncode == 0, done.stderr
    assert "implementation          toy_impls:ToyImage" in done.stdout
    assert (project / "wbimage-conformance" / "report.html").is_file()
    assert output.read_text().startswith("exit-code=0\n")


def test_a_configuration_error_is_exit_code_2_in_the_outputs(project):
    done, _, output = run_script(project, WBIMAGE_IMPL="no_such_module:Image", WBIMAGE_CASES="conformance-cases.yaml")
    assert done.returncode == 2
    assert "No module named 'no_such_module'" in done.stderr
    assert output.read_text().startswith("exit-code=2\n")


@pytest.fixture
def docs_site(tmp_path) -> Path:
    """A Hugo site in git: the Image page in en and ja (ja drifted: a formula with 256), a page
    about other things; one commit."""
    site = tmp_path / "site"
    for locale, source in (("en", DOCS / "good" / "image.en.md"), ("ja", DOCS / "drift" / "formula-256.ja.md")):
        target = site / "content" / locale / "ref" / "image.md"
        target.parent.mkdir(parents=True)
        shutil.copy(source, target)
    (site / "content" / "en" / "notes.md").write_text("# Notes\n\nNothing about images here.\n")
    git(site, "init", "-q")
    git(site, "add", ".")
    git(site, "commit", "-qm", "pages")
    return site


def git(where: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=docs", "-c", "user.email=docs@example.invalid", *args]
    return subprocess.run(command, cwd=where, check=True, capture_output=True, text=True).stdout


def test_the_script_checks_a_documentation_tree(docs_site):
    done, summary, output = run_script(docs_site, WBIMAGE_DOCS="content\n", WBIMAGE_ARGS="--no-run")
    assert done.returncode == 1, done.stderr
    assert " docs check --report " in done.stdout and "content/ja/ref/image.md:51: error [formula]" in done.stdout
    reports = docs_site / "wbimage-conformance"
    report = json.loads((reports / "docs-report.json").read_text())
    assert [p["path"] for p in report["pages"]] == ["content/en/ref/image.md", "content/ja/ref/image.md"]
    assert report["skipped"] == [{"path": "content/en/notes.md", "reason": "does not touch the Image surface (pre-filter)"}]
    assert len(ET.parse(reports / "junit.xml").getroot().findall("testsuite")) == 2
    assert summary.read_text().startswith("## wbimage-conformance docs check: FAILED")
    assert (reports / "docs-report.md").read_text().startswith("## wbimage-conformance docs check: FAILED")
    assert output.read_text() == "exit-code=1\nreport-dir=wbimage-conformance\n"


def test_the_script_checks_the_pages_changed_since_a_ref_with_their_translations(docs_site):
    base = git(docs_site, "rev-parse", "HEAD").strip()
    page = docs_site / "content" / "en" / "ref" / "image.md"
    page.write_text(page.read_text() + "\nOne more sentence.\n")
    (docs_site / "content" / "en" / "notes.md").write_text("# Notes\n\nStill nothing about images.\n")
    git(docs_site, "commit", "-qam", "edit")
    done, _, output = run_script(docs_site, WBIMAGE_DOCS="content", WBIMAGE_DOCS_CHANGED_SINCE=base,
                                 WBIMAGE_ARGS="--no-run")
    assert done.returncode == 1, done.stderr
    assert "--with-translations --filter content/en/notes.md content/en/ref/image.md" in done.stdout
    report = json.loads((docs_site / "wbimage-conformance" / "docs-report.json").read_text())
    assert [p["path"] for p in report["pages"]] == ["content/en/ref/image.md", "content/ja/ref/image.md"]
    assert [s["path"] for s in report["skipped"]] == ["content/en/notes.md"]
    assert output.read_text().startswith("exit-code=1\n")


def test_the_script_passes_when_no_page_changed(docs_site):
    done, _, output = run_script(docs_site, WBIMAGE_DOCS="content", WBIMAGE_DOCS_CHANGED_SINCE="HEAD")
    assert done.returncode == 0, done.stderr
    assert "no documentation page changed since HEAD" in done.stdout
    assert output.read_text().startswith("exit-code=0\n")


# -- the pre-commit hook ----------------------------------------------------------------------


def test_the_hook_checks_changed_pages_with_their_translations_in_one_call():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    hook = hooks["wbimage-docs-check"]
    assert hook["entry"] == "wbimage-conformance docs check --with-translations --filter"
    assert hook["language"] == "python" and hook["types_or"] == ["markdown", "mdx"] and hook["require_serial"] is True


def test_the_tree_hook_checks_the_whole_tree_without_file_names():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    hook = hooks["wbimage-docs-check-tree"]
    assert hook["entry"] == "wbimage-conformance docs check" and hook["pass_filenames"] is False
    assert hook["args"] == ["content"] and hook["require_serial"] is True


@pytest.fixture
def docs_repository(tmp_path) -> Path:
    repo = tmp_path / "docs-repo"
    repo.mkdir()
    shutil.copy(DOCS / "good" / "image.en.md", repo / "image.en.md")
    shutil.copy(DOCS / "drift" / "formula-256.ja.md", repo / "image.ja.md")
    (repo / "notes.md").write_text("# Notes\n\nNothing about images here.\n")
    git = ["git", "-c", "user.name=docs", "-c", "user.email=docs@example.invalid"]
    for command in (["init", "-q"], ["add", "."], ["commit", "-qm", "pages"]):
        subprocess.run(git + command, cwd=repo, check=True, capture_output=True)
    return repo


def test_pre_commit_try_repo_runs_the_hook_and_fails_on_a_drifted_page(docs_repository, tmp_path):
    pre_commit = shutil.which("pre-commit") or shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if pre_commit is None:
        pytest.skip("pre-commit is not installed (pip install -e '.[test]' installs it)")
    if not (ROOT / ".git").exists():
        pytest.skip("pre-commit try-repo needs this project as a git repository")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    env.pop("PYTHONPATH", None)
    done = subprocess.run([pre_commit, "try-repo", str(ROOT), "wbimage-docs-check", "--all-files", "--verbose"],
                          cwd=docs_repository, env=env, capture_output=True, text=True, timeout=900)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "wbimage-conformance docs check" in out and "Failed" in out
    assert "image.ja.md:51: error [formula]" in out
    assert "image.en.md: en" in out  # the pages went to the one call; the one about other things left out
    assert "skipped: 1 page (1 does not touch the Image surface (pre-filter))" in out


# -- the README's copy-paste examples ---------------------------------------------------------


def readme_blocks(language: str) -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks, inside, lines = [], False, []
    for line in text.splitlines():
        if not inside and line.strip() == f"```{language}":
            inside, lines = True, []
        elif inside and line.strip() == "```":
            inside = False
            blocks.append("\n".join(lines))
        elif inside:
            lines.append(line)
    return blocks


def test_the_readme_pyproject_example_is_a_valid_section(tmp_path):
    from wbimage_conformance.commands import pyproject

    (example,) = [b for b in readme_blocks("toml") if "[tool.wbimage-conformance]" in b]
    (tmp_path / "pyproject.toml").write_text(example)
    config = pyproject.load(tmp_path)
    assert config.impl == "mypkg.images:Image" and dict(config.reports).keys() == {"junit", "html"}


def test_the_readme_workflows_use_the_action_with_declared_inputs_only(action):
    uses = []
    for block in readme_blocks("yaml"):
        data = yaml.safe_load(block)
        for job in (data.get("jobs") or {}).values():
            uses += [s for s in job["steps"] if ".github/actions/wbimage-conformance@" in s.get("uses", "")]
    assert len(uses) == 3
    for step in uses:
        assert set(step.get("with", {})) <= set(action["inputs"])


def test_the_readme_pre_commit_example_names_the_hook():
    (config,) = [yaml.safe_load(b) for b in readme_blocks("yaml") if "repos:" in b]
    assert config["repos"][0]["hooks"][0]["id"] == "wbimage-docs-check"
