"""The history chart is well-formed SVG, one panel per clause family and one for all cases, and
every point carries its release and its numbers (read off history_runs.four_releases)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from wbimage_conformance.history import chart
from wbimage_conformance.history.timeline import History

from history_runs import four_releases

SVG = "{http://www.w3.org/2000/svg}"


def rendered() -> ET.Element:
    return ET.fromstring(chart.render(History.of(four_releases())))


def panel(root: ET.Element, family: str) -> ET.Element:
    return next(g for g in root.iter(f"{SVG}g") if g.get("data-family") == family)


def test_the_chart_is_well_formed_svg_with_a_title():
    root = rendered()
    assert root.tag == f"{SVG}svg"
    assert "wandb 0.1.0 to 0.4.0" in root.find(f"{SVG}title").text


def test_one_panel_per_family_and_one_for_all_cases():
    assert [g.get("data-family") for g in rendered().iter(f"{SVG}g")] == [chart.ALL, "boxes", "mode", "norm"]


def test_each_point_carries_release_passed_and_total():
    points = panel(rendered(), "norm").findall(f"{SVG}circle")
    assert [(p.get("data-release"), p.get("data-passed"), p.get("data-total")) for p in points] == [
        ("0.1.0", "2", "2"), ("0.2.0", "1", "2"), ("0.3.0", "1", "2"), ("0.4.0", "0", "2")]
    assert points[1].find(f"{SVG}title").text == "norm, wandb 0.2.0: 1 of 2 cases passed"


def test_skipped_cases_are_said_in_the_point_title():
    first = panel(rendered(), "mode").findall(f"{SVG}circle")[0]
    assert first.find(f"{SVG}title").text == "mode, wandb 0.1.0: 0 of 1 cases passed (1 skipped)"


def test_all_cases_panel_counts_the_whole_run():
    points = panel(rendered(), chart.ALL).findall(f"{SVG}circle")
    assert [p.get("data-passed") for p in points] == ["2", "1", "3", "1"]
    assert {p.get("data-total") for p in points} == {"4"}


def test_more_passed_is_drawn_higher():
    points = panel(rendered(), "norm").findall(f"{SVG}circle")
    heights = [float(p.get("cy")) for p in points]
    assert heights[0] < heights[1] == heights[2] < heights[3]   # SVG's y grows downwards
    line = panel(rendered(), "norm").find(f"{SVG}polyline").get("points").split()
    assert [float(xy.split(",")[1]) for xy in line] == heights


def test_the_same_runs_give_the_same_bytes():
    assert chart.render(History.of(four_releases())) == chart.render(History.of(list(reversed(four_releases()))))


def test_every_minor_series_gets_a_tick_and_crowded_ones_share_a_label():
    from history_runs import make_run

    versions = [f"0.1.{i}" for i in range(30)] + ["0.2.0", "0.3.0"]
    root = ET.fromstring(chart.render(History.of([make_run(v, {"a": ("passed", "norm.unit")}) for v in versions])))
    panel_all = panel(root, chart.ALL)
    ticks = [line for line in panel_all.findall(f"{SVG}line")]
    labels = [t.text for t in panel_all.findall(f"{SVG}text") if t.get("font-size") == "8"]
    assert len(ticks) == 3
    assert labels == ["1", "2"]     # 0.3.0 starts one step after 0.2.0: too close for its label
