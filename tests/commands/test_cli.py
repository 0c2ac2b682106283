"""The command line: exit codes 0/1/2, one-line errors, selection, expectations, formats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import PIL
import pytest
import yaml

import wbimage_conformance
from wbimage_conformance.commands import cli

import runner_support as support


@pytest.fixture(autouse=True)
def _fixtures_importable(monkeypatch):
    support.use_fixtures_path(monkeypatch)


@pytest.fixture
def case_file(tmp_path):
    return support.write_cases(tmp_path, [
        support.case("unit-plain"),
        support.case("unit-captioned", kwargs={"caption": "hello"}, expect={"pixels": [[51, 76]], "caption": "hello"}),
        support.case("range-signed", [[-1.0, 0.0]], expect={"pixels": [[0, 127]]}, clauses=["norm.signed"]),
    ])


def run(capsys, *args):
    code = cli.main(["run", *[str(a) for a in args]])
    out, err = capsys.readouterr()
    return code, out, err


def test_exit_0_when_every_case_passes(capsys, case_file):
    code, out, _ = run(capsys, "--impl", support.toy("ToyImage"), "--cases", case_file)
    assert code == 0
    assert "3 passed" in out


def test_exit_1_on_an_unexpected_result(capsys, case_file):
    code, out, _ = run(capsys, "--impl", support.toy("RoundingImage"), "--cases", case_file)
    assert code == 1
    assert "unit-plain" in out and "expected 76, got 77" in out


def test_exit_1_on_a_crash(capsys, case_file):
    code, _, _ = run(capsys, "--impl", support.toy("ExitingImage"), "--cases", case_file)
    assert code == 1


def test_exit_2_on_a_malformed_case_file(capsys, tmp_path):
    data = support.case("broken")
    data["input"]["dtype"] = "float8"
    path = support.write_cases(tmp_path, [data])
    code, out, err = run(capsys, "--cases", path)
    assert code == 2 and out == ""
    line = support.one_line_error(err)
    assert str(path) in line and "case 'broken'" in line and "field input.dtype" in line


@pytest.mark.parametrize("args, message", [
    (["--impl", "no_such_module:Image"], "No module named 'no_such_module'"),
    (["--impl", "nothing-registered"], "unknown implementation 'nothing-registered'"),
    (["--impl", "exec:"], "exec: needs a command"),
    (["--impl", "exec:/nonexistent/program"], "cannot start"),
    (["--impl", "reference@/nonexistent/python"], "not an executable interpreter"),
    (["-k", "unit and"], "unexpected end of expression"),
    (["-k", "no-case-has-this"], "no case matches the selection"),
    (["--jobs", "0"], "argument --jobs: expected a whole number or auto, from 1 to 256, not '0'"),
    (["--jobs", "many"], "argument --jobs: expected a whole number or auto"),
    (["--jobs", "1" + "0" * 20], "argument --jobs: expected a whole number or auto, from 1 to 256"),
    (["--timeout", "0"], "argument --timeout: must be more than 0 and at most 86400 seconds, not '0'"),
    (["--timeout", "-1"], "argument --timeout: must be more than 0 and at most 86400 seconds, not '-1'"),
    (["--timeout", "1e308"], "argument --timeout: must be more than 0 and at most 86400 seconds"),
    (["--timeout", "nan"], "argument --timeout: must be a finite number of seconds, not 'nan'"),
    (["--timeout", "inf"], "argument --timeout: must be a finite number of seconds, not 'inf'"),
    (["--timeout=-inf"], "argument --timeout: must be a finite number of seconds"),
    (["--timeout", "soon"], "argument --timeout: must be a number, not 'soon'"),
    (["--memory-limit", "junk"], "argument --memory-limit: must be a whole number, not 'junk'"),
    (["--memory-limit", "0"], "argument --memory-limit: must be a whole number from 1 to 16777216 MiB"),
    (["--memory-limit", "1.5"], "argument --memory-limit: must be a whole number"),
    (["--memory-limit", "9" * 40], "argument --memory-limit: must be a number of at most 32 characters"),
    (["--maxfail", "-1"], "argument --maxfail: must be a whole number from 1 to"),
    (["--maxfail", "0"], "argument --maxfail: must be a whole number from 1 to"),
    (["--shard", "0/3"], "--shard '0/3': K must be between 1 and N"),
    (["--shard", "4/3"], "--shard '4/3': K must be between 1 and N"),
    (["--shard", "1/0"], "--shard '1/0': K must be between 1 and N"),
    (["--shard", "1/5000"], "N between 1 and 1024"),
    (["--shard", "1/" + "9" * 5000], "expected K/N"),
    (["--format", "pdf"], "invalid choice: 'pdf'"),
    (["--bogus"], "unrecognized arguments: --bogus"),
])
def test_exit_2_on_usage_and_configuration_errors(capsys, case_file, args, message):
    code, _, err = run(capsys, "--cases", case_file, *args)
    assert code == 2
    assert message in support.one_line_error(err)


def test_exit_2_without_a_command(capsys):
    assert cli.main([]) == 2
    support.one_line_error(capsys.readouterr().err)


def write_expectations(tmp_path, deviations, implementation="toy_impls:RoundingImage", versions=None):
    path = tmp_path / "expect.yaml"
    data = {"implementation": implementation, "deviations": deviations}
    if versions:
        data["versions"] = versions
    path.write_text(yaml.safe_dump(data))
    return path


def test_known_failures_listed_in_expectations_exit_0(capsys, tmp_path, case_file):
    exp = write_expectations(tmp_path, {
        "unit-plain": {"status": "failed", "reason": "rounds"},
        "unit-captioned": {"status": "failed", "reason": "rounds"},
        "range-signed": {"status": "failed", "reason": "rounds 127.5 up"},
    })
    code, out, _ = run(capsys, "--impl", support.toy("RoundingImage"), "--cases", case_file, "--expectations", exp)
    assert code == 0, out
    assert "3 xfailed" in out


def test_xpassed_exits_1(capsys, tmp_path, case_file):
    exp = write_expectations(tmp_path, {"range-signed": {"status": "failed", "reason": "thought it fails"}},
                             implementation="toy_impls:ToyImage")
    code, out, _ = run(capsys, "--impl", support.toy("ToyImage"), "--cases", case_file, "--expectations", exp)
    assert code == 1
    assert "1 xpassed" in out


@pytest.mark.parametrize("deviations, implementation, message", [
    ({"gone": {"status": "failed", "reason": "r"}}, "toy_impls:ToyImage", "do not exist: gone"),
    ({}, "wandb", "written for implementation 'wandb'"),
])
def test_stale_expectations_exit_2(capsys, tmp_path, case_file, deviations, implementation, message):
    exp = write_expectations(tmp_path, deviations, implementation)
    code, _, err = run(capsys, "--impl", support.toy("ToyImage"), "--cases", case_file, "--expectations", exp)
    assert code == 2
    assert message in support.one_line_error(err)


def test_version_range_excluding_the_implementation_exits_2(capsys, tmp_path, case_file):
    exp = write_expectations(tmp_path, {}, implementation="toy-adapter", versions=">=2")
    code, _, err = run(capsys, "--impl", "toy_impls:ToyAdapter", "--cases", case_file, "--expectations", exp)
    assert code == 2
    assert "do not include toy-adapter 1.2.3" in support.one_line_error(err)


def test_update_expectations_then_rerun_exits_0(capsys, tmp_path, case_file):
    target = tmp_path / "written.yaml"
    code, _, _ = run(capsys, "--impl", support.toy("RoundingImage"), "--cases", case_file, "--update-expectations", target)
    assert code == 0
    written = yaml.safe_load(target.read_text())
    assert written["implementation"] == "toy_impls:RoundingImage"
    assert set(written["deviations"]) == {"unit-plain", "unit-captioned", "range-signed"}
    assert written["deviations"]["unit-plain"]["status"] == "failed"
    written["deviations"]["unit-plain"]["reason"] = "rounds half up, by design"
    target.write_text(yaml.safe_dump(written))
    code, _, _ = run(capsys, "--impl", support.toy("RoundingImage"), "--cases", case_file, "--expectations", target,
                     "--update-expectations", target)
    assert code == 0
    assert yaml.safe_load(target.read_text())["deviations"]["unit-plain"]["reason"] == "rounds half up, by design"
    code, _, _ = run(capsys, "--impl", support.toy("RoundingImage"), "--cases", case_file, "--expectations", target)
    assert code == 0


def test_expectations_drafted_under_another_pillow_major_exit_2_naming_both(capsys, tmp_path, case_file):
    exp = write_expectations(tmp_path, {}, implementation="toy_impls:ToyImage")
    data = yaml.safe_load(Path(exp).read_text())
    data["environment"] = {"numpy": np.__version__, "pillow": "1.0.0", "torch": None}
    Path(exp).write_text(yaml.safe_dump(data))
    code, _, err = run(capsys, "--impl", support.toy("ToyImage"), "--cases", case_file, "--expectations", exp)
    assert code == 2
    line = support.one_line_error(err)
    assert "drafted under Pillow 1.0.0, but the worker has Pillow " + PIL.__version__ in line


def test_update_expectations_records_the_environment(capsys, tmp_path, case_file):
    target = tmp_path / "written.yaml"
    code, _, _ = run(capsys, "--impl", support.toy("RoundingImage"), "--cases", case_file, "--update-expectations", target)
    assert code == 0
    environment = yaml.safe_load(target.read_text())["environment"]
    assert environment["numpy"] == np.__version__ and environment["pillow"] == PIL.__version__


def test_version_is_printed_by_the_command_and_by_python_m(capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == f"wbimage-conformance {wbimage_conformance.__version__}"
    done = subprocess.run([sys.executable, "-m", "wbimage_conformance", "--version"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == f"wbimage-conformance {wbimage_conformance.__version__}"


def test_python_m_runs_the_command_with_its_exit_codes(case_file):
    done = subprocess.run([sys.executable, "-m", "wbimage_conformance", "run", "--cases", case_file, "--impl", "nosuch:Thing"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert support.one_line_error(done.stderr)


def ids_in_json(capsys, *args):
    code, out, _ = run(capsys, "--format", "json", *args)
    assert code == 0, out
    return [r["id"] for r in json.loads(out)["results"]]


@pytest.mark.parametrize("selection, ids", [
    (["-k", "unit"], ["unit-plain", "unit-captioned"]),
    (["-k", "unit and not captioned"], ["unit-plain"]),
    (["-k", "PLAIN or signed"], ["unit-plain", "range-signed"]),
    (["-k", "(plain or captioned) and not signed"], ["unit-plain", "unit-captioned"]),
    (["-k", "toy and signed"], ["range-signed"]),  # "toy" is in every title, in no id
    (["--clause", "norm.signed"], ["range-signed"]),
    (["--clause", "norm"], ["unit-plain", "unit-captioned", "range-signed"]),
    (["--level", "required"], ["unit-plain", "unit-captioned", "range-signed"]),
])
def test_selection(capsys, case_file, selection, ids):
    assert ids_in_json(capsys, "--impl", support.toy("ToyImage"), "--cases", case_file, *selection) == ids


def test_json_report_to_a_file_follows_its_schema(capsys, tmp_path, case_file):
    jsonschema = pytest.importorskip("jsonschema")
    target = tmp_path / "report.json"
    code, out, _ = run(capsys, "--impl", support.toy("RoundingImage"), "--cases", case_file, "--format", "json",
                       "--output", target)
    assert code == 1 and "verdict: 3 unexpected result(s)" in out  # the terminal still gets the text report
    data = json.loads(target.read_text())
    schema = json.loads((Path(cli.__file__).parents[1] / "schemas" / "report.schema.json").read_text())
    jsonschema.validate(data, schema)
    assert data["summary"]["failed"] == 3
    assert data["environment"]["case_set_digest"].startswith("sha256:")


@pytest.mark.parametrize("fmt", ["junit", "markdown", "html"])
def test_other_formats_are_written(capsys, tmp_path, case_file, fmt):
    target = tmp_path / f"report.{fmt}"
    code, _, _ = run(capsys, "--impl", support.toy("RoundingImage"), "--cases", case_file, "--format", fmt, "--output", target)
    assert code == 1
    assert "unit-plain" in target.read_text()


def test_jobs_change_speed_never_verdicts(capsys, tmp_path):
    captions = ["ok", "exit", "wrong", "mutate", "ok", "segv", "wrong", "ok", "oom", "ok"]
    path = support.write_cases(tmp_path, [support.case(f"mixed-{i:02d}", kwargs={"caption": c}) for i, c in enumerate(captions)])
    reports = []
    for jobs in (1, 3):
        target = tmp_path / f"jobs{jobs}.json"
        code, _, _ = run(capsys, "--impl", support.toy("Chaos"), "--cases", path, "--jobs", jobs, "--format", "json",
                         "--output", target)
        assert code == 1
        data = json.loads(target.read_text())
        reports.append([(r["id"], r["status"], r["message"], r["mismatches"]) for r in data["results"]])
    assert reports[0] == reports[1]
    assert [r[1] for r in reports[0]] == ["passed", "crash", "failed", "failed", "passed", "crash", "failed",
                                          "passed", "crash", "passed"]


def test_coverage_text_and_json(capsys, case_file):
    assert cli.main(["coverage", "--cases", str(case_file)]) == 0
    out = capsys.readouterr().out
    assert "norm.unit" in out and "unit-plain, unit-captioned" in out and "uncovered" in out
    assert cli.main(["coverage", "--cases", str(case_file), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["clauses"]["norm.signed"] == ["range-signed"]
    assert "input.pil" in data["uncovered"]
    assert data["cases"] == 3
    assert data["statements"]["norm.bounds:closed"] == [] and "norm.bounds:closed" in data["uncovered_statements"]


def test_console_script(tmp_path, case_file, monkeypatch):
    monkeypatch.chdir(tmp_path)
    done = subprocess.run(["wbimage-conformance", "run", "--impl", support.toy("RoundingImage"), "--cases", str(case_file)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    assert "unit-plain" in done.stdout


def test_update_expectations_into_a_missing_folder_stops_before_the_run(capsys, tmp_path, case_file):
    code, out, err = run(capsys, "--impl", support.toy("RoundingImage"), "--cases", case_file,
                         "--update-expectations", tmp_path / "missing" / "exp.yaml")
    assert code == 2 and "the folder it goes in does not exist" in support.one_line_error(err)
    assert "passed" not in out


def test_a_run_that_checks_no_case_is_not_a_pass(capsys, tmp_path):
    """exec_impl declares no tensor input, so the one tensor case is skipped: nothing checked."""
    tensor = support.case("tensor-only", input={"kind": "tensor", "dtype": "float32", "value": [[0.2, 0.3]]})
    path = support.write_cases(tmp_path, [tensor])
    code, _, err = run(capsys, "--cases", path, "--impl", support.exec_impl(), "--format", "text")
    assert code == 1
    assert "not a pass: no case was checked (all 1 skipped)" in err
    code, _, _ = run(capsys, "--cases", path, "--impl", support.exec_impl(), "--format", "text", "--allow-skips")
    assert code == 0
