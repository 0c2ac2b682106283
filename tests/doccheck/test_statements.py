"""Sentences about the Image surface read into statements and tested against the spec, in en,
ja and ko; and the real W&B pages, changed one sentence at a time, read from ../shared.

The sentences below are written for the test."""

from __future__ import annotations

from pathlib import Path

import pytest
from locations import ROOT
from locations import UPSTREAM_DOCS as UPSTREAM

from wbimage_conformance.doccheck import check, classify, statements
from wbimage_conformance.doccheck.findings import Severity
from wbimage_conformance.doccheck.markdown import parse_page


def read(text: str, section: str | None = None) -> list[statements.Statement]:
    sentence = statements.Sentence(1, text, text, section, 1)
    return [s for reader in statements.READERS for s in reader(sentence)]


def kinds(text: str, section: str | None = None) -> list[tuple[str, bool]]:
    """(kind, the spec contradicts it) for each statement read."""
    return [(s.kind, bool(s.problem)) for s in read(text, section)]


# -- one reader per kind, both ways, three locales ------------------------------------------

@pytest.mark.parametrize("text, wrong", [
    ("A picture is grayscale if the last axis is 1, RGB if it is 3 and RGBA if it is 4.", False),
    ("A picture is grayscale if the last axis is 1, RGB if it is 3 and RGBA if it is 2.", True),
    ("最後の次元が1の場合はグレースケール、4の場合はRGBAとして扱います。", False),
    ("最後の次元が3の場合はグレースケールとして扱います。", True),
    ("마지막 차원이 3이면 RGB, 4이면 RGBA로 처리합니다.", False),
    ("마지막 차원이 1이면 RGB로 처리합니다.", True),
])
def test_the_mode_read_from_the_last_dimension(text, wrong):
    assert kinds(text) == [("mode-by-channels", wrong)]


@pytest.mark.parametrize("text, wrong", [
    ("Arrays of floats are turned into integers between 0 and 255.", False),
    ("Arrays of floats are turned into integers between 0 and 100.", True),
    ("浮動小数点の配列は0から255の整数に変換されます。", False),
    ("浮動小数点の配列は1から255の整数に変換されます。", True),
    ("부동 소수점 배열은 0에서 255 사이의 정수로 바뀝니다.", False),
    ("부동 소수점 배열은 0에서 511 사이의 정수로 바뀝니다.", True),
])
def test_floats_become_integers_over_the_whole_byte_range(text, wrong):
    assert kinds(text) == [("output-range", wrong)]


@pytest.mark.parametrize("text, wrong", [
    ("NumPy arrays are saved as PNG files.", False),
    ("NumPy arrays are saved as BMP files.", True),
    ("テンソルはPNGとして保存されます。", False),
    ("テンソルはJPEGとして保存されます。", True),
    ("배열은 png로 저장됩니다.", False),
    ("배열은 gif로 저장됩니다.", True),
])
def test_what_arrays_are_saved_as_by_default(text, wrong):
    assert kinds(text) == [("default-format", wrong)]


def test_a_format_chosen_with_file_type_is_not_the_default():
    assert kinds("Arrays are saved as JPEG when you pass file_type='jpg'.") == []


@pytest.mark.parametrize("text, wrong", [
    ("A value like -0.5 comes out dark, around 63.", False),
    ("A value like -0.5 comes out dark, around 200.", True),
    ("Bright values, like 0.9, end up at about 229.", False),
    ("例えば 0.5 のような値は約127になります。", False),
    ("예를 들어 0.5 같은 값은 약 250이 됩니다.", True),
])
def test_a_value_and_its_pixel_around_a_number(text, wrong):
    assert kinds(text) == [("value-example", wrong)]


@pytest.mark.parametrize("text, wrong", [
    ("Pixel values outside the byte range wrap around.", True),
    ("値は256を法としてラップアラウンドします。", True),
    ("범위를 벗어난 값은 오버플로됩니다.", True),
    ("Without clipping, values would wrap around.", None),     # what would happen, not what does
    ("Wrap pixel data in an Image so a run can log it.", None),  # wrapping in an object
])
def test_values_that_wrap_instead_of_being_clipped(text, wrong):
    assert kinds(text) == ([] if wrong is None else [("out-of-range", wrong)])


