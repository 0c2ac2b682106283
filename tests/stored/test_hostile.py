"""Properties over random and adversarial stored files: a saved report, a history record or an
expectations file either reads (and a report then gets a verdict) or is refused with the one
configuration error of its kind, one line starting with the file's name, in bounded time. And
the fast validity check compiled from each schema agrees with jsonschema on every such input."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st
from report_samples import ENVIRONMENT, sample_report

from wbimage_conformance.commands import pyproject
from wbimage_conformance.history import record
from wbimage_conformance.model import Status
from wbimage_conformance.report import from_json, to_json_data
from wbimage_conformance.run import expectations, verdict
from wbimage_conformance.stored import schemas

from history_runs import four_releases
from hostile_text import HOSTILE, hostile_strings

#: Seconds any one file may take to read or refuse, on a loaded 2-core machine.
TIME_LIMIT = 10

#: Text pieces that parsers, schemas and NumPy treat specially.
TOKENS = ["[" * 3000, "]" * 3000, "{", "}", ",", ":", '"', "\\", "9" * 5000, "1e400", "-1e400", "NaN", "Infinity",
          "-0", "1.5", "true", "null", '"(1000,1000)u1"', '"U999999999"', '"nan"', '"inf"', "1000000000000000",
          "\x00", "\ufeff", "\ud800", '"\\ud800"', "\n", " " * 50]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False, allow_infinity=False)
    | hostile_strings | st.sampled_from(["ndarray", "bytes", "(1000,1000)u1", "float32", "nan", "inf", "-inf",
                                          "passed", "skipped", "failed", "0.1.0", "latest"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["kind", "dtype", "shape", "values", "sha256", "base64", "index", "count", "selection", "x"]),
        children, max_size=4),
    max_leaves=12)

edits = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 6), st.sampled_from(TOKENS)), min_size=1, max_size=5)


def _mutate(text: str, changes: list[tuple[int, int, str]]) -> str:
    for position, cut, token in changes:
        position %= len(text) + 1
        text = text[:position] + token + text[position + cut:]
    return text


def _replace_somewhere(data: Any, draw: Any) -> Any:
    """`data` with one value, somewhere along a drawn path, replaced by a drawn JSON value."""
    if not isinstance(data, (dict, list)) or not data or draw(st.integers(0, 3)) == 0:
        return draw(json_values)
    keys = list(data) if isinstance(data, dict) else list(range(len(data)))
    key = draw(st.sampled_from(keys))
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[key] = _replace_somewhere(data[key], draw)
    return copy


def _write(tmp_path_factory, name: str, text: str):
    path = tmp_path_factory.mktemp("stored") / name
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path


def _reads_or_one_line(load, error, path):
    start = time.monotonic()
    try:
        loaded = load(path)
    except error as exc:
        message = str(exc)
        assert message.startswith(str(path)) and "\n" not in message, message
        loaded = None
    assert time.monotonic() - start < TIME_LIMIT
    return loaded


REPORT_TEXT = json.dumps(to_json_data(sample_report()), indent=1)
HISTORY_TEXT = record.dumps(four_releases()[1])
SETTINGS_DATA = {"impl": "mypkg:Image", "cases": ["cases", "more.yaml"], "jobs": "auto", "timeout": 30, "maxfail": 2,
                 "memory-limit": 4096, "sandbox": "none", "reports": {"junit": "out/junit.xml"}}
PYPROJECT_TEXT = ('[project]\nname = "mine"\n\n[tool.wbimage-conformance]\nimpl = "mypkg:Image"\ncases = ["cases", 3]\n'
                  'jobs = 4\ntimeout = 30.5\nreports = { junit = "out/junit.xml" }\n')
CACHE_ENTRY_DATA = {"key": "0" * 64, "cases": [["unit-plain", "a title", ["norm.unit"], "required", 12]]}
EXPECTATIONS_DATA = {"implementation": "wandb", "versions": ">=0.20.1,<0.29",
                     "environment": {"numpy": "2.4.6", "pillow": "12.3.0", "torch": None},
                     "deviations": {"unit-plain": {"status": "failed", "reason": "rounds", "clause": "norm.unit"}}}


@HOSTILE
@given(changes=edits)
def test_a_mutated_saved_report_reads_to_a_verdict_or_one_line(tmp_path_factory, changes):
    path = _write(tmp_path_factory, "run.json", _mutate(REPORT_TEXT, changes))
    loaded = _reads_or_one_line(from_json.load, from_json.ReportFileError, path)
    if loaded is not None:
        assert verdict.judge(loaded).exit_code in (0, 1)


@HOSTILE
@given(data=st.data())
def test_a_saved_report_with_a_random_value_anywhere_reads_to_a_verdict_or_one_line(tmp_path_factory, data):
    changed = _replace_somewhere(json.loads(REPORT_TEXT), data.draw)
    path = _write(tmp_path_factory, "run.json", json.dumps(changed, indent=1, ensure_ascii=False))
    loaded = _reads_or_one_line(from_json.load, from_json.ReportFileError, path)
    if loaded is not None:
        assert verdict.judge(loaded).exit_code in (0, 1)


@HOSTILE
@given(changes=edits)
def test_a_mutated_history_record_reads_or_is_one_line(tmp_path_factory, changes):
    path = _write(tmp_path_factory, "wandb-0.2.0.json", _mutate(HISTORY_TEXT, changes))
    _reads_or_one_line(record.load, record.SavedRunError, path)


@HOSTILE
@given(data=st.data())
def test_a_history_record_with_a_random_value_anywhere_reads_or_is_one_line(tmp_path_factory, data):
    changed = _replace_somewhere(json.loads(HISTORY_TEXT), data.draw)
    path = _write(tmp_path_factory, "wandb-0.2.0.json", json.dumps(changed, ensure_ascii=False))
    _reads_or_one_line(record.load, record.SavedRunError, path)


@HOSTILE
@given(data=st.data())
def test_an_expectations_file_with_a_random_value_anywhere_reads_or_is_one_line(tmp_path_factory, data):
    changed = _replace_somewhere(EXPECTATIONS_DATA, data.draw)
    text = yaml.safe_dump(changed, allow_unicode=True)
    path = _write(tmp_path_factory, "exp.yaml", text)
    _reads_or_one_line(expectations.load, expectations.ExpectationsError, path)


@HOSTILE
@given(text=hostile_strings)
def test_a_history_record_written_from_any_worker_report_reads_back(text):
    run = four_releases()[1]
    environment = replace(ENVIRONMENT, implementation="wandb", implementation_version=run.version, platform=text,
                          numpy=text, sandbox=text)
    saved = record.from_results(sample_report().results, environment, [("a-cause", text, ["norm.unit"], [])])
    assert record.from_data(json.loads(record.dumps(saved)), "x").environment == saved.environment


@HOSTILE
@given(text=hostile_strings)
def test_expectations_drafted_from_any_message_read_back(tmp_path_factory, text):
    raw = (Status.PASSED, *expectations.DEVIATION_STATUSES)
    results = [replace(r, message=text) for r in sample_report().results if r.status in raw]
    drafted = expectations.from_results(results, ENVIRONMENT)
    path = tmp_path_factory.mktemp("drafted") / "exp.yaml"
    expectations.write(drafted, path)
    assert expectations.load(path).deviations.keys() == drafted.deviations.keys()


@HOSTILE
@given(changes=edits)
def test_a_mutated_pyproject_section_reads_or_is_one_line(tmp_path_factory, changes):
    folder = tmp_path_factory.mktemp("project")
    (folder / "pyproject.toml").write_bytes(_mutate(PYPROJECT_TEXT, changes).encode("utf-8", "surrogatepass"))
    start = time.monotonic()
    try:
        pyproject.load(folder)
        refusal = None
    except pyproject.ProjectConfigError as exc:
        refusal = str(exc)
    if refusal is not None:
        assert refusal.startswith(str(folder / "pyproject.toml")) and "\n" not in refusal, refusal
    assert time.monotonic() - start < TIME_LIMIT


@HOSTILE
@given(data=st.data(), which=st.sampled_from([
    ("report.schema.json", REPORT_TEXT),
    ("history-record.schema.json", HISTORY_TEXT),
    ("expectations.schema.json", json.dumps(EXPECTATIONS_DATA)),
    ("pyproject.schema.json", json.dumps(SETTINGS_DATA)),
    ("case-cache-entry.schema.json", json.dumps(CACHE_ENTRY_DATA)),
]))
def test_the_fast_check_agrees_with_jsonschema(data, which):
    import jsonschema

    name, text = which
    changed = _replace_somewhere(json.loads(text), data.draw)
    expected = jsonschema.exceptions.best_match(schemas.validator(name).iter_errors(changed)) is None
    assert schemas.fast_check(name)(changed) is expected
