"""A page read as one session: what of a block runs, names across blocks, mistakes found
before running, sections' owners, pinned releases, translations paired by content.

Every page here is written for the test; none is a copy of a W&B page."""

from __future__ import annotations

import textwrap

import pytest

from wbimage_conformance.doccheck import classify, consistency, defects, names, pinned, sections, source
from wbimage_conformance.doccheck.findings import Severity
from wbimage_conformance.doccheck.markdown import parse_page


def page_of(*blocks: str, path: str = "page.md", front: str = "") -> classify.ClassifiedPage:
    body = "\n\nSome words.\n\n".join(f"```python\n{textwrap.dedent(b).strip()}\n```" for b in blocks)
    return classify.classify(parse_page(f"{front}# A page\n\n{body}\n", path))


def runnable_blocks(page: classify.ClassifiedPage) -> list[classify.PyBlock]:
    return [b for b in page.blocks if b.kind in ("example", "python")]


# -- what runs ------------------------------------------------------------------------------


def test_notebook_lines_are_set_aside_and_the_rest_of_the_block_runs():
    run = source.runnable("!pip install wandb\n%matplotlib inline\nimport wandb\nfor i in range(2):\n    !echo hi\n")
    assert run.tree is not None and [a.kind for a in run.set_aside] == ["notebook", "notebook", "notebook"]
    assert run.code.count("\n") == 5 and "pass" in run.code.splitlines()[4]


def test_a_block_of_shell_commands_is_shell_not_a_syntax_error():
    run = source.runnable("pip install wandb[media]\nwandb login\n")
    assert run.shell and run.tree is not None and {a.kind for a in run.set_aside} == {"shell"}


def test_a_shell_line_among_python_is_set_aside():
    run = source.runnable("import wandb\npip install pillow\nwandb.init()\n")
    assert run.tree is not None and [(a.line, a.kind) for a in run.set_aside] == [(2, "shell")]


def test_an_angle_bracket_placeholder_becomes_a_name_the_page_never_defines():
    run = source.runnable('run = wandb.init(project=<your-project>)\n')
    assert run.tree is not None and run.set_aside[0].text == "<your-project>"
    assert source.PLACEHOLDER_NAME in run.code


def test_doctest_prompts_run_without_their_output():
    run = source.runnable(">>> x = 2\n>>> print(x)\n2\n")
    assert run.tree is not None and run.code.splitlines() == ["x = 2", "print(x)", ""]


@pytest.mark.parametrize("code, message", [
    ('caption = "never closed\n', "unterminated string"),
    ("run.log({\n    'a': 1\n", "was never closed"),
    ("for i in range(3):\nprint(i)\n", "expected an indented block"),
])
def test_what_is_still_not_python_is_the_pages_syntax_error(code, message):
    run = source.runnable(code)
    assert run.tree is None and message in run.syntax_error


# -- names across blocks --------------------------------------------------------------------


def test_a_name_an_earlier_block_binds_is_known_to_a_later_one():
    page = page_of("import numpy as np\npixels = np.zeros((2, 2))", "import wandb\nimage = wandb.Image(pixels)")
    assert names.analyze(runnable_blocks(page)).unbound == ()


def test_a_conventional_alias_is_imported_for_the_page():
    page = page_of("import wandb\nimage = wandb.Image(np.ones((2, 2)))")
    analysis = names.analyze(runnable_blocks(page))
    (block,) = runnable_blocks(page)
    assert analysis.implied[block.line] == ("import numpy as np",)


def test_the_run_the_reader_started_is_taken_for_granted():
    page = page_of("run.log({'loss': 0.1})")
    analysis = names.analyze(runnable_blocks(page))
    assert [u.reason for u in analysis.unbound] == ["implied"]


def test_a_name_bound_only_further_down_is_told_apart_from_one_never_bound():
    page = page_of("print(later, nowhere)", "later = 1")
    reasons = {u.name: u.reason for u in names.analyze(runnable_blocks(page)).unbound}
    assert reasons == {"later": "later", "nowhere": "never"}


@pytest.mark.parametrize("code, used, meant", [
    ("my_data = [1, 2]\nprint(data)", "data", "my_data"),
    ("val_images = [1]\nfor x in images:\n    pass", "images", "val_images"),
    ("caption_text = 'a'\nprint(caption_txet)", "caption_txet", "caption_text"),
    ("loader = 1\nprint(DataLoader)", None, None),
])
def test_a_name_the_same_block_binds_under_a_similar_name(code, used, meant):
    page = page_of(code)
    similar = [u for u in names.analyze(runnable_blocks(page)).unbound if u.reason == "similar"]
    assert [(u.name, u.other) for u in similar] == ([(used, meant)] if used else [])


