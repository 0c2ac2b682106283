"""The refresh: what it runs, how it merges, how it marks what it cannot measure; the packed
history that ships with the suite; where virtualenvs go."""

from __future__ import annotations

import lzma
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from wbimage_conformance import spec
from wbimage_conformance.cases import casefiles
from wbimage_conformance.cases.fingerprints import Measured, of_cases, set_fingerprint
from wbimage_conformance.commands import cli
from wbimage_conformance.errors import UsageError
from wbimage_conformance.history import drafting, packed, record, refresh, staleness, venvs
from wbimage_conformance.model import Environment, Result, Status
from wbimage_conformance.run import expectations as expectation_files

from history_runs import MALFORMED, WRAPS, make_run

#: The checkout: the folder above this test that holds pyproject.toml (wherever the test file sits).
ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
SHIPPED_RUNS = ROOT / "docs" / "history"


def test_a_current_run_has_nothing_to_run_and_a_changed_one_only_its_changes():
    run = make_run("0.1.0", {"a": ("passed", "norm.unit"), "b": ("failed", "norm.unit"), "gone": ("passed", "x.y")})
    now = {"a": "fp-a", "b": "fp-b-edited", "new": "fp-new"}
    change = refresh.to_run(run, now)
    assert (change.added, change.changed, change.removed) == (("new",), ("b",), ("gone",))
    assert change.to_run == ("new", "b")
    assert not refresh.to_run(run, {"a": "fp-a", "b": "fp-b", "gone": "fp-gone"})
    assert refresh.to_run(None, now).to_run == ("a", "b", "new")


def test_a_pending_case_is_run_by_the_next_refresh():
    run = make_run("0.1.0", {"a": ("passed", "norm.unit"), "b": ("failed", "norm.unit")})
    marked = record.SavedRun(run.implementation, run.version, run.environment, run.causes, run.cases, pending=("b",))
    assert refresh.to_run(marked, {"a": "fp-a", "b": "fp-b"}).to_run == ("b",)


def test_merge_replaces_changed_rows_drops_removed_ones_and_keeps_each_cause_once():
    saved = make_run("0.1.0", {"a": ("failed", "norm.disabled", [0]), "b": ("failed", "boxes.box", [1]),
                               "gone": ("failed", "norm.disabled", [0])}, [WRAPS, MALFORMED])
    fresh = make_run("0.1.0", {"b": ("passed", "boxes.box"), "new": ("failed", "norm.disabled", [0])}, [WRAPS])
    merged = refresh.merge(saved, fresh, ["new", "a", "b"], "sha256:now")
    assert [(c.case_id, c.status) for c in merged.cases] == [("new", "failed"), ("a", "failed"), ("b", "passed")]
    assert [c.id for c in merged.causes] == ["wraps"]          # MALFORMED explained only the old row of b
    assert merged.cases[0].causes == merged.cases[1].causes == (0,)
    assert merged.environment["case_set_digest"] == "sha256:now"


def test_pending_follows_the_cases_an_artifact_states():
    before = {"a": "1", "b": "2"}
    sets = {set_fingerprint(before): before}
    now = {"a": "1", "b": "3", "c": "4"}
    assert refresh.pending_for(set_fingerprint(before), (), sets, now) == ("c", "b")
    assert refresh.pending_for("fp1:0000000000000000", (), sets, now) == ("a", "b", "c")   # unknown: all


@pytest.fixture(scope="module")
def checkout_copy(tmp_path_factory):
    """The shipped runs, expectations and pages, with one case edited and one case file gone."""
    root = tmp_path_factory.mktemp("checkout")
    shutil.copytree(SHIPPED_RUNS, root / "history")
    shutil.copytree(expectation_files.SHIPPED_DIR, root / "expectations")
    (root / "docs").mkdir()
    for name in staleness.PAGES:
        shutil.copy(ROOT / "docs" / name, root / "docs" / name)
    shutil.copytree(ROOT / "spec" / "cases", root / "cases")
    (root / "cases" / "to-uint8.yaml").unlink()
    path = root / "cases" / "fuzz-found.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\n  title: '", "\n  title: 'edited: ", 1),
                    encoding="utf-8")
    return root


