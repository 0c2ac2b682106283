"""Merging saved runs: shards go back into the selection's order and must all be there; whole
runs are put one after the other; a case appears once; the environments must agree; saved
causes are put together."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from report_samples import ENVIRONMENT, case

from wbimage_conformance.commands import cli
from wbimage_conformance.model import Result, RunReport, SavedCause, Shard, Status
from wbimage_conformance.report import merge, render
from wbimage_conformance.triage import grouping

SELECTION = ("a", "b", "c", "d", "e")


def result(case_id: str, status: Status = Status.PASSED) -> Result:
    return Result(case(case_id, "norm.unit", case_id, 1), status)


def shard(index: int, ids: list[str], count: int = 2, not_run: tuple[str, ...] = (), **env) -> RunReport:
    return RunReport(replace(ENVIRONMENT, **env), tuple(result(i) for i in ids), Shard(index, count, SELECTION), not_run)


def ids(report: RunReport) -> list[str]:
    return [r.case.id for r in report.results]


def test_shards_merge_back_in_selection_order_whatever_order_they_are_given_in():
    merged = merge.merge([("s2.json", shard(2, ["b", "e"])), ("s1.json", shard(1, ["a", "c", "d"]))])
    assert ids(merged) == ["a", "b", "c", "d", "e"]
    assert merged.shard is None and merged.not_run == ()


def test_cases_a_shard_did_not_reach_stay_not_run_in_selection_order():
    merged = merge.merge([("s1.json", shard(1, ["a"], not_run=("d", "c"))), ("s2.json", shard(2, ["b", "e"]))])
    assert ids(merged) == ["a", "b", "e"] and merged.not_run == ("c", "d")


def test_a_missing_shard_is_an_error_naming_it():
    with pytest.raises(merge.MergeError, match=r"shard 2/3 missing"):
        merge.merge([("s1.json", shard(1, ["a", "d"], count=3)), ("s3.json", shard(3, ["c"], count=3))])


def test_the_same_shard_twice_is_an_error():
    with pytest.raises(merge.MergeError, match=r"s1b.json and s1.json are both shard 1/2"):
        merge.merge([("s1.json", shard(1, ["a"])), ("s1b.json", shard(1, ["a"]))])


def test_shards_of_different_counts_or_selections_are_an_error():
    with pytest.raises(merge.MergeError, match=r"one N"):
        merge.merge([("s1.json", shard(1, ["a"])), ("t2.json", shard(2, ["b"], count=3))])
    other = RunReport(ENVIRONMENT, (result("b"),), Shard(2, 2, ("b", "z")))
    with pytest.raises(merge.MergeError, match=r"different selections"):
        merge.merge([("s1.json", shard(1, ["a"])), ("other.json", other)])


def test_shards_that_leave_a_selected_case_without_result_are_an_error():
    with pytest.raises(merge.MergeError, match=r"case 'c' \(and 0 more\) of the selection has no result"):
        merge.merge([("s1.json", shard(1, ["a", "d"])), ("s2.json", shard(2, ["b", "e"]))])


def test_shards_and_whole_runs_do_not_mix():
    whole = RunReport(ENVIRONMENT, (result("x"),))
    with pytest.raises(merge.MergeError, match=r"s1.json is one shard of a run but whole.json is a whole run"):
        merge.merge([("s1.json", shard(1, ["a"])), ("whole.json", whole)])


def test_whole_runs_are_put_one_after_the_other():
    first = RunReport(ENVIRONMENT, (result("n1"), result("n2", Status.FAILED)))
    second = RunReport(ENVIRONMENT, (result("m1"),))
    merged = merge.merge([("norm.json", first), ("mode.json", second)])
    assert ids(merged) == ["n1", "n2", "m1"] and not merged.ok


def test_a_case_in_two_reports_is_an_error():
    with pytest.raises(merge.MergeError, match=r"b.json: case 'n1' is also in a.json"):
        merge.merge([("a.json", RunReport(ENVIRONMENT, (result("n1"),))), ("b.json", RunReport(ENVIRONMENT, (result("n1"),)))])


@pytest.mark.parametrize("field, value", [("implementation", "wandb"), ("implementation_version", "0.28.2"),
                                          ("pillow", "12.0.0"), ("torch", "2.13.0+cpu"),
                                          ("case_set_digest", "sha256:other"), ("suite_version", "0.2.0")])
def test_runs_of_other_implementations_or_environments_do_not_merge(field, value):
    with pytest.raises(merge.MergeError, match=re.escape(f"s2.json: {field.replace('_', ' ')} is '{value}', but s1.json has")):
        merge.merge([("s1.json", shard(1, ["a", "c", "d"])), ("s2.json", shard(2, ["b", "e"], **{field: value}))])


def test_different_platforms_are_listed_side_by_side():
    merged = merge.merge([("s1.json", shard(1, ["a", "c", "d"])), ("s2.json", shard(2, ["b", "e"], platform="Linux-other"))])
    assert merged.environment.platform == f"{ENVIRONMENT.platform} | Linux-other"


def test_one_whole_report_is_itself():
    one = RunReport(ENVIRONMENT, (result("a"),))
    assert merge.merge([("run.json", one)]) is one


def test_one_shard_alone_is_refused_as_the_others_missing():
    with pytest.raises(merge.MergeError, match="shard 2/2 missing"):
        merge.merge([("s1.json", shard(1, ["a", "b"]))])


def test_saved_runs_keep_their_causes_and_a_cause_explains_what_it_explained_in_any_of_them():
    rounds_1 = SavedCause("rounds-to-nearest", "rounds", "+1", ("norm.truncation",), ("a", "c"))
    rounds_2 = SavedCause("rounds-to-nearest", "rounds", "+1", ("norm.signed",), ("e",), ("e",))
    wraps = SavedCause("wraps-instead-of-clipping", "wraps", "mod 256", ("norm.clip",), ("b",))
    failed = Status.FAILED
    s1 = replace(RunReport(ENVIRONMENT, (result("a", failed), result("c", failed), result("d", failed)),
                           Shard(1, 2, SELECTION)), saved_causes=(rounds_1,))
    s2 = replace(RunReport(ENVIRONMENT, (result("b", failed), result("e", failed)), Shard(2, 2, SELECTION)),
                 saved_causes=(wraps, rounds_2))
    found = grouping.triage_report(merge.merge([("s2.json", s2), ("s1.json", s1)]))
    assert [(g.id, g.explains, g.clauses, g.together) for g in found.causes] == [
        ("rounds-to-nearest", ("a", "c", "e"), ("norm.signed", "norm.truncation"), ("e",)),  # clauses: runs as given
        ("wraps-instead-of-clipping", ("b",), ("norm.clip",), ()),
    ]
    assert [r.case.id for r in found.unexplained] == ["d"]


def test_runs_that_still_have_their_observations_are_triaged_afresh_as_one():
    merged = merge.merge([("s1.json", shard(1, ["a", "c", "d"])), ("s2.json", shard(2, ["b", "e"]))])
    assert merged.saved_causes is None


# -- `wbimage-conformance report`: its exit codes, as its --help and the README say ---------------

def _saved_shards(tmp_path, status_of_b: Status) -> list[str]:
    paths = []
    for index, ids_ in ((1, ["a", "c", "d"]), (2, ["b", "e"])):
        results = tuple(result(i, status_of_b if i == "b" else Status.PASSED) for i in ids_)
        path = tmp_path / f"s{index}.json"
        path.write_text(render(RunReport(ENVIRONMENT, results, Shard(index, 2, SELECTION)), "json"), encoding="utf-8")
        paths.append(str(path))
    return paths


@pytest.mark.parametrize("status_of_b, code", [(Status.PASSED, 0), (Status.XFAILED, 0), (Status.SKIPPED, 0),
                                               (Status.FAILED, 1), (Status.XPASSED, 1), (Status.CRASH, 1)])
def test_report_exits_1_when_any_shard_of_the_merged_run_has_an_unexpected_result(tmp_path, capsys, status_of_b, code):
    assert cli.main(["report", *_saved_shards(tmp_path, status_of_b)]) == code
    capsys.readouterr()


def test_report_exits_2_when_the_reports_do_not_make_one_run(tmp_path, capsys):
    first, _ = _saved_shards(tmp_path, Status.PASSED)
    assert cli.main(["report", first]) == 2                  # one shard of two is never a pass on its own
    assert "shard 2/2 missing" in capsys.readouterr().err
    assert cli.main(["report", first, first]) == 2
    assert "both shard 1/2" in capsys.readouterr().err


def test_report_help_states_its_exit_codes(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["report", "--help"])
    assert stop.value.code == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "exit codes: 0 every case of the (merged) run as expected" in said
    assert "nothing checked" in said
    assert "1 an unexpected result in any of the runs or shards" in said
    assert "2 a file that is not a JSON report, or reports that do not make one run" in said
