"""Claims read from words in every locale, and prose statements checked without running."""

from __future__ import annotations

import textwrap
from fractions import Fraction

import pytest

from wbimage_conformance.doccheck import claims, classify, prose
from wbimage_conformance.doccheck.markdown import parse_page


def kinds(text: str) -> list[tuple[str, tuple]]:
    return [(c.kind, c.values) for c in claims.read_text(text, 1)]


@pytest.mark.parametrize("text, expected", [
    ("rescaled: -1 → 0, 0 → 127.5, 1 → 255",
     [("mapping", ((-1, 0), (0, Fraction(255, 2)), (1, 255))), ("rescaled", ())]),
    ("values are not rescaled", [("not-rescaled", ())]),
    ("maps -1 -> 0 and 1 => 255", [("mapping", ((-1, 0), (1, 255)))]),
    ("every value gets multiplied by 255", [("factor", (255,))]),
    ("各値を256倍して切り捨てる", [("factor", (256,))]),
    ("각 값에 255를 곱합니다", [("factor", (255,))]),
    ("Normalization disabled; values get clipped to [0, 255]",
     [("not-normalized", ()), ("clip", (0, 255))]),
    ("正規化は無効 - [0, 255] にクリップされる値", [("not-normalized", ()), ("clip", (0, 255))]),
    ("정규화를 비활성화 - [0, 255]로 값이 클립됨", [("not-normalized", ()), ("clip", (0, 255))]),
    ("values pass through unclipped", [("no-clip", ())]),
    ("値はクリップされない", [("no-clip", ())]),
    ("값은 클립되지 않음", [("no-clip", ())]),
    ("values wrap around past 255", [("no-clip", ())]),
    ("Convert to a PIL image to avoid normalization", [("not-normalized", ())]),
    ("PIL画像を使って正規化を避ける", [("not-normalized", ())]),
    ("PIL 이미지는 정규화되지 않음", [("not-normalized", ())]),
    ("PIL images are normalized too", [("normalized", ())]),
    ("Create a tensor with values in [0, 1] range", [("range", (0, 1))]),
    ("0から1までの乱数", [("range", (0, 1))]),
    ("-1부터 1까지의 난수", [("range", (-1, 1))]),
    ("draws numbers between -1 and 1", [("range", (-1, 1))]),
    (".png（デフォルト）の代わりに .jpg で記録", [("default-format", ("png",)), ("format", ("jpg",))]),
    ("Log a JPEG instead of the default PNG", [("format", ("jpeg",)), ("default-format", ("png",))]),
    ("Values in [0, 1] are multiplied by 256 and clipped to [0, 255]", [("clip", (0, 255)), ("factor", (256,))]),
    ("PIL images are not normalized, values are clipped to [0, 255]", [("clip", (0, 255)), ("not-normalized", ())]),
    ("値を [0, 255] にクリップして [0, 1] を保つ", [("clip", (0, 255))]),
    ("例4: normalize=False の場合", []),
    ("numpy 배열로 wandb.Image 만들기", []),
    ("Making a wandb.Image out of a numpy array", []),
])
def test_claims_in_words(text, expected):
    assert kinds(text) == [(k, tuple(v if not isinstance(v, tuple) else tuple(Fraction(x) for x in v) for v in vals)
                            if k == "mapping" else tuple(vals)) for k, vals in expected]


@pytest.mark.parametrize("text, expected", [
    ("If the values are not in the range [0, 255] or all values are in the range [0, 1], they are normalized to "
     "the range [0, 255]", [("outside", (0, 255)), ("condition", (0, 1)), ("target", (0, 255))]),
    ("normalize the pixel values to fall within the range of [0, 255]", [("target", (0, 255))]),
    ("values outside [0, 255] are normalized", [("outside", (0, 255))]),
    ("ピクセル値は自動的に [0, 255] の範囲に正規化されます", [("target", (0, 255))]),
    ("データが [0, 1] の範囲にある場合", [("condition", (0, 1))]),
    ("픽셀 값이 자동으로 [0, 255] 범위로 정규화됩니다", [("target", (0, 255))]),
    ("a list (1, 2) of numbers", []),
])
def test_where_an_interval_stands_in_a_sentence_about_normalization(text, expected):
    assert claims.normalization_ranges(text) == [(role, tuple(Fraction(v) for v in values)) for role, values in expected]


def example_block(code: str, heading: str = "**Example 1: data in [0, 1]**") -> classify.PyBlock:
    text = f"## Examples of normalization effects\n\n{heading}\n```python\n{textwrap.dedent(code).strip()}\n```\n"
    return classify.classify(parse_page(text, "e.md")).examples[0]


def test_comments_claim_about_the_statement_they_sit_on_or_above():
    block = example_block("""
        import torch
        import wandb

        # values in [0, 1]
        data = torch.rand(3, 4, 4)  # between 0 and 1

        # multiplied by 255
        image = wandb.Image(data)
        """)
    found = [(c.kind, c.line, c.target) for c in claims.example_claims(block)]
    assert found == [("range", 3, "example"), ("range", 8, "variable:data"), ("range", 9, "variable:data"),
                     ("factor", 11, "call:8")]


def test_layouts_in_prose():
    assert claims.layouts("**PyTorch tensors** (format: `(channel, height, width)`)") == [("tensor", "CHW")]
    assert claims.layouts("NumPy 配列 (形式: `(height, width, channel)`)") == [("array", "HWC")]
    assert claims.layouts("a tuple (1, 2, 3)") == []


def prose_findings(text: str):
    return prose.check(classify.classify(parse_page(textwrap.dedent(text).lstrip("\n"), "p.md")))


def test_the_documented_prose_passes():
    assert prose_findings("""
        Normalization is applied to:
        - **PyTorch tensors** (format: `(channel, height, width)`)
        - **NumPy arrays** (format: `(height, width, channel)`)

        Normalization is not applied to:
        - **PIL images** (passed as they are)
        - **File paths** (loaded as they are)

        1. Use `normalize=False` to see raw values (clipped to [0, 255])

        - Data in [0, 1] is multiplied by 255, so images look bright

        | Input | Normalized |
        |---|---|
        | PyTorch tensors | ✅ Yes |
        | PIL Images | ❌ No |
        """) == []


@pytest.mark.parametrize("text, clause", [
    ("Normalization is applied to:\n- **PIL images** (scaled)\n", "norm.applies"),
    ("正規化は以下には適用されません：\n- **NumPy 配列**\n", "norm.applies"),
    ("- **PyTorch 텐서** (형식: `(height, width, channel)`)\n", "input.tensor.layout"),
    ("3. Use `normalize=False` to see raw values (not clipped)\n", "norm.disabled"),
    ("3. Use `normalize=False`: values are clipped to [0, 127]\n", "norm.disabled"),
    ("- Data in [0, 1] is multiplied by 256\n", "norm.unit"),
    ("| Input | Normalized |\n|---|---|\n| File paths | ✅ Yes |\n", "norm.applies"),
    ("Arrays are normalized to [0, 1] before they are stored.\n", "norm.applies"),
    ("Data in [0, 2] is normalized.\n", "norm.range"),
    ("## Normalization algorithm\n\nValues outside the range are clipped to [0, 1].\n", "norm.other"),
])
def test_prose_drifts(text, clause):
    (finding,) = prose_findings(text)
    assert finding.check == "claim" and clause in finding.clauses
