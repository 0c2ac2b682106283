"""The HTML page: self-contained, escaped, and a picture triple for every pixel mismatch."""

from __future__ import annotations

import base64
import json
import zlib

import numpy as np
import pytest
from html_tree import Node, decode_png, parse
from report_samples import ENVIRONMENT, NASTY, RGB_ACTUAL, RGB_EXPECTED, case, sample_report

from wbimage_conformance.model import Mismatch, Result, RunReport, Shard, Status
from wbimage_conformance.report import from_json, images, merge, render, saved_pixels
from wbimage_conformance.run import compare


@pytest.fixture(scope="module")
def page() -> str:
    return render(sample_report(), "html")


@pytest.fixture(scope="module")
def doc(page) -> Node:
    return parse(page)


def article(doc: Node, case_id: str) -> Node:
    (found,) = [a for a in doc.find_all("article") if a.attrs.get("id") == f"case-{case_id}"]
    return found


def panels(node: Node) -> list[dict[str, Node]]:
    """Per pixel mismatch: its expected / actual / difference figures by role."""
    result = []
    for group in node.find_all("div", "pixels"):
        figures = group.find_all("figure")
        roles = {f.attrs["class"].split()[0]: f for f in figures}
        assert list(roles) == ["expected", "actual", "difference"]
        result.append(roles)
    return result


def img(figure: Node) -> Node | None:
    found = figure.find_all("img")
    return found[0] if found else None


