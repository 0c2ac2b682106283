"""What other repositories use: the GitHub Actions composite action (its run step as the shell
script it is, with the environment Actions gives it) and the pre-commit hook (installed and
run by `pre-commit try-repo`, as a documentation repository would)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from locations import ROOT

import runner_support as support

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
    assert upload["if"] == "always()"
    assert upload["with"]["path"] == "${{ steps.run.outputs.report-dir || inputs.report-dir }}"
    assert {"exit-code", "report-dir", "passed", "failed", "unexpected", "pages"} <= set(action["outputs"])
    assert all(o["value"] == f"${{{{ steps.run.outputs.{name} }}}}" for name, o in action["outputs"].items())


def test_every_action_used_is_pinned_by_commit_with_its_tag_in_a_comment():
    lines = [line for line in (ACTION_DIR / "action.yml").read_text(encoding="utf-8").splitlines() if "uses:" in line]
    assert lines
    for line in lines:
        assert re.fullmatch(r"\s*uses: [\w.-]+/[\w.-]+@[0-9a-f]{40}\s+# v\d+\.\d+\.\d+", line), line


def test_the_readme_workflows_pin_every_action_but_this_one_by_commit():
    pinned = re.compile(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}\s+# v\d+\.\d+\.\d+")
    for block in readme_blocks("yaml"):
        for line in block.splitlines():
            uses = re.search(r"uses: (\S+.*)$", line)
            if uses and "OWNER/wbimage-conformance" not in line:
                assert pinned.fullmatch(uses.group(1).strip()), line


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
    """run.sh as the Actions runner starts it: in the workspace, with the inputs as environment
    variables and the files GitHub reads the summary and the outputs from."""
    summary, output = directory / "step-summary.md", directory / "github-output.txt"
    summary.write_text("")
    output.write_text("")
    env = {**os.environ, "PYTHON": sys.executable, "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output),
           "GITHUB_WORKSPACE": str(directory), **inputs}
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
    assert outputs(output) == {"total": "2", "passed": "1", "failed": "1", "errors": "0", "skipped": "0",
                               "xfailed": "0", "xpassed": "0", "timeouts": "0", "crashes": "0", "unexpected": "1",
                               "exit-code": "1", "report-dir": "out/wbimage"}


def test_without_inputs_the_script_takes_the_pyproject_section(project):
    (project / "pyproject.toml").write_text('[tool.wbimage-conformance]\nimpl = "toy_impls:ToyImage"\n'
                                            'cases = "conformance-cases.yaml"\njobs = 1\n')
    done, summary, output = run_script(project)
    assert done.returncode == 0, done.stderr
    assert "implementation          toy_impls:ToyImage" in done.stdout
    assert (project / "wbimage-conformance" / "report.html").is_file()
    assert outputs(output)["exit-code"] == "0"


def test_a_configuration_error_is_exit_code_2_in_the_outputs(project):
    done, _, output = run_script(project, WBIMAGE_IMPL="no_such_module:Image", WBIMAGE_CASES="conformance-cases.yaml")
    assert done.returncode == 2
    assert "No module named 'no_such_module'" in done.stderr
    assert outputs(output)["exit-code"] == "2"


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
    counted = {name: str(report["summary"][name]) for name in ("pages", "errors", "warnings", "notes")}
    assert outputs(output) == {**counted, "exit-code": "1", "report-dir": "wbimage-conformance"}
    assert counted["pages"] == "2" and counted["errors"] != "0"
    assert "::error title=wbimage-conformance docs check%3A formula%3A " in done.stdout
    assert ",file=content/ja/ref/image.md,line=51::" in done.stdout


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
    assert outputs(output)["exit-code"] == "1"


def test_the_script_passes_when_no_page_changed(docs_site):
    done, _, output = run_script(docs_site, WBIMAGE_DOCS="content", WBIMAGE_DOCS_CHANGED_SINCE="HEAD")
    assert done.returncode == 0, done.stderr
    assert "no documentation page changed since HEAD" in done.stdout
    assert outputs(output)["exit-code"] == "0"


def outputs(path: Path) -> dict[str, str]:
    """$GITHUB_OUTPUT as GitHub reads it (single-line NAME=VALUE entries); a name given twice is
    an error here, as a second value would silently win there."""
    pairs = [line.split("=", 1) for line in path.read_text().splitlines()]
    assert len({name for name, _ in pairs}) == len(pairs), pairs
    return dict(pairs)


def case_line(path: Path, case_id: str) -> int:
    return path.read_text().splitlines().index(f"- id: {case_id}") + 1


def test_args_are_split_as_a_shell_would(project):
    done, _, output = run_script(project, WBIMAGE_IMPL=support.toy("RoundingImage"),
                                 WBIMAGE_CASES="conformance-cases.yaml",
                                 WBIMAGE_ARGS="--jobs 1 -k \"rounds and here\"\n--timeout '30'")
    assert done.returncode == 1, done.stderr
    assert "-k rounds\\ and\\ here" in done.stdout  # the command, as echoed: one word
    report = json.loads((project / "wbimage-conformance" / "report.json").read_text())
    assert [r["id"] for r in report["results"]] == ["rounds-here"]
    assert outputs(output)["total"] == "1"


def test_args_that_do_not_split_are_exit_code_2_with_the_reason(project):
    done, _, output = run_script(project, WBIMAGE_ARGS='-k "signed and float16')
    assert done.returncode == 2
    assert "wbimage-conformance action: args: cannot split '-k \"signed and float16' as a shell would: " \
           "No closing quotation" in done.stderr
    assert "::error title=wbimage-conformance action::args: cannot be split as a shell would" in done.stdout
    assert outputs(output) == {"exit-code": "2", "report-dir": "wbimage-conformance"}


def test_each_unexpected_result_is_an_error_annotation_at_its_case_file_line(project):
    done, _, _ = run_script(project, WBIMAGE_IMPL=support.toy("RoundingImage"), WBIMAGE_JOBS="1",
                            WBIMAGE_CASES=str(project / "conformance-cases.yaml"))
    assert done.returncode == 1, done.stderr
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::")]
    line = case_line(project / "conformance-cases.yaml", "rounds-here")
    assert len(annotations) == 1
    assert annotations[0].startswith("::error title=wbimage-conformance%3A failed%3A rounds-here,"
                                     f"file=conformance-cases.yaml,line={line}::rounds-here: toy case rounds-here%0A")
    assert "%0Areproduce: toy_impls.RoundingImage(np.array([[0.2, 0.3]], dtype=np.float32))" in annotations[0]


def test_the_working_directory_input_runs_there_and_annotations_stay_relative_to_the_workspace(tmp_path, monkeypatch):
    support.use_fixtures_path(monkeypatch)
    inner = tmp_path / "pkg, v2:beta"  # a comma and a colon: escaped in the annotation's properties
    inner.mkdir()
    support.write_cases(inner, [support.case("rounds-here")], "conformance-cases.yaml")
    (inner / "pyproject.toml").write_text(f'[tool.wbimage-conformance]\nimpl = "{support.toy("RoundingImage")}"\n'
                                          'cases = "conformance-cases.yaml"\njobs = 1\nsandbox = "none"\n')
    done, _, output = run_script(tmp_path, WBIMAGE_WORKING_DIRECTORY=inner.name, WBIMAGE_REPORT_DIR="out")
    assert done.returncode == 1, done.stderr
    assert (inner / "out" / "report.json").is_file()
    assert outputs(output)["report-dir"] == "pkg, v2:beta/out"
    line = case_line(inner / "conformance-cases.yaml", "rounds-here")
    assert f",file=pkg%2C v2%3Abeta/conformance-cases.yaml,line={line}::" in done.stdout
    assert "none (--sandbox none" in done.stdout  # the section's sandbox


def test_a_missing_working_directory_is_exit_code_2(project):
    done, _, output = run_script(project, WBIMAGE_WORKING_DIRECTORY="nowhere")
    assert done.returncode == 2
    assert done.stderr.strip() == "wbimage-conformance action: working-directory: no such directory: nowhere"
    assert outputs(output)["exit-code"] == "2"


def test_the_setting_inputs_reach_the_run(project):
    done, _, output = run_script(project, WBIMAGE_IMPL=support.toy("RoundingImage"), WBIMAGE_JOBS="1",
                                 WBIMAGE_CASES="conformance-cases.yaml", WBIMAGE_SANDBOX="none", WBIMAGE_MAXFAIL="1",
                                 WBIMAGE_TIMEOUT="30", WBIMAGE_MEMORY_LIMIT="4096", WBIMAGE_BADGE="out/badge.json")
    assert done.returncode == 1, done.stderr
    assert "none (--sandbox none" in done.stdout
    assert "(--maxfail 1)" in done.stderr
    assert json.loads((project / "out" / "badge.json").read_text())["message"].endswith("stopped early")
    done, _, _ = run_script(project, WBIMAGE_SANDBOX="docker")
    assert done.returncode == 2 and "--sandbox: invalid choice: 'docker'" in done.stderr


@pytest.mark.parametrize("name", ["maxfail", "badge", "expectations"])
def test_inputs_of_case_runs_are_refused_with_docs(tmp_path, name):
    done, _, output = run_script(tmp_path, WBIMAGE_DOCS="content", **{f"WBIMAGE_{name.upper()}": "1"})
    assert done.returncode == 2
    assert done.stderr.strip() == f"wbimage-conformance action: {name} applies to runs of the cases, not to docs"


@pytest.fixture(scope="module")
def workflow_commands():
    spec = importlib.util.spec_from_file_location("workflow_commands", ACTION_DIR / "workflow_commands.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_workflow_commands_escape_data_and_properties_as_github_reads_them(workflow_commands):
    line = workflow_commands.command("error", "50% off\r\nnext: a, b", title="failed: x,y", file="a,b/c:d.yaml", line=7)
    assert line == "::error title=failed%3A x%2Cy,file=a%2Cb/c%3Ad.yaml,line=7::50%25 off%0D%0Anext: a, b"
    assert workflow_commands.command("notice", "%0A") == "::notice::%250A"  # an escape sequence in the text stays text


def test_workflow_commands_paths_outside_the_workspace_stay_absolute(workflow_commands, tmp_path):
    assert workflow_commands.workspace_path("/elsewhere/cases.yaml", str(tmp_path), tmp_path) == "/elsewhere/cases.yaml"
    assert workflow_commands.workspace_path("sub/../x.yaml", str(tmp_path), tmp_path / "a") == "a/x.yaml"
    assert workflow_commands.workspace_path(str(tmp_path / "x.yaml"), None, tmp_path) == str(tmp_path / "x.yaml")


def test_workflow_commands_show_at_most_50_annotations_then_say_how_many_more(workflow_commands):
    shown = list(workflow_commands.limited(f"::error::{n}" for n in range(62)))
    assert shown[:50] == [f"::error::{n}" for n in range(50)]
    assert shown[50:] == ["::notice::12 more annotation(s) not shown: see the reports"]


# -- the pre-commit hook ----------------------------------------------------------------------


def test_the_hook_checks_changed_pages_with_their_translations_in_one_call():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    hook = hooks["wbimage-docs-check"]
    assert hook["entry"] == "wbimage-conformance docs check --require-module torch --with-translations --filter"
    assert hook["language"] == "python" and hook["types_or"] == ["markdown", "mdx"] and hook["require_serial"] is True


def test_the_tree_hook_checks_the_whole_tree_without_file_names():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    hook = hooks["wbimage-docs-check-tree"]
    assert hook["entry"] == "wbimage-conformance docs check --require-module torch" and hook["pass_filenames"] is False
    assert hook["args"] == ["content"] and hook["require_serial"] is True


TORCH_PAGE = """# Logging tensors

