"""The guarded readers of stored files (saved reports, history records, expectations files),
the atomic writer, and the one pass rule of `run` and `report`."""

from __future__ import annotations

import json
import math
import os
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from report_samples import ENVIRONMENT, case, sample_report

from wbimage_conformance import stored
from wbimage_conformance.commands import cli
from wbimage_conformance.history import record
from wbimage_conformance.model import Result, RunReport, Shard, Status
from wbimage_conformance.report import from_json, to_json_data
from wbimage_conformance.run import expectations, verdict
from wbimage_conformance.stored import jsondoc, schemas, writing

from history_runs import four_releases

# -- reading ----------------------------------------------------------------------------------


def _report_text(**changes) -> str:
    data = to_json_data(sample_report())
    data.update(changes)
    return json.dumps(data, indent=1)


def _refused(path, pattern):
    with pytest.raises(from_json.ReportFileError, match=pattern) as caught:
        from_json.load(path)
    assert "\n" not in str(caught.value)
    return str(caught.value)


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "run.json"
    os.mkfifo(fifo)
    done = threading.Event()
    outcome = []

    def read():
        try:
            from_json.load(fifo)
        except from_json.ReportFileError as exc:
            outcome.append(str(exc))
        done.set()

    threading.Thread(target=read, daemon=True).start()
    assert done.wait(5), "reading a FIFO blocked"
    assert outcome == [f"{fifo}: a FIFO, not a regular file (saved reports are read from regular files only)"]


@pytest.mark.parametrize("target, what", [("/dev/zero", "a character device"), ("/dev/null", "a character device")])
def test_a_device_or_a_symlink_to_one_is_refused(tmp_path, target, what):
    if not os.path.exists(target):
        pytest.skip(f"{target} is not on this system")
    link = tmp_path / "run.json"
    link.symlink_to(target)
    for path in (Path(target), link):
        _refused(path, f"^{path}: {what}, not a regular file")


def test_a_directory_is_refused(tmp_path):
    _refused(tmp_path, f"^{tmp_path}: a directory, not a regular file")


def test_a_file_past_the_limit_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(stored, "SAVED_REPORT", stored.Kind("saved report", max_bytes=100, max_depth=64))
    path = tmp_path / "run.json"
    path.write_text(" " * 101)
    _refused(path, "larger than 100 bytes, the limit for a saved report")


def test_bytes_that_are_not_utf8_are_named_with_their_line(tmp_path):
    path = tmp_path / "run.json"
    path.write_bytes(b'{\n"report_version": 1,\n"x": "\xff"}')
    _refused(path, rf"^{path}:3: not UTF-8 \(byte 29")


@pytest.mark.parametrize("text, line, message", [
    ('{"a":\n' + "[" * 100_000 + "]" * 100_000 + "}", 2, "nested deeper than 64 levels"),
    ('{"a": [1,\n2, ' + "9" * 5000 + "]}", 2, "a number of 5000 digits; at most 40"),
    ('{"a":\n1e400}', 2, "the number 1e400 is not finite"),
    ('{"a":\n[NaN]}', 2, "NaN is not JSON"),
    ('{"a":\n-Infinity}', 2, "-Infinity is not JSON"),
    ('{"a": 1,\n oops}', 2, "not JSON: Expecting property name"),
])
def test_parser_failures_are_one_line_with_the_line(tmp_path, text, line, message):
    path = tmp_path / "run.json"
    path.write_text(text)
    _refused(path, rf"^{path}:{line}: {message}")


def test_brackets_inside_strings_do_not_count_as_nesting():
    assert jsondoc.parse(json.dumps({"a": "[" * 10_000}), "x", 3) == {"a": "[" * 10_000}


