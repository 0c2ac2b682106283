"""Every line of every report that counts cases agrees with every other: a run with an
expectations file once printed '712 passed ... 45 xfailed' and then '757 passed'.

A toy implementation that rounds runs five cases: two it gets right, three it gets wrong, and
an expectations file lists the wrong ones (or two of them). The counts below are worked out by
hand from that, not taken from the reports.
"""

from __future__ import annotations

import html
import json
import re

import pytest
import yaml

from wbimage_conformance.commands import cli

import runner_support as support

#: "N word" wherever a report counts cases.
COUNT = re.compile(r"(\d+) (passed|failed|errors|skipped|xfailed|xpassed|timeouts|crashes|unexpected|as expected)\b")


@pytest.fixture(autouse=True)
def _fixtures_importable(monkeypatch):
    support.use_fixtures_path(monkeypatch)


@pytest.fixture
def case_file(tmp_path):
    return support.write_cases(tmp_path, [
        support.case("ends", [[0.0, 1.0]], expect={"pixels": [[0, 255]]}),             # rounding changes nothing
        support.case("zeros", [[0.0, 0.0]], expect={"pixels": [[0, 0]]}),
        support.case("unit-plain"),                                                      # 76.5 rounds to 77
        support.case("unit-captioned", kwargs={"caption": "c"}, expect={"pixels": [[51, 76]], "caption": "c"}),
        support.case("range-signed", [[-1.0, 0.0]], expect={"pixels": [[0, 127]]}, clauses=["norm.signed"]),
    ])


def expectations(tmp_path, listed):
    path = tmp_path / "expect.yaml"
    deviations = {case_id: {"status": "failed", "reason": "rounds"} for case_id in listed}
    path.write_text(yaml.safe_dump({"implementation": support.toy("RoundingImage"), "deviations": deviations}))
    return path


def run_every_format(capsys, tmp_path, case_file, listed):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code = cli.main(["run", "--impl", support.toy("RoundingImage"), "--cases", str(case_file), "--jobs", "1",
                     "--expectations", str(expectations(tmp_path, listed)),
                     "--report", f"markdown={out_dir / 'r.md'}", "--report", f"html={out_dir / 'r.html'}",
                     "--report", f"json={out_dir / 'r.json'}", "--badge", str(out_dir / "badge.json")])
    text = capsys.readouterr().out
    page = html.unescape(re.sub(r"<[^>]+>", " ", (out_dir / "r.html").read_text(encoding="utf-8")))
    reports = {"text": text, "markdown": (out_dir / "r.md").read_text(encoding="utf-8"), "html": page}
    return code, reports, json.loads((out_dir / "r.json").read_text()), json.loads((out_dir / "badge.json").read_text())


def counts_said(reports: dict[str, str]) -> dict[str, set[tuple[str, int]]]:
    """Per format, every (word, number) pair it prints."""
    return {fmt: {(word, int(n)) for n, word in COUNT.findall(text)} for fmt, text in reports.items()}


def test_a_run_whose_failures_are_all_expected_says_the_same_counts_everywhere(capsys, tmp_path, case_file):
    code, reports, data, badge = run_every_format(capsys, tmp_path, case_file,
                                                  ["unit-plain", "unit-captioned", "range-signed"])
    assert code == 0
    truth = {"passed": 2, "xfailed": 3, "as expected": 5, "unexpected": 0, "failed": 0, "skipped": 0,
             "errors": 0, "xpassed": 0, "timeouts": 0, "crashes": 0}
    for fmt, said in counts_said(reports).items():
        assert ("as expected", 5) in said and ("passed", 2) in said, fmt
        assert {word: n for word, n in said if truth[word] != n} == {}, fmt
    assert data["summary"] == {"total": 5, "passed": 2, "failed": 0, "errors": 0, "skipped": 0,
                               "xfailed": 3, "xpassed": 0, "timeouts": 0, "crashes": 0}
    assert badge["message"] == "40.0% (2/5)"


def test_a_run_with_one_unexpected_failure_says_the_same_counts_everywhere(capsys, tmp_path, case_file):
    code, reports, data, badge = run_every_format(capsys, tmp_path, case_file, ["unit-plain", "range-signed"])
    assert code == 1
    truth = {"passed": 2, "xfailed": 2, "as expected": 4, "unexpected": 1, "failed": 1, "skipped": 0,
             "errors": 0, "xpassed": 0, "timeouts": 0, "crashes": 0}
    for fmt, said in counts_said(reports).items():
        assert ("as expected", 4) in said and ("unexpected", 1) in said, fmt
        assert {word: n for word, n in said if truth[word] != n} == {}, fmt
    assert data["summary"]["failed"] == 1 and data["summary"]["xfailed"] == 2
    assert badge["message"] == "40.0% (2/5)"
