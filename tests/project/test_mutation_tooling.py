"""The mutation-testing scripts of .ci/mutation: which cases a module selects, which mutants
are skipped as equivalent by construction, and that a mutated copy is judged while the
checkout's own reference is left alone."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from locations import ROOT

from wbimage_conformance.cases import casefiles

SCRIPTS = ROOT / ".ci" / "mutation"


def script(name: str):
    spec = importlib.util.spec_from_file_location(f"mutation_{name}", SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_module_selects_the_cases_citing_its_clauses():
    cases_py = script("cases")
    cited = cases_py.cited_clauses("[norm.unit] and [mode.*], then an index [0] and [norm.unit] again")
    assert cited == ["norm.unit", "mode.*", "0"]
    selected = cases_py.select(casefiles.load_case_set().cases, ["limits.*"])
    assert selected and all(any(c.startswith("limits.") for c in case.clauses) for case in selected)


def test_mutants_inside_annotations_are_found_by_position():
    pytest.importorskip("cosmic_ray")
    sessions = script("sessions")
    source = "def f(x: int | None, *rest: str) -> list[int]:\n    y: dict[str, int] = {}\n    return x | 1\n"
    spans = sessions.annotation_spans(source)
    inside = [(1, 9), (1, 28), (1, 36), (2, 7)]  # int | None, str, list[int], dict[...]
    assert all(any(low <= p < high for low, high in spans) for p in inside)
    assert not any(low <= (3, 13) < high for low, high in spans)  # the `|` of `x | 1` is code


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("mutation-copy")
    for name in ("conformance", "reference", "spec"):
        shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", folder)  # a source tree, as .ci/mutation/run makes it
    return folder


def judge(copy: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPTS / "cases.py"), "--copy", str(copy), "--module", "limits",
         "--save-selection", str(tmp_path / "limits.cases")],
        capture_output=True, text=True, timeout=300)


def test_the_unmutated_copy_passes_its_selection(copy, tmp_path):
    done = judge(copy, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "cases pass" in done.stdout


def test_a_mutant_in_the_copy_is_killed_and_the_checkout_is_untouched(copy, tmp_path):
    limits = copy / "reference" / "limits.py"
    original = limits.read_text()
    assert "MAX_DIMENSION: int = 65500" in original
    limits.write_text(original.replace("MAX_DIMENSION: int = 65500", "MAX_DIMENSION: int = 65501"))
    try:
        done = judge(copy, tmp_path)
    finally:
        limits.write_text(original)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "killed by limits-" in done.stdout
    assert "MAX_DIMENSION: int = 65500" in (ROOT / "reference" / "limits.py").read_text()
