"""Markdown for CI step summaries: tables, a collapsible list of unexpected results, escaping."""

from __future__ import annotations

import re

import pytest
from report_samples import ENVIRONMENT, case, sample_report

from wbimage_conformance.model import Result, RunReport, Status
from wbimage_conformance.report import render
from wbimage_conformance.report.markdown import code_block, text


@pytest.fixture(scope="module")
def md() -> str:
    return render(sample_report(), "markdown")


def table_rows(md: str, first_header: str) -> list[list[str]]:
    lines = md.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


def test_headline_gives_the_verdict_and_the_counts(md):
    assert md.startswith("## wbimage-conformance: reference 0.1.0: 10 unexpected result(s)\n")
    assert "**3 as expected, 10 unexpected, 2 skipped**" in md


def test_environment_table_lists_every_header_field(md):
    rows = dict(table_rows(md, "environment"))
    assert rows["**case set**"].startswith("`sha256:0123")
    assert rows["**torch**"] == "`not installed`"
    assert rows["**platform**"] == "`Linux-6.8-x86_64`"       # a code span: no backslash before _
    assert rows["**sandbox**"] == "`not recorded`"
    assert rows["**install**"] == "`not recorded`"
    assert len(rows) == 11


def test_family_table_counts_by_status(md):
    rows = {r[0]: r[1:] for r in table_rows(md, "family")}
    assert rows["input"] == ["5", "0", "1", "1", "2", "0", "0", "0", "1"]
    assert rows["**total**"] == ["**15**", "**2**", "**6**", "**1**", "**2**", "**1**", "**1**", "**1**", "**1**"]


def test_unexpected_results_are_inside_details_blocks_unexplained_first(md):
    blocks = re.findall(r"<details[^>]*>.*?</details>", md, re.S)
    summaries = [re.search(r"<summary>(.*?) \(\d+\)</summary>", b).group(1) for b in blocks]
    assert summaries[0] in ("Unexplained results", "Unexpected results")
    details = "".join(blocks)
    headings = re.findall(r"^#### (\w+): (\S+)$", details, re.M)
    assert len(headings) == 10
    assert ("CRASH", "input-path-segfault") in headings
    assert not {"norm-unit-half", "norm-disabled-clips", "input-tensor-chw"} & {h[1] for h in headings}


def test_each_unexpected_result_has_its_reproduction_in_a_python_fence(md):
    assert ("```python\nimport numpy as np, wandb; wandb.Image(np.array([[-1.0, 0.0, 1.0]], dtype=np.float32))\n```"
            in md)
    assert "- pixels: 1 of 3 values differ; first at \\[0, 1\\]: expected 127, got 128; largest difference 1" in md


def test_html_and_markdown_in_messages_are_shown_literally(md):
    assert "<input>" not in md
    assert "- message: ValueError: bad &lt;input&gt; &amp; \"quotes\" 'single' — 正規化 정규화 ünïcödé" in md
    assert "\x1b" not in md and "\x00" not in md


def test_text_escapes_what_could_break_a_table_or_start_a_block():
    assert text("a|b") == r"a\|b"
    assert text("# not a heading", line_start=True) == r"\# not a heading"
    assert text("1. not a list", line_start=True) == r"1\. not a list"
    assert text("- not an item", line_start=True) == r"\- not an item"
    assert text("===", line_start=True) == r"\==="
    assert text("*bold* _it_ `code` [link](x)") == r"\*bold\* \_it\_ \`code\` \[link\](x)"
    assert text("two\nlines") == "two lines"


def test_what_starts_no_block_is_not_escaped():
    assert text("0.1.0", line_start=True) == "0.1.0"
    assert text("-1 and #3", line_start=True) == "-1 and #3"
    assert text("# mid-line is no heading") == "# mid-line is no heading"
    assert text("1. mid-line is no list") == "1. mid-line is no list"


def test_a_version_in_the_environment_table_is_shown_as_written(md):
    assert dict(table_rows(md, "environment"))["**suite version**"] == "`0.1.0`"


def test_a_reproduction_holding_backticks_gets_a_longer_fence():
    assert code_block("a ``` b", "python") == "````python\na ``` b\n````"


def test_a_clean_run_has_no_details_block():
    result = Result(case("x", "norm.unit", "t", 1), Status.PASSED)
    md = render(RunReport(ENVIRONMENT, (result,)), "markdown")
    assert "every case as expected" in md and "<details>" not in md