def test_refresh_without_running_marks_every_artifact_and_the_check_passes(checkout_copy, capsys):
    root = checkout_copy
    now = of_cases(casefiles.load_case_set([root / "cases"]).cases)
    assert staleness.check_shipped(root / "expectations", root / "history", root / "docs", now)   # stale first
    code = cli.main(["refresh", "--no-run", "--runs", str(root / "history"), "--docs", str(root / "docs"),
                     "--expectations-dir", str(root / "expectations"), "--cases", str(root / "cases"), "--no-pack"])
    assert code == 1                                      # the expectations files now have pending cases
    assert "case(s) pending" in capsys.readouterr().err
    assert staleness.check_shipped(root / "expectations", root / "history", root / "docs", now) == []
    run = record.load(root / "history" / "wandb-0.31.0.json")
    already = set(record.load(SHIPPED_RUNS / "wandb-0.31.0.json").pending)   # a family added, not yet measured
    edited = [case_id for case_id in run.pending if case_id not in already]
    assert len(edited) == 1 and edited[0].startswith("fuzz-")
    assert not any(c.case_id.startswith("to-uint8-") for c in run.cases)
    loaded = expectation_files.load(root / "expectations" / "wandb-0.31.0.yaml")
    assert sorted(loaded.measured.pending) == sorted(run.pending)
    assert not any(k.startswith("to-uint8-") for k in loaded.deviations)


def _contents(*folders: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for folder in folders for p in folder.iterdir()}


