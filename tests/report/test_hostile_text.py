"""Every report writer takes hostile text: whatever an implementation, a page or a saved report
puts in a message, an id, a title or a version, each format is written (no exception, the
previous file never lost), a terminal gets no control character or bidi override as itself,
Markdown and HTML get no markup from it, JSON reads back as written, JUnit stays XML."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from hypothesis import given
from report_samples import ENVIRONMENT, case

from wbimage_conformance import report as report_writers
from wbimage_conformance.commands import outputs
from wbimage_conformance.model import Mismatch, Result, RunReport, SavedCause, Status
from wbimage_conformance.report import badge, from_json, markdown
from wbimage_conformance.report.terminal import printable

from hostile_text import HOSTILE, TERMINAL_UNSAFE, hostile_strings

MARKUP = ("<img", "<script", "<!--")
LINK = re.compile(r"(?<!\\)\]\(javascript:")      # a link Markdown would make, not escaped text


def hostile_report(text: str) -> RunReport:
    """One unexpected result and one cause, `text` in every field that comes from outside."""
    failing = replace(case("norm-hostile", "norm.unit", text, 7), file=text)
    results = (
        Result(failing, Status.FAILED, mismatches=(Mismatch("pixels", [[1]], [[2]], {"note": text}, text),),
               message=text, reproduction_source=text, expectation_reason=text),
        Result(case("norm-fine", "norm.unit", "fine", 9), Status.ERROR, message=text),
    )
    environment = replace(ENVIRONMENT, implementation=text, implementation_version=text, platform=text, sandbox=text)
    cause = SavedCause(text or "x", text, text, ("norm.unit",), ("norm-hostile",))
    return RunReport(environment, results, saved_causes=(cause,))


def _without_code(md: str) -> str:
    """The Markdown a renderer reads as markup: code fences and code spans removed."""
    md = re.sub(r"(?ms)^(\s*)(`{3,})[^\n]*\n.*?\n\s*\2\s*$", "", md)
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", md)


@HOSTILE
@given(text=hostile_strings)
def test_every_format_is_written_and_stays_inert(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("reports")
    run = hostile_report(text)
    for fmt in report_writers.FORMATS:
        path = folder / f"report.{fmt}"
        report_writers.write(run, fmt, path)
        content = path.read_bytes().decode("utf-8")       # strict: every file is valid UTF-8
        if fmt == "text":
            assert not any(ch in content for ch in TERMINAL_UNSAFE)
        elif fmt == "json":
            assert from_json.load(path).results[0].message == text   # read back exactly as written
        elif fmt == "junit":
            ET.fromstring(content)
        elif fmt == "markdown":
            readable = _without_code(content)
            assert not any(marker in readable for marker in MARKUP) and not LINK.search(readable)
            assert not any(ch in content for ch in TERMINAL_UNSAFE if ch != "\r")
        elif fmt == "html":
            assert not any(marker in content for marker in ("<img src=x", "<script>alert", 'href="javascript:'))
    badge.write(run, folder / "badge.json")
    json.loads((folder / "badge.json").read_text(encoding="utf-8"))
    assert sorted(p.name for p in folder.iterdir()) == sorted([f"report.{f}" for f in report_writers.FORMATS]
                                                              + ["badge.json"])   # no temporary file left


@HOSTILE
@given(text=hostile_strings)
def test_the_terminal_and_the_step_summary_take_hostile_text(tmp_path_factory, text, capsys):
    summary = tmp_path_factory.mktemp("ci") / "summary.md"
    plan = outputs.Plan("text", (), None, str(summary))
    outputs.emit(hostile_report(text), plan)
    printed = capsys.readouterr()
    assert not any(ch in printed.out + printed.err for ch in TERMINAL_UNSAFE)
    summary.read_bytes().decode("utf-8")


def test_a_lone_surrogate_in_a_message_is_written_in_every_format(tmp_path):
    run = hostile_report("failed: \ud800 here")
    for fmt in report_writers.FORMATS:
        report_writers.write(run, fmt, tmp_path / f"r.{fmt}")
    assert "\\ud800" in (tmp_path / "r.text").read_text(encoding="utf-8")
    assert from_json.load(tmp_path / "r.json").results[0].message == "failed: \ud800 here"


def test_a_writer_that_fails_leaves_the_previous_report_in_place(tmp_path, monkeypatch):
    path = tmp_path / "run.json"
    report_writers.write(hostile_report("first"), "json", path)
    before = path.read_bytes()

    def broken(report, *, color=False):
        raise RuntimeError("renderer failed half-way")

    monkeypatch.setitem(report_writers._RENDERERS, "json", broken)
    with pytest.raises(RuntimeError):
        report_writers.write(hostile_report("second"), "json", path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]


@pytest.mark.parametrize("raw, shown", [
    ("\x1b]52;c;aGk=\x07", "\\x1b]52;c;aGk=\\x07"),       # OSC 52: a clipboard write
    ("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),                # clear the screen
    ("\x9b31m", "\\x9b31m"),                             # the one-byte CSI
    ("abc\u202edef", "abc\\u202edef"),                   # right-to-left override
    ("a\ud800b", "a\\ud800b"),                           # a lone surrogate
    ("keeps\nnewlines\tand tabs", "keeps\nnewlines\tand tabs"),
])
def test_printable_shows_what_would_act_on_a_terminal_as_escapes(raw, shown):
    assert printable(raw) == shown


def test_a_cause_id_with_markup_stays_inside_a_code_span_or_escaped():
    md = report_writers.render(hostile_report("<img src=x onerror=alert(1)>"), "markdown")
    assert "<img" not in _without_code(md)
    assert "`<img src=x onerror=alert(1)>`" in md
    assert markdown.inline_code("a`b<c>") == "a\\`b&lt;c&gt;"


def test_the_pytest_plugin_shows_a_failure_without_acting_on_the_terminal():
    from wbimage_conformance.commands.pytest_plugin import failure_text

    shown = failure_text(hostile_report("\x1b]52;c;aGk=\x07 \u202e").results[0])
    assert not any(ch in shown for ch in TERMINAL_UNSAFE) and "\\x1b]52;c;aGk=\\x07" in shown
