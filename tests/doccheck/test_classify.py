"""What each Python block is, which example it is, and which locale and document a page is."""

from __future__ import annotations

import textwrap

import pytest
from locations import DOC_PAGES as FIXTURES

from wbimage_conformance.doccheck import classify, sections
from wbimage_conformance.doccheck.markdown import parse_page, read_page


def classified(name: str) -> classify.ClassifiedPage:
    return classify.classify(read_page(FIXTURES / name))


def of(text: str, path: str = "page.md") -> classify.ClassifiedPage:
    return classify.classify(parse_page(textwrap.dedent(text).lstrip("\n"), path))


@pytest.mark.parametrize("name", ["good/image.en.md", "good/image.ja.md", "good/image.ko.md"])
def test_every_block_of_an_image_page_is_classified(name):
    page = classified(name)
    kinds = [(b.kind, b.key) for b in page.blocks]
    assert kinds == [
        ("signature", "constructor"),
        ("formula", ""), ("formula", ""), ("formula", ""),
        ("example", "example-1"), ("example", "example-2"), ("example", "example-3"), ("example", "example-4"),
        ("example", "usage-numpy"), ("example", "usage-pil"), ("example", "usage-jpg"),
        ("method", "all_captions"), ("method", "guess_mode"), ("method", "to_uint8"),
    ]
    assert [r.name for t in page.constants for r in t.rows] == ["MAX_DIMENSION", "MAX_ITEMS"]
    assert len(page.args_tables) == 1


def test_formulas_know_their_list_item():
    page = classified("good/image.ja.md")
    leads = [b.lead.text for b in page.of_kind("formula")]
    assert "[0, 1]" in leads[0] and "[-1, 1]" in leads[1] and "クリップ" in leads[2]


@pytest.mark.parametrize("heading, key", [
    ("**Example 3: anything**", "example-3"),
    ("**例2: [-1, 1] 範囲のデータ**", "example-2"),
    ("**예시 4: normalize=False 사용**", "example-4"),
    ("### Example #1", "example-1"),
])
def test_example_numbers_come_from_headings(heading, key):
    page = of(f"""
        ## Examples of normalization effects

        {heading}
        ```python
        import wandb
        image = wandb.Image(data)
        ```
        """)
    assert page.examples[0].key == key


@pytest.mark.parametrize("code, key", [
    ("image = wandb.Image(torch.rand(3, 4, 4))", "example-1"),
    ("image = wandb.Image(torch.rand(3, 4, 4) * 2 - 1)", "example-2"),
    ("from PIL import Image as P\nimage = wandb.Image(P.new('RGB', (2, 2)))", "example-3"),
    ("image = wandb.Image(x, normalize=False)", "example-4"),
    ("run = wandb.init()\nrun.log({'a': wandb.Image(x)})", "usage-numpy"),
    ("run = wandb.init()\nrun.log({'a': wandb.Image(x, file_type='jpg')})", "usage-jpg"),
    ("from PIL import Image as P\nrun = wandb.init()\nrun.log({'a': wandb.Image(P.new('RGB', (2, 2)))})", "usage-pil"),
])
def test_without_a_numbered_heading_the_code_tells_the_example(code, key):
    page = of("import wandb\n".join(["```python\n", code + "\n```\n"]))
    assert page.examples[0].key == key


def test_usage_example_with_an_unaccepted_file_type_is_keyed_by_its_heading():
    page = of("""
        ## Examples

        Log JPEG files

        ```python
        import wandb
        with wandb.init() as run:
            run.log({"x": wandb.Image(x, file_type="gif")})
        ```
        """)
    assert page.examples[0].key == "usage-jpg"


def test_a_call_that_reads_as_a_def_is_an_example_not_a_signature():
    page = of("""
        ```python
        import wandb
        Image(pil_image)
        ```

        ```python
        Image(pil_image)
        ```
        """)
    assert [b.kind for b in page.blocks] == ["example", "python"]


def test_unparsable_python_is_located():
    page = of("""
        text

        ```python
        import wandb
        x = wandb.Image(
        ```
        """)
    (block,) = page.blocks
    assert block.kind == "unparsable" and block.syntax_line == 5


@pytest.mark.parametrize("code, name, returns, last", [
    ("__init__(\n    data_or_path: 'ImageDataOrPathType',\n    normalize: bool = True\n) → None", "__init__", "None",
     ("normalize", True)),
    ("Image.to_uint8(data: 'ndarray') → ndarray", "to_uint8", "ndarray", ("data", None)),
    ("guess_mode(\n    data\n)", "guess_mode", None, ("data", None)),
    ("Image(data_or_path, grouping: int = <factory>, mode=None) -> None", "Image", "None", ("mode", None)),
    ("all_captions(images: Sequence[ForwardRef('Media')]) → Union[bool, <generic>]", "all_captions",
     "Union[bool, <generic>]", ("images", None)),
])
def test_rendered_signatures_read_as_signatures(code, name, returns, last):
    sig = classify.parse_signature(code)
    assert sig is not None and (sig.name, sig.returns) == (name, returns)
    args = sig.function.args
    assert args.args[-1].arg == last[0]
    if last[1] is not None:
        assert args.defaults[-1].value is last[1]
    if "<factory>" in code:
        assert [d.value for d in args.defaults] == ["<factory>", None]  # kept as its text


