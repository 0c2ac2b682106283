"""The signature block, method blocks, Args and class-variable tables against the spec."""

from __future__ import annotations

import re
import textwrap

import pytest

from wbimage_conformance import spec
from wbimage_conformance.doccheck import classify, signature, specdata
from wbimage_conformance.doccheck.findings import Severity
from wbimage_conformance.doccheck.markdown import parse_page

EIGHT = """\
Image(
    data_or_path: "ImageDataOrPathType",
    mode: Optional[str] = None,
    caption: Optional[str] = None,
    grouping: Optional[int] = None,
    classes: Optional[Union['Classes', Sequence[dict]]] = None,
    boxes: Optional[Union[Dict[str, 'BoundingBoxes2D'], Dict[str, dict]]] = None,
    masks: Optional[Union[Dict[str, 'ImageMask'], Dict[str, dict]]] = None,
    file_type: Optional[str] = None{extra}
) -> None"""
TABLE = "| Class Variables |  |\n| :--- | :--- |\n| `MAX_DIMENSION` | `65500` |\n| `MAX_ITEMS` | `108` |\n"


@pytest.fixture(scope="module")
def spec_data():
    return specdata.load()


def page(signature_code: str, after: str = "", table: str = TABLE) -> classify.ClassifiedPage:
    text = f"---\nmenu:\n  r:\n    identifier: ref-python-data-types-image\n---\n\n```python\n{signature_code}\n```\n\n{after}\n\n{table}"
    return classify.classify(parse_page(text, "sig.md"))


def line_of(cp: classify.ClassifiedPage, needle: str) -> int:
    return next(n for n, line in enumerate(cp.page.text.splitlines(), start=1) if needle in line)


def errors(findings):
    return [f for f in findings if f.severity is Severity.ERROR]


def test_expected_values_come_from_the_spec_cases(spec_data):
    assert [n for n, _ in spec_data.parameters] == ["mode", "caption", "grouping", "classes", "boxes", "masks",
                                                    "file_type", "normalize"]
    assert dict(spec_data.parameters)["normalize"] is True
    assert {c.name: c.value for c in spec_data.constants} == {"MAX_DIMENSION": 65500, "MAX_ITEMS": 108}


def test_the_full_signature_passes(spec_data):
    assert signature.check(page(EIGHT.format(extra=",\n    normalize: bool = True")), spec_data) == []


def test_normalize_omitted_but_documented_elsewhere_is_a_warning(spec_data):
    cp = page(EIGHT.format(extra=""), "Unless `normalize=False` is set, ...")
    (finding,) = signature.check(cp, spec_data)
    assert finding.severity is Severity.WARNING and finding.line == line_of(cp, "```python")
    assert "omits 'normalize'" in finding.message and f"line {line_of(cp, 'Unless')}" in finding.message


def test_normalize_omitted_and_never_mentioned_is_an_error(spec_data):
    (finding,) = signature.check(page(EIGHT.format(extra="")), spec_data)
    assert finding.severity is Severity.ERROR and "omits parameter 'normalize'" in finding.message


@pytest.mark.parametrize("change, where, message", [
    (("normalize: bool = True", "normalize: bool = False"), "normalize:", "'normalize' has default False; the spec's default is True"),
    (("caption: Optional[str] = None", "caption: Optional[str] = ''"), "caption:", "'caption' has default ''"),
    (("grouping: Optional[int] = None,\n", ""), "```python", "omits parameter 'grouping'"),
    (("mode: Optional[str] = None", "colour: Optional[str] = None"), "colour:", "parameter 'colour' is not in the spec"),
    (("data_or_path", "data"), "data:", "the first parameter is 'data'"),
])
def test_signature_drifts(spec_data, change, where, message):
    code = EIGHT.format(extra=",\n    normalize: bool = True").replace(*change)
    cp = page(code)
    found = errors(signature.check(cp, spec_data))
    assert (line_of(cp, where), True) in [(f.line, message in f.message) for f in found], \
        [(f.line, f.message) for f in found]
    assert len(found) <= 2  # a renamed parameter is also a missing one


def test_parameters_out_of_order(spec_data):
    code = EIGHT.format(extra=",\n    normalize: bool = True")
    code = code.replace("    mode: Optional[str] = None,\n", "").replace("    file_type", "    mode: Optional[str] = None,\n    file_type")
    (finding,) = errors(signature.check(page(code), spec_data))
    assert "order" in finding.message


METHOD_PAGE = "```python\n{code}\n```\n"


