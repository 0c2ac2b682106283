"""Every example maps to spec cases; a dropped example is named; translations carry the same
code, signature and constants, and every difference names both places."""

from __future__ import annotations

import pytest
from locations import DOC_PAGES as FIXTURES

from wbimage_conformance.doccheck import classify, consistency, coverage, specdata
from wbimage_conformance.doccheck.findings import Severity
from wbimage_conformance.doccheck.markdown import parse_page, read_page


@pytest.fixture(scope="module")
def spec_data():
    return specdata.load()


def classified(name: str) -> classify.ClassifiedPage:
    return classify.classify(read_page(FIXTURES / name))


@pytest.mark.parametrize("name", ["good/image.en.md", "good/image.ja.md", "good/image.ko.md", "good/guide.en.md"])
def test_every_example_of_the_good_pages_maps_to_cases_of_its_locale(spec_data, name):
    page = classified(name)
    assert coverage.check(page, spec_data) == []
    for block in page.examples:
        ids = coverage.case_ids(page, block.key, spec_data)
        assert f"doc-{page.locale}-{block.key}" in ids


def test_a_dropped_example_is_named_at_its_section(spec_data):
    page = classified("drift/dropped-example.en.md")
    (finding,) = coverage.check(page, spec_data)
    assert (finding.check, finding.subject, finding.severity) == ("coverage", "example-3", Severity.ERROR)
    assert "the page has no example-3" in finding.message and "doc-en-example-3" in finding.cases
    heading = next(h for h in page.page.headings if h.text == "Examples of normalization effects")
    assert finding.line == heading.line


def test_an_example_of_a_locale_the_spec_does_not_encode_is_unmapped(spec_data):
    text = ("---\ntitle: 图像\nmenu:\n  reference:\n    identifier: zh-ref-python-data-types-image\n---\n\n"
            "## Examples\n\n```python\nimport wandb\nimage = wandb.Image(x)\n```\n")
    page = classify.classify(parse_page(text, "image.zh.md"))
    (finding,) = [f for f in coverage.check(page, spec_data) if f.severity is Severity.ERROR]
    assert finding.line == 10 and "maps to no spec case" in finding.message and "image/zh" in finding.message


def test_two_blocks_with_one_key_are_a_note(spec_data):
    """A page may show more examples than the spec encodes: both are checked, not a defect."""
    text = ("---\nmenu:\n  r:\n    identifier: ref-python-data-types-image\n---\n\n"
            "## Examples of normalization effects\n\n**Example 1**\n```python\nimport wandb\nwandb.Image(x)\n```\n\n"
            "**Example 1 again**\n```python\nimport wandb\nwandb.Image(y)\n```\n")
    page = classify.classify(parse_page(text, "dup.en.md"))
    assert any(f.severity is Severity.NOTE and "second block" in f.message for f in coverage.check(page, spec_data))


@pytest.mark.parametrize("order", [("en", "ja", "ko"), ("ja", "ko", "en")])
def test_good_translations_differ_only_by_the_omitted_normalize_one_warning_naming_every_place(order):
    pages = [classified(f"good/image.{locale}.md") for locale in order]
    assert [len(g) for g in consistency.groups(pages)] == [3]
    (finding,) = consistency.check(pages)
    en, ja, ko = (next(p for p in pages if p.locale == locale) for locale in ("en", "ja", "ko"))
    normalize_line = next(n for n, line in enumerate(en.page.text.splitlines(), 1) if "normalize: bool" in line)
    assert finding.severity is Severity.WARNING and (finding.file, finding.line) == (ja.path, ja.constructor.line)
    assert [(r.file, r.line) for r in finding.related] == [(en.path, normalize_line), (ko.path, ko.constructor.line)]
    assert "list 8 parameters where" in finding.message and f"{en.path}:{normalize_line} lists 9" in finding.message
    assert "they lack normalize=True" in finding.message and f"{ko.path}:{ko.constructor.line}" in finding.message


def test_a_translation_with_other_code_is_reported_with_both_places():
    base, drifted = classified("good/image.en.md"), classified("drift/translation.ko.md")
    errors = [f for f in consistency.check([base, drifted]) if f.severity is Severity.ERROR]
    (finding,) = errors
    ko_line = next(n for n, line in enumerate(drifted.page.text.splitlines(), 1) if "size=(32, 32, 3)" in line)
    en_line = next(n for n, line in enumerate(base.page.text.splitlines(), 1)
                   if "size=(16, 16, 3))" in line and "dtype" not in line)
    assert (finding.file, finding.line, finding.subject) == (drifted.path, ko_line, "usage-numpy")
    assert [(r.file, r.line) for r in finding.related] == [(base.path, en_line)]
    assert "size=(32, 32, 3)" in finding.message and "size=(16, 16, 3)" in finding.message


def test_comments_strings_and_wrapping_do_not_count():
    a = "x = f(1, 'a')  # one\nwandb.Image(x, caption=f\"n {k}\")\n"
    b = "# a comment\nx = f(\n    1,\n    \"b\",\n)\nwandb.Image(x, caption=\"other\")\n"
    assert [line.tokens for line in consistency.logical_lines(a)] == [line.tokens for line in consistency.logical_lines(b)]
    c = "x = f(2, 'a')\nwandb.Image(x)\n"
    assert [line.tokens for line in consistency.logical_lines(a)] != [line.tokens for line in consistency.logical_lines(c)]


def test_changed_constants_and_dropped_examples_across_translations():
    base, constant = classified("good/image.ja.md"), classified("drift/constant.ko.md")
    (finding,) = [f for f in consistency.check([base, constant]) if f.severity is Severity.ERROR]
    assert "MAX_DIMENSION is 65536 on this page but 65500" in finding.message and finding.related[0].file == base.path
    dropped = classified("drift/dropped-example.en.md")
    (finding,) = [f for f in consistency.check([base, dropped]) if f.severity is Severity.ERROR]
    assert finding.file == dropped.path and "example-3 is at" in finding.message


def test_pages_without_identifiers_pair_by_file_name():
    a = classify.classify(parse_page("```python\nimport wandb\nwandb.Image(x)\n```\n", "docs/ja/page.ja.md"))
    b = classify.classify(parse_page("```python\nimport wandb\nwandb.Image(y)\n```\n", "docs/ko/page.ko.md"))
    (finding,) = consistency.check([a, b])
    assert finding.related[0].file == a.path and "`wandb.Image(y)`" in finding.message
