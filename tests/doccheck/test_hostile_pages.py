"""Hostile documentation pages: each gives findings on that page, a correct verdict, or one
line and exit code 2, in bounded time; never a traceback, a hang, or a host file read.

Explicit attacks first (files that are not pages, front matter, Python that breaks parsers
and walkers), then properties: random and adversarial pages built from the same pieces,
under a fixed, derandomized budget. Every page here is written for the test."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wbimage_conformance.commands import cli
from wbimage_conformance.doccheck import check, front_matter, page_file, prefilter, pyparse, tree
from wbimage_conformance.doccheck.markdown import parse_page
from wbimage_conformance.errors import ConfigurationError

from runner_support import one_line_error

#: Seconds any one hostile page may take to be checked without running its examples.
BOUND_S = 30


def docs(capsys, *args):
    started = time.monotonic()
    code = cli.main(["docs", "check", "--no-run", *[str(a) for a in args]])
    out, err = capsys.readouterr()
    assert time.monotonic() - started < BOUND_S
    return code, out, err


def static_findings(text: str, path: str = "hostile.md") -> list[str]:
    """`path:line: severity [check] ...` of the page's findings (examples not run)."""
    selection = tree.Selection(((path, text.encode("utf-8")),), (), 0)
    report = check.check_selection(selection, run_examples=False)
    return [f"{f.file}:{f.line}: {f.severity.value} [{f.check}] {f.message}" for f in report.findings]


def python_page(*blocks: str) -> str:
    return "# Image\n\n" + "\n\nWords.\n\n".join(f"```python\n{b}\n```" for b in blocks) + "\n"


# -- files that are not pages -----------------------------------------------------------------


@pytest.mark.parametrize("make, message", [
    (lambda p: p.symlink_to("/dev/zero"), "not a regular file, not a documentation page"),
    (lambda p: os.mkfifo(p), "not a regular file, not a documentation page"),
    (lambda p: p.symlink_to(p), "hostile.md: symbolic links in a loop"),
    (lambda p: p.symlink_to(p.parent / "missing.md"), "cannot read"),
    (lambda p: p.write_bytes(b"# T\n\xff\xfe\n"), "hostile.md:2: not UTF-8 text"),
    (lambda p: p.write_bytes(b"# T\n" + b"word " * 1_000_000), "larger than a documentation page may be"),
])
def test_a_named_file_that_is_not_a_page_is_one_line_and_exit_2(capsys, tmp_path, make, message):
    page = tmp_path / "hostile.md"
    make(page)
    code, out, err = docs(capsys, page)
    assert code == 2 and out == "" and message in one_line_error(err)


def test_a_sparse_file_of_gigabytes_is_refused_before_it_is_read(tmp_path):
    page = tmp_path / "huge.md"
    with open(page, "wb") as handle:
        handle.truncate(8 * 1024**3)
    with pytest.raises(page_file.PageError, match="8,589,934,592 bytes, larger than"):
        page_file.read_bytes(str(page))


def test_a_directory_named_like_a_page_is_walked_as_a_tree(capsys, tmp_path):
    folder = tmp_path / "x.md"
    folder.mkdir()
    code, out, _ = docs(capsys, folder)
    assert code == 0 and out.strip().splitlines()[-1].startswith("docs check: 0 pages")