def test_a_lazydocs_signature_block_is_the_constructor_and_never_a_parse_error():
    page = of("""
        ### <kbd>method</kbd> `Image.__init__`

        ```python
        __init__(
            data_or_path: 'ImageDataOrPathType',
            file_type: Optional[str] = None,
            normalize: bool = True
        ) → None
        ```

        ### <kbd>method</kbd> `Image.guess_mode`

        ```python
        guess_mode(data)
        ```
        """)
    assert [(b.kind, b.key) for b in page.blocks] == [("signature", "constructor"), ("method", "guess_mode")]
    assert page.generator == "lazydocs" and page.blocks[1].signature.heading_tag == "method"


def test_signature_parsing_reads_decorators_and_defaults():
    sig = classify.parse_signature("@classmethod\nto_uint8(\n    data: \"np.ndarray\"\n) -> \"np.ndarray\"\n")
    assert sig is not None and sig.name == "to_uint8" and sig.decorators == ("classmethod",)
    assert [a.arg for a in sig.function.args.args] == ["data"]
    assert classify.parse_signature("x = 1") is None


# -- sections, locale, document -------------------------------------------------------------


def test_section_names_come_from_the_spec_table_in_every_locale():
    assert sections.section_of("正規化アルゴリズム") == "algorithm"
    assert sections.section_of("**정규화 효과 예시**") == "effects"
    assert sections.section_of("## Examples of normalization effects") == "effects"
    assert sections.section_of("例:") == "examples"
    assert sections.section_of("Best practices") == "practices"
    assert sections.section_of("クラス変数") == "class-variables"
    assert sections.section_of("Something else") is None


def test_a_spec_without_the_section_table_is_a_configuration_error(tmp_path):
    spec = tmp_path / "SPEC.md"
    spec.write_text("# no table here\n", encoding="utf-8")
    with pytest.raises(sections.SectionTableError, match="section table"):
        sections.section_names(str(spec))


@pytest.mark.parametrize("path, front, body, locale, source", [
    ("image.ja.md", "title: x", "text", "ja", "file name"),
    ("page.md", "menu:\n  a:\n    identifier: ko-ref-x", "text", "ko", "identifier"),
    ("page.md", "lang: fr", "text", "fr", "front matter"),
    ("page.md", "title: x", "テキスト", "ja", "script"),
    ("page.md", "title: x", "텍스트", "ko", "script"),
    ("page.md", "title: x", "plain text", "en", "default"),
])
def test_locale_is_told_by_file_name_front_matter_identifier_or_script(path, front, body, locale, source):
    page = classify.classify(parse_page(f"---\n{front}\n---\n\n{body}\n", path))
    assert (page.locale, page.identity.locale_source) == (locale, source)


def test_conflicting_locales_are_remembered():
    page = classify.classify(parse_page("---\nmenu:\n  a:\n    identifier: ko-ref-x\n---\n", "image.ja.md"))
    assert page.locale == "ja" and page.identity.conflicts == ("the identifier says 'ko'",)


@pytest.mark.parametrize("text, doc", [
    # the identifier alone, or a link to the wandb source of data_types/image.py, says Image page
    ("---\nmenu:\n  r:\n    identifier: ko-ref-python-data-types-image\n---\ntext\n", "image"),
    ("{{< cta-button githubLink=https://github.com/wandb/wandb/blob/main/wandb/sdk/data_types/image.py >}}\n", "image"),
    # a name together with what only the Image page holds
    ("---\ntitle: Image\n---\n\n```python\nImage(data_or_path, mode=None) -> None\n```\n", "image"),
    ("## <kbd>class</kbd> `Image`\n\n| Class Variables | |\n|---|---|\n| `MAX_ITEMS` | `108` |\n", "image"),
    ("# Image\n\n```python\n@classmethod\nto_uint8(data) -> 'np.ndarray'\n```\n", "image"),
    # the guide by its identifier or title
    ("---\ntitle: Image Normalization Guide\n---\ntext\n", "normalization-guide"),
    ("---\nmenu:\n  d:\n    identifier: guides-image-normalization\n---\ntext\n", "normalization-guide"),
    # a name alone, content alone, or normalization examples alone say nothing
    ("---\ntitle: Image\n---\nA page about pictures.\n", None),
    ("# Table\n\n[View source](https://github.com/wandb/client/tree/v0.10.0/wandb/sdk/data_types.py#L1)\n", None),
    ("# Image\n\n[View source](https://github.com/wandb/client/tree/v0.10.0/wandb/sdk/data_types.py#L1)\n", "image"),
    ("```python\nImage(data_or_path, mode=None) -> None\n```\n", None),
    ("## Examples of normalization effects\n\n**Example 1**\n```python\nimport wandb\nwandb.Image(x)\n```\n", None),
])
def test_the_document_is_told_from_evidence(text, doc):
    page = classify.classify(parse_page(text, "page.md"))
    assert page.identity.doc == doc
    assert bool(page.identity.evidence) == (doc is not None)


def test_documents_and_translation_keys():
    ja, guide = classified("good/image.ja.md"), classified("good/guide.en.md")
    assert (ja.identity.doc, ja.identity.translation_key) == ("image", "fixture-ref-python-data-types-image")
    assert classified("good/image.en.md").identity.translation_key == ja.identity.translation_key
    assert guide.identity.doc == "normalization-guide"
    no_identifier = classify.classify(parse_page("text\n", "docs/image.ko.md"))
    assert no_identifier.identity.translation_key == "file:image"
