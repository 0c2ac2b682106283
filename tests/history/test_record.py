"""A saved run: written one case per line, read back the same, and refused with the file, line,
case and field named when it is malformed."""

from __future__ import annotations

import dataclasses
import json

import pytest

from wbimage_conformance.cases import casefiles
from wbimage_conformance.history import record

from history_runs import four_releases, make_run


def test_a_saved_run_reads_back_as_it_was_written(tmp_path):
    run = four_releases()[1]
    path = record.write(run, tmp_path)
    assert path.name == "wandb-0.2.0.json"
    back = record.load(path)
    assert (back.implementation, back.version, back.environment) == (run.implementation, run.version, run.environment)
    assert back.causes == run.causes
    assert back.cases == run.cases


def test_each_case_is_one_line_so_diffs_show_cases():
    run = four_releases()[0]
    lines = record.dumps(run).splitlines()
    assert sum(1 for line in lines if line.lstrip().startswith('["')) == len(run.cases)
    assert any(line.strip().startswith('["boxes-a", "failed", "boxes.box", "fp-boxes-a", [0]]') for line in lines)


def test_writing_the_same_run_twice_gives_the_same_bytes():
    run = four_releases()[2]
    assert record.dumps(run) == record.dumps(record.from_data(json.loads(record.dumps(run)), "x"))


def _broken(tmp_path, change):
    data = json.loads(record.dumps(four_releases()[1]))
    change(data)
    path = tmp_path / "wandb-0.2.0.json"
    text = json.dumps({k: v for k, v in data.items() if k != "cases"})[:-1] + ', "cases": [\n'
    text += ",\n".join(json.dumps(row) for row in data["cases"]) + "\n]}\n"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_unknown_status_names_the_file_the_line_the_case_and_the_field(tmp_path):
    path = _broken(tmp_path, lambda d: d["cases"][2].__setitem__(1, "sort-of"))
    with pytest.raises(record.SavedRunError) as caught:
        record.load(path)
    message = str(caught.value)
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if text.startswith('["boxes-a"'))
    assert message.startswith(f"{path}:{line}: cases[2].status (case boxes-a): 'sort-of' is not one of")


def test_a_cause_index_out_of_range_is_refused(tmp_path):
    path = _broken(tmp_path, lambda d: d["cases"][0].__setitem__(4, [7]))
    with pytest.raises(record.SavedRunError, match=r"cases\[0\]"):
        record.load(path)


def test_a_case_listed_twice_is_refused(tmp_path):
    path = _broken(tmp_path, lambda d: d["cases"].append(list(d["cases"][0])))
    with pytest.raises(record.SavedRunError, match="norm-a appears twice"):
        record.load(path)


def test_a_missing_environment_entry_is_named(tmp_path):
    path = _broken(tmp_path, lambda d: d["environment"].pop("pillow"))
    with pytest.raises(record.SavedRunError, match="environment.pillow"):
        record.load(path)


def test_a_file_that_is_not_json_gives_its_line(tmp_path):
    path = tmp_path / "wandb-1.0.0.json"
    path.write_text('{"format": 1,\n oops}\n', encoding="utf-8")
    with pytest.raises(record.SavedRunError, match=r"wandb-1.0.0.json:2: not JSON"):
        record.load(path)


def test_a_folder_reads_oldest_release_first(tmp_path):
    for version in ("0.19.10", "0.19.9", "0.20.0"):
        record.write(make_run(version, {"a": ("passed", "norm.unit")}), tmp_path)
    assert [r.version for r in record.load_folder(tmp_path)] == ["0.19.9", "0.19.10", "0.20.0"]


def test_a_case_changed_in_what_it_checks_gets_another_fingerprint_a_moved_one_does_not():
    case = casefiles.load_case_set(None).cases[0]
    assert record.fingerprint(case) == record.fingerprint(dataclasses.replace(case, file="elsewhere.yaml", line=99))
    assert record.fingerprint(case) != record.fingerprint(dataclasses.replace(case, expect={"error": "ValueError"}))
    assert record.fingerprint(case) != record.fingerprint(dataclasses.replace(case, clauses=("norm.other",)))