def test_a_tree_of_odd_entries_lists_them_and_checks_the_rest(tmp_path):
    docs_root = tmp_path / "docs"
    docs_root.mkdir()
    (docs_root / "page.md").write_text(python_page("import wandb\nimage = wandb.Image(None)"), encoding="utf-8")
    os.mkfifo(docs_root / "pipe.md")
    (docs_root / "zero.md").symlink_to("/dev/zero")
    (docs_root / "loop.md").symlink_to(docs_root / "loop.md")
    (docs_root / "big.md").write_bytes(b"wandb.Image " * (page_file.MAX_PAGE_BYTES // 8))
    (docs_root / "up").symlink_to(tmp_path)
    selection = tree.select([str(tmp_path)], [])
    assert [Path(p).name for p, _ in selection.pages] == ["page.md"]
    reasons = {Path(s.path).name: s.reason for s in selection.skipped}
    assert reasons["pipe.md"] == tree.NOT_REGULAR and reasons["up"] == tree.LINK
    assert reasons["zero.md"] == reasons["loop.md"] == tree.LINK_OUT
    assert "larger than a documentation page may be" in reasons["big.md"]


def test_ten_thousand_empty_folders_are_walked_in_bounded_time(tmp_path):
    for index in range(10_000):
        (tmp_path / f"d{index // 100}" / f"e{index % 100}").mkdir(parents=True)
    started = time.monotonic()
    selection = tree.select([str(tmp_path)], [])
    assert selection.pages == () and time.monotonic() - started < BOUND_S


# -- front matter -------------------------------------------------------------------------------


@pytest.mark.parametrize("front, line, message", [
    ("+++\nx = " + "[" * 5000 + "]" * 5000 + "\n+++\n", 2, "nested deeper than 64 levels"),
    ("+++\nx = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n+++\n", 2, "nested deeper than 64 levels"),
    ("+++\n" + ".".join(["a"] * 5000) + " = 1\n+++\n", 1, "nested deeper than 64 levels"),
    ("+++\ntitle = 'x'\nx = " + "9" * 5000 + "\n+++\n", 3, "an integer of 5000 digits (at most 40)"),
    ("+++\nx = 1_" + "0" * 60 + "\n+++\n", 2, "an integer of 61 digits"),
    ("+++\nx = = 1\n+++\n", 2, "not valid TOML"),
    ("---\na: &a [1,1,1,1,1,1,1,1,1,1]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n" for i in range(8))
     + "---\n", None, "once aliases are expanded"),
    ("---\n" + "k: 1\n" * 100_000 + "---\n", 3, "key 'k' appears twice"),
    ("---\nx: " + "[" * 500 + "]" * 500 + "\n---\n", 2, "nested deeper than 64 levels"),
])
def test_hostile_front_matter_is_one_finding_at_its_line_and_the_body_is_still_read(front, line, message):
    found = static_findings(front + "# Image\n\n```python\nx = (\n```\n")
    (problem,) = [f for f in found if "front matter" in f]
    assert message in problem
    if line is not None:
        assert problem.startswith(f"hostile.md:{line}: error [page]")
    assert any("does not parse" in f for f in found)  # the body's broken block is still found


def test_twenty_thousand_distinct_keys_are_read_in_bounded_time():
    started = time.monotonic()
    page = parse_page("---\n" + "".join(f"k{i}: {i}\n" for i in range(20_000)) + "---\n# T\n")
    assert len(page.front_matter) == 20_000 and time.monotonic() - started < BOUND_S


def test_brackets_inside_toml_strings_and_comments_do_not_count_as_nesting():
    problems: list[front_matter.Problem] = []
    matter = front_matter.read(["+++", "a = '" + "[" * 100 + "'", 'b = "' + "{" * 100 + '"',
                                "# " + "[" * 100, "c = 12345678901234567890", "+++"], problems)
    assert problems == [] and matter.data["c"] == 12345678901234567890


# -- Python that breaks parsers and walkers -----------------------------------------------------


HOSTILE_CODE = {
    "a+a+... 10 KB": "x = " + "+".join(["a"] * 5000),
    "a+a+... 900 terms (parses, too deep to walk)": "x = " + "+".join(["a"] * 900),
    "unary chain": "x = " + "- " * 20_000 + "1",
    "nested parentheses": "x = " + "(" * 300 + "1" + ")" * 300,
    "nested lists": "x = " + "[" * 5000 + "]" * 5000,
    "nested lambdas": "x = " + "lambda: " * 5000 + "1",
    "conditional chain": "x = " + "1 if 1 else " * 5000 + "1",
    "not chain": "x = " + "not " * 50_000 + "1",
    "attribute chain": "x = a" + ".b" * 5000,
    "call chain": "x = f" + "()" * 5000,
    "huge string literal": "x = '" + "a" * 1_200_000 + "'",
    "100,000 lines": "x = 1\n" * 100_000,
}


@pytest.mark.parametrize("name", HOSTILE_CODE)
def test_python_that_breaks_parsers_is_a_finding_on_its_block_and_the_page_goes_on(name):
    started = time.monotonic()
    found = static_findings(python_page("import wandb\n" + HOSTILE_CODE[name], "y = (\n"))
    assert time.monotonic() - started < BOUND_S
    analysed = [f for f in found if "cannot be analysed" in f]
    assert len(analysed) == 1 and analysed[0].startswith("hostile.md:") and "[page]" in analysed[0]
    assert int(analysed[0].split(":")[1]) >= 4  # a line of the block, not of the page's top
    assert any("does not parse" in f for f in found)  # the next block is still checked


def nested_functions(levels: int) -> str:
    return "".join("    " * i + f"def f{i}(x=wandb.Image(a)):\n" for i in range(levels)) + "    " * levels + "pass"


def test_functions_nested_to_the_indentation_limit_are_analysed_and_deeper_do_not_parse():
    found = static_findings(python_page("import wandb\n" + nested_functions(80)))
    assert not any("cannot be analysed" in f or "does not parse" in f for f in found)
    found = static_findings(python_page("import wandb\n" + nested_functions(120)))
    assert any("does not parse: too many levels of indentation" in f for f in found)


def test_a_nul_byte_in_a_block_is_a_syntax_finding_and_in_prose_is_text():
    found = static_findings("# Image\n\nWords \0 here.\n\n```python\nx = 1\0\n```\n")
    assert any("does not parse: source code string cannot contain null bytes" in f for f in found)


def test_code_at_the_depth_limit_is_analysed_and_one_level_more_is_not():
    deep = "x = " + "-" * (pyparse.MAX_DEPTH - 4) + "1"
    pyparse.check_depth(pyparse.parse(deep))
    with pytest.raises(pyparse.TooComplex, match="nested too deeply"):
        pyparse.parse("x = " + "-" * (pyparse.MAX_DEPTH) + "1")


def test_blocks_near_the_depth_limit_go_through_every_static_check():
    """Formulas are deep-copied and visited, examples' names walked by pyflakes: all recursive."""
    deep = "import wandb\nimage = wandb.Image(" + "-" * (pyparse.MAX_DEPTH - 10) + "np.ones((2, 2)))"
    formula = "normalized_data = (" + "-" * (pyparse.MAX_DEPTH - 10) + "data * 255).astype(np.uint8)"
    found = static_findings("## Normalization algorithm\n\n1. data in [0, 1]:\n\n" + python_page(formula, deep))
    assert any("[formula]" in f for f in found)  # the formula was read (and is not the spec's)
    assert not any("cannot be analysed" in f for f in found)


def test_the_line_of_a_block_too_deep_is_the_line_where_it_is():
    found = static_findings(python_page("import wandb\n\nx = " + "-" * 200 + "y"))
    (analysed,) = [f for f in found if "cannot be analysed" in f]
    assert analysed.startswith("hostile.md:6: error [page]")  # code line 3 of the block


@pytest.mark.parametrize("text", ["9" * 5000, "-" * 20_000 + "1", "(" * 300 + "1" + ")" * 300, "[" * 5000])
def test_literals_from_page_text_are_value_errors(text):
    with pytest.raises(ValueError):
        pyparse.literal(text)


# -- text that made the checker's patterns quadratic ---------------------------------------------


@pytest.mark.parametrize("name, page", [
    ("a line of 10,000 digits", "# Image\n\n" + "1" * 10_000 + "\n"),
    ("digits in a code comment", python_page("import wandb\nx = 1  # " + "1" * 10_000)),
    ("a line of 20,000 '['", "# Image\n\n" + "[" * 20_000 + "\n"),
    ("a line of '<'", "# Image\n\n" + "<" * 20_000 + "\n"),
    ("a heading of '{#'", "## x " + "{#" * 10_000 + "\n"),
    ("layouts after layouts", "# Image\n\n" + "tensor (H, W, C) " * 4_000 + "\n"),
    ("backtick pairs in a comment", python_page("import wandb\nx = 1  # " + "`" * 20_000)),
    ("spaces before a dash", "# Image\n\n" + "a" + " " * 50_000 + "b\n"),
    ("a heading of '# # # ...'", "# " + "# " * 20_000 + "x\n"),
    ("shortcodes that never close", "# Image\n\n" + "{{< a " * 10_000 + "\n"),
])
def test_long_hostile_lines_are_read_in_bounded_time(name, page):
    started = time.monotonic()
    static_findings(page)
    assert time.monotonic() - started < BOUND_S


@pytest.mark.parametrize("data", [b"import wandb as a\n" * 50_000, b"from wandb import x " * 50_000])
def test_the_pre_filter_reads_a_page_of_thousands_of_imports_in_bounded_time(data):
    started = time.monotonic()
    assert prefilter.evidence(data, "imports.md") is None
    assert time.monotonic() - started < BOUND_S


def test_a_page_of_thousands_of_fences_reads_its_first_500_python_blocks_and_says_so():
    started = time.monotonic()
    found = static_findings("# Image\n\n" + "```python\n" * 10_000)
    assert time.monotonic() - started < BOUND_S
    (problem,) = [f for f in found if "Python blocks" in f]
    assert "the page has 5000 Python blocks; the checker reads the first 500" in problem
    assert problem.startswith("hostile.md:1003: error [page]")  # the 501st block's fence


# -- properties ---------------------------------------------------------------------------------


def nested(depth: int, kind: int) -> str:
    opener, closer = [("(", ")"), ("[", "]"), ("{", "}"), ("f(", ")"), ("-", ""), ("not ", ""),
                      ("lambda: ", ""), ("1 if 1 else ", ""), ("a+", ""), ("a.b" + ".c" * 0, "")][kind]
    if kind == 9:
        return "a" + ".b" * depth
    return opener * depth + "1" + closer * depth


hostile_code = st.one_of(
    st.builds(nested, st.integers(1, 6000), st.integers(0, 9)),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=300),
    st.lists(st.sampled_from(["x = 1", "  y", "def f(:", "`", "```", "~~~", "\t", "'''", "(", "]", "@", "\0",
                              "import wandb", "wandb.Image(x)", "<your-image>", "!pip install x", ">>> 1"]),
             max_size=40).map("\n".join),
)
hostile_front = st.one_of(
    st.just(""),
    st.builds(lambda body: f"---\n{body}\n---\n", st.text(max_size=200)),
    st.builds(lambda body: f"+++\n{body}\n+++\n", st.text(max_size=200)),
    st.builds(lambda depth, kind: f"+++\nx = {nested(depth, kind % 3)}\n+++\n", st.integers(1, 6000), st.integers(0, 2)),
    st.builds(lambda depth: "---\nx: " + "[" * depth + "]" * depth + "\n---\n", st.integers(1, 3000)),
    st.builds(lambda digits: f"+++\nx = {'7' * digits}\n+++\n", st.integers(1, 6000)),
    st.just("---\nunclosed: [\n"),
    st.just("+++\n"),
)
fence = st.sampled_from(["```python", "```py", "~~~python", "```", "   ```python", "```python title=x.py",
                         "````python", "```{python}"])
prose = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)


@st.composite
def hostile_pages(draw) -> str:
    parts = [draw(hostile_front)]
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.booleans()):
            parts.append(draw(prose) + "\n")
        else:
            opening = draw(fence)
            closing = "" if draw(st.integers(0, 5)) == 0 else opening.strip()[:3]
            parts.append(f"{opening}\n{draw(hostile_code)}\n{closing}\n")
    return "\n".join(parts)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(hostile_pages())
def test_any_page_gives_findings_or_one_configuration_error_in_bounded_time(text):
    started = time.monotonic()
    try:
        static_findings(text)
    except ConfigurationError as exc:
        assert "\n" not in str(exc).strip()
    assert time.monotonic() - started < BOUND_S


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(hostile_code)
def test_the_guarded_parser_raises_only_syntax_errors_or_refusals(code):
    try:
        tree_ = pyparse.parse(code)
    except (SyntaxError, pyparse.TooComplex):
        return
    pyparse.check_depth(tree_)


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(hostile_front, st.text(max_size=100))
def test_front_matter_is_data_or_problems_never_an_exception(front, body):
    page = parse_page(front + body)
    assert isinstance(page.front_matter, dict)
    assert all(p.line >= 1 for p in page.problems)
