"""The impact's HTML page: the answer first, sites worst first with their losses named and
their samples drawn, unchanged sites folded, nothing fetched, a capture's text escaped."""

from __future__ import annotations

import platform
from dataclasses import replace

import numpy as np
import pytest
from html_tree import Node, decode_png, parse
from impact_given import Given, impact, raises, ramp, sample, shows, skipped

from wbimage_conformance.impact import engine, render_html
from wbimage_conformance.impact.models import Outcome, Step

LONG_CAUSE = ("values are shifted up by three before the cast, " * 9).strip()
HOSTILE_SITE = "<script>alert(1)</script>|\n`x`\u202e" + "y" * 3000
HOSTILE_FUNCTION = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("impact-html")


@pytest.fixture(scope="module")
def mixed(folder) -> engine.Impact:
    """Two samples of a 4x6 RGB site turn black, a 200x100 one shifts by 3, an 8x8 one stays,
    a path is skipped."""
    samples = [sample(folder, "train.py:10", i, ramp(4, 6, 3), "log_predictions") for i in range(2)]
    samples += [sample(folder, "eval.py:3", 0, ramp(8, 8), "log_eval"), sample(folder, "aug.py:7", 0, ramp(200, 100)),
                skipped("paths.py:2", 0, "a path (cat.png): the file is read, not captured")]
    black = shows(np.zeros((4, 6, 3), np.uint8), Step("normalize", "floats are floored"))
    after = Given("after 2.0", {("train.py:10", 0): black, ("train.py:10", 1): black,
                                ("aug.py:7", 0): shows(ramp(200, 100) + 3, Step("normalize", LONG_CAUSE))})
    return impact(samples, Given("before 1.0"), after)


@pytest.fixture(scope="module")
def doc(mixed) -> Node:
    return parse(render_html.html(mixed))


def sites(doc: Node) -> list[Node]:
    return doc.find_all("section", "site")


def section(doc: Node, name: str) -> Node:
    (found,) = [s for s in doc.find_all("section") if s.attrs.get("id") == name]
    return found


def test_the_degraded_site_comes_first_and_the_unchanged_one_is_folded_at_the_end(mixed):
    page = render_html.html(mixed)
    assert page.index("train.py:10") < page.index("aug.py:7") < page.index("eval.py:3")
    doc = parse(page)
    assert [s.find_all("code")[0].all_text() for s in sites(doc)] == ["train.py:10", "aug.py:7"]
    assert [s.classes for s in sites(doc)] == [{"site", "degraded"}, {"site", "changed"}]
    (folded,) = doc.find_all("details", "unchanged")
    assert "eval.py:3" in folded.all_text() and "log_eval" in folded.all_text()


def test_the_black_samples_are_named_before_any_number(doc):
    degraded = sites(doc)[0]
    (losses,) = degraded.find_all("p", "losses")
    assert [span.all_text() for span in losses.find_all("span", "loss")] == ["2 black"]
    texts = [child.tag for child in degraded.children]
    assert texts.index("p") < texts.index("dl")
    assert "48 of 48 pixels changed, largest difference 230" in degraded.all_text()


def test_the_header_gives_sides_verdict_and_totals(doc):
    header = doc.find_all("header")[0]
    assert header.find_all("h1")[0].all_text() == "Upgrade impact: before 1.0 → after 2.0"
    assert header.find_all("p", "verdict")[0].classes == {"verdict", "bad"}
    (totals,) = header.find_all("table", "totals")
    heads = [th.all_text() for th in totals.find_all("th")]
    cells = [td.all_text() for td in totals.find_all("td")]
    assert dict(zip(heads, cells, strict=True)) == {"samples": "4", "degraded": "2", "unknown": "0", "changed": "1",
                                                    "unchanged": "1", "skipped": "1"}
    checks = [li.all_text() for li in header.find_all("li")]
    assert len(checks) == 2 and all("not checked against the real release" in c for c in checks)


def test_every_picture_is_a_png_data_uri_sized_by_the_thumbnail_rules(doc):
    drawn = {}
    for group in doc.find_all("div", "sample"):
        label = group.find_all("code")[0].all_text()
        drawn[label] = [(decode_png(img.attrs["src"]).size, (int(img.attrs["width"]), int(img.attrs["height"])))
                        for img in group.find_all("img")]
    # 4x6: the longer side enlarged to 64 (nearest): 64x43, drawn twice as large; 200x100: shrunk to 128 tall
    small, large = ((64, 43), (128, 86)), ((64, 128), (64, 128))
    assert drawn == {"train.py:10 #0": [small] * 3, "train.py:10 #1": [small] * 3, "aug.py:7 #0": [large] * 3}


