"""The compatibility matrix: clause families down, implementations across, pass counts and
the headline deviation per cell, each column's environment; Markdown and HTML; columns run
afresh or read from saved results."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest
from locations import DOCS

from wbimage_conformance.commands import cli
from wbimage_conformance.history import pages
from wbimage_conformance.model import Case, Environment, Result, Status
from wbimage_conformance.report import matrix, matrix_render
from wbimage_conformance.run import sandbox
from wbimage_conformance.run.expectations import Deviation, Expectations

import runner_support as support


def case(case_id: str, clause: str) -> Case:
    return Case(id=case_id, title=case_id, clauses=(clause,), level="required", input={}, call={"api": "Image"},
                expect={}, allowed=())


def environment(name: str, pillow: str = "13.0.0") -> Environment:
    return Environment("0.1.0", "sha256:x", name, "1.0", "3.11.7", "2.4.6", pillow, "2.13.0+cpu", "Linux")


def column(name: str, statuses: dict[str, Status], expectations: Expectations | None = None) -> matrix.Column:
    results = tuple(Result(case(i, c), s) for (i, c), s in
                    zip([(k, k.rsplit("-", 1)[0].replace("-", ".")) for k in statuses], statuses.values()))
    return matrix.Column(name, environment(name), results, expectations)


STATUSES = {"norm-unit-a": Status.PASSED, "norm-unit-b": Status.FAILED, "norm-signed-c": Status.FAILED,
            "mode-guess-d": Status.SKIPPED, "mode-guess-e": Status.PASSED}


def test_cells_count_passes_over_cases_run_and_skips_apart():
    built = matrix.build([column("impl", STATUSES)])
    assert built.families == ("mode", "norm")
    norm, mode = built.cells[("norm", 0)], built.cells[("mode", 0)]
    assert (norm.passed, norm.ran, norm.skipped) == (1, 3, 0)
    assert (mode.passed, mode.ran, mode.skipped) == (1, 1, 1)
    assert mode.headline == ""


def test_the_headline_is_the_most_broken_clause_with_its_most_common_reason():
    reasons = Expectations("impl", None, {
        "norm-unit-b": Deviation(Status.FAILED, "no normalization: [0.2] -> [0]", "norm.unit"),
        "norm-signed-c": Deviation(Status.FAILED, "no normalization: [-1] -> [255]", "norm.unit"),
    })
    built = matrix.build([column("impl", STATUSES, reasons)])
    cell = built.cells[("norm", 0)]
    assert cell.headline == "[norm.unit] no normalization"
    assert cell.headline_count == 2


def test_without_expectations_the_headline_names_the_kind_of_failure():
    cell = matrix.build([column("impl", STATUSES)]).cells[("norm", 0)]
    assert cell.headline.startswith("[norm.") and "status" not in cell.headline


@pytest.mark.parametrize("render", [matrix_render.to_markdown, matrix_render.to_html])
def test_both_formats_carry_counts_headlines_and_every_environment(render):
    built = matrix.build([column("first", STATUSES), column("second <b>", STATUSES)])
    text = render(built)
    for expected in ("1/3", "2.4.6", "13.0.0", "2.13.0+cpu", "3.11.7", "first", "norm", "mode"):
        assert expected in text
    if render is matrix_render.to_html:
        assert "second &lt;b&gt;" in text and "second <b>" not in text


def test_the_command_writes_the_table_for_several_implementations(tmp_path, monkeypatch, capsys):
    support.use_fixtures_path(monkeypatch)
    cases_path = support.write_cases(tmp_path, [support.case("unit"), support.case("unit-2")])
    out = tmp_path / "matrix.html"
    code = cli.main(["matrix", "--impl", "reference", "--impl", support.toy("RoundingImage"),
                     "--cases", str(cases_path), "--format", "html", "--output", str(out)])
    assert code == 1  # RoundingImage fails cases no expectations file foresees
    text = out.read_text()
    assert "reference" in text and "toy_impls:RoundingImage" in text and "0/2" in text and "2/2" in text
    err = capsys.readouterr().err
    assert "toy_impls:RoundingImage: 2 unexpected result(s)" in err and "first: unit failed" in err
    assert "reference:" not in err


def test_the_command_exits_0_when_every_column_is_as_expected(tmp_path, capsys):
    cases_path = support.write_cases(tmp_path, [support.case("unit")])
    code = cli.main(["matrix", "--impl", "reference", "--cases", str(cases_path)])
    assert code == 0
    assert "unexpected" not in capsys.readouterr().err


def test_failures_the_expectations_foresee_are_not_unexpected_but_stale_entries_are():
    foreseen = Expectations("impl", None, {
        "norm-unit-b": Deviation(Status.FAILED, "rounds", "norm.unit"),
        "norm-signed-c": Deviation(Status.FAILED, "rounds", "norm.signed"),
    })
    assert matrix.unexpected(column("impl", STATUSES, foreseen)) == []
    assert [r.case.id for r in matrix.unexpected(column("impl", STATUSES))] == ["norm-unit-b", "norm-signed-c"]
    stale = Expectations("impl", None, {"norm-unit-a": Deviation(Status.FAILED, "was broken once", "norm.unit"),
                                        **foreseen.deviations})
    assert [(r.case.id, r.status) for r in matrix.unexpected(column("impl", STATUSES, stale))] == [
        ("norm-unit-a", Status.XPASSED)]


def test_a_column_runs_in_the_sandbox_auto_chooses_unless_told(tmp_path, capsys):
    cases_path = support.write_cases(tmp_path, [support.case("unit")])
    assert cli.main(["matrix", "--impl", "reference", "--cases", str(cases_path)]) == 0
    chosen = sandbox.choose("auto").description.split(" ", 1)[0]
    assert f"| {chosen} | 1/1 |" in capsys.readouterr().out
    assert cli.main(["matrix", "--impl", "reference", "--cases", str(cases_path), "--sandbox", "none"]) == 0
    assert "| none | 1/1 |" in capsys.readouterr().out


def saved(tmp_path: Path, name: str, statuses: dict[str, Status]) -> Path:
    """Results as the release collection pickles them."""
    built = column(name, statuses)
    path = tmp_path / f"{name}.pkl"
    path.write_bytes(pickle.dumps({"impl": name, "environment": built.environment, "results": list(built.results)}))
    return path


def test_from_saved_columns_make_the_table_without_running_anything(tmp_path, capsys):
    first = saved(tmp_path, "first", STATUSES)
    second = saved(tmp_path, "second", {"norm-unit-a": Status.PASSED, "mode-guess-e": Status.PASSED})
    code = cli.main(["matrix", "--from-saved", f"first={first}", f"second={second}"])
    assert code == 1  # first's two failures: no shipped file named "first" foresees them
    captured = capsys.readouterr()
    norm_row = next(line for line in captured.out.splitlines() if line.startswith("| `norm` |"))
    assert "**1/3**" in norm_row and "**1/1**" in norm_row
    assert "matrix: first 1.0: 2 unexpected result(s) (no shipped expectations file fits it)" in captured.err
    assert "second 1.0:" not in captured.err


@pytest.mark.parametrize("content", [b"not a pickle", pickle.dumps({"impl": "x"}), pickle.dumps([1, 2])])
def test_a_saved_column_that_is_not_saved_results_is_a_one_line_error(tmp_path, capsys, content):
    path = tmp_path / "wrong.pkl"
    path.write_bytes(content)
    assert cli.main(["matrix", "--from-saved", f"x={path}"]) == 2
    err = capsys.readouterr().err
    assert f"{path}: not saved results" in err and err.count("\n") == 1


@pytest.mark.parametrize("argv, says", [
    (["--from-saved", "=x.pkl"], "expected [NAME=]RESULTS.pkl"),
    (["--impl", "reference", "--save-results", "/no/such/folder"], "/no/such/folder: not a folder"),
    (["--from-saved", "x=/no/such/file.pkl"], "/no/such/file.pkl: cannot read the saved results"),
    (["--impl", "reference", "--from-saved", "x=y.pkl"], "not allowed with argument"),
    ([], "one of the arguments --impl --from-saved is required"),
    (["--impl", "reference", "--history", "docs/history", "--format", "html"], "a Markdown section"),
])
def test_matrix_usage_errors(argv, says, capsys):
    assert cli.main(["matrix", *argv]) == 2
    assert says in capsys.readouterr().err


def test_history_puts_the_release_families_at_the_head_of_the_page(tmp_path, capsys):
    runs = tmp_path / "runs"
    runs.mkdir()
    shipped = DOCS / "history"
    for name in ("wandb-0.28.2.json", "wandb-0.31.0.json"):
        shutil.copy(shipped / name, runs / name)
    first = saved(tmp_path, "first", {"norm-unit-a": Status.PASSED})
    assert cli.main(["matrix", "--from-saved", f"first={first}", "--history", str(runs)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Compatibility matrix\n\n" + pages.FAMILIES_BEGIN)
    assert pages.FAMILIES_END in out and "0.28.2" in out and "0.31.0" in out


def test_saved_results_make_the_same_table_as_the_run_that_saved_them(tmp_path, capsys):
    cases_path = support.write_cases(tmp_path, [support.case("unit"), support.case("unit-2")])
    saved_dir = tmp_path / "saved"
    saved_dir.mkdir()
    assert cli.main(["matrix", "--impl", "reference", "--cases", str(cases_path), "--sandbox", "none",
                     "--save-results", str(saved_dir)]) == 0
    live = capsys.readouterr()
    kept = saved_dir / "reference-0.1.0.pkl"  # no shipped expectations file fits the reference
    assert f"saved {kept}" in live.err
    assert cli.main(["matrix", "--from-saved", str(kept)]) == 0
    assert capsys.readouterr().out == live.out
