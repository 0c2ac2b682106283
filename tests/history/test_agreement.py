"""history --check: a fresh run agrees with its saved one case by case, for the cases written
the same way in both."""

from __future__ import annotations

from wbimage_conformance.history import agreement

from history_runs import MALFORMED, WRAPS, make_run

SAVED = make_run("0.28.2", {"a": ("passed", "norm.unit"), "b": ("failed", "norm.disabled", [0]),
                            "c": ("failed", "boxes.box", [1])}, [WRAPS, MALFORMED])


def test_the_same_outcomes_agree():
    fresh = make_run("0.28.2", {"a": ("passed", "norm.unit"), "b": ("failed", "norm.disabled", [1]),
                                "c": ("failed", "boxes.box", [0])}, [MALFORMED, WRAPS])
    found = agreement.compare(SAVED, fresh)
    assert found.agrees and not found.not_compared and not found.environment


def test_a_different_status_is_a_disagreement_naming_the_case_and_both_outcomes():
    fresh = make_run("0.28.2", {"a": ("failed", "norm.unit"), "b": ("failed", "norm.disabled", [0]),
                                "c": ("failed", "boxes.box", [1])}, [WRAPS, MALFORMED])
    found = agreement.compare(SAVED, fresh)
    assert found.differences == ("a: saved passed; now failed",)


def test_another_cause_disagrees_when_the_case_sets_are_the_same():
    fresh = make_run("0.28.2", {"a": ("passed", "norm.unit"), "b": ("failed", "norm.disabled", [1]),
                                "c": ("failed", "boxes.box", [1])}, [WRAPS, MALFORMED])
    assert [d.split(":")[0] for d in agreement.compare(SAVED, fresh).differences] == ["b"]


def test_with_another_case_set_only_statuses_are_compared():
    fresh = make_run("0.28.2", {"a": ("passed", "norm.unit"), "b": ("failed", "norm.disabled", [1]),
                                "c": ("failed", "boxes.box", [1]), "d": ("passed", "norm.unit")},
                     [WRAPS, MALFORMED], case_set_digest="sha256:newer")
    found = agreement.compare(SAVED, fresh)
    assert found.agrees
    assert found.not_compared == ("d: new since the saved run",)


def test_a_case_changed_since_the_saved_run_is_not_compared():
    fresh = make_run("0.28.2", {"a": ("failed", "norm.unit"), "b": ("failed", "norm.disabled", [0]),
                                "c": ("failed", "boxes.box", [1])}, [WRAPS, MALFORMED])
    changed = type(fresh)(fresh.implementation, fresh.version, fresh.environment, fresh.causes,
                          (type(fresh.cases[0])("a", "failed", "norm.unit", "fp-changed"),) + fresh.cases[1:])
    found = agreement.compare(SAVED, changed)
    assert found.agrees and found.not_compared == ("a: changed since the saved run",)


def test_environment_differences_are_listed():
    fresh = make_run("0.28.2", {"a": ("passed", "norm.unit"), "b": ("failed", "norm.disabled", [0]),
                                "c": ("failed", "boxes.box", [1])}, [WRAPS, MALFORMED], pillow="12.3.0")
    assert agreement.compare(SAVED, fresh).environment == ("pillow: saved 13.0.0, now 12.3.0",)
