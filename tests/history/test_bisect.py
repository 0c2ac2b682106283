"""bisect: the first release where a case's outcome changes, read off saved runs where they
cover every release, searched by halving (probing only what is missing) where they do not."""

from __future__ import annotations

import pytest

from wbimage_conformance.history.bisect import Outcome, first_change, saved_outcome

from history_runs import four_releases

VERSIONS = ["0.1.0", "0.2.0", "0.3.0", "0.4.0"]


def known_for(case_id: str) -> dict[str, Outcome]:
    return {run.version: saved_outcome(run, case_id, f"fp-{case_id}") for run in four_releases()}


def no_probe(version: str) -> Outcome:
    raise AssertionError(f"probed {version} although every release has a saved run")


@pytest.mark.parametrize(("case_id", "first", "before"), [
    ("norm-a", "0.2.0", "0.1.0"),    # passed -> failed (wraps)
    ("boxes-a", "0.3.0", "0.2.0"),   # failed with the same cause (another index) until 0.3.0 passes
    ("norm-b", "0.4.0", "0.3.0"),    # passed until 0.4.0
])
def test_with_every_release_saved_the_first_change_is_read_off(case_id, first, before):
    found = first_change(case_id, VERSIONS, known_for(case_id), no_probe)
    assert (found.first_change, found.before, found.exact) == (first, before, True)
    assert found.probed == []


def test_no_change_in_the_range_is_said():
    found = first_change("norm-a", ["0.2.0", "0.3.0"], known_for("norm-a"), no_probe)
    assert found.first_change is None and found.exact


def test_a_saved_run_holding_another_version_of_the_case_gives_no_outcome():
    run = four_releases()[0]
    assert saved_outcome(run, "norm-a", "fp-norm-a") == Outcome("passed")
    assert saved_outcome(run, "norm-a", "a-newer-fingerprint") is None
    assert saved_outcome(run, "no-such-case", "fp-no-such-case") is None


def test_missing_releases_are_probed_by_halving():
    versions = [f"1.0.{i}" for i in range(17)]
    probed: list[str] = []

    def probe(version: str) -> Outcome:
        probed.append(version)
        return Outcome("passed" if int(version.rsplit(".", maxsplit=1)[-1]) < 11 else "failed", probed=True)

    found = first_change("x", versions, {"1.0.0": Outcome("passed")}, probe)
    assert (found.first_change, found.before, found.exact) == ("1.0.11", "1.0.10", False)
    assert probed[0] == "1.0.16"                 # the far end first
    assert len(probed) <= 1 + 4                  # then log2(16) halvings
    assert set(found.probed) == set(probed)


def test_saved_outcomes_narrow_the_search_before_any_probe():
    versions = [f"1.0.{i}" for i in range(9)]
    known = {"1.0.0": Outcome("passed"), "1.0.4": Outcome("passed"), "1.0.6": Outcome("failed")}
    probed: list[str] = []

    def probe(version: str) -> Outcome:
        probed.append(version)
        return Outcome("failed", probed=True)

    found = first_change("x", versions, known, probe)
    assert probed == ["1.0.5"]
    assert found.first_change == "1.0.5"


def test_a_probe_and_a_saved_run_are_compared_by_status_alone():
    saved = Outcome("failed", ("cause chosen among several by the whole run",))
    probe = Outcome("failed", ("another cause that also holds",), probed=True)
    assert saved.same_as(probe)
    assert not saved.same_as(Outcome("failed", ("another cause that also holds",)))
    assert not saved.same_as(Outcome("error", saved.causes, probed=True))
