"""The compatibility matrix: clause families down, implementations across, pass counts and
the headline deviation per cell, each column's environment; Markdown and HTML."""

from __future__ import annotations

import pytest

from wbimage_conformance.commands import cli, matrix
from wbimage_conformance.model import Case, Environment, Result, Status
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


@pytest.mark.parametrize("render", [matrix.to_markdown, matrix.to_html])
def test_both_formats_carry_counts_headlines_and_every_environment(render):
    built = matrix.build([column("first", STATUSES), column("second <b>", STATUSES)])
    text = render(built)
    for expected in ("1/3", "2.4.6", "13.0.0", "2.13.0+cpu", "3.11.7", "first", "norm", "mode"):
        assert expected in text
    if render is matrix.to_html:
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


def test_a_column_runs_in_the_sandbox_auto_chooses_unless_told(tmp_path):
    cases_path = support.write_cases(tmp_path, [support.case("unit")])
    column = matrix.collect("reference", case_paths=[str(cases_path)])
    assert column.environment.sandbox == sandbox.choose("auto").description
    column = matrix.collect("reference", case_paths=[str(cases_path)], sandbox_mode="none")
    assert column.environment.sandbox.startswith("none (--sandbox none")
    assert matrix.environment_rows(matrix.build([column]))[0][6] == "none"
