"""The terminal report: readable as plain text, coloured only when asked."""

from __future__ import annotations

import io
import re

import pytest
from report_samples import NASTY, sample_report

from wbimage_conformance.report import render, write

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def plain() -> str:
    return render(sample_report(), "text")


def block(text: str, case_id: str) -> str:
    """The lines of one unexpected result's block, from its status line to the next blank line."""
    match = re.search(rf"^[A-Z]+ {re.escape(case_id)} .*?(?=\n\n)", text, re.M | re.S)
    assert match, f"no block for {case_id}"
    return match.group()


def test_header_records_every_environment_field(plain):
    head = plain.split("\nEnvironment\n")[1].split("\n\n")[0]
    for label, value in [("suite version", "0.1.0"), ("case set", "sha256:0123456789abcdef"),
                         ("implementation", "reference"), ("implementation version", "0.1.0"),
                         ("python", "3.11.9"), ("numpy", "2.4.0"), ("pillow", "13.0.0"),
                         ("torch", "not installed"), ("platform", "Linux-6.8-x86_64")]:
        assert re.search(rf"^  {label} +{re.escape(value)}", head, re.M), label


def test_summary_table_has_a_row_per_family_and_a_total(plain):
    header = next(line for line in plain.splitlines() if line.startswith("family"))
    assert header.split() == ["family", "total", "passed", "failed", "errors", "skipped",
                              "xfailed", "xpassed", "timeouts", "crashes"]
    rows = {line.split()[0]: line.split()[1:] for line in plain.splitlines()
            if line.split() and line.split()[0] in {"file-type", "input", "limits", "mode", "norm", "total"}}
    assert rows["input"] == ["5", "0", "1", "1", "2", "0", "0", "0", "1"]
    assert rows["total"] == ["15", "2", "6", "1", "2", "1", "1", "1", "1"]


def test_every_unexpected_result_is_listed_and_no_other(plain):
    listed = re.findall(r"^(FAILED|ERROR|XPASSED|TIMEOUT|CRASH|PASSED|SKIPPED|XFAILED) (\S+)", plain, re.M)
    assert listed == [
        ("FAILED", "norm-signed-zero"), ("FAILED", "norm-unit-rgb-grid"), ("FAILED", "mode-guess-big"),
        ("FAILED", "input-array-gray-stays-gray"), ("FAILED", "file-type-jpg"), ("FAILED", "to-uint8-float-nan"),
        ("ERROR", "input-weird-error"), ("XPASSED", "norm-bounds-top"), ("TIMEOUT", "limits-huge-loop"),
        ("CRASH", "input-path-segfault"),
    ]


def test_a_failure_shows_title_location_clauses_reproduction_and_pixel_statistics(plain):
    text = block(plain, "norm-signed-zero")
    assert "Signed floats: zero maps to 127" in text
    assert "at          spec/cases/norm.yaml:12" in text
    assert "clauses     norm.signed" in text
    assert "reproduce   import numpy as np, wandb; wandb.Image(np.array([[-1.0, 0.0, 1.0]], dtype=np.float32))" in text
    assert "pixels: 1 of 3 values differ; first at [0, 1]: expected 127, got 128; largest difference 1" in text


def test_statistics_are_computed_when_the_comparator_gave_none(plain):
    assert ("pixels: 2 of 60 values differ; first at [1, 2, 0]: expected 21, got 200; largest difference 179"
            in block(plain, "norm-unit-rgb-grid"))


def test_shape_digest_and_metadata_mismatches_are_explained(plain):
    assert "pixels: shape differs: expected (2, 3), got (2, 3, 3)" in block(plain, "input-array-gray-stays-gray")
    assert "mode: expected 'L', got 'RGB'" in block(plain, "input-array-gray-stays-gray")
    assert "known by digest only" in block(plain, "mode-guess-big")
    assert "format: expected 'jpg', got 'png'" in block(plain, "file-type-jpg")


def test_messages_and_expectations_are_shown(plain):
    assert f"message     {NASTY}" in block(plain, "input-weird-error")
    assert "expectation listed as failing in expectations/wandb.yaml" in block(plain, "norm-bounds-top")
    assert "no answer within 5.0 s" in block(plain, "limits-huge-loop")


def test_control_characters_from_an_implementation_cannot_reach_the_terminal(plain):
    assert "\x1b" not in plain and "\x00" not in plain
    assert "worker died: signal 11 (SIGSEGV)\\x00\\x1b[0m" in plain


def test_skip_reasons_are_grouped(plain):
    assert "  2 x torch is not installed" in plain


def test_ends_with_the_long_count_line_then_the_short_one(plain):
    last = plain.rstrip("\n").splitlines()
    assert last[-2] == "2 passed, 6 failed, 1 errors, 2 skipped, 1 xfailed, 1 xpassed, 1 timeouts, 1 crashes"
    assert last[-1] == "3 as expected, 10 unexpected, 2 skipped"
    assert re.fullmatch(r"\d+ as expected, \d+ unexpected, \d+ skipped", last[-1])


def test_no_colour_unless_asked(plain):
    assert not ANSI.search(plain)
    coloured = render(sample_report(), "text", color=True)
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured) == plain


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_default_colour_follows_the_stream_and_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    pipe, tty = io.StringIO(), FakeTerminal()
    write(sample_report(), "text", pipe)
    write(sample_report(), "text", tty)
    assert not ANSI.search(pipe.getvalue())
    assert ANSI.search(tty.getvalue())
    monkeypatch.setenv("NO_COLOR", "1")
    quiet = FakeTerminal()
    write(sample_report(), "text", quiet)
    assert not ANSI.search(quiet.getvalue())


def test_a_stream_that_cannot_encode_the_text_gets_escapes_instead_of_a_crash():
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    write(sample_report(), "text", stream)
    stream.detach()
    content = raw.getvalue().decode("ascii")
    assert "\\u6b63\\u898f\\u5316" in content  # 正規化
    assert content.rstrip().endswith("3 as expected, 10 unexpected, 2 skipped")


def test_a_failure_message_built_from_its_mismatches_is_not_printed_twice():
    from wbimage_conformance.model import Case, Mismatch, Result, Status
    from wbimage_conformance.report import summary
    from wbimage_conformance.run.compare import describe_mismatch

    case = Case("c-1", "t", ("norm.unit",), "required", {}, {"api": "Image"}, {"mode": "L"}, ())
    mismatch = Mismatch("mode", "L", "RGB")
    line = describe_mismatch(mismatch)
    repeated = Result(case, Status.FAILED, (mismatch,), message=line)
    assert summary.message_beyond_mismatches(repeated) == ""
    prefixed = Result(case, Status.FAILED, (mismatch,), message=f"none of the 2 allowed outcomes matched; {line}")
    assert summary.message_beyond_mismatches(prefixed) == "none of the 2 allowed outcomes matched"
    plain = Result(case, Status.ERROR, (), message="raised KeyError: 'x'")
    assert summary.message_beyond_mismatches(plain) == "raised KeyError: 'x'"
