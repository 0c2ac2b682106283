"""`wbimage-conformance docs check`: exit codes 0/1/2, text and JSON output (against its
schema), one-line usage errors, and the upstream pages passing against the reference."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from locations import DOC_PAGES as FIXTURES
from locations import ROOT
from locations import UPSTREAM_DOCS as UPSTREAM

from wbimage_conformance.commands import cli

from runner_support import one_line_error

SCHEMA = json.loads((ROOT / "conformance" / "schemas" / "docs-report.schema.json").read_text(encoding="utf-8"))


def docs(capsys, *args):
    code = cli.main(["docs", "check", *[str(a) for a in args]])
    out, err = capsys.readouterr()
    return code, out, err


def test_exit_0_and_a_summary_when_the_pages_hold(capsys):
    code, out, err = docs(capsys, FIXTURES / "good" / "image.en.md")
    assert code == 0 and err == ""
    assert "examples: 7 run against reference (7 passed)" in out
    assert out.strip().splitlines()[-1].endswith(": OK")


def test_exit_1_with_file_line_example_and_reason(capsys):
    page = FIXTURES / "drift" / "formula-256.ja.md"
    code, out, _ = docs(capsys, page, "--no-run")
    assert code == 1
    line = next(x for x in out.splitlines() if " error " in x)
    assert line.startswith(f"{page}:51: error [formula] formula [norm.unit]: ")
    assert out.strip().splitlines()[-1].endswith(": FAILED")


def test_json_output_follows_its_schema(capsys, tmp_path):
    target = tmp_path / "report.json"
    code, out, _ = docs(capsys, FIXTURES / "good" / "image.en.md", FIXTURES / "drift" / "constant.ko.md",
                        "--format", "json", "--output", target)
    assert code == 1 and out == ""
    report = json.loads(target.read_text(encoding="utf-8"))
    jsonschema.validate(report, SCHEMA)
    assert report["ok"] is False and report["summary"]["errors"] >= 1
    assert {p["locale"] for p in report["pages"]} == {"en", "ko"}
    constant = next(f for f in report["findings"] if f["check"] == "constants")
    assert constant["file"].endswith("constant.ko.md") and constant["cases"] == ["limits-max-dimension-value"]
    example = next(b for p in report["pages"] for b in p["blocks"] if b["subject"] == "example-2")
    assert example["cases"] and example["status"] == "ok"


def test_json_of_a_passing_run_follows_its_schema(capsys):
    code, out, _ = docs(capsys, FIXTURES / "good" / "image.ja.md", "--format", "json", "--no-run")
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    assert code == 0 and report["ok"] and report["implementation"] == "(examples not run)"


@pytest.mark.parametrize("make, args, message", [
    (None, ["missing.md"], "missing.md: no such file or directory"),
    ("latin1", [], "not UTF-8"),
    ("good", ["--impl", "exec:/bin/true"], "exec: implementations cannot be used"),
    ("good", ["--impl", "no_such_module:Image"], "No module named 'no_such_module'"),
    ("good", ["--jobs", "0"], "--jobs must be at least 1"),
    ("good", ["--timeout", "0"], "--timeout must be positive"),
    ("good", ["--timeout", "nan"], "--timeout must be positive and finite, at most 86400 seconds, not nan"),
    ("good", ["--timeout", "inf"], "--timeout must be positive and finite"),
    ("good", ["--timeout=-inf"], "--timeout must be positive and finite"),
    ("good", ["--timeout", "1e308"], "--timeout must be positive and finite, at most 86400 seconds, not 1e+308"),
    ("good", ["--timeout", "-1"], "not -1"),
    ("good", ["--timeout", "86401"], "at most 86400 seconds"),
    ("good", ["--timeout", "ten"], "invalid float value: 'ten'"),
    ("good", ["--memory-limit", "0"], "--memory-limit must be between 64 and 16777216 MB, not 0"),
    ("good", ["--memory-limit", "-5"], "not -5"),
    ("good", ["--memory-limit", "1" + "0" * 30], "--memory-limit must be between"),
    ("good", ["--memory-limit", "1.5"], "invalid int value: '1.5'"),
    ("good", ["--memory-limit", "nan"], "invalid int value: 'nan'"),
    ("good", ["--format", "xml"], "invalid choice: 'xml'"),
])
def test_exit_2_with_one_line_on_usage_errors(capsys, tmp_path, make, args, message):
    files = []
    if make == "latin1":
        bad = tmp_path / "bad.md"
        bad.write_bytes(b"caf\xe9\n")
        files = [bad]
    elif make == "good":
        files = [FIXTURES / "good" / "image.en.md"]
    code, out, err = docs(capsys, *files, *args)
    assert code == 2 and out == ""
    assert message in one_line_error(err)


def test_no_files_is_a_usage_error(capsys):
    code = cli.main(["docs", "check"])
    _, err = capsys.readouterr()
    assert code == 2 and "the following arguments are required: PATH" in one_line_error(err)


UPSTREAM_PAGES = sorted(UPSTREAM.glob("image.*.md")) + sorted(UPSTREAM.glob("en/*.md"))
needs_upstream = pytest.mark.skipif(not (UPSTREAM / "en" / "image.en.md").exists(),
                                    reason="../shared/upstream-docs (with en/) is not beside the checkout")


@needs_upstream
def test_the_english_lazydocs_page_alone_passes_with_its_signature_checked(capsys):
    page = UPSTREAM / "en" / "image.en.md"
    code, out, _ = docs(capsys, page, "--format", "json", "--no-run")
    report = json.loads(out)
    assert code == 0, [f for f in report["findings"] if f["severity"] == "error"]
    (summary,) = report["pages"]
    assert (summary["doc"], summary["generator"]) == ("image", "lazydocs")
    signature = [b for b in summary["blocks"] if b["kind"] == "signature"]
    assert [(b["status"], b["clauses"]) for b in signature] == [("ok", ["api.signature"])]
    assert not [f for f in report["findings"] if f["check"] in ("page", "coverage", "signature")]


@needs_upstream
def test_the_upstream_pages_pass_against_the_reference(capsys):
    code, out, _ = docs(capsys, *UPSTREAM_PAGES, "--format", "json")
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    assert code == 0, [f for f in report["findings"] if f["severity"] == "error"]
    assert [p["locale"] for p in report["pages"]] == ["ja", "ko", "en"]
    assert {p["translation_key"] for p in report["pages"]} == {"ref-python-data-types-image"}
    assert report["summary"]["examples_run"] == 21 and {r["status"] for r in report["runs"]} == {"passed"}
    warnings = [(f["check"], Path(f["file"]).name, f["line"]) for f in report["findings"] if f["severity"] == "warning"]
    assert warnings == [("signature", "image.ja.md", 12), ("consistency", "image.ja.md", 12),
                        ("signature", "image.ko.md", 12)]
    (translation,) = [f for f in report["findings"] if f["check"] == "consistency" and f["severity"] == "warning"]
    assert [(Path(r["file"]).name, r["line"]) for r in translation["related"]] == [("image.en.md", 27),
                                                                                  ("image.ko.md", 12)]
    assert "list 8 parameters where" in translation["message"] and "lists 9; they lack normalize=True" in \
        translation["message"]
    notes = [(f["check"], f["subject"], Path(f["file"]).name) for f in report["findings"] if f["severity"] == "note"]
    assert sorted(notes) == [("claim", "example-2", "image.en.md"), ("claim", "example-2", "image.ja.md"),
                             ("claim", "example-2", "image.ko.md"), ("consistency", "class variables", "image.en.md"),
                             ("consistency", "methods", "image.en.md"), ("constants", "class variables", "image.en.md")]
