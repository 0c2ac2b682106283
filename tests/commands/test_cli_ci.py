"""The command line as a CI job uses it: one run writes every report and still prints the text
report; the step summary gets the Markdown table; shards merged equal the whole run; --maxfail
stops; pyproject.toml supplies the defaults; --jobs auto."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from wbimage_conformance.commands import cli
from wbimage_conformance.run import jobs, runner

import runner_support as support

SCHEMA = json.loads((Path(cli.__file__).parents[1] / "schemas" / "report.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _fixtures_importable(monkeypatch, tmp_path):
    support.use_fixtures_path(monkeypatch)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)  # no pyproject.toml above tmp_path: no project defaults


# RoundingImage rounds where the spec truncates: [[0.2, 0.3]] fails, [[0.0, 1.0]] passes.
def exact(case_id: str) -> dict:
    return support.case(case_id, [[0.0, 1.0]], expect={"pixels": [[0, 255]], "mode": "L", "size": [2, 1]})


MIXED = ["exact-1", "rounds-1", "exact-2", "rounds-2", "exact-3", "signed-1", "rounds-3", "exact-4", "exact-5",
         "rounds-4"]


@pytest.fixture
def mixed_cases(tmp_path) -> Path:
    cases = []
    for case_id in MIXED:
        if case_id.startswith("exact"):
            cases.append(exact(case_id))
        elif case_id.startswith("signed"):
            cases.append(support.case(case_id, [[-1.0, 0.0]], expect={"pixels": [[0, 127]]}, clauses=["norm.signed"]))
        else:
            cases.append(support.case(case_id))
    return support.write_cases(tmp_path, cases, "mixed.yaml")


ROUNDING = support.toy("RoundingImage")


def main(capsys, *args) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def statuses(path: Path) -> list[tuple[str, str]]:
    return [(r["id"], r["status"]) for r in json.loads(path.read_text())["results"]]


# -- one run, every report --------------------------------------------------------------------


def test_one_run_writes_junit_json_and_html_and_prints_the_text_report(capsys, tmp_path, mixed_cases):
    out_dir = tmp_path / "reports" / "deep"
    code, out, err = main(capsys, "run", "--impl", ROUNDING, "--cases", mixed_cases,
                          "--report", f"junit={out_dir / 'junit.xml'}", "--report", f"json={out_dir / 'run.json'}",
                          "--report", f"html={out_dir / 'report.html'}")
    assert code == 1
    assert out.startswith("wbimage-conformance report") and "verdict: 5 unexpected result(s)" in out
    assert "FAILED rounds-1" in out
    data = json.loads((out_dir / "run.json").read_text())
    jsonschema.validate(data, SCHEMA)
    testcases = {t.get("name"): t for t in ET.parse(out_dir / "junit.xml").getroot().iter("testcase")}
    assert set(testcases) == set(MIXED)
    failing_in_junit = {name for name, t in testcases.items() if t.find("failure") is not None}
    assert failing_in_junit == {r["id"] for r in data["results"] if r["status"] == "failed"}
    assert testcases["signed-1"].get("classname") == "wbimage.norm.signed"
    html = (out_dir / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "rounds-4" in html
    for kind, name in (("junit", "junit.xml"), ("json", "run.json"), ("html", "report.html")):
        assert f"wrote {kind} report: {out_dir / name}" in err


def test_format_to_standard_output_moves_the_text_report_to_standard_error(capsys, mixed_cases):
    code, out, err = main(capsys, "run", "--impl", ROUNDING, "--cases", mixed_cases, "--format", "json")
    assert code == 1
    assert json.loads(out)["summary"]["failed"] == 5
    assert "verdict: 5 unexpected result(s)" in err


def test_a_report_path_that_is_a_directory_fails_before_the_run(capsys, tmp_path, mixed_cases):
    code, out, err = main(capsys, "run", "--impl", "no_such_module:Image", "--cases", mixed_cases,
                          "--report", f"junit={tmp_path}")
    assert code == 2 and out == ""
    assert "is a directory" in support.one_line_error(err)  # not the implementation's error: nothing ran


@pytest.mark.parametrize("value, message", [("junit", "expected FORMAT=PATH"), ("pdf=x.pdf", "unknown format 'pdf'")])
def test_a_malformed_report_option_is_a_usage_error(capsys, mixed_cases, value, message):
    code, _, err = main(capsys, "run", "--cases", mixed_cases, "--report", value)
    assert code == 2 and message in support.one_line_error(err)


# -- the CI step summary ----------------------------------------------------------------------


def test_the_step_summary_file_gets_the_markdown_table_appended(capsys, tmp_path, monkeypatch, mixed_cases):
    summary = tmp_path / "step_summary.md"
    summary.write_text("# earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, _ = main(capsys, "run", "--impl", ROUNDING, "--cases", mixed_cases)
    assert code == 1 and "verdict:" in out
    text = summary.read_text()
    assert text.startswith("# earlier step\n## wbimage-conformance: toy\\_impls:RoundingImage: 5 unexpected result(s)")
    assert "| family | total | passed | failed |" in text
    assert "| **total** | **10** | **5** | **5** |" in text


def test_without_the_variable_no_summary_is_written(capsys, tmp_path, mixed_cases):
    main(capsys, "run", "--impl", ROUNDING, "--cases", mixed_cases)
    assert not list(tmp_path.glob("*.md"))


# -- shards -----------------------------------------------------------------------------------


def test_three_shards_merged_equal_the_whole_run(capsys, tmp_path, mixed_cases):
    whole = tmp_path / "whole.json"
    main(capsys, "run", "--impl", ROUNDING, "--cases", mixed_cases, "--report", f"json={whole}")
    shard_files = []
    for k in (1, 2, 3):
        path = tmp_path / f"shard-{k}.json"
        code, out, _ = main(capsys, "run", "--impl", ROUNDING, "--cases", mixed_cases, "--shard", f"{k}/3",
                            "--report", f"json={path}")
        assert code in (0, 1) and f"shard                   {k} of 3" in out
        shard_files.append(path)
    parts = [[i for i, _ in statuses(p)] for p in shard_files]
    assert all(parts) and sorted(sum(parts, [])) == sorted(MIXED)
    merged = tmp_path / "merged.json"
    code, out, _ = main(capsys, "report", *reversed(shard_files), "--format", "json", "--output", merged)
    assert code == 1 and "verdict: 5 unexpected result(s)" in out
    assert statuses(merged) == statuses(whole)
    merged_data, whole_data = json.loads(merged.read_text()), json.loads(whole.read_text())
    for data in (merged_data, whole_data):
        for result in data["results"]:
            result["duration_s"] = 0
    merged_causes, whole_causes = merged_data.pop("causes"), {c["id"]: c for c in whole_data.pop("causes")}
    del merged_data["unexplained"], whole_data["unexplained"]
    assert merged_data == whole_data
    # Each shard triages its own results (a saved run keeps no observations to triage again): a
    # cause that explains a case alone does so in the merge as in the whole run; a pair of causes
    # only where the shard also found one of them alone.
    assert merged_causes and {c["id"] for c in merged_causes} <= set(whole_causes)
    for cause in merged_causes:
        whole_cause = whole_causes[cause["id"]]
        assert set(cause["explains"]) <= set(whole_cause["explains"])
        alone = [i for i in cause["explains"] if i not in cause["together"]]
        assert alone == [i for i in whole_cause["explains"] if i not in whole_cause["together"]]


def test_merging_without_every_shard_is_refused(capsys, tmp_path, mixed_cases):
    paths = []
    for k in (1, 3):
        paths.append(tmp_path / f"shard-{k}.json")
        main(capsys, "run", "--impl", ROUNDING, "--cases", mixed_cases, "--shard", f"{k}/3", "--report", f"json={paths[-1]}")
    code, _, err = main(capsys, "report", *paths)
    assert code == 2 and "shard 2/3 missing" in support.one_line_error(err)


def test_a_shard_with_no_case_still_reports(capsys, tmp_path):
    cases = support.write_cases(tmp_path, [exact("only")])
    code, out, _ = main(capsys, "run", "--impl", ROUNDING, "--cases", cases, "--shard", "2/2", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["results"] == [] and data["shard"] == {"index": 2, "count": 2, "selection": ["only"]}


# -- --maxfail and -x -------------------------------------------------------------------------


def test_maxfail_1_stops_after_the_first_unexpected_result(capsys, mixed_cases):
    code, out, err = main(capsys, "run", "--impl", ROUNDING, "--cases", mixed_cases, "--maxfail", "1", "--jobs", "1",
                          "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert [(r["id"], r["status"]) for r in data["results"]] == [("exact-1", "passed"), ("rounds-1", "failed")]
    assert data["not_run"] == MIXED[2:]
    assert "stopped after 1 unexpected result(s) (--maxfail 1); 8 of 10 selected cases not run" in err
    assert "not run                 8 selected cases" in err  # the text report's header says it too


def test_x_is_maxfail_1(capsys, mixed_cases):
    code, out, _ = main(capsys, "run", "--impl", ROUNDING, "--cases", mixed_cases, "-x", "--jobs", "1", "--format", "json")
    assert code == 1 and len(json.loads(out)["results"]) == 2


def test_maxfail_counts_unexpected_results_after_expectations(capsys, tmp_path, mixed_cases):
    expected = tmp_path / "expect.yaml"
    expected.write_text("implementation: toy_impls:RoundingImage\ndeviations:\n"
                        "  rounds-1: {status: failed, reason: rounds}\n")
    code, out, _ = main(capsys, "run", "--impl", ROUNDING, "--cases", mixed_cases, "--expectations", expected,
                        "--maxfail", "2", "--jobs", "1", "--format", "json")
    results = json.loads(out)["results"]
    assert [r["status"] for r in results] == ["passed", "xfailed", "passed", "failed", "passed", "failed"]


def test_with_several_jobs_maxfail_still_stops_early(capsys, mixed_cases):
    code, out, _ = main(capsys, "run", "--impl", ROUNDING, "--cases", mixed_cases, "--maxfail", "1", "--jobs", "2",
                        "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["not_run"] and len(data["results"]) + len(data["not_run"]) == len(MIXED)


def test_maxfail_and_update_expectations_do_not_go_together(capsys, tmp_path, mixed_cases):
    code, _, err = main(capsys, "run", "--cases", mixed_cases, "-x", "--update-expectations", tmp_path / "e.yaml")
    assert code == 2 and "do not go together" in support.one_line_error(err)


# -- pyproject.toml ---------------------------------------------------------------------------


def write_section(directory: Path, body: str) -> Path:
    path = directory / "pyproject.toml"
    path.write_text("[project]\nname = 'my-images'\n\n[tool.wbimage-conformance]\n" + body)
    return path


def test_the_pyproject_section_selects_the_implementation(capsys, tmp_path, monkeypatch, mixed_cases):
    path = write_section(tmp_path, f'impl = "{ROUNDING}"\ncases = "{mixed_cases.name}"\njobs = 1\n'
                                   'reports = {{ json = "out/run.json" }}\n'.replace("{{", "{").replace("}}", "}"))
    inner = tmp_path / "src" / "pkg"
    inner.mkdir(parents=True)
    monkeypatch.chdir(inner)
    code, out, err = main(capsys, "run")
    assert code == 1
    assert "implementation          toy_impls:RoundingImage" in out
    assert f"defaults from [tool.wbimage-conformance] in {path}" in err
    assert [i for i, _ in statuses(tmp_path / "out" / "run.json")] == MIXED


def test_the_command_line_wins_over_the_section(capsys, tmp_path, mixed_cases):
    write_section(tmp_path, f'impl = "{ROUNDING}"\ncases = "{mixed_cases.name}"\n'
                            'reports = { json = "out/run.json" }\n')
    code, out, _ = main(capsys, "run", "--impl", support.toy("ToyImage"), "--report", f"junit={tmp_path / 'j.xml'}")
    assert code == 0  # ToyImage truncates as the spec says: every case passes
    assert "implementation          toy_impls:ToyImage" in out
    assert (tmp_path / "j.xml").exists() and not (tmp_path / "out" / "run.json").exists()


def test_a_bad_section_is_a_one_line_configuration_error(capsys, tmp_path):
    path = write_section(tmp_path, 'impl = "reference"\ntimeout = "soon"\n')
    code, _, err = main(capsys, "run")
    assert code == 2
    assert support.one_line_error(err).endswith(f"{path}:6: tool.wbimage-conformance.timeout: "
                                                "expected a positive number of seconds, at most 86400 (a day), got 'soon'")


# -- --jobs auto ------------------------------------------------------------------------------


def test_jobs_default_to_the_usable_cores_never_more_than_the_cases(capsys, monkeypatch, mixed_cases):
    seen = []
    original = runner.Session.__enter__

    def spy(self):  # the job count is settled once the cases are chosen, before the run starts
        seen.append(self.jobs)
        return original(self)

    monkeypatch.setattr(runner.Session, "__enter__", spy)
    monkeypatch.setattr(jobs, "cores", lambda: 3)
    main(capsys, "run", "--impl", ROUNDING, "--cases", mixed_cases)
    main(capsys, "run", "--impl", ROUNDING, "--cases", mixed_cases, "-k", "exact-1")
    main(capsys, "run", "--impl", ROUNDING, "--cases", mixed_cases, "--jobs", "2")
    assert seen == [3, 1, 2]


def test_report_renders_a_saved_run_appends_the_step_summary_and_writes_a_badge(capsys, tmp_path, monkeypatch,
                                                                              mixed_cases):
    saved = tmp_path / "run.json"
    main(capsys, "run", "--impl", ROUNDING, "--cases", mixed_cases, "--report", f"json={saved}")
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, _ = main(capsys, "report", saved, "--format", "junit", "--badge", tmp_path / "badge" / "wbimage.json")
    assert code == 1 and out.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert "| **total** | **10** | **5** | **5** |" in summary.read_text()
    assert json.loads((tmp_path / "badge" / "wbimage.json").read_text())["message"] == "50.0% (5/10)"


def test_a_markdown_report_into_the_step_summary_file_is_not_written_twice(capsys, tmp_path, monkeypatch, mixed_cases):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    main(capsys, "run", "--impl", ROUNDING, "--cases", mixed_cases, "--report", f"markdown={summary}")
    assert summary.read_text().count("### Summary by clause family") == 1
