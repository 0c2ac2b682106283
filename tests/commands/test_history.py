"""The `history` and `bisect` commands on saved runs made by hand (no release is installed)."""

from __future__ import annotations

import pytest

from wbimage_conformance import spec
from wbimage_conformance.cases import casefiles
from wbimage_conformance.commands import cli
from wbimage_conformance.history import record

from history_runs import WRAPS, make_run

#: One small shipped case file keeps each command's case loading quick.
CASES = str(spec.CASES_DIR / "to-uint8.yaml")


@pytest.fixture(scope="module")
def case():
    return casefiles.load_case_set([CASES]).cases[0]


def saved_runs(folder, case, statuses):
    """One saved run per (version, status, cause indices) holding the shipped `case` as written."""
    for version, status, causes in statuses:
        run = make_run(version, {case.id: (status, case.clauses[0], causes)}, [WRAPS])
        run = record.SavedRun(run.implementation, run.version, run.environment, run.causes,
                              (record.CaseOutcome(case.id, status, case.clauses[0], record.fingerprint(case),
                                                  tuple(causes)),))
        record.write(run, folder)


def test_bisect_reads_the_first_change_off_saved_runs(tmp_path, case, capsys):
    saved_runs(tmp_path, case, [("0.1.0", "passed", []), ("0.2.0", "passed", []), ("0.3.0", "failed", [0]),
                                ("0.4.0", "failed", [0])])
    code = cli.main(["bisect", case.id, "--releases", "0.1.0,0.2.0,0.3.0,0.4.0", "--runs", str(tmp_path),
                     "--venvs", str(tmp_path / "never-made"), "--cases", CASES])
    out = capsys.readouterr().out
    assert code == 0
    assert f"{case.id}: first change in wandb 0.3.0 (after 0.2.0): passed -> failed ({WRAPS[1]}) " \
           "(every release known)" in out
    assert "wandb 0.1.0: passed" in out
    assert not (tmp_path / "never-made").exists()


def test_bisect_exits_1_when_the_outcome_never_changes(tmp_path, case, capsys):
    saved_runs(tmp_path, case, [("0.1.0", "passed", []), ("0.2.0", "passed", [])])
    assert cli.main(["bisect", case.id, "--releases", "0.1.0,0.2.0", "--runs", str(tmp_path), "--cases", CASES]) == 1
    assert "no change from wandb 0.1.0 to 0.2.0" in capsys.readouterr().out


def test_bisect_of_an_unknown_case_is_a_usage_error(tmp_path, capsys):
    assert cli.main(["bisect", "no-such-case", "--releases", "0.1.0,0.2.0", "--runs", str(tmp_path),
                     "--cases", CASES]) == 2
    assert "no case 'no-such-case'" in capsys.readouterr().err


def test_bisect_needs_two_releases(tmp_path, case, capsys):
    assert cli.main(["bisect", case.id, "--releases", "0.1.0", "--runs", str(tmp_path), "--cases", CASES]) == 2
    assert "at least 2" in capsys.readouterr().err


def test_history_needs_releases_or_pages(capsys):
    assert cli.main(["history"]) == 2
    assert "--releases" in capsys.readouterr().err


def test_history_check_without_a_saved_run_is_a_usage_error(tmp_path, capsys):
    code = cli.main(["history", "--releases", "0.28.2", "--runs", str(tmp_path), "--check", "--sandbox", "none",
                     "--cases", CASES])
    assert code == 2
    assert "no saved run" in capsys.readouterr().err


def test_history_pages_write_the_history_page_and_chart(tmp_path, case, capsys):
    runs = tmp_path / "history"
    saved_runs(runs, case, [("0.1.0", "passed", []), ("0.2.0", "failed", [0])])
    assert cli.main(["history", "--pages", str(tmp_path), "--runs", str(runs)]) == 0
    page = (tmp_path / "history.md").read_text(encoding="utf-8")
    assert page.startswith("# Release history: wandb 0.1.0 - 0.2.0")
    assert f"| {WRAPS[1]} | `wraps` |" in page
    assert (tmp_path / "history.svg").read_text(encoding="utf-8").startswith("<svg")
