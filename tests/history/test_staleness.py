"""Shipped measurements say which cases they were measured on, and the check notices when they lie."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from wbimage_conformance.cases import casefiles
from wbimage_conformance.cases.fingerprints import Measured, difference, disagreement, of_cases, set_fingerprint
from wbimage_conformance.history import record, staleness
from wbimage_conformance.run import expectations as expectation_files

from shipped_cases import case_set

#: The checkout: the folder above this test that holds pyproject.toml (wherever the test file sits).
ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
CASES = ROOT / "spec" / "cases"
SHIPPED_RUNS = ROOT / "docs" / "history"


def current() -> dict[str, str]:
    return of_cases(case_set().cases)


def test_every_shipped_artifact_states_the_current_cases_or_says_which_it_lacks():
    problems = staleness.check_shipped(expectation_files.SHIPPED_DIR, SHIPPED_RUNS, ROOT / "docs", current())
    assert problems == []


def test_the_set_fingerprint_ignores_order_and_sees_any_case():
    one = {"a": "000000000001", "b": "000000000002"}
    assert set_fingerprint(one) == set_fingerprint(dict(reversed(list(one.items()))))
    assert set_fingerprint(one) != set_fingerprint({**one, "b": "000000000003"})
    assert set_fingerprint(one) != set_fingerprint({**one, "c": "000000000004"})
    assert set_fingerprint(one) != set_fingerprint({"a": "000000000001"})


def test_a_fingerprint_changes_with_the_expectation_not_with_the_file_around_it():
    case = case_set().cases[0]
    assert of_cases([case]) == of_cases([replace(case, line=case.line + 5)])
    assert of_cases([case]) != of_cases([replace(case, expect={**case.expect, "mode": "P"})])
    assert of_cases([case]) != of_cases([replace(case, title=case.title + "!")])


def test_pending_cases_make_a_statement_true_again():
    now = {"a": "000000000001", "b": "000000000002", "c": "000000000003"}
    before = {"a": "000000000001", "b": "0000000000ff"}
    stated = Measured(2, set_fingerprint(before))
    assert "does not say so" in disagreement(stated, now)
    change = difference(before, now)
    assert (change.added, change.changed, change.removed) == (("c",), ("b",), ())
    assert disagreement(Measured.of(now, change.to_run), now) is None
    assert Measured.of(now, change.to_run) == Measured(1, set_fingerprint({"a": "000000000001"}), ("b", "c"))


def _copy_of_the_cases(tmp_path: Path) -> Path:
    folder = tmp_path / "cases"
    shutil.copytree(CASES, folder)
    return folder


def _edit_first_case(folder: Path) -> str:
    """Change the title of the first case of one file (a hand-written one), as an author would."""
    path = folder / "fuzz-found.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\n  title: '" in text
    path.write_text(text.replace("\n  title: '", "\n  title: 'edited: ", 1), encoding="utf-8")
    return yaml.safe_load(text)["cases"][0]["id"]


def test_a_changed_case_makes_every_silent_artifact_fail(tmp_path):
    edited = _edit_first_case(_copy_of_the_cases(tmp_path))
    changed = of_cases(casefiles.load_case_set([tmp_path / "cases"]).cases)
    assert changed != current()
    problems = staleness.check_shipped(expectation_files.SHIPPED_DIR, SHIPPED_RUNS, ROOT / "docs", changed)
    where = {Path(p.split(":")[0]).name for p in problems}
    assert {"wandb-0.28.2.yaml", "wandb-0.28.2.json", "compatibility.md", "findings.md", "history.md",
            "performance.md"} <= where
    assert any(f"case {edited} is changed" in p for p in problems)


def test_an_added_and_a_removed_case_are_both_seen(tmp_path):
    folder = _copy_of_the_cases(tmp_path)
    (folder / "fuzz-found.yaml").unlink()
    fewer = of_cases(casefiles.load_case_set([folder]).cases)
    problems = staleness.check_record(SHIPPED_RUNS / "wandb-0.31.0.json", fewer)
    assert any("no longer exists" in p for p in problems)
    more = {**current(), "zz-new-case": "0123456789ab"}
    assert any("zz-new-case is new" in p for p in staleness.check_record(SHIPPED_RUNS / "wandb-0.31.0.json", more))
    assert staleness.check_page(ROOT / "docs" / "compatibility.md", more)


def test_an_artifact_that_lists_the_change_as_pending_passes(tmp_path):
    more = {**current(), "zz-new-case": "0123456789ab"}
    run = record.load(SHIPPED_RUNS / "wandb-0.31.0.json")
    marked = record.write(replace(run, pending=(*run.pending, "zz-new-case")), tmp_path)
    assert staleness.check_record(marked, more) == []
    assert "zz-new-case" in record.load(marked).pending
    loaded = expectation_files.load("wandb-0.31.0")
    stated = Measured.of(more, [*(loaded.measured.pending if loaded.measured else ()), "zz-new-case"])
    target = tmp_path / "wandb-0.31.0.yaml"
    expectation_files.write(replace(loaded, measured=expectation_files.Measured(stated.cases, stated.fingerprints,
                                                                             stated.pending)), target)
    assert staleness.check_expectations(target, more) == []
    page = tmp_path / "page.md"
    page.write_text("# figures\n\n" + stated.marker() + "\n", encoding="utf-8")
    assert staleness.check_page(page, more) == []
    page.write_text("# figures\n\n<!-- measured: 713 cases, an older case set -->\n", encoding="utf-8")
    assert staleness.check_page(page, more) == []


def test_an_entry_measured_on_another_version_of_its_case_is_named(tmp_path):
    loaded = expectation_files.load("wandb-0.31.0")
    case_id = next(iter(loaded.deviations))
    entry = replace(loaded.deviations[case_id], fingerprint="000000000000")
    target = tmp_path / "wandb-0.31.0.yaml"
    expectation_files.write(replace(loaded, deviations={**loaded.deviations, case_id: entry}), target)
    problems = staleness.check_expectations(target, current())
    assert problems == [(f"{target}: deviations.{case_id}: measured as 000000000000, the case is "
                         f"{current()[case_id]} now, and it is not pending")]


@pytest.mark.parametrize("text", ["# a page\n\nno marker\n", "<!-- measured: 757 cases, fp1:0000000000000000 -->\n"])
def test_a_page_without_a_true_marker_fails(tmp_path, text):
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    assert staleness.check_page(page, current())
