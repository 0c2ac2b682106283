"""Reading documentation pages: front matter, shortcodes, headings of every style, tables,
fenced code with page line numbers, and broken pages reported at their line."""

from __future__ import annotations

import textwrap

import pytest

from wbimage_conformance.doccheck import markdown as md


def page(text: str) -> md.Page:
    return md.parse_page(textwrap.dedent(text).lstrip("\n"), "page.md")


def test_front_matter_fields_and_the_line_of_the_identifier():
    p = page("""
        ---
        title: Bild
        menu:
          reference:
            identifier: de-ref-image
        ---
        body
        """)
    assert p.title == "Bild"
    assert p.identifier == ("de-ref-image", 5)
    assert p.body_line == 7


def test_toml_front_matter_is_read():
    p = page("""
        +++
        title = "Image"
        +++
        body
        """)
    assert p.title == "Image"


def test_front_matter_that_is_not_yaml_is_a_problem_at_the_line_it_starts():
    p = page("""
        ---
        title: ok
        caption: "never closed
        ---
        """)
    assert p.front_matter == {}
    assert [(x.line, "not valid YAML" in x.message) for x in p.problems] == [(3, True)]


def test_front_matter_never_closed_is_a_problem():
    p = page("""
        ---
        title: x
        """)
    assert p.problems[0].line == 1 and "never closed" in p.problems[0].message


def test_shortcodes_are_elements_not_text():
    p = page("""
        {{< cta-button githubLink=https://example.invalid/a.py >}}

        {{% note %}}
        """)
    assert [(s.name, s.line, s.closing) for s in p.shortcodes] == [("cta-button", 1, False), ("note", 3, False)]
    assert "githubLink=" in p.shortcodes[0].args


@pytest.mark.parametrize("line, style, text", [
    ("## Normalization algorithm", "atx", "Normalization algorithm"),
    ("### `to_uint8` {#to-uint8}", "atx", "`to_uint8`"),
    ("**例1: [0, 1] 範囲のデータ**", "bold", "例1: [0, 1] 範囲のデータ"),
    ("**Example 4:**", "bold", "Example 4"),
    ("正規化アルゴリズム", "plain", "正規化アルゴリズム"),
    ("예시:", "plain", "예시"),
    ("`guess_mode`", "code", "guess_mode"),
])
def test_heading_styles(line, style, text):
    p = page(f"\nintro sentence.\n\n{line}\n\nafter.\n")
    headings = p.headings
    assert [(h.style, h.text, h.line) for h in headings] == [(style, text, 3)]


@pytest.mark.parametrize("line, style, level, tag, text", [
    ("## <kbd>class</kbd> `Image`", "atx", 2, "class", "Image"),
    ("### <kbd>method</kbd> `Image.__init__`", "atx", 3, "method", "Image.__init__"),
    ("### <kbd>classmethod</kbd> `Image.to_uint8`", "atx", 3, "classmethod", "Image.to_uint8"),
    ("### <kbd>property</kbd> Image.image", "atx", 3, "property", "Image.image"),
    ('<h3 id="to_uint8"><code>to_uint8</code></h3>', "html", 3, "", "to_uint8"),
])
def test_generated_headings_keep_their_tag(line, style, level, tag, text):
    p = page(f"\nintro sentence.\n\n{line}\n\nafter.\n")
    assert [(h.style, h.level, h.tag, h.text, h.line) for h in p.headings] == [(style, level, tag, text, 3)]


def test_a_wrapped_paragraph_knows_its_last_line():
    p = page("""
        first line of a paragraph
        second line of it

        - an item
        """)
    texts = [e for e in p.elements if isinstance(e, md.Text)]
    assert [(t.line, t.end_line) for t in texts] == [(1, 2), (4, 4)]


@pytest.mark.parametrize("line", [
    "---",
    "* * *",
    "This sentence ends with a period.",
    "文は句点で終わる。",
    "한국어 문장은 마침표로 끝납니다.",
    "The algorithm looks at the data and then picks a rule as follows:",
    "[View source](https://example.invalid/x.py#L1)",
    "x" * 90,
])
def test_lone_sentences_links_and_long_lines_are_not_headings(line):
    p = page(f"\nbefore.\n\n{line}\n\nafter.\n")
    assert p.headings == []


def test_a_short_line_followed_by_a_list_is_a_lead_in_not_a_heading():
    p = page("""
        Normalization applies to:
        - tensors
        - arrays
        """)
    assert p.headings == []
    texts = [e for e in p.elements if isinstance(e, md.Text)]
    assert [(t.kind, t.text) for t in texts] == [("paragraph", "Normalization applies to:"), ("item", "tensors"),
                                                 ("item", "arrays")]


def test_tables_with_their_rows_and_lines():
    p = page("""
        | Class Variables |  |
        | :--- | :--- |
        |  `MAX_DIMENSION`<a id="MAX_DIMENSION"></a> |  `65500` |
        | `a\\|b` | x |
        """)
    (table,) = p.tables
    assert table.line == 1 and table.header == ("Class Variables", "")
    assert [(r.line, r.cells[1]) for r in table.rows] == [(3, "`65500`"), (4, "x")]
    assert table.rows[1].cells[0] == "`a|b`"


def test_fenced_code_inside_a_list_item_is_deindented_and_located():
    p = page("""
        1. **Data in [0, 1]**: multiply
           ```python
           normalized_data = (data * 255).astype(np.uint8)
           ```
        """)
    (block,) = p.code_blocks
    assert block.fence_line == 2 and block.first_line == 3
    assert block.code == "normalized_data = (data * 255).astype(np.uint8)\n"
    assert block.is_python and block.closed
    assert block.page_line(1) == 3


def test_fences_of_other_languages_and_tildes():
    p = page("""
        ~~~bash
        pip install wandb
        ~~~

        ```
        plain
        ```
        """)
    assert [(b.language, b.is_python) for b in p.code_blocks] == [("bash", False), ("", False)]


def test_an_unclosed_fence_is_a_problem_at_its_opening_line():
    p = page("""
        text

        ```python
        x = 1
        """)
    assert not p.code_blocks[0].closed
    assert p.problems[0].line == 3 and "never closed" in p.problems[0].message


def test_windows_line_ends_keep_line_numbers():
    p = md.parse_page("## A\r\n\r\n```python\r\nx = 1\r\n```\r\n", "page.md")
    assert p.headings[0].line == 1 and p.code_blocks[0].first_line == 4


def test_unreadable_pages_raise_page_error_naming_file_and_line(tmp_path):
    bad = tmp_path / "latin1.md"
    bad.write_bytes(b"line one\nna\xefve\n")
    with pytest.raises(md.PageError, match=r"latin1\.md:2: not UTF-8"):
        md.read_page(bad)
    with pytest.raises(md.PageError, match="cannot read"):
        md.read_page(tmp_path / "missing.md")
    with pytest.raises(md.PageError, match="a directory, not a documentation page"):
        md.read_page(tmp_path)