@pytest.mark.parametrize("change, field, message", [
    (lambda d: d["results"][1].__setitem__("duration_s", "0.5s"), r"results\[1\]\.duration_s", "is not valid under any"),
    (lambda d: d["results"][1].__setitem__("duration_s", -1), r"results\[1\]\.duration_s", "less than the minimum of 0"),
    (lambda d: d["results"][0].__setitem__("line", 10**30), r"results\[0\]\.line", "is greater than the maximum"),
    (lambda d: d["summary"].__setitem__("total", 10**15), r"summary\.total", "is greater than the maximum"),
    (lambda d: d.__setitem__("shard", {"index": 1, "count": 10**15, "selection": []}), r"shard", ""),
    (lambda d: d["results"][2]["mismatches"][0].__setitem__("actual", {
        "kind": "ndarray", "dtype": "(1000,1000)u1", "shape": [2], "sha256": None, "values": [1, 2]}),
     r"results\[2\]\.mismatches\[0\]\.actual", ""),
    (lambda d: d["environment"].pop("python"), r"environment\.python", "'python' is a required property"),
])
def test_numbers_and_dtypes_are_checked_by_the_schema_with_the_line(tmp_path, change, field, message):
    data = to_json_data(sample_report())
    change(data)
    path = tmp_path / "run.json"
    path.write_text(json.dumps(data, indent=1))
    text = _refused(path, rf"^{path}:\d+: {field}")
    assert message in text


def test_a_dtype_outside_the_plain_ones_is_never_built(tmp_path):
    saved = {"kind": "ndarray", "dtype": "U1000000000", "shape": [1], "sha256": "0" * 64, "values": ["a"]}
    assert from_json.value(saved) == saved


def test_the_locator_finds_the_line_of_a_nested_value():
    text = '{\n "a": [\n  {"b": 1},\n  {"b": [\n   "x",\n   "y"]}\n ],\n "c": "[{"\n}'
    locator = jsondoc.Locator(text)
    assert locator.line_at(["a", 1, "b", 1]) == 6
    assert locator.line_at(["a", 0]) == 3
    assert locator.line_at(["c"]) == 8
    assert locator.line_at(["a", 7]) == 2        # missing: the deepest value that exists


def test_a_shard_index_past_its_count_is_refused(tmp_path):
    path = tmp_path / "run.json"
    path.write_text(_report_text(shard={"index": 4, "count": 3, "selection": []}))
    _refused(path, "shard 4 of 3 does not exist")


# -- history records --------------------------------------------------------------------------


def _history(tmp_path, change) -> Path:
    data = json.loads(record.dumps(four_releases()[1]))
    change(data)
    path = tmp_path / "wandb-0.2.0.json"
    path.write_text(json.dumps(data, indent=1))
    return path


@pytest.mark.parametrize("change, message", [
    (lambda d: d.__setitem__("version", "latest"), r":\d+: version: 'latest' is not a PEP 440 version"),
    (lambda d: d.__setitem__("version", "0.2.0\n"), r":\d+: version: '0.2.0\\n' should not be valid"),
    (lambda d: d["causes"][0].__setitem__("title", "\x1b]0;owned\x07"), r":\d+: causes\[0\]\.title"),
    (lambda d: d["cases"][0].__setitem__(0, "<b>x</b>"), r":\d+: cases\[0\]\.id"),
    (lambda d: d["cases"][1].__setitem__(4, [10**20]), r":\d+: cases\[1\]\.causes\[0\] \(case "),
])
def test_a_hostile_history_record_is_one_line(tmp_path, change, message):
    path = _history(tmp_path, change)
    with pytest.raises(record.SavedRunError, match=message) as caught:
        record.load(path)
    assert "\n" not in str(caught.value)


