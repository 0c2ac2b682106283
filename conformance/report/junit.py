"""JUnit XML: one <testsuite>, one <testcase> per case, for CI dashboards.

How statuses map (the choice follows pytest's own --junitxml, so dashboards that already
show pytest runs show ours the same way):

- passed  -> a bare <testcase>
- failed  -> <failure type="failed">, xpassed -> <failure type="xpassed">
- error, timeout, crash -> <error type="error|timeout|crash">
- skipped -> <skipped type="skipped">
- xfailed -> <skipped type="xfailed" message="expected failure: REASON">. A known deviation
  is neither hidden among the passes nor counted as a failure; the suite's `skipped` count
  therefore includes xfailed cases.

The testcase's classname is `wbimage.` + its first clause, so dashboards group by clause.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import asdict

from wbimage_conformance.model import Result, RunReport, Status
from wbimage_conformance.report import summary
from wbimage_conformance.report.describe import describe, printable

SUITE_NAME = "wbimage-conformance"

_ELEMENT = {
    Status.FAILED: "failure",
    Status.XPASSED: "failure",
    Status.ERROR: "error",
    Status.TIMEOUT: "error",
    Status.CRASH: "error",
    Status.SKIPPED: "skipped",
    Status.XFAILED: "skipped",
}

# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    """Text XML can hold: each forbidden character becomes a visible \\xNN / \\uNNNN escape."""
    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _NOT_XML.sub(escape, printable(text))


def _seconds(value: float) -> str:
    return f"{value:.3f}" if math.isfinite(value) and value >= 0 else "0.000"


def counts(report: RunReport) -> dict[str, int]:
    """tests / failures / errors / skipped as the <testsuite> attributes give them."""
    totals = summary.totals(report)
    return {
        "tests": totals.total,
        "failures": totals[Status.FAILED] + totals[Status.XPASSED],
        "errors": totals[Status.ERROR] + totals[Status.TIMEOUT] + totals[Status.CRASH],
        "skipped": totals[Status.SKIPPED] + totals[Status.XFAILED],
    }


def _first_line(text: str) -> str:
    """The first line of `text`; "" for an empty text (or one that is only a line break)."""
    return next(iter(text.splitlines()), "")


def _message(result: Result) -> str:
    """The one-line summary that goes into the message attribute."""
    first = _first_line(result.message)
    if result.status is Status.XFAILED:
        return f"expected failure: {result.expectation_reason or first or 'no reason given'}"
    if result.status is Status.XPASSED:
        return f"passed although expected to fail: {result.expectation_reason or 'no reason given'}"
    if result.mismatches:
        more = len(result.mismatches) - 1
        line = _first_line(describe(result.mismatches[0])) or result.mismatches[0].field
        return line + (f" (and {more} more)" if more else "")
    return first or result.status.value


def _body(result: Result) -> str:
    case = result.case
    lines = [f"{result.status.value}: {case.id}: {case.title}", f"at {case.location}",
             f"clauses: {', '.join(case.clauses) or 'none'}"]
    if result.reproduction:
        lines.append(f"reproduce: {result.reproduction}")
    if result.message:
        lines.append(f"message: {result.message}")
    if result.expectation_reason:
        lines.append(f"expectation: {result.expectation_reason}")
    lines += [describe(m) for m in result.mismatches]
    return "\n".join(lines)


def _testcase(parent: ET.Element, result: Result) -> None:
    case = result.case
    element = ET.SubElement(parent, "testcase", {
        "classname": clean(f"wbimage.{summary.first_clause(result)}"),
        "name": clean(case.id),
        "time": _seconds(result.duration_s),
        "file": clean(case.file),
        "line": str(case.line),
    })
    tag = _ELEMENT.get(result.status)
    if tag is None:
        return
    child = ET.SubElement(element, tag, {"type": result.status.value, "message": clean(_message(result))})
    child.text = clean(_body(result))


def render(report: RunReport, *, color: bool = False) -> str:
    total_time = _seconds(sum(r.duration_s for r in report.results if math.isfinite(r.duration_s)))
    attrs = {k: str(v) for k, v in counts(report).items()}
    root = ET.Element("testsuites", {"name": SUITE_NAME, **attrs, "time": total_time})
    suite = ET.SubElement(root, "testsuite", {
        "name": clean(f"{SUITE_NAME}[{summary.implementation_label(report)}]"), **attrs, "time": total_time,
    })
    properties = ET.SubElement(suite, "properties")
    for name, value in asdict(report.environment).items():
        ET.SubElement(properties, "property", {"name": name, "value": clean("" if value is None else str(value))})
    for result in report.results:
        _testcase(suite, result)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
