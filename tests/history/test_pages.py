"""The pages the history feeds: docs/history.md and its chart, the release families at the head
of docs/compatibility.md, and the first and last release of each finding in docs/findings.md.
The hand-made runs check what the pages say; the saved history checks that they are current."""

from __future__ import annotations

import pytest
from locations import DOCS

from wbimage_conformance.errors import UsageError
from wbimage_conformance.history import chart, pages, record
from wbimage_conformance.history.timeline import History

from history_runs import MALFORMED, NO_NORM, WRAPS, four_releases, make_run

SAVED = DOCS / "history"


def test_a_family_whose_every_case_passes_matches_the_docs():
    runs = [make_run("1.2.0", {"a": ("passed", "norm.unit"), "b": ("skipped", "mode.guess")})]
    line = pages.family_line("1.2.x", runs)
    assert line == "- **1.2.x** (1.2.0, 1 release): matches the docs: every case run passes (1/1)."


def test_a_family_that_does_not_match_says_how_stretch_by_stretch():
    runs = four_releases()[1:3]     # 0.2.0 and 0.3.0, one family here for the test's sake
    line = pages.family_line("0.x", runs)
    assert line.startswith("- **0.x** (0.2.0 - 0.3.0, 2 releases): no. ")
    assert f"0.2.0: 1 of 3 cases pass; normalization 1 of 2: {WRAPS[1]} (1)." in line
    assert "0.3.0 (2 cases change): 3 of 4 cases pass." in line        # same normalization: not said again
    assert "Elsewhere" not in line                                   # 0.3.0's one cause is a normalization one


def test_a_stretch_after_one_changed_case_says_so_in_the_singular():
    runs = [make_run("1.0.0", {"a": ("failed", "norm.unit", [0]), "b": ("passed", "boxes.box")}, [NO_NORM]),
            make_run("1.0.1", {"a": ("failed", "norm.unit", [0]), "b": ("failed", "boxes.box", [1])}, [NO_NORM, MALFORMED])]
    line = pages.family_line("1.0.x", runs)
    assert "1.0.1 (1 case changes): 0 of 2 cases pass" in line


def test_releases_with_the_same_outcomes_are_told_together():
    runs = [make_run(v, {"a": ("failed", "norm.unit", [0]), "b": ("failed", "boxes.box", [1])}, [NO_NORM, MALFORMED])
            for v in ("1.0.0", "1.0.1", "1.0.2")]
    line = pages.family_line("1.0.x", runs)
    assert line == (f"- **1.0.x** (1.0.0 - 1.0.2, 3 releases): no. 1.0.0 - 1.0.2: 0 of 2 cases pass; "
                    f"normalization 0 of 1: {NO_NORM[1]} (1). Elsewhere in 1.0.2: {MALFORMED[1]} (1).")


def test_the_cause_table_gives_first_and_last_release_and_the_gaps():
    rows = pages.causes_table(History.of(four_releases()))
    malformed = next(r for r in rows if r.startswith(f"| {MALFORMED[1]} |"))
    assert "| `malformed` | `[boxes.box]` | 0.1.0 | 0.4.0 | 3; not in 0.3.0 | 1 |" in malformed
    no_norm = next(r for r in rows if r.startswith(f"| {NO_NORM[1]} |"))
    assert "| 0.4.0 | 0.4.0 | 1 | 1 |" in no_norm


def test_the_environment_table_has_a_row_per_release_with_its_versions():
    rows = pages.environment_table(History.of(four_releases()))
    assert len(rows) == 2 + 4
    assert rows[2].startswith("| 0.1.0 | 2/3 | 1 | 1 | 0 | 0 | 0 | 0 | 3.11.7 | 2.4.6 | 13.0.0 | 2.13.0+cpu | none |")


def test_the_changes_table_names_each_release_where_outcomes_change():
    rows = pages.changes_table(History.of(four_releases()))
    assert [r.split(" | ")[0:2] for r in rows[2:]] == [["| 0.2.0", "1"], ["| 0.3.0", "2"], ["| 0.4.0", "3"]]
    assert f"`norm-a`: passed -> failed ({WRAPS[1]})" in rows[2]


def test_a_section_goes_between_its_markers_or_after_the_first_heading():
    section = f"{pages.FAMILIES_BEGIN}\nnew\n{pages.FAMILIES_END}"
    marked = f"# Title\n\n{pages.FAMILIES_BEGIN}\nold\n{pages.FAMILIES_END}\n\nrest\n"
    assert pages.rewrite_section(marked, pages.FAMILIES_BEGIN, pages.FAMILIES_END, section) == \
        f"# Title\n\n{section}\n\nrest\n"
    assert pages.rewrite_section("# Title\nrest\n", pages.FAMILIES_BEGIN, pages.FAMILIES_END, section) == \
        f"# Title\n\n{section}\n\nrest\n"


def test_pages_need_saved_runs(tmp_path):
    with pytest.raises(UsageError, match="no saved runs"):
        pages.write_all(tmp_path, tmp_path)


# -- the saved history --------------------------------------------------------------------------


def saved_history() -> History:
    return History.of(record.load_folder(SAVED))


def test_the_saved_history_covers_every_release_from_0_19_0_to_0_31_0():
    from wbimage_conformance.history.releases import ReleaseRange

    versions = saved_history().versions
    assert versions[0] == "0.19.0" and versions[-1] == "0.31.0"
    assert len(versions) == 40
    for run in saved_history().runs:
        assert all(run.environment.get(key) for key in ("python", "numpy", "pillow", "torch")), run.path
    assert ReleaseRange.parse("0.19.0..0.31.0").select(versions) == versions


def test_history_page_and_chart_are_current():
    regenerate = "regenerate: wbimage-conformance history --pages docs"
    assert (DOCS / "history.md").read_text(encoding="utf-8") == pages.history_page(saved_history()), regenerate
    assert (DOCS / "history.svg").read_text(encoding="utf-8") == chart.render(saved_history()), regenerate


def test_the_compatibility_page_starts_with_the_release_families_and_they_are_current():
    text = (DOCS / "compatibility.md").read_text(encoding="utf-8")
    section = pages.families_section(saved_history())
    assert section in text
    assert text.index(pages.FAMILIES_BEGIN) < text.index("| family |")



def test_deviations_no_cause_explains_are_listed_with_their_releases():
    rows = pages.unexplained_table(History.of(four_releases()))
    assert rows[2:] == ["| `norm-a` | error | 0.4.0 | 0.4.0 | 1 |"]