def test_a_history_record_nested_100000_deep_is_refused_before_parsing(tmp_path):
    path = tmp_path / "wandb-0.2.0.json"
    path.write_text('{"format": 1, "version": "latest", "cases":\n' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(record.SavedRunError, match=rf"^{path}:2: nested deeper than 8 levels$"):
        record.load(path)


def test_a_history_folder_with_an_unreadable_version_stops_with_one_line(tmp_path):
    _history(tmp_path, lambda d: d.__setitem__("version", "latest"))
    with pytest.raises(record.SavedRunError, match="not a PEP 440 version"):
        record.load_folder(tmp_path)


def test_history_pages_into_a_missing_folder_make_it(tmp_path):
    runs = tmp_path / "runs"
    for run in four_releases():
        record.write(run, runs)
    assert cli.main(["history", "--runs", str(runs), "--pages", str(tmp_path / "new" / "docs")]) == 0
    assert (tmp_path / "new" / "docs" / "history.md").is_file()


def test_history_pages_into_a_file_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "docs").write_text("")
    assert cli.main(["history", "--runs", str(tmp_path), "--pages", str(tmp_path / "docs")]) == 2
    assert "not a folder" in capsys.readouterr().err


# -- expectations -------------------------------------------------------------------------------


def test_the_expectations_schema_and_the_code_agree_on_the_statuses():
    schema = json.loads((stored.schemas.SCHEMA_DIR / expectations.SCHEMA).read_text())
    statuses = schema["properties"]["deviations"]["additionalProperties"]["properties"]["status"]["enum"]
    assert statuses == [s.value for s in expectations.DEVIATION_STATUSES]


@pytest.mark.parametrize("text, message", [
    ("implementation: w\ndeviations:\n  a: " + "[" * 100_000 + "]" * 100_000 + "\n", "nested deeper than 64"),
    ("implementation: w\ndeviations: " + "- " * 100_000 + "x\n", "nested deeper than 64"),
    ("implementation: w\nversions: '>=x'\n", r":2: versions: '>=x' is not a PEP 440 version range"),
    ("implementation: w\nenvironment:\n  numpy: latest\n", r":3: environment.numpy: 'latest' is not a PEP 440 version"),
])
def test_a_hostile_expectations_file_is_one_line(tmp_path, text, message):
    path = tmp_path / "exp.yaml"
    path.write_text(text)
    start = time.monotonic()
    with pytest.raises(expectations.ExpectationsError, match=message):
        expectations.load(path)
    assert time.monotonic() - start < 10


# -- one check for every kind of stored file and setting -------------------------------------


def test_the_expectations_files_limits_are_yamlsources():
    from wbimage_conformance import yamlsource

    assert (stored.EXPECTATIONS.max_bytes, stored.EXPECTATIONS.max_depth) == (yamlsource.MAX_FILE_BYTES,
                                                                              yamlsource.MAX_DEPTH)


#: protocol.schema.json describes the worker's wire, checked where replies are read (run/replies.py).
STORED_SCHEMAS = sorted(p.name for p in schemas.SCHEMA_DIR.glob("*.schema.json") if p.name != "protocol.schema.json")


@pytest.mark.parametrize("name", STORED_SCHEMAS)
def test_every_stored_files_schema_is_valid_and_has_a_fast_check(name):
    schemas.validator(name)   # check_schema runs here
    assert schemas.fast_check(name) is not None


def test_the_first_problem_in_the_file_is_named_and_the_others_counted(tmp_path):
    def change(data):
        data["causes"][0]["title"] = "two\nlines"
        data["cases"][1][4] = [0.0]                      # a whole float is not an integer
        data["cases"][2][1] = "perhaps"
    path = _history(tmp_path, change)
    with pytest.raises(record.SavedRunError) as caught:
        record.load(path)
    text = str(caught.value)
    title_line = path.read_text().splitlines().index(next(line for line in path.read_text().splitlines()
                                                          if "two\\nlines" in line)) + 1
    assert text.startswith(f"{path}:{title_line}: causes[0].title: ")
    assert text.endswith("(and 2 more problem(s))")


