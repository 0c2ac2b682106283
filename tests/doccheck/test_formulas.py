"""Formula blocks against the spec's formulas, compared as syntax trees after normalising."""

from __future__ import annotations

import ast
import re
import textwrap
from fractions import Fraction

import pytest

from wbimage_conformance import spec
from wbimage_conformance.doccheck import classify, formulas
from wbimage_conformance.doccheck.markdown import parse_page


def match(source: str, lead_range=None, position: int = 0) -> formulas.FormulaMatch:
    expression = formulas.expression_of(ast.parse(source))
    assert expression is not None
    return formulas.match_formula(expression, lead_range, position, set())


def test_the_spec_formulas_are_read_from_spec_md():
    found = {f.clause: f for f in formulas.spec_formulas()}
    assert found["norm.unit"].source == "(data * 255).astype(np.uint8)"
    assert found["norm.signed"].source == "(255 * 0.5 * (data + 1)).astype(np.uint8)"
    assert found["norm.other"].source == "data.clip(0, 255).astype(np.uint8)"
    assert found["norm.unit"].data_range == (Fraction(0), Fraction(1))
    assert found["norm.signed"].data_range == (Fraction(-1), Fraction(1))
    assert found["norm.other"].data_range is None
    text = spec.SPEC_PATH.read_text(encoding="utf-8").splitlines()
    for formula in found.values():
        assert f"**[{formula.clause}]**" in text[formula.line - 1]


def test_a_spec_without_a_formula_for_a_clause_is_a_configuration_error(tmp_path):
    fake = tmp_path / "SPEC.md"
    fake.write_text("**[norm.unit]** documented. Data in `[0, 1]`: multiply.\n", encoding="utf-8")
    with pytest.raises(formulas.SpecFormulaError, match=r"SPEC\.md:1: clause \[norm\.unit\] states no formula"):
        formulas.spec_formulas(str(fake))


@pytest.mark.parametrize("source, clause", [
    ("normalized_data = (data * 255).astype(np.uint8)", "norm.unit"),
    ("out = (255 * x).astype('uint8')", "norm.unit"),
    ("pixels = (arr * 255.0).astype(numpy.uint8)", "norm.unit"),
    ("(img * 255).astype(dtype=np.uint8)", "norm.unit"),
    ("y = ((1 + d) * 127.5).astype(np.dtype(np.uint8))", "norm.signed"),
    ("y = (0.5 * 255 * (d + 1)).astype(np.uint8)", "norm.signed"),
    ("normalized_data = (255 * 0.5 * (data + 1)).astype(np.uint8)", "norm.signed"),
    ("out = np.clip(arr, 0, 255).astype(np.uint8)", "norm.other"),
    ("out = arr.clip(a_min=0, a_max=255).astype(np.uint8, copy=False)", "norm.other"),
    ("out = np.clip(arr, min=0, max=255).astype('uint8')", "norm.other"),
])
def test_equivalent_spellings_match_the_spec(source, clause):
    found = match(source)
    assert (found.clause, found.exact) == (clause, True)


@pytest.mark.parametrize("source, position, clause, page, spec_part", [
    ("normalized_data = (data * 256).astype(np.uint8)", 0, "norm.unit", "256", "255"),
    ("normalized_data = (data / 255).astype(np.uint8)", 0, "norm.unit", "/", "*"),
    ("normalized_data = (data * 255).astype(np.uint16)", 0, "norm.unit", "np.uint16", "np.uint8"),
    ("normalized_data = (data * 255).round().astype(np.uint8)", 0, "norm.unit", "(data * 255).round().astype",
     "(data * 255).astype"),
    ("normalized_data = data.clip(0, 250).astype(np.uint8)", 2, "norm.other", "250", "255"),
])
def test_changed_formulas_are_reported_with_their_first_difference(source, position, clause, page, spec_part):
    found = match(source, position=position)
    assert (found.clause, found.exact) == (clause, False)
    assert found.difference is not None
    assert (found.difference.page, found.difference.spec) == (page, spec_part)


def test_reassociation_is_a_different_formula():
    # 255 * (0.5 * (x + 1)) rounds differently from (255 * 0.5) * (x + 1) in general
    assert not match("(255 * (0.5 * (data + 1))).astype(np.uint8)", position=1).exact


def test_the_items_range_tells_which_clause_a_changed_formula_was_meant_for():
    found = match("(data * 3 + 1).astype(np.uint8)", lead_range=(Fraction(-1), Fraction(1)), position=0)
    assert (found.clause, found.how) == ("norm.signed", "range in the text")


def page_with(formula_lines: list[str], item_texts: list[str] | None = None,
              front: str = "") -> classify.ClassifiedPage:
    items = item_texts or ["**Data in [0, 1]**: multiply by 255", "**Data in [-1, 1]**: rescale",
                           "**Anything else**: clip to [0, 255]"]
    body = "\n\n".join(f"{i + 1}. {item}\n   ```python\n   {line}\n   ```" for i, (item, line)
                       in enumerate(zip(items, formula_lines)))
    text = front + "## Normalization algorithm\n\n" + body + "\n"
    return classify.classify(parse_page(text, "algo.md"))