def test_page_is_well_formed_and_self_contained(page, doc):
    assert page.startswith("<!DOCTYPE html>")
    for node in doc.walk():
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            value = node.attrs.get(name)
            if value is not None:
                assert value.startswith(("data:image/png;base64,", "#")), (node.tag, name, value[:40])
    assert not doc.find_all("script") and not doc.find_all("link") and not doc.find_all("iframe")
    assert "url(" not in page and "@import" not in page and "http://" not in page and "https://" not in page
    (csp,) = [m for m in doc.find_all("meta") if m.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert csp.attrs["content"].startswith("default-src 'none'; img-src data:")


def test_header_shows_the_environment_and_the_verdict(doc):
    (section,) = [s for s in doc.find_all("section") if s.attrs.get("id") == "environment"]
    text = section.all_text()
    for value in ("0.1.0", "sha256:0123456789abcdef", "reference", "3.11.9", "2.4.0", "13.0.0",
                  "not installed", "Linux-6.8-x86_64"):
        assert value in text
    verdict = doc.find_all("p", "verdict")[0].all_text()
    assert verdict.startswith("10 unexpected result(s): 2 passed, 6 failed, 1 errors")


def test_unexpected_results_come_before_the_full_table(doc):
    ids = [s.attrs.get("id") for s in doc.find_all("section")]
    unexpected = [i for i in ids if i in ("causes", "unexplained", "unexpected")]
    assert unexpected and ids.index("results") > max(ids.index(i) for i in unexpected)


def test_summary_by_family_table(doc):
    (table,) = doc.find_all("table", "families")
    rows = [[c.all_text() for c in tr.children if c.tag in ("td", "th")] for tr in table.find_all("tr")]
    assert rows[0] == ["family", "total", "passed", "failed", "errors", "skipped", "xfailed", "xpassed",
                       "timeouts", "crashes"]
    assert ["input", "5", "0", "1", "1", "2", "0", "0", "0", "1"] in rows
    assert rows[-1] == ["total", "15", "2", "6", "1", "2", "1", "1", "1", "1"]


def test_results_table_has_every_case_with_its_status(doc):
    (table,) = doc.find_all("table", "results")
    rows = table.find_all("tr")[1:]
    report = sample_report()
    assert len(rows) == len(report.results)
    for tr, result in zip(rows, report.results):
        (badge,) = tr.find_all("span", "badge")
        assert badge.all_text() == result.status.value
        assert result.case.id in tr.all_text()
        assert ("unexpected" in tr.classes) == (result.status in
                                                {Status.FAILED, Status.ERROR, Status.XPASSED, Status.TIMEOUT, Status.CRASH})


def test_unexpected_and_xfailed_results_link_to_their_details(doc):
    links = {a.attrs["href"] for a in doc.find_all("a")}
    ids = {a.attrs["id"] for a in doc.find_all("article")}
    assert links == {f"#{i}" for i in ids}
    assert "case-norm-disabled-clips" in ids and "case-norm-unit-half" not in ids


def test_every_pixel_mismatch_has_a_picture_triple_or_says_why_not(doc):
    pixel_mismatches = [(r, m) for r in sample_report().results if r.status in
                        {Status.FAILED, Status.XFAILED} for m in r.mismatches if m.field == "pixels"]
    all_groups = doc.find_all("div", "pixels")
    assert len(all_groups) == len(pixel_mismatches) == 6
    for result, _ in pixel_mismatches:
        assert len(panels(article(doc, result.case.id))) == 1


def test_same_shaped_mismatch_shows_three_decodable_pngs_at_one_scale(doc):
    (roles,) = panels(article(doc, "norm-unit-rgb-grid"))
    pictures = {role: decode_png(img(fig).attrs["src"]) for role, fig in roles.items()}
    scale = images.scale_for(4, 5)
    assert scale > 1 and 5 * scale >= 64
    for role, picture in pictures.items():
        assert picture.size == (5 * scale, 4 * scale), role
        assert (int(img(roles[role]).attrs["width"]), int(img(roles[role]).attrs["height"])) == picture.size
    assert pictures["expected"].mode == pictures["actual"].mode == "RGB"
    shrunk_e = np.asarray(pictures["expected"])[::scale, ::scale]
    shrunk_a = np.asarray(pictures["actual"])[::scale, ::scale]
    assert np.array_equal(shrunk_e, RGB_EXPECTED) and np.array_equal(shrunk_a, RGB_ACTUAL)


def test_difference_map_is_black_where_equal_and_bright_where_not(doc):
    (roles,) = panels(article(doc, "norm-unit-rgb-grid"))
    scale = images.scale_for(4, 5)
    diff = np.asarray(decode_png(img(roles["difference"]).attrs["src"]).convert("RGB"))[::scale, ::scale]
    differs = diff.any(axis=2)
    assert differs.sum() == 2 and differs[1, 2] and differs[3, 4]
    assert tuple(diff[1, 2]) == (255, 255, 0)    # the largest difference (179): yellow
    assert tuple(diff[3, 4]) == (255, 0, 0)      # the smallest (1): red, still plainly visible
    caption = roles["difference"].find_all("figcaption")[0].all_text()
    assert "2 of 20 pixels differ" in caption and "(179)" in caption


def test_a_three_pixel_image_is_enlarged_to_at_least_64_pixels_wide(doc):
    (roles,) = panels(article(doc, "norm-signed-zero"))
    picture = decode_png(img(roles["actual"]).attrs["src"])
    assert picture.width >= 64 and picture.width % 3 == 0 and picture.height == picture.width // 3
    assert picture.mode == "L"


def test_digest_only_expectation_shows_the_actual_and_explains_the_rest(doc):
    (roles,) = panels(article(doc, "mode-guess-big"))
    assert img(roles["expected"]) is None and img(roles["difference"]) is None
    assert "known only by digest" in roles["expected"].all_text()
    assert "ab" * 32 in roles["expected"].all_text()
    assert "known only by their digest" in roles["difference"].all_text()
    actual = decode_png(img(roles["actual"]).attrs["src"])
    assert actual.size[0] == actual.size[1] and actual.size[0] % 16 == 0 and actual.size[0] >= 64


def test_shape_mismatch_shows_both_images_and_explains_the_missing_difference(doc):
    (roles,) = panels(article(doc, "input-array-gray-stays-gray"))
    expected = decode_png(img(roles["expected"]).attrs["src"])
    actual = decode_png(img(roles["actual"]).attrs["src"])
    assert (expected.mode, actual.mode) == ("L", "RGB")
    assert expected.size == actual.size
    assert img(roles["difference"]) is None
    assert "the shapes differ (expected (2, 3), actual (2, 3, 3))" in roles["difference"].all_text()


def test_a_non_uint8_actual_is_drawn_clipped_and_says_so(doc):
    (roles,) = panels(article(doc, "to-uint8-float-nan"))
    assert "dtype float32, shown clipped to 0..255" in roles["actual"].all_text()
    assert all(img(roles[r]) is not None for r in ("expected", "actual", "difference"))


def test_xfailed_pictures_sit_in_a_collapsed_details_block(doc):
    (details,) = doc.find_all("details", "xfailed")
    assert "open" not in details.attrs
    assert [a.attrs["id"] for a in details.find_all("article")] == ["case-norm-disabled-clips"]
    assert len(panels(details)) == 1


def test_text_from_cases_and_implementations_is_escaped(page, doc):
    assert "<input>" not in page and "bad &lt;input&gt; &amp; &quot;quotes&quot; &#x27;single&#x27;" in page
    assert NASTY in article(doc, "input-weird-error").all_text()
    assert "\x00" not in page and "\x1b" not in page
    assert len(doc.find_all("input")) == 1       # only the page's own filter checkbox


def test_hostile_case_fields_cannot_inject_markup():
    evil = "<img src=x onerror=alert(1)>"
    result = Result(case("x", "norm.unit", evil, 1), Status.FAILED,
                    mismatches=(Mismatch(evil, evil, evil),), message=evil, reproduction_source=evil)
    page = render(RunReport(ENVIRONMENT, (result,)), "html")
    assert evil not in page
    assert not [n for n in parse(page).find_all("img")]


def test_an_unrenderable_array_is_explained_not_drawn():
    result = Result(case("x", "norm.unit", "t", 1), Status.FAILED, mismatches=(
        Mismatch("pixels", np.zeros((2, 2, 2, 2), np.uint8), np.zeros((0, 3), np.uint8)),
        Mismatch("pixels", np.zeros((1, 2), np.uint8), None),
    ))
    (first, second) = panels(parse(render(RunReport(ENVIRONMENT, (result,)), "html")))
    assert "is not an image layout" in first["expected"].all_text()
    assert "has no pixels" in first["actual"].all_text()
    assert img(second["expected"]) is not None
    assert "no array" in second["actual"].all_text()
    assert "both sides must be drawable" in second["difference"].all_text()


def test_scale_keeps_big_images_unchanged_and_thin_strips_bounded():
    assert images.scale_for(512, 512) == 1
    assert images.scale_for(1, 3) * 3 >= 64
    assert images.scale_for(1, 4000) == 1
    assert images.scale_for(300, 1) * 300 <= images.MAX_SIDE


def test_a_huge_image_is_shrunk_but_a_single_differing_pixel_still_shows():
    expected = np.zeros((2100, 30), np.uint8)
    actual = expected.copy()
    actual[1001, 17] = 1
    result = Result(case("x", "limits.max-dimension", "t", 1), Status.FAILED,
                    mismatches=(Mismatch("pixels", expected, actual),))
    (roles,) = panels(parse(render(RunReport(ENVIRONMENT, (result,)), "html")))
    for role in ("expected", "actual", "difference"):
        picture = decode_png(img(roles[role]).attrs["src"])
        assert picture.size == (30, 700), role          # 1 row in 3; the 30 columns all kept
        assert "shown: 1 row in 3" in roles[role].all_text()
    diff = np.asarray(decode_png(img(roles["difference"]).attrs["src"]).convert("RGB"))
    assert diff.any(axis=2).sum() == 1 and diff[1001 // 3, 17].any()
    assert "1 of 63000 pixels differ" in roles["difference"].all_text()


@pytest.mark.parametrize("shape, size, how, block", [
    ((1, 65500), (1024, 16), "shown: rows ×16, 1 column in 64", 16),
    ((4, 35000), (1000, 16), "shown: rows ×4, 1 column in 35", 4),
    ((32, 33000), (1000, 32), "shown: 1 column in 33", 1),
    ((3000, 2), (16, 1000), "shown: 1 row in 3, columns ×8", 8),
    ((300, 1), (16, 900), "shown: rows ×3, columns ×16", 48),
    ((2, 3), (129, 86), "shown ×43", 43 * 43),
    ((2048, 2048), (1024, 1024), "shown at 1/2", 1),
])
def test_a_strip_keeps_its_short_side_and_is_drawn_at_least_16_pixels_thick(shape, size, how, block):
    expected = (np.arange(np.prod(shape)) % 7).astype(np.uint8).reshape(shape)
    actual = expected.copy()
    actual[-1, -1] += 1
    result = Result(case("x", "norm.unit", "t", 1), Status.FAILED, mismatches=(Mismatch("pixels", expected, actual),))
    (roles,) = panels(parse(render(RunReport(ENVIRONMENT, (result,)), "html")))
    for role in ("expected", "actual", "difference"):
        assert decode_png(img(roles[role]).attrs["src"]).size == size, role
        assert how in roles[role].all_text(), role
    diff = np.asarray(decode_png(img(roles["difference"]).attrs["src"]).convert("RGB"))
    assert diff[-1, -1].any() and diff.any(axis=2).sum() == block   # the one differing pixel, as one block


def test_mismatches_from_the_real_comparator_are_drawn():
    mismatch = compare.compare_pixels([[0, 127, 255]], np.array([[0, 128, 255]], np.uint8))
    result = Result(case("x", "norm.signed", "t", 1), Status.FAILED, mismatches=(mismatch,))
    (roles,) = panels(parse(render(RunReport(ENVIRONMENT, (result,)), "html")))
    assert all(img(roles[r]) is not None for r in ("expected", "actual", "difference"))
    assert "1 of 3 pixels differ" in roles["difference"].all_text()


# -- a saved run, and merged shards, draw the pictures the run drew -------------------------------

def _big_results() -> tuple[Result, ...]:
    """Pixel mismatches too large for a JSON report's inline values (64 elements)."""
    ramp = (np.arange(90 * 120) % 256).astype(np.uint8).reshape(90, 120)
    ramp_off = ramp.copy()
    ramp_off[40:50, 60:] += 1
    noise = np.random.default_rng(5).integers(0, 256, (300, 300, 3), dtype=np.uint8)
    noise_off = noise.copy()
    noise_off[::7, ::5, 1] ^= 3
    floats = np.linspace(-1, 2, 100, dtype=np.float32).reshape(10, 10)
    floats[3, 3] = np.nan
    strip = np.zeros((4, 35000), np.uint8)
    strip_off = strip.copy()
    strip_off[2, 20000:20100] = 9
    big_endian = (np.arange(80, dtype=">u2") * 3).reshape(8, 10)

    def failed(case_id: str, expected, actual, status=Status.FAILED) -> Result:
        return Result(case(case_id, "norm.unit", case_id, 1), status,
                      mismatches=(Mismatch("pixels", expected, actual),), duration_s=0.01)

    return (
        failed("ramp", ramp, ramp_off),
        Result(case("passes", "norm.unit", "passes", 2), Status.PASSED),
        failed("noise-rgb", noise, noise_off),
        failed("floats-with-nan", ramp[:10, :10], floats),
        failed("digest-only", {"shape": [4, 35000], "sha256": "cd" * 32}, strip_off),
        failed("strip", strip, strip_off, Status.XFAILED),
        failed("big-endian-uint16", ramp[:8, :10], big_endian),
        failed("shapes-differ", ramp, noise),
    )


def _saved(report: RunReport) -> RunReport:
    return from_json.from_data(json.loads(render(report, "json")))


def _pictures(page: str) -> dict[str, list[str]]:
    """Per case article: every picture's data: URI, and the text of every picture left undrawn."""
    found = {}
    for node in parse(page).find_all("article"):
        found[node.attrs["id"]] = ([i.attrs["src"] for i in node.find_all("img")]
                                   + [n.all_text() for n in node.find_all("div", "nopicture")])
    return found


def test_a_saved_run_draws_every_picture_the_run_drew():
    report = RunReport(ENVIRONMENT, _big_results())
    direct = render(report, "html")
    assert render(_saved(report), "html") == direct
    # three pictures a mismatch, but the actual alone for a digest, no difference map for two shapes
    assert len([s for srcs in _pictures(direct).values() for s in srcs if s.startswith("data:")]) == 3 * 5 + 1 + 2


def test_merged_shards_draw_the_pictures_of_the_unsharded_run():
    results = _big_results()
    selection = tuple(r.case.id for r in results)
    halves = (results[1::2], results[::2])
    shards = [("s%d.json" % k, _saved(RunReport(ENVIRONMENT, part, Shard(k, 2, selection))))
              for k, part in enumerate(halves, start=1)]
    merged = merge.merge(shards)
    assert _pictures(render(merged, "html")) == _pictures(render(RunReport(ENVIRONMENT, results), "html"))


def test_saving_a_saved_run_again_keeps_its_pixels():
    report = RunReport(ENVIRONMENT, _big_results())
    assert render(_saved(report), "json") == render(report, "json")


def test_a_case_over_the_per_case_cap_keeps_its_digest_and_the_page_says_why():
    huge = np.zeros((1100, 1100, 3), np.uint8)        # 3.5 MiB a side: 6.9 MiB for the case
    small = RunReport(ENVIRONMENT, _big_results()[:1]).results[0]
    mismatch = compare.compare_arrays(huge, huge + 1)
    report = RunReport(ENVIRONMENT, (small, Result(case("huge", "norm.unit", "t", 1), Status.FAILED,
                                                   mismatches=(mismatch,))))
    data = json.loads(render(report, "json"))
    saved = data["results"][1]["mismatches"][0]
    for side in ("expected", "actual"):
        assert "zlib_base64" not in saved[side]
        assert saved[side]["left_out"] == "its pixels (6.9 MiB) are over the 4 MiB a case may keep"
    assert "zlib_base64" in data["results"][0]["mismatches"][0]["actual"]
    (roles,) = panels(article(parse(render(from_json.from_data(data), "html")), "huge"))
    assert img(roles["expected"]) is None and img(roles["actual"]) is None
    assert "left out of the saved report: its pixels (6.9 MiB) are over the 4 MiB" in roles["expected"].all_text()
    assert "both sides must be drawable" in roles["difference"].all_text()


def test_the_per_report_cap_serves_unexpected_results_before_xfailed_ones(monkeypatch):
    monkeypatch.setattr(saved_pixels, "REPORT_LIMIT", 5000)
    picture = np.zeros((30, 50), np.uint8)             # 1500 bytes a side, 3000 a case

    def result(case_id: str, status: Status) -> Result:
        return Result(case(case_id, "norm.unit", "t", 1), status, mismatches=(Mismatch("pixels", picture, picture + 1),))

    report = RunReport(ENVIRONMENT, (result("known", Status.XFAILED), result("first", Status.FAILED),
                                     result("second", Status.FAILED)))
    kept = {r["id"]: r["mismatches"][0]["actual"] for r in json.loads(render(report, "json"))["results"]}
    assert "zlib_base64" in kept["first"]
    assert kept["second"]["left_out"] == kept["known"]["left_out"] == (
        "the 0.0 MiB of pixels a report may keep went to the cases before it")


def test_pixels_whose_saved_bytes_were_changed_are_not_drawn():
    report = RunReport(ENVIRONMENT, _big_results()[:1])
    data = json.loads(render(report, "json"))
    actual = data["results"][0]["mismatches"][0]["actual"]
    actual["zlib_base64"] = base64.b64encode(zlib.compress(bytes(90 * 120))).decode("ascii")
    (roles,) = panels(parse(render(from_json.from_data(data), "html")))
    assert img(roles["expected"]) is not None and img(roles["actual"]) is None
    assert "its saved bytes do not hash to its sha256" in roles["actual"].all_text()


def test_a_case_location_wraps_after_a_slash_not_inside_a_name(doc):
    (row,) = [r for r in doc.find_all("tr") if "norm-unit-rgb-grid" in r.all_text() and r.find_all("td", "location")]
    (cell,) = row.find_all("td", "location")
    assert cell.all_text() == "spec/cases/norm.yaml:40"
    assert len(cell.find_all("wbr")) == 2