@pytest.mark.parametrize("text, kind, wrong", [
    ("When you log a torch.Tensor, images are normalized.", "tensor", False),
    ("When you log a torch.Tensor, images are not normalized.", "tensor", True),
    ("PIL images are not normalized.", "pil", False),
    ("PIL images are normalized first.", "pil", True),
    ("NumPy 配列は正規化されます。", "array", False),
    ("テンソルは正規化されません。", "tensor", True),
    ("파일 경로는 정규화되지 않습니다.", "path", False),
    ("텐서는 정규화되지 않습니다.", "tensor", True),
])
def test_which_inputs_are_normalized(text, kind, wrong):
    (statement,) = read(text)
    assert statement.kind == "normalized" and statement.fact("input") == kind and bool(statement.problem) == wrong


def test_advice_to_the_reader_is_no_statement():
    assert kinds("If you do not want to normalize your images, turn your tensors into PIL images.") == []


@pytest.mark.parametrize("text, wrong", [
    ("`mask_data`: a 2D array with an integer class id per pixel.", False),
    ("`mask_data`: a 3D array with an integer class id per pixel.", True),
    ("`mask_data`: a 2D array of float scores per pixel.", True),
    ("`mask_data`：各ピクセルの整数クラスIDを持つ2次元配列。", False),
    ("`mask_data`: 각 픽셀의 정수 클래스 ID를 담은 4차원 배열.", True),
])
def test_what_mask_data_must_be(text, wrong):
    assert kinds(text) == [("mask-data", wrong)]


@pytest.mark.parametrize("text, wrong", [
    ("Box positions are relative by default: numbers between 0 and 1.", False),
    ("Box positions are relative by default: numbers between 0 and 100.", True),
    ("ボックスの座標は既定で相対値で、0から1の範囲です。", False),
])
def test_relative_box_coordinates(text, wrong):
    assert kinds(text) == [("box-range", wrong)]


@pytest.mark.parametrize("text, wrong", [
    ("Turns float pictures in the range [0,1] and integer pictures in the range [0,255] into uint8.", False),
    ("Turns float pictures in the range [0,1] and integer pictures in the range [0,127] into uint8.", True),
    ("[0,1] の浮動小数点画像と [0,255] の整数画像を uint8 にします。", False),
    ("[0,2] 범위의 부동 소수점 이미지와 [0,255] 범위의 정수 이미지를 uint8로 바꿉니다.", True),
])
def test_the_ranges_to_uint8_takes(text, wrong):
    assert kinds(text, "methods") == [("to-uint8-range", wrong)]


@pytest.mark.parametrize("text", [
    "Log up to 50 audio clips per step.",                # a clip is a thing
    "Logged values don't have to be scalars.",           # not scaling
    "Images are logged at every step.",                  # the surface, but nothing to test
])
def test_sentences_that_are_no_statement_file_under_no_kind(text):
    assert kinds(text) == []


def test_explain_lists_every_sentence_about_the_surface_and_what_it_became(tmp_path):
    page = tmp_path / "page.en.md"
    page.write_text("# Pictures\n\nImages are logged at every step. Arrays are saved as PNG files.\n\n"
                    "Nothing here is about pictures.\n", encoding="utf-8")
    report = check.check_files([page], run_examples=False, explain=True)
    readings = {r.text: r for r in report.readings}
    assert set(readings) == {"Images are logged at every step.", "Arrays are saved as PNG files."}
    assert not readings["Images are logged at every step."].understood
    assert readings["Arrays are saved as PNG files."].statements == ("default-format: format=png",)


def test_a_contradicted_statement_is_an_error_at_the_line_of_its_words():
    text = "# Pictures\n\nA picture is grayscale if the last axis is 1,\nRGB if it is 3 and RGBA if it is 2.\n"
    page = classify.classify(parse_page(text, "p.md"))
    (finding,) = statements.check(page)
    assert finding.severity is Severity.ERROR and finding.line == 4 and "RGBA" in finding.message


