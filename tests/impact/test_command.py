"""`wbimage-conformance impact` on a small training project, captured as a user captures it:
three call sites (a sigmoid's float predictions, a torch reconstruction, uint8 dataset frames).
Moving from 0.28.2 to 0.31.0 turns the first two black; from 0.20.1 to 0.28.2 nothing changes,
as the saved history says of these inputs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from capture_project import line_of, run_captured, write_project

from wbimage_conformance.commands import cli

import runner_support


@pytest.fixture(scope="module")
def captured(tmp_path_factory) -> tuple[Path, Path]:
    project = write_project(tmp_path_factory.mktemp("project"))
    folder = tmp_path_factory.mktemp("capture") / "dir"
    done = run_captured(project, folder, "training.py")
    assert done.returncode == 0, done.stderr
    assert "trained" in done.stdout
    return project, folder


def impact(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["impact", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def out_of_sites(capsys, folder: Path) -> str:
    return impact(capsys, "--from", "0.28.2", "--to", "0.31.0", str(folder))[1]


def site_of(project: Path, marker: str) -> str:
    return f"{project / 'training.py'}:{line_of(project / 'training.py', marker)}"


def test_the_upgrade_to_031_turns_two_sites_black_and_fails_the_gate(captured, capsys, tmp_path):
    project, folder = captured
    code, out, _ = impact(capsys, "--from", "0.28.2", "--to", "0.31.0", str(folder), "--fail-on", "degraded",
                          "--format", "json")
    assert code == 1
    report = json.loads(out)
    sites = {site["site"]: site for site in report["sites"]}
    for marker in ("prediction", "reconstruction"):
        site = sites[site_of(project, marker)]
        assert site["verdict"] == "degraded"
        assert site["degradations"] == {"black": 3}
        assert any("no normalization since 0.29.0" in cause for cause in site["causes"])
    assert sites[site_of(project, "dataset")]["verdict"] == "unchanged"
    assert [s["site"] for s in report["sites"]][-1] == site_of(project, "dataset")   # worst first
    assert report["totals"] == {"samples": 9, "degraded": 6, "unknown": 0, "changed": 0, "unchanged": 3,
                                "skipped": 0, "sites": 3}


def test_a_release_may_be_spelled_as_pip_or_a_tag_spells_it(captured, capsys):
    _, folder = captured
    code, out, _ = impact(capsys, "--from", "v0.28.2", "--to", "wandb==0.31.0", str(folder), "--fail-on", "degraded",
                          "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert (report["before"]["name"], report["after"]["name"]) == ("wandb 0.28.2", "wandb 0.31.0")
    assert report["totals"]["degraded"] == 6


def test_the_text_report_names_the_black_sites_first(captured, capsys):
    project, folder = captured
    assert site_of(project, "prediction") in out_of_sites(capsys, folder)
    code, out, _ = impact(capsys, "--from", "0.28.2", "--to", "0.31.0", str(folder))
    assert code == 0    # no --fail-on: a report, not a gate
    lines = out.splitlines()
    degraded = [line for line in lines if line.startswith("DEGRADED")]
    assert len(degraded) == 2 and all("[3 black]" in line for line in degraded)
    assert lines.index(degraded[0]) < min(i for i, line in enumerate(lines) if line.startswith("unchanged:"))


def test_from_0201_to_0282_nothing_changes_and_the_history_is_quoted(captured, capsys):
    _, folder = captured
    code, out, _ = impact(capsys, "--from", "0.20.1", "--to", "0.28.2", str(folder), "--fail-on", "changed")
    assert code == 0
    assert "9 sample(s) compared: 0 degraded, 0 unknown, 0 changed, 9 unchanged; 0 skipped" in out
    assert "the saved history: wandb 0.20.1 and 0.28.2 give the same outcome on" in out


def test_the_spec_undoes_the_loss(captured, capsys):
    _, folder = captured
    code, out, _ = impact(capsys, "--from", "0.31.0", "--to", "spec", str(folder), "--format", "json",
                          "--fail-on", "degraded")
    assert code == 0
    report = json.loads(out)
    assert report["after"]["computed_by"] == "the reference implementation"
    improved = [item for site in report["sites"] for item in site["items"] if item["improvement"] == "black"]
    assert len(improved) == 6


def test_a_user_implementation_runs_in_its_worker(captured, capsys, monkeypatch):
    _, folder = captured
    runner_support.use_fixtures_path(monkeypatch)
    code, out, err = impact(capsys, "--from", "spec", "--to", f"toy_impls:RoundingImage@{sys.executable}",
                          str(folder), "--format", "json", "--fail-on", "changed")
    assert out, err
    report = json.loads(out)
    assert report["after"]["computed_by"] == "the real implementation"
    assert report["totals"]["unknown"] == 0
    assert report["totals"]["changed"] > 0 and code == 1    # rounding moves the sigmoid's pixels by one


@pytest.mark.parametrize("impl", ["toy_impls:ExitingImage", "toy_impls:HangingImage"])
def test_an_implementation_that_gives_no_answer_is_unknown_and_fails_any_gate(capsys, impl, monkeypatch, tmp_path):
    runner_support.use_fixtures_path(monkeypatch)
    for name in ("a", "b"):
        np.save(tmp_path / f"{name}.npy", np.full((4, 4), 0.5, np.float32))
    code, out, _ = impact(capsys, "--from", "0.28.2", "--to", f"{impl}@{sys.executable}", str(tmp_path / "a.npy"),
                          str(tmp_path / "b.npy"), "--timeout", "1", "--format", "json", "--fail-on", "degraded")
    report = json.loads(out)
    assert report["totals"]["unknown"] == 2 and report["totals"]["unchanged"] == 0
    assert all(site["verdict"] == "unknown" for site in report["sites"])
    assert code == 1


def test_reports_into_files(captured, capsys, tmp_path):
    _, folder = captured
    target = tmp_path / "out" / "impact.json"
    code, out, err = impact(capsys, "--from", "0.28.2", "--to", "0.31.0", str(folder), "--report", f"json={target}")
    assert code == 0
    assert json.loads(target.read_text())["totals"]["degraded"] == 6
    assert "DEGRADED" in out and f"json report written: {target}" in err


@pytest.mark.parametrize(("args", "message"), [
    (["--verify-samples", "-1"], "--verify-samples must be 0 or more"),
    (["--timeout", "nan"], "--timeout must be a number"),
    (["--report", "pdf=x.pdf"], "expected FORMAT=PATH"),
])
def test_usage_errors(captured, capsys, args, message):
    _, folder = captured
    code, _, err = impact(capsys, "--from", "0.28.2", "--to", "0.31.0", str(folder), *args)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_an_input_that_is_not_a_capture(capsys, tmp_path):
    code, _, err = impact(capsys, "--from", "0.28.2", "--to", "0.31.0", str(tmp_path / "nothing"))
    assert code == 2
    assert "nothing: no such file or folder" in err