def test_a_whole_float_is_not_an_integer_nor_nan_a_number_in_any_stored_file():
    from wbimage_conformance.stored import Source

    for data, field in (({"maxfail": 2.0}, "maxfail"), ({"timeout": float("nan")}, "timeout"),
                        ({"jobs": True}, "jobs")):
        with pytest.raises(stored.StoredFileError, match=rf"^x: {field}: expected "):
            schemas.check(data, "pyproject.schema.json", Source("x"), "setting")
    saved = json.loads(record.dumps(four_releases()[1]))
    saved["cases"][0][4] = [0.0]
    with pytest.raises(stored.StoredFileError, match=r"cases\[0\]\.causes\[0\] \(case .*\): 0\.0 is not of type 'integer'"):
        schemas.check(saved, record.SCHEMA, Source("x", field_name=lambda p: record._field_name(saved, p)), "history record")


def test_an_integer_too_long_to_print_validates_as_itself_and_is_named_by_its_size():
    from wbimage_conformance.stored import Source

    huge = int("f" * 30_000, 16)
    start = time.monotonic()
    with pytest.raises(stored.StoredFileError) as caught:
        schemas.check({"memory-limit": huge, "jobs": 0}, "pyproject.schema.json", Source("x"), "setting")
    assert str(caught.value).startswith("x: memory-limit: expected a whole number of megabytes")
    assert "got an integer of about 36124 digits (and 1 more problem(s))" in str(caught.value)
    assert time.monotonic() - start < 5
    report = to_json_data(sample_report())
    report["results"][0]["duration_s"] = huge       # a number, as big as it is: only its size is said
    report["results"][0]["line"] = huge
    with pytest.raises(stored.StoredFileError, match=r"results\[0\]\.line: an integer of about 36124 digits is "
                                                     r"greater than the maximum"):
        schemas.check(report, from_json.SCHEMA, Source("x"), "report")