def test_refresh_with_nothing_changed_installs_nothing_and_writes_the_same_bytes(tmp_path, capsys):
    pending = [case_id for version in ("0.28.2", "0.31.0")
               for case_id in record.load(SHIPPED_RUNS / f"wandb-{version}.json").pending]
    if pending:  # cases added since the history was measured: a refresh would rightly run them
        pytest.skip(f"the shipped history lists {len(pending)} case(s) pending, e.g. {pending[0]}: "
                    "`wbimage-conformance refresh` measures them")
    shutil.copytree(SHIPPED_RUNS, tmp_path / "history")
    shutil.copytree(expectation_files.SHIPPED_DIR, tmp_path / "expectations")
    before = _contents(tmp_path / "history", tmp_path / "expectations")
    code = cli.main(["refresh", "--releases", "0.28.2,0.31.0", "--runs", str(tmp_path / "history"),
                     "--docs", str(tmp_path / "no-docs"), "--expectations-dir", str(tmp_path / "expectations"),
                     "--venvs", str(tmp_path / "venvs"), "--no-pack", "--sandbox", "none"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "wandb 0.31.0: no change; ran 0 case(s)" in err
    assert not (tmp_path / "venvs").exists()
    assert _contents(tmp_path / "history", tmp_path / "expectations") == before


def test_the_packed_history_holds_exactly_the_saved_runs_of_the_checkout():
    assert packed.texts() == {p.name: p.read_text(encoding="utf-8") for p in sorted(SHIPPED_RUNS.glob("*-*.json"))}
    assert packed.PACKED.stat().st_size < 100_000


def test_a_pack_is_rewritten_exactly_when_a_saved_run_was_edited_after_packing(tmp_path):
    runs = tmp_path / "history"
    runs.mkdir()
    (runs / "wandb-0.1.0.json").write_text('{"a": 1}\n', encoding="utf-8")
    target = tmp_path / "runs.json.xz"
    assert packed.write(runs, target)
    assert not packed.write(runs, target)
    (runs / "wandb-0.1.0.json").write_text('{"a": 2}\n', encoding="utf-8")  # a run re-measured by hand
    assert packed.write(runs, target)
    assert packed.texts(target) == {"wandb-0.1.0.json": '{"a": 2}\n'}
    assert packed.write(runs, tmp_path / "missing.json.xz")


def test_a_damaged_pack_is_one_line_naming_the_file(tmp_path):
    bad = tmp_path / "runs.json.xz"
    bad.write_bytes(b"not xz at all")
    with pytest.raises(record.SavedRunError, match=rf"^{bad}: not a packed history"):
        packed.texts(bad)
    bad.write_bytes(lzma.compress(b"[1, 2]", format=lzma.FORMAT_XZ))
    with pytest.raises(record.SavedRunError, match="expected an object"):
        packed.texts(bad)
    bad.write_bytes(lzma.compress(b" " * (packed.MAX_UNPACKED + 10), format=lzma.FORMAT_XZ))
    with pytest.raises(record.SavedRunError, match="unpacks to more than"):
        packed.texts(bad)


def test_bisect_answers_from_the_packed_history_in_any_directory(tmp_path, monkeypatch, capsys):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    code = cli.main(["bisect", "norm-disabled-int16-numpy", "--releases", "0.28.2,0.29.0,0.30.0"])
    out = capsys.readouterr().out
    assert code == 0
    assert "first change in wandb 0.29.0 (after 0.28.2)" in out
    assert list(work.iterdir()) == []                     # nothing made here
    assert not (tmp_path / "cache" / "wbimage-conformance-venvs").exists()   # and nothing installed


def test_virtualenvs_go_to_the_user_cache_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert venvs.default_root() == tmp_path / "wbimage-conformance-venvs"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert venvs.default_root() == Path.home() / ".cache" / "wbimage-conformance-venvs"
    assert Path(os.getcwd()) not in venvs.default_root().parents


def test_a_restated_page_lists_what_it_lacks(tmp_path):
    before = {"a": "1", "b": "2"}
    page = tmp_path / "performance.md"
    older = "<!-- measured: 9 cases, an older case set -->"
    page.write_text("# t\n\n" + Measured.of(before).marker() + "\n\n" + older + "\n", encoding="utf-8")
    now = {"a": "1", "b": "2", "c": "3"}
    assert refresh.restate_page(page, {set_fingerprint(before): before}, now)
    text = page.read_text(encoding="utf-8")
    assert "<!-- measured: 2 cases, " + set_fingerprint(before) + "; pending: c -->" in text
    assert "<!-- measured: 9 cases, an older case set -->" in text
    assert staleness.check_page(page, now) == []


def _passed(case):
    return Result(case=case, status=Status.PASSED)


def test_a_redraft_keeps_the_entries_of_unchanged_cases_and_drops_changed_ones():
    cases = casefiles.load_case_set([spec.CASES_DIR / "to-uint8.yaml"]).cases
    now = of_cases(cases)
    kept, changed, rerun = cases[0].id, cases[1].id, cases[2].id
    previous = expectation_files.Expectations("wandb", "==0.31.0", {
        kept: expectation_files.Deviation(Status.FAILED, "kept reason", "to-uint8", now[kept]),
        changed: expectation_files.Deviation(Status.FAILED, "old reason", "to-uint8", "000000000000"),
        rerun: expectation_files.Deviation(Status.FAILED, "fixed since", "to-uint8", now[rerun])})
    environment = Environment("0.1.0", "sha256:0", "wandb", "0.31.0", "3.11.7", "2.4.6", "13.0.0", None, "Linux")
    drafted, problems = drafting.draft([_passed(cases[2])], environment, now, previous, pending=[changed])
    assert problems == []
    assert list(drafted.deviations) == [kept]               # kept as measured; changed pending; rerun passes
    assert drafted.deviations[kept].reason == "kept reason"
    assert drafted.measured == expectation_files.Measured(len(now) - 1, Measured.of(now, [changed]).fingerprints,
                                                          (changed,))


def test_drafting_for_an_implementation_without_release_rules_is_a_usage_error():
    cases = casefiles.load_case_set([spec.CASES_DIR / "to-uint8.yaml"]).cases
    environment = Environment("0.1.0", "sha256:0", "mytracker", "1.0", "3.11.7", "2.4.6", "13.0.0", None, "Linux")
    with pytest.raises(UsageError, match="no release rules for 'mytracker'"):
        drafting.draft([_passed(cases[0])], environment, of_cases(cases))


def _drafted_before_fingerprints(target: Path, case_files_digest: str) -> None:
    """The shipped wandb-0.20.1 file as the drafter wrote it before fingerprints."""
    loaded = expectation_files.load("wandb-0.20.1")
    old = replace(loaded, measured=None,
                  deviations={k: replace(d, fingerprint=None) for k, d in loaded.deviations.items()})
    drafting.write(old, target, f"# Known deviations of wandb 0.20.1.\n# Case set {case_files_digest}, suite 0.1.0.\n")


def test_a_file_drafted_before_fingerprints_on_the_current_case_files_is_adopted(tmp_path):
    shipped = casefiles.load_case_set(None)
    now = of_cases(shipped.cases)
    target = tmp_path / "wandb-0.20.1.yaml"
    _drafted_before_fingerprints(target, shipped.digest)
    stated, changed = refresh.restate_expectations(target, {}, now, shipped.digest)
    assert changed and stated.measured.pending == ()
    assert staleness.check_expectations(target, now) == []
    other = "sha256:" + "0" * 64                        # drafted on other case files: nothing is known
    _drafted_before_fingerprints(target, other)
    stated, _ = refresh.restate_expectations(target, {}, now, shipped.digest)
    assert stated.measured.pending == tuple(sorted(now))
    assert staleness.check_expectations(target, now) == []