```python
{imports}
import wandb

pixels = torch.rand(3, 8, 8)
wandb.log({{"img": wandb.Image(pixels)}})
```
"""


@pytest.fixture
def without_torch(tmp_path) -> dict[str, str]:
    """An environment in which `import torch` fails as it does where torch is not installed
    (pre-commit's own environment for the hook): a `torch` on PYTHONPATH that raises
    ModuleNotFoundError. The examples run unsandboxed, so they see PYTHONPATH."""
    stub = tmp_path / "no-torch" / "torch"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'torch'\", name='torch')\n")
    return {**os.environ, "PYTHONPATH": str(stub.parent)}


def hook_command(hook_id: str, *files: Path) -> list[str]:
    """The hook's command line as pre-commit makes it: its entry, its args, the file names."""
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    entry = shlex.split(hooks[hook_id]["entry"])
    console = shutil.which(entry[0], path=str(Path(sys.executable).parent)) or entry[0]
    return [console, *entry[1:], "--sandbox", "none", *hooks[hook_id].get("args", []), *map(str, files)]


@pytest.mark.parametrize("imports", ["import torch", "import torch.nn as nn\nimport torch",
                                     "from torch import nn\nimport torch"])
def test_the_hook_fails_loudly_when_torch_is_missing_for_an_example(tmp_path, without_torch, imports):
    page = tmp_path / "tensors.md"
    page.write_text(TORCH_PAGE.format(imports=imports))
    done = subprocess.run(hook_command("wbimage-docs-check", page), env=without_torch, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(rf"{re.escape(str(page))}:\d+: error \[example\] example-1: stops here: needs the module "
                     r"'torch'.*\(--require-module torch: an example that cannot run is not a pass\)", done.stdout)
    without_flag = [word for word in hook_command("wbimage-docs-check", page) if word not in ("--require-module", "torch")]
    done = subprocess.run(without_flag, env=without_torch, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "note [example] example-1: stops here: needs the module 'torch'" in done.stdout


@pytest.mark.parametrize("imports", ["import numpy as torch", "import torchlike_but_not_torch\nimport torch"])
def test_the_hook_requires_torch_only_where_torch_itself_is_missing(tmp_path, without_torch, imports):
    """A page that does not import torch, or one stopped by another missing module (one whose
    name starts the same), is judged as without the flag."""
    page = tmp_path / "tensors.md"
    page.write_text(TORCH_PAGE.format(imports=imports).replace("torch.rand(3, 8, 8)", "torch.ones((8, 8))"))
    done = subprocess.run(hook_command("wbimage-docs-check", page), env=without_torch, capture_output=True,
                          text=True, timeout=300)
    assert " error " not in done.stdout, done.stdout
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def docs_repository(tmp_path) -> Path:
    repo = tmp_path / "docs-repo"
    repo.mkdir()
    shutil.copy(DOCS / "good" / "image.en.md", repo / "image.en.md")
    shutil.copy(DOCS / "drift" / "formula-256.ja.md", repo / "image.ja.md")
    (repo / "notes.md").write_text("# Notes\n\nNothing about images here.\n")
    (repo / "tensors.md").write_text(TORCH_PAGE.format(imports="import torch"))
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
    # pre-commit's environment has no torch: the tensor example fails the hook, loudly
    assert re.search(r"tensors\.md:\d+: error \[example\] example-1: stops here: needs the module 'torch'", out)


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
        if not isinstance(data, dict):
            continue  # a fragment (a hook's settings)
        for job in (data.get("jobs") or {}).values():
            uses += [s for s in job["steps"] if ".github/actions/wbimage-conformance@" in s.get("uses", "")]
    assert len(uses) == 3
    for step in uses:
        assert set(step.get("with", {})) <= set(action["inputs"])


def test_the_readme_pre_commit_example_names_the_hook():
    (config,) = [yaml.safe_load(b) for b in readme_blocks("yaml") if "repos:" in b]
    assert config["repos"][0]["hooks"][0]["id"] == "wbimage-docs-check"


def test_the_readme_hook_settings_name_a_hook_and_only_keys_pre_commit_knows():
    (fragment,) = [yaml.safe_load(b) for b in readme_blocks("yaml") if "additional_dependencies" in b]
    hooks = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert fragment[0]["id"] in hooks and set(fragment[0]) <= {"id", "additional_dependencies", "args"}
