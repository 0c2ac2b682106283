"""Expectations files are true and minimal: with the file the run exits 0, and without any
one of its entries it exits 1.

The property is shown on a toy implementation through the command line (draft with
--update-expectations, then drop each entry in turn), and the shipped files of real
releases are checked for the shape that makes it hold: pinned to the one version run,
every entry a failure kind (a `skipped` entry could be dropped without anyone noticing),
a clause and a reason written for it. Whether the shipped files still match their releases
is checked against the real interpreters by expectations/test_releases.py and .ci/releases.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import yaml

from wbimage_conformance.cases import casefiles as cases
from wbimage_conformance.commands import cli
from wbimage_conformance.model import Environment, Status
from wbimage_conformance.run import expectations as expectation_files

import runner_support as support

SHIPPED = sorted(expectation_files.SHIPPED_DIR.glob("*.yaml"))


@functools.lru_cache(maxsize=1)
def case_ids() -> tuple[str, ...]:
    return tuple(c.id for c in cases.load_case_set(None).cases)


@pytest.fixture(autouse=True)
def _fixtures_importable(monkeypatch):
    support.use_fixtures_path(monkeypatch)


def toy_cases(tmp_path: Path) -> Path:
    """Two cases the rounding toy fails, one it errors on, one it passes."""
    return support.write_cases(tmp_path, [
        support.case("unit"),                                               # 51, 76 -> rounds to 77
        support.case("unit-again", [[0.3, 0.2]], expect={"pixels": [[76, 51]], "mode": "L", "size": [2, 1]}),
        support.case("gif", kwargs={"file_type": "gif"}),                   # raises where a result is expected
        support.case("exact", [[0.0, 1.0]], expect={"pixels": [[0, 255]], "mode": "L", "size": [2, 1]}),
    ])


def run(cases_path: Path, *extra: str) -> int:
    return cli.main(["run", "--impl", support.toy("RoundingImage"), "--cases", str(cases_path), *extra])


def test_with_the_drafted_file_exit_0_and_without_any_entry_exit_1(tmp_path, capsys):
    cases_path = toy_cases(tmp_path)
    drafted = tmp_path / "toy.yaml"
    assert run(cases_path, "--update-expectations", str(drafted)) == 0
    data = yaml.safe_load(drafted.read_text())
    assert set(data["deviations"]) == {"unit", "unit-again", "gif"}
    assert run(cases_path, "--expectations", str(drafted)) == 0
    for case_id in data["deviations"]:
        fewer = {**data, "deviations": {k: v for k, v in data["deviations"].items() if k != case_id}}
        path = tmp_path / f"without-{case_id}.yaml"
        path.write_text(yaml.safe_dump(fewer))
        assert run(cases_path, "--expectations", str(path)) == 1, f"dropping {case_id} went unnoticed"
    capsys.readouterr()


def test_an_entry_for_a_passing_case_makes_the_run_fail(tmp_path, capsys):
    cases_path = toy_cases(tmp_path)
    extra = tmp_path / "extra.yaml"
    extra.write_text(yaml.safe_dump({"implementation": support.toy("RoundingImage"), "deviations": {
        "unit": {"status": "failed", "reason": "rounds"}, "unit-again": {"status": "failed", "reason": "rounds"},
        "gif": {"status": "error", "reason": "raises"}, "exact": {"status": "failed", "reason": "not true"}}}))
    assert run(cases_path, "--expectations", str(extra)) == 1
    capsys.readouterr()


def test_an_entry_with_the_wrong_status_makes_the_run_fail(tmp_path, capsys):
    cases_path = toy_cases(tmp_path)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(yaml.safe_dump({"implementation": support.toy("RoundingImage"), "deviations": {
        "unit": {"status": "error", "reason": "rounds"}, "unit-again": {"status": "failed", "reason": "rounds"},
        "gif": {"status": "error", "reason": "raises"}}}))
    assert run(cases_path, "--expectations", str(wrong)) == 1
    capsys.readouterr()


def test_releases_are_shipped():
    names = {p.stem for p in SHIPPED}
    for release in ("0.19.8", "0.20.0", "0.20.1", "0.28.2", "0.29.0", "0.31.0"):
        assert f"wandb-{release}" in names
    assert {"trackio-0.43.0", "swanlab-0.10.3"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_a_shipped_file_is_pinned_needed_and_explained(path):
    loaded = expectation_files.load(path)
    version = path.stem.split("-")[1]
    assert loaded.versions == f"=={version}", "a range must hold only the version measured"
    drafted_under = Environment("0.1.0", "sha256:0", loaded.implementation, version, "3.11.7",
                                loaded.environment["numpy"], loaded.environment["pillow"], loaded.environment["torch"], "Linux")
    assert expectation_files.check(loaded, case_ids(), drafted_under) == []
    for case_id, entry in loaded.deviations.items():
        assert entry.status is not Status.SKIPPED, f"{case_id}: a skipped entry is never needed"
        assert entry.clause, f"{case_id}: names no clause"
        cause, _, observed = entry.reason.partition(": ")
        assert cause and observed, f"{case_id}: the reason needs a cause and what was observed"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_a_shipped_file_records_its_environment(path):
    head = path.read_text(encoding="utf-8").split("\nimplementation:")[0]
    for name in ("Python", "NumPy", "Pillow", "torch"):
        assert f"{name} " in head, f"{path.name}: header does not record the {name} version"
    recorded = expectation_files.load(path).environment
    assert set(recorded) == {"numpy", "pillow", "torch"}, f"{path.name}: environment field incomplete"
    assert f"Pillow {recorded['pillow']}," in head, f"{path.name}: the environment field and the header disagree"
