"""Loading case files: validation errors name the file, line, case and field; ids are
unique; generator digests are checked; the case-set digest and the clause list."""

from __future__ import annotations

import re

import pytest

from wbimage_conformance import model, spec
from wbimage_conformance.cases import casefiles as cases
from wbimage_conformance.cases import generators, materialize
from wbimage_conformance.run import runner

import runner_support as support


def load_error(tmp_path, text: str, name: str = "bad.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(cases.CaseFileError) as info:
        cases.load_cases([path])
    return str(info.value)


def test_a_valid_file_gives_cases_with_their_file_and_line(tmp_path):
    path = support.write_cases(tmp_path, [support.case("first"), support.case("second")])
    first, second = cases.load_cases([path])
    assert (first.id, first.file, first.line) == ("first", str(path), 3)
    assert second.line > first.line
    assert second.location == f"{path}:{second.line}"
    assert first.expect == {"pixels": [[51, 76]], "mode": "L", "size": [2, 1]}
    assert first.family == "norm"


def test_schema_error_names_file_line_case_field_and_value(tmp_path):
    data = support.case("bad-dtype")
    data["input"]["dtype"] = "float8"
    path = support.write_cases(tmp_path, [support.case("fine"), data])
    with pytest.raises(cases.CaseFileError) as info:
        cases.load_cases([path])
    message = str(info.value)
    assert message.startswith(f"{path}:")
    assert "case 'bad-dtype' (#1)" in message
    assert "field input.dtype = 'float8'" in message
    line = int(message.split(":")[1])
    assert "float8" in path.read_text().splitlines()[line - 1]


def test_missing_id_names_the_case_by_index(tmp_path):
    data = support.case("x")
    del data["id"]
    message = str(pytest.raises(cases.CaseFileError, cases.load_cases, [support.write_cases(tmp_path, [data])]).value)
    assert "case #0" in message
    assert "'id' is a required property" in message


def test_unknown_field_is_an_error(tmp_path):
    data = support.case("typo", expectt={"mode": "L"})
    message = str(pytest.raises(cases.CaseFileError, cases.load_cases, [support.write_cases(tmp_path, [data])]).value)
    assert "case 'typo'" in message and "expectt" in message


def test_unreadable_inline_value_names_the_field(tmp_path):
    data = support.case("int-from-float", [[0.5, 1]], dtype="uint8")
    message = str(pytest.raises(cases.CaseFileError, cases.load_cases, [support.write_cases(tmp_path, [data])]).value)
    assert "case 'int-from-float' (#0): field input.value" in message
    assert "0.5" in message


def test_ragged_inline_value_is_an_error(tmp_path):
    data = support.case("ragged", [[0.1, 0.2], [0.3]])
    message = str(pytest.raises(cases.CaseFileError, cases.load_cases, [support.write_cases(tmp_path, [data])]).value)
    assert "field input.value" in message


def test_bad_expected_pixels_are_an_error(tmp_path):
    data = support.case("pixels", expect={"pixels": [[51, 256]]})
    message = str(pytest.raises(cases.CaseFileError, cases.load_cases, [support.write_cases(tmp_path, [data])]).value)
    assert "field expect.pixels" in message and "256" in message


def test_generator_digest_mismatch_is_caught(tmp_path):
    made = generators.generate("uniform", 7, [2, 3], "float32")
    good = support.case("gen")
    good["input"] = {"kind": "numpy", "dtype": "float32", "generate": {"name": "uniform", "seed": 7},
                     "shape": [2, 3], "digest": generators.digest(made)}
    good["expect"] = {"mode": "L"}
    assert cases.load_cases([support.write_cases(tmp_path, [good])])[0].id == "gen"
    good["input"]["generate"]["seed"] = 8
    message = str(pytest.raises(cases.CaseFileError, cases.load_cases, [support.write_cases(tmp_path, [good])]).value)
    assert "case 'gen' (#0): field input.digest" in message
    assert "does not match" in message


def test_nested_input_errors_name_the_nested_field(tmp_path):
    data = support.case("nested")
    data["input"] = {"kind": "image", "of": {"kind": "numpy", "dtype": "bfloat16", "value": [[0.5]]}}
    message = str(pytest.raises(cases.CaseFileError, cases.load_cases, [support.write_cases(tmp_path, [data])]).value)
    assert "field input.of.dtype" in message


def test_unknown_clause_is_an_error(tmp_path):
    data = support.case("clause", clauses=["norm.nonexistent"])
    message = str(pytest.raises(cases.CaseFileError, cases.load_cases, [support.write_cases(tmp_path, [data])]).value)
    assert "field clauses[0]" in message and "'norm.nonexistent' is not a clause of SPEC.md" in message


def test_duplicate_ids_across_files_name_both_places(tmp_path):
    one = support.write_cases(tmp_path, [support.case("same")], "a.yaml")
    two = support.write_cases(tmp_path, [support.case("other"), support.case("same")], "b.yaml")
    with pytest.raises(cases.CaseFileError) as info:
        cases.load_cases([one, two])
    message = str(info.value)
    assert f"{two}:" in message and f"first defined at {one}:3" in message and "'same'" in message


def test_duplicate_yaml_keys_are_an_error(tmp_path):
    text = "cases:\n  - id: a\n    id: b\n    title: t\n"
    message = load_error(tmp_path, text)
    assert "bad.yaml:3" in message and "'id' appears twice" in message


def test_invalid_yaml_names_the_line(tmp_path):
    message = load_error(tmp_path, "cases:\n  - id: [unclosed\n")
    assert "bad.yaml:" in message and "not valid YAML" in message


def test_empty_file_is_an_error(tmp_path):
    assert "empty" in load_error(tmp_path, "")


def test_python_tags_are_never_executed(tmp_path):
    marker = tmp_path / "executed"
    text = f"cases: !!python/object/apply:os.system ['touch {marker}']\n"
    message = load_error(tmp_path, text)
    assert "not valid YAML" in message
    assert not marker.exists()


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(cases.CaseFileError, match="no such case file"):
        cases.load_cases([tmp_path / "nope.yaml"])


def test_directories_are_searched_recursively_in_sorted_order(tmp_path):
    (tmp_path / "sub").mkdir()
    support.write_cases(tmp_path / "sub", [support.case("in-sub")], "z.yaml")
    support.write_cases(tmp_path, [support.case("top")], "a.yaml")
    assert [c.id for c in cases.load_cases([tmp_path])] == ["top", "in-sub"]


def test_case_set_digest_depends_on_contents_only(tmp_path):
    a = support.write_cases(tmp_path, [support.case("one")], "a.yaml")
    b = support.write_cases(tmp_path, [support.case("two")], "b.yaml")
    digest = cases.load_case_set([a, b]).digest
    assert digest.startswith("sha256:")
    assert cases.load_case_set([b, a]).digest == digest
    b.write_text(b.read_text() + "# a comment\n")
    assert cases.load_case_set([a, b]).digest != digest


def test_clauses_are_parsed_from_the_spec():
    clauses = cases.load_clauses()
    ids = [c.id for c in clauses]
    assert "norm.unit" in ids and "input.tensor.layout" in ids
    assert len(ids) == len(set(ids))
    text = spec.SPEC_PATH.read_text().splitlines()
    unit = next(c for c in clauses if c.id == "norm.unit")
    assert "**[norm.unit]**" in text[unit.line - 1]


def test_coverage_maps_clauses_to_cases(tmp_path):
    path = support.write_cases(tmp_path, [support.case("aa"), support.case("bb", clauses=["norm.unit", "norm.range"])])
    table = cases.coverage(cases.load_cases([path]), cases.load_clauses())
    assert table["norm.unit"] == ["aa", "bb"]
    assert table["norm.range"] == ["bb"]
    assert table["norm.signed"] == []


def test_statements_are_parsed_from_the_spec():
    statements = {s.id: s for s in cases.load_statements()}
    longdouble = statements["input.array.dtype:longdouble"]
    assert longdouble.clause == "input.array.dtype"
    assert "**[input.array.dtype:longdouble]**" in spec.SPEC_PATH.read_text().splitlines()[longdouble.line - 1]


@pytest.mark.parametrize(("text", "problem"), [
    ("**[norm.unit]** one.\n- **[norm.signed:a]** misplaced.\n", "stands in clause 'norm.unit'"),
    ("**[norm.unit]** one.\n- **[norm.unit:a]** x.\n- **[norm.unit:a]** y.\n", "marked twice"),
])
def test_a_misplaced_or_repeated_statement_is_refused_with_its_line(tmp_path, text, problem):
    path = tmp_path / "SPEC.md"
    path.write_text(text)
    with pytest.raises(cases.CaseFileError, match=rf"SPEC.md:\d+: .*{re.escape(problem)}"):
        cases.load_statements(path)


@pytest.mark.parametrize(("statements", "problem"), [
    (["norm.unit:nothing"], "'norm.unit:nothing' is not a statement of SPEC.md"),
    (["norm.bounds:closed"], "belongs to clause 'norm.bounds', which the case does not cite"),
])
def test_a_case_citing_a_wrong_statement_names_the_field(tmp_path, statements, problem):
    path = support.write_cases(tmp_path, [support.case("aa", statements=statements)])
    with pytest.raises(cases.CaseFileError, match=rf"case 'aa'.*statements\[0\].*{re.escape(problem)}"):
        cases.load_case_set([path])


def test_statement_coverage_maps_statements_to_cases(tmp_path):
    path = support.write_cases(tmp_path, [
        support.case("aa", clauses=["norm.bounds"], statements=["norm.bounds:closed"]), support.case("bb")])
    table = cases.statement_coverage(cases.load_cases([path]), cases.load_statements())
    assert table["norm.bounds:closed"] == ["aa"]
    assert table["norm.bounds:ulp"] == []


def test_the_shipped_cases_load():
    if not any(spec.CASES_DIR.rglob("*.yaml")):
        pytest.skip("no shipped cases yet")
    case_set = cases.load_case_set()
    assert case_set.cases and len(case_set.by_id()) == len(case_set.cases)


# -- path inputs Pillow cannot write --------------------------------------------------------


def path_case(case_id: str, value, *, dtype: str = "uint8", mode: str | None = None, encode_as: str = "png",
              **extra) -> dict:
    """A case whose input is a file the runner must encode from `value`."""
    data = support.case(case_id, clauses=["input.path"], expect={"mode": "L"})
    data["input"] = {"kind": "path", "filename": f"{case_id}.img", "dtype": dtype, "value": value,
                     "encode_as": encode_as, **({"mode": mode} if mode else {}), **extra}
    return data


#: (case, field blamed, what the message says): pixels, modes and formats Pillow refuses, each
#: combination worked out from Pillow's documented modes (the file formats' mode tables).
UNENCODABLE = [
    (path_case("half-floats", [[0.5, 1.0]], dtype="float16"), "input.dtype", "float16 pixels of shape [1, 2]"),
    (path_case("rgba-as-jpeg", [[[1, 2, 3, 4]]], encode_as="jpeg"), "input.encode_as", "'RGBA' picture"),
    (path_case("unknown-mode", [[1, 2]], mode="XYZ"), "input.mode", "to mode 'XYZ'"),
    (path_case("rgb-16-bit", [[[1, 2, 3]]], dtype="uint16"), "input.dtype", "uint16 pixels of shape [1, 1, 3]"),
    (path_case("int64-data", [[1, 2]], dtype="int64"), "input.dtype", "int64 pixels"),
    (path_case("float32-as-png", [[0.5, 1.0]], dtype="float32"), "input.encode_as", "'F' picture"),
    (path_case("int32-as-bmp", [[1, 2]], dtype="int32", encode_as="bmp"), "input.encode_as", "'I' picture"),
    (path_case("cmyk-as-png", [[1, 2]], mode="CMYK"), "input.encode_as", "'CMYK' picture"),
    (path_case("two-channels-as-jpeg", [[[1, 2]]], encode_as="jpeg"), "input.encode_as", "'LA' picture"),
    (path_case("palette-as-jpeg", [[1, 2]], mode="P", encode_as="jpeg"), "input.encode_as", "'P' picture"),
    (path_case("five-channels", [[[1, 2, 3, 4, 5]]]), "input.dtype", "shape [1, 1, 5]"),
    (path_case("no-pixels", [[]]), "input.encode_as", "shape [1, 0]"),
    (path_case("one-number", 7), "input.dtype", "shape []"),
    (path_case("complex-data", [[1, 2]], dtype="complex64"), "input.dtype", "complex64"),
]


@pytest.mark.parametrize(("data", "field", "described"), UNENCODABLE, ids=[u[0]["id"] for u in UNENCODABLE])
def test_a_path_input_pillow_cannot_write_is_refused_at_load(tmp_path, data, field, described):
    path = support.write_cases(tmp_path, [support.case("fine"), data])
    message = str(pytest.raises(cases.CaseFileError, cases.load_case_set, [path]).value)
    assert "\n" not in message
    assert message.startswith(f"{path}:")
    assert f"case {data['id']!r} (#1): field {field}: Pillow cannot" in message and described in message
    line = int(message.split(":")[1])
    assert field.rpartition(".")[2] in path.read_text().splitlines()[line - 1]


@pytest.mark.parametrize("data", [
    path_case("bool-as-png", [[True, False]], dtype="bool"),
    path_case("one-bit-as-jpeg", [[0, 255]], mode="1", encode_as="jpeg"),
    path_case("cmyk-as-jpeg", [[0, 255]], mode="CMYK", encode_as="jpeg"),
    path_case("sixteen-bit-gray-as-png", [[0, 65535]], dtype="uint16"),
    path_case("truncated-png", [[0, 255]], truncated=True),
], ids=lambda d: d["id"])
def test_combinations_pillow_writes_still_load(tmp_path, data):
    (case,) = cases.load_case_set([support.write_cases(tmp_path, [data])]).cases
    assert case.id == data["id"]


def test_a_truncated_file_is_the_first_41_bytes_of_the_encoded_one(tmp_path):
    whole, cut = (cases.load_case_set([support.write_cases(tmp_path, [path_case(name, [[0, 255]], **extra)], f"{name}.yaml")]).cases[0]
                  for name, extra in (("whole", {}), ("cut", {"truncated": True})))
    whole_file, cut_file = tmp_path / "whole.png", tmp_path / "cut.png"
    materialize.write_file(materialize.materialize(whole).input, whole_file)
    materialize.write_file(materialize.materialize(cut).input, cut_file)
    assert whole_file.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and len(whole_file.read_bytes()) > 41
    assert cut_file.read_bytes() == whole_file.read_bytes()[:41]


def test_a_case_that_was_never_validated_gives_a_per_case_error_in_a_run_not_a_traceback(tmp_path):
    unvalidated = model.Case(id="rgba-as-jpeg", title="built by hand", clauses=("input.path",), level="required",
                             input=path_case("x", [[[1, 2, 3, 4]]], encode_as="jpeg")["input"],
                             call={"api": "Image"}, expect={"mode": "RGB"}, allowed=(), file="hand.yaml", line=1)
    (result,) = runner.run([unvalidated], "reference", sandbox_mode="none").results
    assert result.status is model.Status.ERROR
    assert "input.encode_as" in result.message and "Pillow cannot write a 'RGBA' picture" in result.message


@pytest.mark.parametrize(("where", "field"), [
    ("argument", "call.kwargs.masks.pred.path.$file.encode_as"),
    ("nested", "input.items[1].of.encode_as"),
])
def test_a_file_pillow_cannot_write_is_refused_wherever_the_case_asks_for_it(tmp_path, where, field):
    rgba_jpeg = {"filename": "m.jpg", "dtype": "uint8", "value": [[[1, 2, 3, 4]]], "encode_as": "jpeg"}
    data = support.case(where)
    if where == "argument":
        data["call"]["kwargs"] = {"masks": {"pred": {"path": {"$file": rgba_jpeg}}}}
    else:
        data["input"] = {"kind": "images", "items": [{"of": data["input"]}, {"of": {"kind": "path", **rgba_jpeg}}]}
    message = str(pytest.raises(cases.CaseFileError, cases.load_case_set, [support.write_cases(tmp_path, [data])]).value)
    assert f"case {where!r} (#0): field {field}: Pillow cannot write a 'RGBA' picture" in message