# -- the real pages, one sentence changed ----------------------------------------------------

#: (page under upstream-docs, what is written, what it becomes)
CHANGES = [
    ("corpus/wandb__docs/content/ja/guides/models/track/log/media.md", "4の場合はRGBA", "2の場合はRGBA"),
    ("corpus/wandb__docs/content/ja/guides/models/track/log/media.md", "`0`から`255`の整数", "`0`から`127`の整数"),
    ("corpus/wandb__docs/content/ja/guides/models/track/log/media.md", "pngに変換されます", "jpgに変換されます"),
    ("corpus/wandb__docs/content/ja/guides/models/track/log/media.md", "を含む2D NumPy配列", "を含む3D NumPy配列"),
    ("corpus/wandb__docs/docs/ref/python/data-types/image.md", "images are normalized.", "images are not normalized."),
    ("corpus/wandb__docs/docs/ref/python/data-types/image.md", "[0,255] to uint8", "[0,127] to uint8"),
    ("corpus/wandb__docs/content/ko/ref/python/data-types/image.md", "이미지는 정규화됩니다", "이미지는 정규화되지 않습니다"),
    ("en/image.en.md", "all values are in the range [0, 1]", "all values are in the range [0, 2]"),
    ("en/image.en.md", "Values are clipped to [0, 255] and converted", "Values wrap modulo 256 and are converted"),
    ("image.ja.md", "(形式: `(channel, height, width)`)", "(形式: `(height, width, channel)`)"),
    ("en/image.en.md", "Log .jpg rather than .png (default)", "Log .png rather than .jpg (default)"),
    ("en/image.en.md", "Values outside the [0, 255] range will be clipped", "Values outside the [0, 255] range will wrap around"),
    ("en/image.en.md", "they will be multiplied by 255, making", "they will be multiplied by 256, making"),
    ("corpus/wandb__docs/content/ja/guides/models/track/log/media.md", "3の場合はRGB", "3の場合はRGBA"),
    ("corpus/wandb__docs/content/ja/guides/models/track/log/media.md", "デフォルトでPNGに変換", "デフォルトでJPEGに変換"),
    ("corpus/wandb__docs/content/en/ref/python/data-types/boundingboxes2d.md", "floating point numbers between 0 and 1",
     "floating point numbers between 0 and 10"),
    ("corpus/wandb__docs/content/en/ref/python/data-types/imagemask.md", "(2D numpy array)", "(3D numpy array)"),
]


def _flagged_lines(path: Path) -> set[int]:
    report = check.check_files([path], run_examples=False)
    return {f.line for f in report.findings if f.severity in (Severity.ERROR, Severity.WARNING)}


@pytest.mark.parametrize("page, before, after", CHANGES, ids=[f"{Path(p).name}:{a}" for p, _, a in CHANGES])
def test_a_changed_sentence_of_a_real_page_is_reported_at_its_line(tmp_path, page, before, after):
    source = UPSTREAM / page
    if not source.is_file():
        pytest.skip(f"{source} is not beside the checkout")
    text = source.read_text(encoding="utf-8")
    if before not in text:
        pytest.skip(f"{page} no longer says {before!r}")
    line = text[: text.index(before)].count("\n") + 1
    original = tmp_path / "original" / page
    changed = tmp_path / "changed" / page
    for path, content in ((original, text), (changed, text.replace(before, after, 1))):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    assert line not in _flagged_lines(original)
    assert line in _flagged_lines(changed)


def test_explain_in_json_follows_the_report_schema(tmp_path, capsys):
    import json

    import jsonschema

    from wbimage_conformance.commands import cli

    schema = json.loads((ROOT / "conformance" / "schemas" /
                         "docs-report.schema.json").read_text(encoding="utf-8"))
    page = tmp_path / "page.en.md"
    page.write_text("# Pictures\n\nNumPy arrays are saved as BMP files.\n", encoding="utf-8")
    code = cli.main(["docs", "check", str(page), "--no-run", "--explain", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    jsonschema.validate(report, schema)
    (sentence,) = report["sentences"]
    assert code == 1 and sentence["statements"] == ["default-format: format=bmp"] and sentence["problems"]