@pytest.mark.parametrize("code", [
    "for image in images:\n    print(image)",          # the loop variable is made from the used name
    "img_2 = 1\nprint(img_1)",                          # another number is another image
    "image = 1\nprint(images)",                         # a plural is another name
])
def test_names_that_only_look_similar_are_fragments(code):
    page = page_of(code)
    assert [u.reason for u in names.analyze(runnable_blocks(page)).unbound] == ["never"]


def test_a_similar_name_in_an_earlier_block_is_not_a_defect():
    page = page_of("my_data = [1, 2]", "print(data)")
    assert [u.reason for u in names.analyze(runnable_blocks(page)).unbound] == ["never"]


def test_a_comprehension_that_lost_its_for_is_one_finding_per_statement():
    page = page_of("""
        def rows(xs, ys):
            pairs = [f"{x_i}" for x_i, y_i in zip(xs, ys)]
            table = [
                [x_i, y_i] or x_i,
                y_i in list(zip(xs, ys)),
            ]
            return table
        """)
    found = defects.check(page, names.analyze(runnable_blocks(page)), runnable_blocks(page))
    (finding,) = found
    assert finding.severity is Severity.ERROR and "comprehension" in finding.message
    assert "`x_i`, `y_i`" in finding.message


def test_a_placeholder_value_taints_the_statements_that_use_it():
    page = page_of("model = ...\nscore = model.fit()\nok = 1")
    analysis = names.analyze(runnable_blocks(page))
    (block,) = runnable_blocks(page)
    first = block.block.first_line
    assert {first, first + 1} <= analysis.placeholder_lines and first + 2 not in analysis.placeholder_lines


# -- mistakes found before running -----------------------------------------------------------


def test_duplicate_keys_in_one_dict_are_one_error_at_the_first_repeat():
    page = page_of('box = {\n    "a": 1,\n    "b": 2,\n    "a": 3,\n    "b": 4,\n}')
    (finding,) = defects.check(page, names.analyze(runnable_blocks(page)), runnable_blocks(page))
    (block,) = runnable_blocks(page)
    assert finding.line == block.block.first_line + 3 and "'a', 'b'" in finding.message


def test_an_annotated_image_thrown_away_while_its_input_is_logged():
    page = page_of("""
        import wandb
        for img, label in pairs:
            boxed = wandb.Image(img, caption=label)
            table.add_data(img)
        """)
    (finding,) = defects.check(page, names.analyze(runnable_blocks(page)), runnable_blocks(page))
    assert "`boxed`" in finding.message and "did you mean `boxed`" in finding.message


def test_an_image_kept_for_later_is_not_thrown_away():
    page = page_of("import wandb\nboxed = wandb.Image(img)\nprint(img.shape)\nrun.log({'x': boxed})")
    assert defects.check(page, names.analyze(runnable_blocks(page)), runnable_blocks(page)) == []


# -- sections belong to their class -----------------------------------------------------------


def test_an_args_table_introduced_by_another_call_belongs_to_it():
    text = ("# Joining\n\nJoin them with `wandb.JoinedTable(left, right, join_key)`.\n\n"
            "| Args | |\n|---|---|\n| left | a table |\n| right | a table |\n| join_key | a key |\n")
    page = classify.classify(parse_page(text, "join.md"))
    assert {a.owner for a in page.args} == {"JoinedTable"} and page.image_args == ()


def test_a_reference_page_titled_with_a_class_owns_its_sections():
    text = "---\ntitle: Classes\n---\n\n| Args | |\n|---|---|\n| `class_set` | the classes |\n"
    page = classify.classify(parse_page(text, "classes.md"))
    assert [a.owner for a in page.args] == ["Classes"] and page.image_args == ()


def test_a_lazydocs_class_heading_switches_the_owner():
    text = ("## <kbd>class</kbd> `Image`\n\n```python\n__init__(data_or_path, mode=None) → None\n```\n\n"
            "## <kbd>class</kbd> `ImageMask`\n\n```python\n__init__(val, key) → None\n```\n")
    page = classify.classify(parse_page(text, "two.md"))
    assert [(b.kind, b.owner) for b in page.blocks] == [("signature", "Image"), ("method", "ImageMask")]


# -- pinned releases --------------------------------------------------------------------------


@pytest.mark.parametrize("link, version", [
    ("https://github.com/wandb/wandb/blob/v0.19.5/wandb/sdk/data_types/image.py#L1", "0.19.5"),
    ("https://www.github.com/wandb/client/tree/v0.12.0/wandb/sdk/data_types.py", "0.12.0"),
    ("https://github.com/wandb/wandb/tree/0a1b2c3d4e5f/wandb/sdk/data_types/image.py", None),
])
def test_a_source_link_pins_the_page(link, version):
    pin = pinned.pin_of(parse_page(f"# Image\n\n[View source]({link})\n", "p.md"))
    assert pin is not None and pin.version == version


