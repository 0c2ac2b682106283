"""Hostile or malformed YAML (case files, expectations files) ends in one clean error naming the
file and line, in bounded time and memory: never a traceback, a hang or a silent choice."""

from __future__ import annotations

import os

import pytest
import yaml

from wbimage_conformance import yamlsource
from wbimage_conformance.cases import casefiles
from wbimage_conformance.commands import cli
from wbimage_conformance.run import expectations

import runner_support as support

VALID_CASE = support.VALID_CASE_TEXT


def _bomb(levels: int = 9, width: int = 10) -> str:
    lines = ["a0: &a0 [" + ", ".join(["x"] * width) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("text, line, message", [
    ("a: " + "1" * 5000 + "\n", 1, "an integer of 5000 digits; at most 40"),
    ("a: " + "[" * 500 + "]" * 500 + "\n", 1, "nested deeper than 64 levels"),
    ("a: &a [*a]\n", 1, "nested deeper than 64 levels"),
    ("x: 1\n? [a, b]\n: c\n", 2, "a sequence used as a mapping key"),
    ("a: 1\nb: 2\na: 3\n", 3, "key 'a' appears twice (first at line 1)"),
    (_bomb(), None, "once aliases are expanded"),
    ("a: " + "x" * 200_000 + "\n", 1, "a value of 200000 characters"),
    ("a: [unclosed\n", None, "not valid YAML"),
    ("a: 2001-13-45\n", None, "a value cannot be read: month must be in 1..12"),
])
def test_refused_with_its_line(text, line, message):
    with pytest.raises(yamlsource.YamlSourceError) as refused:
        yamlsource.parse(text)
    assert message in refused.value.message
    if line is not None:
        assert refused.value.line == line


def test_aliases_within_the_budget_still_work():
    data, _ = yamlsource.parse("a: &a {x: 1}\nb: *a\nc: [*a, *a]\n")
    assert data == {"a": {"x": 1}, "b": {"x": 1}, "c": [{"x": 1}, {"x": 1}]}


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as handle:
        handle.truncate(yamlsource.MAX_FILE_BYTES + 1)  # sparse: no memory, no disk
    with pytest.raises(yamlsource.YamlFileError, match=f"larger than {yamlsource.MAX_FILE_BYTES} bytes"):
        yamlsource.read_file(big)


def test_a_fifo_is_not_read(tmp_path):
    fifo = tmp_path / "cases.yaml"
    os.mkfifo(fifo)
    with pytest.raises(yamlsource.YamlFileError, match="not a regular file"):
        yamlsource.read_file(fifo)


def test_non_utf8_is_named(tmp_path):
    path = tmp_path / "exp.yaml"
    path.write_bytes(b"implementation: w\xff\n")
    with pytest.raises(expectations.ExpectationsError, match=r"exp.yaml:1: not UTF-8 \(byte 17: invalid start byte\)"):
        expectations.load(path)


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("id: unit-plain", 'id: "unit-plain\\n"'), "field id"),
    (lambda t: t.replace("value: [[0.2, 0.3]]", "value: [[" + "9" * 50 + "]]"), "an integer of 50 digits"),
    (lambda t: t + _bomb().replace("a", "z"), "once aliases are expanded"),
])
def test_case_files_fail_with_one_line_naming_file_and_line(tmp_path, capsys, edit, message):
    path = tmp_path / "cases.yaml"
    path.write_text(edit(VALID_CASE), encoding="utf-8")
    code = cli.main(["run", "--cases", str(path)])
    line = support.one_line_error(capsys.readouterr().err)
    assert code == 2
    assert f"{path}:" in line and message in line


@pytest.mark.parametrize("filename", ["..", ".hidden", "a" * 101, "a/b"])
def test_path_input_filenames_stay_plain(tmp_path, filename):
    data = yaml.safe_load(VALID_CASE)
    data["cases"][0]["input"] = {"kind": "path", "mode": "L", "dtype": "uint8", "value": [[1, 2]],
                                 "filename": filename}
    path = tmp_path / "cases.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(casefiles.CaseFileError, match="filename"):
        casefiles.load_file(path)


def test_a_symlink_out_of_the_case_folder_is_refused(tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text(VALID_CASE, encoding="utf-8")
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "link.yaml").symlink_to(outside)
    with pytest.raises(casefiles.CaseFileError, match="outside"):
        casefiles.case_files([folder])


def test_a_symlink_inside_the_folder_is_read_once(tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "a.yaml").write_text(VALID_CASE, encoding="utf-8")
    (folder / "b.yaml").symlink_to(folder / "a.yaml")
    assert casefiles.case_files([folder]) == [folder / "a.yaml"]


@pytest.mark.parametrize("generate, shape, message", [
    ({"name": "uniform", "seed": 0}, [50000, 50000], "more than 67108864 elements"),
    ({"name": "integers", "seed": 0, "params": {"high": 2**70}}, [2, 2], "bad params"),
])
def test_generated_inputs_are_checked_before_anything_is_allocated(tmp_path, generate, shape, message):
    data = yaml.safe_load(VALID_CASE)
    data["cases"][0]["input"] = {"kind": "numpy", "dtype": "int64", "generate": generate, "shape": shape,
                                 "digest": "sha256:" + "0" * 64}
    path = tmp_path / "cases.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(casefiles.CaseFileError, match=message):
        casefiles.load_file(path)


@pytest.mark.parametrize("pattern, message", [
    ("^(.+)+Z$", "a repetition inside a repetition"),
    ("(", "not a regular expression"),
    (r"(\w+)\1", "backreferences"),
])
def test_error_patterns_that_could_hang_or_break_the_runner_are_refused_at_load(tmp_path, pattern, message):
    data = yaml.safe_load(VALID_CASE)
    data["cases"][0]["expect"] = {"error": {"type": "TypeError", "match": pattern}}
    path = tmp_path / "cases.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(casefiles.CaseFileError, match=rf"cases.yaml:\d+: case 'unit-plain' \(#0\): field expect.error.match: {message}"):
        casefiles.load_file(path)


@pytest.mark.parametrize("expect, message", [
    ({"pixels": [[51, 76]], "mode": "L", "size": [-2, 1]}, "field expect.size[0]: -2 is not between"),
    ({"pixels": [[51, 76]], "mode": "L", "size": [2**64, 1]}, "field expect.size[0]: 18446744073709551616"),
    ({"pixels": [[51, 76]], "mode": "L", "size": [3, 1]}, "field expect.size: [3, 1] (width, height), but the pixels are 1 rows of 2"),
    ({"pixels": [[51, 76]], "mode": "RGB", "size": [2, 1]}, "field expect.mode: 'RGB' has 3 channel(s), but the pixels have 1"),
    ({"pixels": {"shape": [1, 2, 4], "sha256": "0" * 64}, "mode": "RGB"}, "field expect.mode: 'RGB' has 3 channel(s)"),
])
def test_an_expected_picture_that_contradicts_itself_is_the_case_files_error(tmp_path, expect, message):
    data = yaml.safe_load(VALID_CASE)
    data["cases"][0]["expect"] = expect
    path = tmp_path / "cases.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(casefiles.CaseFileError) as refused:
        casefiles.load_file(path)
    assert message in str(refused.value)