GOOD = ["normalized_data = (data * 255).astype(np.uint8)",
        "normalized_data = (255 * 0.5 * (data + 1)).astype(np.uint8)",
        "normalized_data = data.clip(0, 255).astype(np.uint8)"]


def test_the_documented_algorithm_passes():
    assert formulas.check(page_with(GOOD)) == []


def test_a_changed_formula_fails_with_its_line_and_the_spec_formula():
    (finding,) = formulas.check(page_with([GOOD[0].replace("255", "256"), GOOD[1], GOOD[2]]))
    assert (finding.check, finding.line, finding.subject) == ("formula", 5, "formula [norm.unit]")
    assert "`(data * 256).astype(np.uint8)` is not the spec's formula for [norm.unit]" in finding.message
    assert "the page has `256` where the spec has `255`" in finding.message


GUIDE = "---\ntitle: Image Normalization Guide\n---\n\n"


def test_a_dropped_formula_is_reported_on_a_wandb_page():
    items = ["**Data in [0, 1]**: multiply", "**Anything else**: clip to [0, 255]"]
    (finding,) = formulas.check(page_with([GOOD[0], GOOD[2]], items, GUIDE))
    assert finding.subject == "formula [norm.signed]" and "lists no formula" in finding.message
    assert formulas.check(page_with([GOOD[0], GOOD[2]], items)) == []  # anyone's page may show part of it


def test_the_items_words_must_agree_with_the_clause():
    items = ["**Data in [0, 2]**: multiply by 256", "**Data in [-1, 1]**: rescale", "**Anything else**: clip to [0, 100]"]
    messages = [f.message for f in formulas.check(page_with(GOOD, items))]
    assert any("data in [0, 2]; [norm.unit] applies to [0, 1]" in m for m in messages)
    assert any("multiplied by 256; [norm.unit] multiplies by 255" in m for m in messages)
    assert any("clipped to [0, 100]; [norm.other] clips to [0, 255]" in m for m in messages)


def test_normalization_keeps_the_spec_formulas_distinct():
    dumps = {f.normalized for f in formulas.spec_formulas()}
    assert len(dumps) == 3
    assert all(re.search(r"UINT8", d) for d in dumps)
    assert textwrap.dedent(formulas.dump(formulas.normalize_source("data.clip(0, 255)"))).startswith("Call(")


ALGORITHM_IN_ONE_BLOCK = """\
## Normalization algorithm

```python
if 0 <= data.min() and data.max() <= 1:
    normalized_data = (data * 255).astype(np.uint8)
elif -1 <= data.min() and data.max() <= 1:
    normalized_data = (255 * 0.5 * (data + 1)).astype(np.uint8)
else:
    normalized_data = data.clip(0, 255).astype(np.uint8)
```
"""


def test_an_algorithm_written_as_one_if_chain_is_checked_statement_by_statement():
    page = classify.classify(parse_page(ALGORITHM_IN_ONE_BLOCK, "chain.md"))
    assert [b.kind for b in page.blocks] == ["formula"]
    assert formulas.check(page) == []
    drifted = classify.classify(parse_page(ALGORITHM_IN_ONE_BLOCK.replace("-1 <= data.min()", "-2 <= data.min()")
                                           .replace("0.5 * (data + 1)", "0.5 * (data + 2)"), "chain.md"))
    found = formulas.check(drifted)
    assert {(f.line, f.subject) for f in found} == {(6, "formula [norm.signed]"), (7, "formula [norm.signed]")}
    assert any("data + 2" in f.message for f in found) and any("data in [-2, 1]" in f.message for f in found)


def test_conversions_in_advice_sections_are_not_formulas():
    text = "## Best practices\n\n```python\npixels = ((x - x.min()) / x.ptp() * 255).astype(np.uint8)\n```\n"
    assert [b.kind for b in classify.classify(parse_page(text, "advice.md")).blocks] == ["python"]


def test_a_formula_under_its_own_heading_reads_the_heading():
    text = ("## Normalization algorithm\n\n#### Data in [0, 2]\n\n```python\nnormalized_data = (data * 255).astype(np.uint8)\n```\n\n"
            "#### Data in [-1, 1]\n\n```python\nnormalized_data = (255 * 0.5 * (data + 1)).astype(np.uint8)\n```\n\n"
            "#### Other data\n\n```python\nnormalized_data = data.clip(0, 255).astype(np.uint8)\n```\n")
    (finding,) = formulas.check(classify.classify(parse_page(text, "headed.md")))
    assert finding.line == 3 and "data in [0, 2]" in finding.message