@pytest.mark.parametrize(("shape", "png", "drawn"), [
    ((2, 300), (128, 1), (128, 16)),     # shrunk to 128 long, one row: drawn 16 thick, not a hairline
    ((300, 1), (1, 128), (16, 128)),
    ((30, 20), (43, 64), (86, 128)),     # enlarged to 64 (nearest), drawn twice as large
])
def test_a_thumbnail_is_drawn_at_least_128_long_and_16_thick(folder, shape, png, drawn):
    samples = [sample(folder, "strip.py:1", 0, ramp(*shape))]
    after = Given("b", {("strip.py:1", 0): shows(np.zeros(shape, np.uint8))})
    doc = parse(render_html.html(impact(samples, Given("a"), after)))
    images = doc.find_all("img")
    assert len(images) == 3
    for img in images:
        assert decode_png(img.attrs["src"]).size == png
        assert (int(img.attrs["width"]), int(img.attrs["height"])) == drawn
        assert img.attrs["style"] == f"width: {drawn[0]}px; height: {drawn[1]}px"


def test_the_page_fetches_nothing(mixed, doc):
    page = render_html.html(mixed)
    for node in doc.walk():
        for name in ("src", "href", "srcset", "action", "poster", "data"):
            if name in node.attrs:
                assert node.attrs[name].startswith(("data:image/png;base64,", "#")), (node.tag, name)
    assert not doc.find_all("script") and not doc.find_all("link") and not doc.find_all("iframe")
    assert "http:" not in page and "https:" not in page and "url(" not in page and "@import" not in page
    (csp,) = [m for m in doc.find_all("meta") if m.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert csp.attrs["content"].startswith("default-src 'none'; img-src data:")


def test_causes_are_shown_as_whole_sentences(doc):
    changed = sites(doc)[1]
    assert [li.all_text() for li in changed.find_all("li")] == [LONG_CAUSE]


def test_skipped_samples_are_listed_with_their_reason_and_the_environment_closes_the_page(doc):
    rows = [[td.all_text() for td in tr.find_all("td")] for tr in section(doc, "skipped").find_all("tr")[1:]]
    assert rows == [["paths.py:2 #0", "path", "a path (cat.png): the file is read, not captured"]]
    ids = [s.attrs.get("id") for s in doc.find_all("section") if s.attrs.get("id")]
    assert ids[-1] == "environment"
    assert platform.python_version() in section(doc, "environment").all_text()


def test_a_site_draws_its_worst_samples_and_lists_the_others(folder):
    samples = [sample(folder, "many.py:1", i, ramp(6, 6)) for i in range(engine.SHOWN_PER_SITE + 2)]
    black = {("many.py:1", i): shows(np.zeros((6, 6), np.uint8)) for i in range(len(samples))}
    doc = parse(render_html.html(impact(samples, Given("a"), Given("b", black))))
    (site,) = sites(doc)
    assert len(site.find_all("div", "sample")) == engine.SHOWN_PER_SITE
    assert "2 more sample(s) changed, not drawn" in site.all_text()
    assert len(site.find_all("table")[0].find_all("tr")) == 1 + 2


def test_now_raises_mode_and_shape_changes_each_say_why_a_picture_is_missing(folder):
    samples = [sample(folder, "raise.py:1", 0, ramp(4, 6, 3)), sample(folder, "gray.py:2", 0, ramp(4, 6, 3))]
    after = Given("b", {("raise.py:1", 0): raises("ValueError: Un-supported shape [4, 6, 3]"),
                        ("gray.py:2", 0): shows(ramp(4, 6))})
    doc = parse(render_html.html(impact(samples, Given("a"), after)))
    raising, gray = sites(doc)
    assert [s.all_text() for s in raising.find_all("span", "loss")] == ["1 now raises"]
    assert [dt.all_text() for dt in raising.find_all("dt")] == ["samples", "outcome"]   # no pixels to count
    missing = {f.attrs["class"]: f.all_text() for f in raising.find_all("figure") if f.find_all("div", "nopicture")}
    assert missing == {"after": "raises ValueError: Un-supported shape [4, 6, 3]",
                       "difference": "no difference map: a side has no pixels"}
    assert "mode RGB becomes L (1 sample(s)); shape 4x6x3 becomes 4x6 (1 sample(s))" in gray.all_text()
    (no_map,) = [f for f in gray.find_all("figure") if f.find_all("div", "nopicture")]
    assert no_map.all_text() == "no difference map: the shapes differ"


def test_a_side_without_an_answer_makes_an_unknown_site_that_says_why(folder):
    samples = [sample(folder, "slow.py:6", 0, ramp(8, 8))]
    timeout = Outcome(None, None, None, (), failed="timeout: no reply in 60 s")
    page = render_html.html(impact(samples, Given("a"), Given("b", {("slow.py:6", 0): timeout})))
    doc = parse(page)
    (site,) = sites(doc)
    assert site.classes == {"site", "unknown"} and not site.find_all("span", "loss")
    assert "no answer (after: timeout: no reply in 60 s)" in site.all_text()
    (missing,) = site.find_all("figure", "after")
    assert missing.all_text() == "no answer: timeout: no reply in 60 s"
    assert doc.find_all("p", "verdict")[0].all_text() == "1 sample(s) at 1 call site(s) could not be compared"


def test_the_real_sides_versions_are_in_the_environment(mixed):
    real = {"implementation": "wandb", "version": "0.31.0", "python": "3.12.1", "numpy": None}
    doc = parse(render_html.html(replace(mixed, environment={**mixed.environment, "after_real": real})))
    rows = {tr.find_all("th")[0].all_text(): tr.find_all("td")[0].all_text()
            for tr in section(doc, "environment").find_all("tr")}
    assert rows["after (the real implementation)"] == "implementation wandb, version 0.31.0, python 3.12.1"
    assert rows["python"] == platform.python_version()


def test_a_disagreement_with_the_real_release_stands_out_at_the_top(mixed):
    check = engine.Verification("after 2.0", checked=3, disagreements=[
        engine.Disagreement("train.py:10 #0", "RGB 4x6x3 pixels, sha256 0123", "RGB 4x6x3 pixels, sha256 4567")])
    doc = parse(render_html.html(replace(mixed, verification=[check])))
    ids = [s.attrs.get("id") for s in doc.find_all("section") if s.attrs.get("id")]
    assert ids.index("disagreements") < ids.index("sites")
    box = section(doc, "disagreements")
    assert box.find_all("h2")[0].all_text() == "The release model disagrees with the real release on 1 sample(s)"
    assert "sha256 4567" in box.all_text()
    (loud,) = doc.find_all("li", "disagrees")
    assert loud.all_text().startswith("after (after 2.0): the real release ran 3 sample(s) and DISAGREES")


def test_hostile_text_from_a_capture_is_escaped_and_bounded(folder):
    samples = [sample(folder, HOSTILE_SITE, 0, ramp(4, 4), HOSTILE_FUNCTION)]
    after = Given("b", {(HOSTILE_SITE, 0): raises("ValueError: <b>no</b>\x1b[2J")})
    page = render_html.html(impact(samples, Given("a"), after))
    doc = parse(page)
    assert not doc.find_all("script")
    assert "<script>" not in page and "<img src=x" not in page and "\u202e" not in page and "\x1b" not in page
    (site,) = sites(doc)
    title = site.find_all("h3")[0].all_text()
    assert title.startswith("degraded <script>alert(1)</script>|\n`x`\\u202e")
    assert not site.find_all("b")
    assert title.endswith(f"… ({len(HOSTILE_SITE) - render_html.LONGEST} more characters) "
                          f"in {HOSTILE_FUNCTION}")
    assert "raises ValueError: <b>no</b>\\x1b[2J" in site.all_text()
    assert len(page) < 20_000    # the 3000-character name appears several times, each cut to 300


def test_an_upgrade_that_changes_nothing_says_so(folder):
    samples = [sample(folder, "calm.py:4", 0, ramp(5, 5))]
    doc = parse(render_html.html(impact(samples, Given("a"), Given("b"))))
    verdict = doc.find_all("p", "verdict")[0]
    assert verdict.classes == {"verdict", "ok"} and verdict.all_text() == "no sample changes"
    assert not sites(doc) and not doc.find_all("img")
    assert "calm.py:4" in doc.find_all("details", "unchanged")[0].all_text()


def test_long_lists_are_cut_and_say_how_many_are_left_out(folder):
    samples = [skipped(f"p{n}.py:1", 0, "a path: not captured") for n in range(render_html.LISTED + 3)]
    doc = parse(render_html.html(impact(samples, Given("a"), Given("b"))))
    listing = section(doc, "skipped")
    assert len(listing.find_all("tr")) == 1 + render_html.LISTED
    assert listing.find_all("p")[-1].all_text() == "… and 3 more, not listed here."
    assert not doc.find_all("section", "site") and not doc.find_all("details", "unchanged")
