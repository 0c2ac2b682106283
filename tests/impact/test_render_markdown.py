"""The impact's step summary: a headline, the totals and checks, one row per site worst first,
no pictures, a bounded length, and cells a capture's text cannot break."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest
from impact_given import Given, impact, raises, ramp, sample, shows, skipped

from wbimage_conformance.impact import engine, render_markdown
from wbimage_conformance.impact.models import Outcome, Step

UNESCAPED_BAR = re.compile(r"(?<!\\)\|")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("impact-md")


@pytest.fixture(scope="module")
def mixed(folder) -> engine.Impact:
    """A site that stays, one whose two samples turn black, one that now raises, one shifted by 3."""
    samples = [sample(folder, "eval.py:3", 0, ramp(8, 8), "log_eval")]
    samples += [sample(folder, "train.py:10", i, ramp(4, 6, 3), "log_predictions") for i in range(2)]
    samples += [sample(folder, "aug.py:7", 0, ramp(6, 6)), sample(folder, "odd.py:5", 0, ramp(6, 6)),
                skipped("aug.py:7", 1, "a path: the file is read, not captured")]
    black = shows(np.zeros((4, 6, 3), np.uint8), Step("normalize", "floats are floored, so [0, 1] becomes 0 and 1"))
    after = Given("wandb 0.31.0", {("train.py:10", 0): black, ("train.py:10", 1): black,
                                   ("aug.py:7", 0): shows(ramp(6, 6) + 3, Step("normalize", "shifted by 3")),
                                   ("odd.py:5", 0): raises("ValueError: Un-supported shape")})
    return impact(samples, Given("wandb 0.28.2"), after)


def rows(md: str) -> list[list[str]]:
    """The site table's rows, as cells (split at the bars a cell's text did not escape)."""
    lines = md.splitlines()
    start = lines.index("| site | function | verdict | samples | changed | degraded | worst | cause |")
    found = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        found.append([cell.strip() for cell in UNESCAPED_BAR.split(line)[1:-1]])
    return found


def test_the_headline_and_the_totals_come_first(mixed):
    lines = render_markdown.markdown(mixed).splitlines()
    assert lines[0] == "## wbimage-conformance impact: wandb 0.28.2 → wandb 0.31.0"
    assert lines[2] == (":warning: **3 sample(s) at 2 call site(s) lose what they showed; "
                        "1 sample(s) at 1 call site(s) look different**")
    assert lines[4].startswith("5 sample(s) compared: 3 degraded, 0 unknown, 1 changed, 1 unchanged; 1 skipped")


def test_sites_are_listed_worst_first_with_their_worst_degradation(mixed):
    table = rows(render_markdown.markdown(mixed))
    assert [(r[0], r[2], r[6]) for r in table] == [
        ("`odd.py:5`", "**degraded**", "**now raises**"),
        ("`train.py:10`", "**degraded**", "**black**"),
        ("`aug.py:7`", "**changed**", "36 of 36 pixels changed, largest difference 3"),
        ("`eval.py:3`", "unchanged", "nothing changes"),
    ]
    train = table[1]
    assert train[1] == "`log_predictions`" and train[3:6] == ["2", "2", "2"]
    assert train[7] == "floats are floored, so \\[0, 1\\] becomes 0 and 1"
    assert table[2][3] == "1 (+1 skipped)"


def test_the_verification_line_says_what_was_checked(mixed):
    md = render_markdown.markdown(mixed)
    assert md.count("the release model was not checked against the real release") == 2
    check = engine.Verification("wandb 0.31.0", checked=4, disagreements=[
        engine.Disagreement("train.py:10 #0", "RGB 4x6x3 pixels, sha256 0123", "RGB 4x6x3 pixels, sha256 4567")])
    md = render_markdown.markdown(replace(mixed, verification=[check]))
    (loud,) = [line for line in md.splitlines() if line.startswith("- :warning:")]
    assert loud.startswith("- :warning: **after (wandb 0.31.0): the real release ran 4 sample(s) and DISAGREES "
                           "with the release model on 1")


def test_no_pictures_in_a_step_summary(mixed):
    md = render_markdown.markdown(mixed)
    assert "data:" not in md and "<img" not in md and "![" not in md


def test_hostile_site_and_function_names_stay_in_their_cells(folder):
    site = "a|b\n`c`<script>alert(1)</script>\u202e" + "z" * 3000
    function = "f|g\n```\n# heading"
    samples = [sample(folder, site, 0, ramp(4, 4), function)]
    after = Given("b|\n", {(site, 0): shows(np.zeros((4, 4), np.uint8), Step("normalize", "x|y\n<b>`z`</b>"))})
    md = render_markdown.markdown(impact(samples, Given("a"), after))
    (row,) = rows(md)
    assert len(row) == 8
    assert "<script>" not in md and "<b>" not in md and "\u202e" not in md
    assert "&lt;script&gt;" in row[0] and "\\|" in row[0] and "\\`c\\`" in row[0]
    assert len(row[0]) < 200                                   # 3000 characters cut to 120, then escaped
    assert row[1].startswith("f\\|g \\`\\`\\` # heading")
    assert row[7] == "x\\|y &lt;b&gt;\\`z\\`&lt;/b&gt;"
    assert md.splitlines()[0] == "## wbimage-conformance impact: a → b\\|"


def test_many_sites_list_the_worst_fifty_and_count_the_rest(folder):
    samples = [sample(folder, f"site{n:03}.py:1", 0, ramp(2, 2)) for n in range(130)]
    black = {(f"site{n:03}.py:1", 0): shows(np.zeros((2, 2), np.uint8)) for n in range(0, 130, 2)}
    md = render_markdown.markdown(impact(samples, Given("a"), Given("b", black)))
    table = rows(md)
    assert len(table) == render_markdown.MAX_SITES == 50
    assert all(r[2] == "**degraded**" for r in table)
    assert "… and 80 more call site(s) (15 degraded, 65 unchanged); the HTML report lists every one." in md
    assert len(md) < 12_000


def test_nothing_changing_is_said_without_a_warning(folder):
    samples = [sample(folder, "calm.py:4", 0, ramp(5, 5))]
    md = render_markdown.markdown(impact(samples, Given("a"), Given("b")))
    assert ":warning:" not in md and md.splitlines()[2] == "**no sample changes**"


def test_a_site_without_an_answer_is_unknown_and_says_why(folder):
    samples = [sample(folder, "slow.py:6", 0, ramp(8, 8), "")]
    timeout = Outcome(None, None, None, (), failed="timeout: no reply in 60 s")
    md = render_markdown.markdown(impact(samples, Given("a"), Given("b", {("slow.py:6", 0): timeout})))
    assert rows(md) == [["`slow.py:6`", "", "**unknown**", "1", "0", "0",
                         "no answer (after: timeout: no reply in 60 s)", ""]]
    assert md.splitlines()[2] == ":warning: **1 sample(s) at 1 call site(s) could not be compared**"
