"""The saved runs as one history: pass counts per family, each cause's first and last release
(with the releases in between that lack it), and where outcomes change. The expected values
are read off the hand-made runs of history_runs.four_releases."""

from __future__ import annotations

from wbimage_conformance.history import timeline
from wbimage_conformance.history.timeline import FamilyCount, History

from history_runs import MALFORMED, NO_NORM, WRAPS, four_releases, make_run


def history() -> History:
    return History.of(list(reversed(four_releases())))


def test_runs_are_put_in_release_order():
    assert history().versions == ["0.1.0", "0.2.0", "0.3.0", "0.4.0"]


def test_family_counts_count_passed_out_of_run_and_skipped_apart():
    first, last = history().runs[0], history().runs[-1]
    assert timeline.family_counts(first) == {"boxes": FamilyCount(0, 1, 1), "mode": FamilyCount(0, 0, 1),
                                             "norm": FamilyCount(2, 2, 2)}
    assert timeline.family_counts(last)["norm"] == FamilyCount(0, 2, 2)
    assert timeline.totals(first) == FamilyCount(2, 3, 4)
    assert [timeline.totals(r).passed for r in history().runs] == [2, 1, 3, 1]


def test_a_cause_spans_from_the_first_to_the_last_release_showing_it_with_its_gaps():
    spans = {s.title: s for s in history().spans()}
    malformed = spans[MALFORMED[1]]
    assert (malformed.first, malformed.last) == ("0.1.0", "0.4.0")
    assert history().gaps(malformed) == ["0.3.0"]
    wraps = spans[WRAPS[1]]
    assert (wraps.first, wraps.last, wraps.cases) == ("0.2.0", "0.3.0", {"0.2.0": 1, "0.3.0": 1})
    assert history().gaps(wraps) == []
    assert (spans[NO_NORM[1]].first, spans[NO_NORM[1]].last) == ("0.4.0", "0.4.0")


def test_causes_are_listed_by_the_release_they_first_show_in():
    assert [s.title for s in history().spans()] == [MALFORMED[1], WRAPS[1], NO_NORM[1]]


def test_a_cause_is_followed_by_its_title_whatever_its_place_in_each_run():
    # MALFORMED is cause 0 in 0.1.0 and cause 1 in 0.2.0 and 0.4.0
    assert history().spans()[0].cases == {"0.1.0": 1, "0.2.0": 1, "0.4.0": 1}


def test_releases_showing_a_cause_are_per_clause_it_breaks():
    shown = timeline.releases_showing(history())
    assert shown[(MALFORMED[1], "boxes.box")] == ["0.1.0", "0.2.0", "0.4.0"]
    assert shown[(NO_NORM[1], "norm.signed")] == ["0.4.0"]
    assert (WRAPS[1], "norm.unit") not in shown


def test_a_deviation_no_cause_explains_is_unexplained():
    assert timeline.unexplained(history().runs[-1]) == ["norm-a"]
    assert timeline.unexplained(history().runs[0]) == []


def test_changed_cases_are_those_whose_status_or_causes_differ():
    runs = history().runs
    assert timeline.changed_cases(runs[0], runs[1]) == ["norm-a"]
    assert timeline.changed_cases(runs[1], runs[2]) == ["boxes-a", "mode-a"]
    assert timeline.changed_cases(runs[2], runs[3]) == ["norm-a", "norm-b", "boxes-a"]


def test_a_case_written_differently_in_the_later_run_is_not_called_changed():
    before = make_run("1.0.0", {"a": ("passed", "norm.unit")})
    after = make_run("1.0.1", {"a": ("failed", "norm.unit")})
    moved = type(after)(after.implementation, after.version, after.environment, after.causes,
                        tuple(type(c)(c.case_id, c.status, c.clause, "another", c.causes) for c in after.cases))
    assert timeline.changed_cases(before, after) == ["a"]
    assert timeline.changed_cases(before, moved) == []


def test_release_families_are_minor_series():
    assert timeline.release_family("0.21.3") == "0.21.x"
    runs = History.of([make_run(v, {"a": ("passed", "norm.unit")}) for v in ("0.19.10", "0.20.0", "0.19.2")])
    assert [(f, [r.version for r in rs]) for f, rs in timeline.by_release_family(runs)] == [
        ("0.19.x", ["0.19.2", "0.19.10"]), ("0.20.x", ["0.20.0"])]


def test_top_causes_rank_by_cases_explained():
    run = make_run("1.0.0", {"a": ("failed", "norm.unit", [1]), "b": ("failed", "norm.unit", [1]),
                             "c": ("failed", "boxes.box", [0])}, [MALFORMED, NO_NORM])
    assert timeline.top_causes(run) == [(NO_NORM[1], 2), (MALFORMED[1], 1)]


def test_top_causes_of_one_family_count_only_its_cases():
    run = make_run("1.0.0", {"a": ("failed", "norm.unit", [1]), "b": ("failed", "norm.unit", [1]),
                             "c": ("failed", "boxes.box", [0])}, [MALFORMED, NO_NORM])
    assert timeline.top_causes(run, family="boxes") == [(MALFORMED[1], 1)]
    assert timeline.top_causes(run, family="mode") == []
