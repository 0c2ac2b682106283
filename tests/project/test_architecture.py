"""The package's zones import each other in one direction only, as docs/architecture.md draws it.

The layers are read from the page itself, so the picture a new maintainer reads first and
the code cannot drift apart: a zone imports only zones of lower layers, no two zones import
each other (directly or around a loop), and nothing but the command line's entry point
imports `commands`.
"""

from __future__ import annotations

import re

import pytest
import zone_graph
from locations import DOCS

ARCHITECTURE = DOCS / "architecture.md"


def documented_layers(text: str) -> dict[str, int]:
    """Zone -> layer number, from the page's table `| N | `zone`, `zone` | ... |`."""
    layers: dict[str, int] = {}
    for line in text.splitlines():
        match = re.match(r"^\|\s*(\d+)\s*\|([^|]*)\|", line)
        if match:
            for name in re.findall(r"`([^`]+)`", match.group(2)):
                assert name not in layers, f"docs/architecture.md names zone {name} in two layers"
                layers[name] = int(match.group(1))
    return layers


@pytest.fixture(scope="module")
def edges() -> list[zone_graph.Edge]:
    return zone_graph.edges()


def test_no_two_zones_import_each_other(edges):
    assert zone_graph.cycles(edges) == []


def test_only_the_entry_point_imports_the_commands(edges):
    offenders = sorted({e.module for e in edges if e.target == "commands" and e.source != "__main__"})
    assert offenders == []


def test_every_zone_has_a_layer_on_the_architecture_page(edges):
    layers = documented_layers(ARCHITECTURE.read_text(encoding="utf-8"))
    zones = {zone_graph.zone(module) for module in zone_graph.modules()}
    assert sorted(zones - set(layers)) == [], "add the zone to docs/architecture.md's layer table"
    assert sorted(set(layers) - zones) == [], "docs/architecture.md names a zone the package does not have"


def test_every_import_goes_down_the_layers(edges):
    layers = documented_layers(ARCHITECTURE.read_text(encoding="utf-8"))
    upward = sorted({f"{e.module} ({e.source}, layer {layers.get(e.source)}) imports {e.target} "
                     f"(layer {layers.get(e.target)})"
                     for e in edges if layers.get(e.target, 99) >= layers.get(e.source, -1)})
    assert upward == []


# -- the checks can fail ----------------------------------------------------------------------


def test_a_loop_through_three_zones_is_found():
    loop = [zone_graph.Edge("a", "b", "x.a.m"), zone_graph.Edge("b", "c", "x.b.m"),
            zone_graph.Edge("c", "a", "x.c.m"), zone_graph.Edge("c", "d", "x.c.n")]
    assert zone_graph.cycles(loop) == [["a", "b", "c"]]


def test_a_lazy_import_inside_a_function_is_an_edge(tmp_path):
    for folder in ("conformance/run", "conformance/report", "reference", "spec"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / "conformance" / "run" / "verdict.py").write_text(
        "def judge():\n    from wbimage_conformance.report import summary\n    return summary\n")
    (tmp_path / "conformance" / "report" / "summary.py").write_text(
        "from wbimage_conformance.run import verdict\n")
    known = zone_graph.modules(tmp_path)
    assert zone_graph.cycles(zone_graph.edges(known)) == [["report", "run"]]


def test_the_layer_table_is_read_from_the_page():
    page = "| layer | zones |\n|---|---|\n| 0 | `errors`, `model` | base |\n| 1 | `run` | runner |\n"
    assert documented_layers(page) == {"errors": 0, "model": 0, "run": 1}