def test_a_docs_report_that_breaks_its_schema_names_file_line_and_field(tmp_path, capsys):
    from wbimage_conformance.doccheck import from_json as docs_json
    from wbimage_conformance.doccheck.report import SCHEMA_ID

    path = tmp_path / "docs.json"
    path.write_text(json.dumps({"schema": SCHEMA_ID, "implementation": 3}, indent=1))
    assert cli.main(["report", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:3: implementation: 3 is not of type 'string'" in err
    with pytest.raises(from_json.ReportFileError, match=r"^<report>: implementation: "):
        docs_json.from_data({"schema": SCHEMA_ID, "implementation": 3})


@pytest.mark.parametrize("ini, text, line", [
    ("pytest.ini", "[pytest]\naddopts = -q\nwbimage_timeout = 5\n", 3),
    ("setup.cfg", "[tool:pytest]\n  wbimage_timeout: 5\n", 2),
    ("pyproject.toml", "[project]\nname = 'x'\n[tool.pytest.ini_options]\nwbimage_timeout = '5'\n", 4),
    ("pyproject.toml", "[tool.pytest]\nini_options = { wbimage_timeout = '5' }\n", 2),
    ("pytest.ini", "[pytest]\naddopts = -q\n", None),
])
def test_an_ini_key_is_found_on_its_line_in_ini_and_toml_files(ini, text, line):
    from wbimage_conformance.stored import inidoc

    assert inidoc.line_of(Path(ini), text, "wbimage_timeout") == line


@pytest.mark.parametrize("text, read", [("5", 5), (" -2 ", -2), ("1_000.5", 1000.5), ("1e308", 1e308), ("nan", None),
                                        ("9" * 31, 1e31), ("9" * 65, "9" * 65), ("soon", "soon"), ("0x10", "0x10")])
def test_setting_text_is_read_as_the_number_it_spells_within_bounds(text, read):
    from wbimage_conformance.stored import inidoc

    got = inidoc.number(text)
    assert got == read or (read is None and isinstance(got, float) and math.isnan(got))


def test_a_case_cache_entry_that_is_a_fifo_is_ignored_without_waiting(tmp_path):
    from wbimage_conformance.cases import cache

    entry, _ = cache._entry(b"content", "context", tmp_path)
    entry.parent.mkdir(parents=True)
    os.mkfifo(entry)
    done = []
    thread = threading.Thread(target=lambda: done.append(cache.recall(b"content", "context", tmp_path)), daemon=True)
    thread.start()
    thread.join(5)
    assert done == [None], "reading a FIFO blocked"


# -- writing ------------------------------------------------------------------------------------


def test_the_writer_keeps_the_permissions_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("old")
    path.chmod(0o640)
    writing.replace_text(path, "new \ud800")
    assert path.read_text(encoding="utf-8") == "new \\ud800"
    assert path.stat().st_mode & 0o777 == 0o640


def test_the_writer_follows_a_link_and_writes_a_device_in_place(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    writing.replace_text(link, "new")
    assert link.is_symlink() and real.read_text() == "new"
    writing.replace_text("/dev/null", "into the void")
    assert Path("/dev/null").is_char_device()


def test_expectations_and_history_records_are_written_through_the_one_writer(tmp_path, monkeypatch):
    written = []
    monkeypatch.setattr(writing, "replace_bytes", lambda path, content: written.append(Path(path).name))
    record.write(four_releases()[0], tmp_path)
    expectations.write(expectations.Expectations("w", None, {}), tmp_path / "exp.yaml")
    assert written == ["wandb-0.1.0.json", "exp.yaml"]


# -- the pass rule -------------------------------------------------------------------------------


def _results(*statuses: Status) -> tuple[Result, ...]:
    return tuple(Result(case(f"c-{n}", "norm.unit", "t", n), status) for n, status in enumerate(statuses))


@pytest.mark.parametrize("report, kwargs, passed, reason", [
    (RunReport(ENVIRONMENT, _results(Status.PASSED, Status.SKIPPED)), {}, True, ""),
    (RunReport(ENVIRONMENT, _results(Status.PASSED, Status.FAILED)), {}, False, "1 unexpected result(s)"),
    (RunReport(ENVIRONMENT, ()), {}, False, "no case ran"),
    (RunReport(ENVIRONMENT, _results(Status.SKIPPED, Status.SKIPPED)), {}, False, "no case was checked (all 2 skipped)"),
    (RunReport(ENVIRONMENT, _results(Status.SKIPPED)), {"allow_skips": True}, True, ""),
    (RunReport(ENVIRONMENT, _results(Status.PASSED), not_run=("c-9",)), {}, False, "1 selected case(s) were not run"),
    (RunReport(ENVIRONMENT, _results(Status.PASSED), Shard(1, 3, ("c-0", "c-1", "c-2"))), {}, False, "shard 1 of 3 only"),
    (RunReport(ENVIRONMENT, _results(Status.PASSED), Shard(1, 3, ("c-0", "c-1", "c-2"))), {"shard_job": True}, True, ""),
    (RunReport(ENVIRONMENT, _results(Status.PASSED), Shard(1, 1, ("c-0",))), {}, True, ""),
    (RunReport(ENVIRONMENT, (), Shard(2, 2, ("c-0",))), {"shard_job": True}, True, ""),
    (RunReport(ENVIRONMENT, _results(Status.SKIPPED), Shard(1, 2, ("c-0", "c-1"))), {"shard_job": True}, False,
     "no case was checked"),
])
def test_the_pass_rule(report, kwargs, passed, reason):
    found = verdict.judge(report, **kwargs)
    assert found.passed is passed and reason in found.reason and (found.exit_code == 0) is passed


def test_shards_claiming_a_huge_count_are_refused_in_one_short_line(tmp_path, capsys):
    data = [to_json_data(RunReport(ENVIRONMENT, _results(Status.PASSED), Shard(k, 10**15, ("c-0",)))) for k in (1, 2)]
    paths = []
    for k, item in enumerate(data):
        paths.append(tmp_path / f"s{k}.json")
        paths[-1].write_text(json.dumps(item))
    assert cli.main(["report", *map(str, paths)]) == 2
    assert "shard.count: 1000000000000000 is greater than the maximum of 10000" in capsys.readouterr().err
    data = [to_json_data(RunReport(ENVIRONMENT, _results(Status.PASSED), Shard(k, 10_000, ("c-0",)))) for k in (1, 2)]
    for path, item in zip(paths, data):
        path.write_text(json.dumps(item))
    assert cli.main(["report", *map(str, paths)]) == 2
    err = capsys.readouterr().err
    assert "shard 3/10000, 4/10000, 5/10000, 6/10000, 7/10000 and 9993 more missing" in err and len(err) < 400


def _saved(tmp_path, name, report) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(to_json_data(report)))
    return str(path)


@pytest.mark.parametrize("reports, args, code, said", [
    ([RunReport(ENVIRONMENT, _results(Status.SKIPPED, Status.SKIPPED))], [], 1, "no case was checked"),
    ([RunReport(ENVIRONMENT, _results(Status.SKIPPED, Status.SKIPPED))], ["--allow-skips"], 0, ""),
    ([RunReport(ENVIRONMENT, ())], [], 1, "no case ran"),
    ([RunReport(ENVIRONMENT, _results(Status.PASSED), Shard(1, 3, ("c-0", "c-1", "c-2")))], [], 2,
     "shard 2/3, 3/3 missing"),
    ([RunReport(ENVIRONMENT, _results(Status.PASSED))], [], 0, ""),
])
def test_report_exits_by_the_same_rule_as_run(tmp_path, capsys, reports, args, code, said):
    paths = [_saved(tmp_path, f"r{n}.json", r) for n, r in enumerate(reports)]
    badge = tmp_path / "badge.json"
    assert cli.main(["report", *paths, *args, "--badge", str(badge)]) == code
    assert said in capsys.readouterr().err
    if code == 2:
        assert not badge.exists()     # no 100% badge for a part of a run


def test_a_cause_id_with_escapes_from_a_saved_report_reaches_the_terminal_inert(tmp_path, capsys):
    data = to_json_data(RunReport(ENVIRONMENT, _results(Status.FAILED)))
    data["causes"] = [{"id": "\x1b]52;c;aGk=\x07<img src=x onerror=alert(1)>", "title": "\x1b[2J", "hint": "",
                       "clauses": [], "clause_texts": {}, "explains": ["c-0"], "together": [],
                       "example": {"id": "c-0", "reproduction": "", "observed": ""}}]
    path = tmp_path / "run.json"
    path.write_text(json.dumps(data))
    summary = tmp_path / "summary.md"
    os.environ["GITHUB_STEP_SUMMARY"] = str(summary)
    try:
        assert cli.main(["report", str(path)]) == 1
    finally:
        del os.environ["GITHUB_STEP_SUMMARY"]
    printed = capsys.readouterr()
    assert "\x1b" not in printed.out + printed.err and "\\x1b]52" in printed.out
    md = summary.read_text()
    assert "`\\x1b]52;c;aGk=\\x07<img src=x onerror=alert(1)>`" in md
    assert md.count("<img") == md.count("`\\x1b]52;c;aGk=\\x07<img")


def test_an_error_line_is_sanitized(capsys, tmp_path):
    missing = tmp_path / "\x1b]0;owned\x07.json"
    assert cli.main(["report", str(missing)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b]0;owned\\x07" in err


def test_a_report_read_back_keeps_replace_semantics(tmp_path):
    report = RunReport(ENVIRONMENT, tuple(replace(r, duration_s=float("inf")) for r in _results(Status.PASSED)))
    path = _saved(tmp_path, "r.json", report)
    assert from_json.load(path).results[0].duration_s == float("inf")