def test_a_link_to_main_pins_nothing():
    assert pinned.pin_of(parse_page("[src](https://github.com/wandb/wandb/blob/main/wandb/x.py)\n", "p.md")) is None


def test_the_release_rules_say_when_normalize_was_missing():
    pin = pinned.Pin("v0.19.5", "0.19.5", 3)
    assert "added in 0.20.0" in pinned.why_absent(pin, "normalize")
    assert pinned.why_absent(pinned.Pin("v0.24.0", "0.24.0", 3), "normalize") is None
    assert pinned.why_absent(pin, "caption") is None


# -- translations -----------------------------------------------------------------------------


@pytest.mark.parametrize("path, place", [
    ("site/content/ja/guides/track/media.md", ("ja", "guides/track/media.md")),
    ("i18n/ko/docusaurus-plugin-content-docs/current/guides/media.md", ("ko", "guides/media.md")),
    ("repo/docs/guides/media.md", (None, "guides/media.md")),
    ("notes/media.md", None),
])
def test_the_place_of_a_page_in_a_documentation_tree(path, place):
    assert sections.tree_place(path) == place


def test_pages_at_one_path_in_three_locales_are_one_group_whatever_their_identifiers():
    pages = [classify.classify(parse_page(f"---\nmenu:\n  default:\n    identifier: {ident}\n---\n\ntext\n",
                                          f"content/{locale}/guides/x.md"))
             for locale, ident in (("en", "x"), ("ja", "ja-guides-x"), ("ko", "ko-guides-x"))]
    (group,) = consistency.groups(pages)
    assert sorted(p.locale for p in group) == ["en", "ja", "ko"]


def test_blocks_are_paired_by_content_not_by_position():
    first = "import wandb\nrun = wandb.init()\nrun.log({'a': wandb.Image(pixels)})"
    second = "table = wandb.Table(columns=['a'])\ntable.add_data(1)\nrun.log({'t': table})"
    original = page_of(first, second, path="content/en/g.md")
    translated = page_of(second, "print('extra')", first, path="content/ja/g.md")
    pairs = consistency.pair_blocks(runnable_blocks(original), runnable_blocks(translated))
    matched = [(a.line, b.line) for a, b in pairs if a and b]
    assert len(matched) == 2 and all(a.block.code == b.block.code for a, b in pairs if a and b)
    assert [b.block.code for a, b in pairs if a is None] == ["print('extra')\n"]


def test_a_translation_that_lags_away_from_the_image_surface_is_a_note():
    original = page_of("import wandb\nwith wandb.init() as run:\n    run.log({'a': 1})", path="content/en/g.md")
    translated = page_of("import wandb\nrun = wandb.init()\nrun.log({'a': 1})", path="content/ko/g.md")
    found = consistency.check([original, translated])
    assert found and {f.severity for f in found} == {Severity.NOTE}


def test_a_translation_that_changes_an_image_call_is_a_warning():
    original = page_of("import wandb\nrun = wandb.init()\nrun.log({'a': wandb.Image(x, mode='L', caption='a')})",
                       path="content/en/g.md")
    translated = page_of("import wandb\nrun = wandb.init()\nrun.log({'a': wandb.Image(x, mode='L', file_type='jpg')})",
                         path="content/ja/g.md")
    (finding,) = consistency.check([original, translated])
    assert finding.severity is Severity.WARNING


def _image_page(path: str, ref: str, *blocks: str) -> classify.ClassifiedPage:
    identifier = ("" if "/en/" in path or "/docs/" in path else path.split("/")[1] + "-") + "ref-python-data-types-image"
    body = "".join(f"```python\n{b}\n```\n\n" for b in blocks)
    text = (f"---\ntitle: Image\nmenu:\n  r:\n    identifier: {identifier}\n---\n\n"
            f"[View source](https://github.com/wandb/wandb/blob/{ref}/wandb/sdk/data_types/image.py)\n\n{body}")
    return classify.classify(parse_page(text, path))


def test_versions_of_the_original_leave_the_current_one_as_the_original_and_a_missing_block_is_a_note():
    usage = "import wandb\nrun = wandb.init()\nrun.log({'a': wandb.Image(x)})"
    effect = "import wandb\nwandb.Image(np.ones((2, 2)))"
    older = _image_page("site/docs/ref/image.md", "v0.18.4", usage)
    current = _image_page("site/content/en/ref/image.md", "main", usage, effect)
    translated = _image_page("site/content/ja/ref/image.md", "v0.19.5", usage)
    (group,) = consistency.groups([older, current, translated])
    assert consistency.original_of(group) is current
    (finding,) = consistency.check([older, current, translated])
    assert finding.severity is Severity.NOTE and "different versions" in finding.message
    assert finding.file == translated.path and "example-1" in finding.message