@pytest.mark.parametrize("code, message", [
    ("@classmethod\nto_uint8(\n    data: \"np.ndarray\"\n) -> \"np.ndarray\"", None),
    ("to_uint8(\n    data: \"np.ndarray\"\n) -> \"np.ndarray\"", "class method in the spec"),
    ("@classmethod\nto_uint8(\n    array: \"np.ndarray\"\n) -> \"np.ndarray\"", "parameters are (array)"),
    ("guess_mode(\n    data: \"np.ndarray\"\n) -> str", None),
    ("guess_mode(\n    data: \"np.ndarray\",\n    file_type: Optional[str] = None\n) -> str", None),
    ("guess_mode(\n    data: \"np.ndarray\",\n    file_type: Optional[str] = 'png'\n) -> str", "'file_type' has default 'png'"),
    ("@staticmethod\nall_captions(\n    images: Sequence['Media']\n) -> bool", "static method"),
    ("@classmethod\nall_boxes(\n    images: Sequence['Image'],\n    run: \"LocalRun\",\n    run_key: str,\n    step: Union[int, str]\n) -> bool", None),
    ("@classmethod\nall_boxes(\n    anything: int\n) -> bool", "parameters are (anything)"),
    ("all_masks(\n    images: Sequence['Image'],\n    run: \"LocalRun\",\n    run_key: str,\n    step: int\n) -> bool", "class method"),
])
def test_method_blocks(spec_data, code, message):
    cp = classify.classify(parse_page(METHOD_PAGE.format(code=code), "m.md"))
    found = errors(signature.check(cp, spec_data))
    if message is None:
        assert found == []
    else:
        assert any(message in f.message for f in found), [f.message for f in found]


IMAGE_METHOD_PAGE = "---\ntitle: Image\n---\n\n```python\n{code}\n```\n"


def test_a_method_of_image_that_wandb_does_not_have_is_a_warning(spec_data):
    cp = classify.classify(parse_page(IMAGE_METHOD_PAGE.format(code="resize(\n    size: int\n) -> None"), "m.md"))
    (finding,) = signature.check(cp, spec_data)
    assert finding.severity is Severity.WARNING
    assert "'resize' is neither part of the spec" in finding.message and "public method of Image" in finding.message


@pytest.mark.parametrize("name", ["from_json", "seq_to_json", "get_media_subdir"])
def test_a_real_image_method_outside_the_spec_is_known(spec_data, name):
    code = f"@classmethod\n{name}(\n    value: dict\n) -> dict"
    cp = classify.classify(parse_page(IMAGE_METHOD_PAGE.format(code=code), "m.md"))
    assert signature.check(cp, spec_data) == []


def test_a_method_of_another_class_is_not_checked_against_image(spec_data):
    page = "---\ntitle: BoundingBoxes2D\n---\n\n```python\n@classmethod\nto_uint8(\n    other: int\n) -> None\n```\n"
    assert signature.check(classify.classify(parse_page(page, "b.md")), spec_data) == []


def test_the_methods_table_agrees_with_spec_md():
    text = spec.SPEC_PATH.read_text(encoding="utf-8")
    clause = text[text.index("**[api.classmethods]**"):].split("\n\n")[0]
    assert "`Image.to_uint8(data)`" in clause and "`Image.all_captions(images)`" in clause
    assert "`Image.guess_mode(data, file_type=None)`" in clause
    assert signature.METHODS["guess_mode"].classmethod is None


@pytest.mark.parametrize("table, where, message", [
    (TABLE.replace("`65500`", "`65536`"), "MAX_DIMENSION", "MAX_DIMENSION is 65536 on the page; the spec's value is 65500"),
    (TABLE.replace("`108`", "`1O8`"), "MAX_ITEMS", "MAX_ITEMS is given as '1O8', which is not a number"),
    (TABLE.replace("| `MAX_ITEMS` | `108` |\n", ""), "Class Variables", "lacks MAX_ITEMS"),
    ("", None, "no class-variable table"),
])
def test_class_variable_drifts(spec_data, table, where, message):
    code = EIGHT.format(extra=",\n    normalize: bool = True")
    cp = page(code, table=table)
    found = errors(signature.check(cp, spec_data))
    line = line_of(cp, where) if where else cp.page.body_line
    assert [(f.check, f.line, message in f.message) for f in found] == [("constants", line, True)], \
        [(f.line, f.message) for f in found]


def test_an_args_table_names_only_parameters(spec_data):
    args = "| Args |  |\n| :--- | :--- |\n| `data_or_path` | x |\n| `colour` | y |\n"
    code = EIGHT.format(extra=",\n    normalize: bool = True")
    (finding,) = errors(signature.check(page(code, after=args), spec_data))
    assert finding.subject == "Args table" and "'colour'" in finding.message


def test_lines_of_parameters_are_page_lines(spec_data):
    block = page(EIGHT.format(extra="")).constructor
    params = signature.parameters(block)
    assert [(p.name, p.line) for p in params][:2] == [("data_or_path", 9), ("mode", 10)]
    assert re.search("masks", block.block.code)
    assert textwrap.dedent(block.block.code).startswith("Image(")
