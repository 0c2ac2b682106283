"""`docs check` as JUnit XML, for CI dashboards: a <testsuite> per page, a <testcase> per
checked block (signature, formula, example, method, class-variable table), and one per check
for what a page's findings say outside its blocks (coverage, consistency, the page itself).

Each finding is in exactly one testcase: a page-wide check's in that check's testcase, any
other in the block whose lines it falls in (from the block's first line up to the next
block's), else in its check's testcase. Errors are <failure>s; warnings and notes are printed
in <system-out> and fail nothing, as they fail nothing on the command line. A block the
checker does not run (shell commands) with nothing to say is <skipped>.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from wbimage_conformance.doccheck import findings
from wbimage_conformance.report.junit import clean

SUITE_NAME = "wbimage-conformance docs check"
#: Checks about a whole page, never a block's.
PAGE_WIDE = ("coverage", "consistency")


def _line(f: findings.Finding) -> str:
    return f"{f.file}:{f.line}: {f.severity.value} [{f.check}] {f.subject}: {f.message}"


def _placed(page: findings.PageSummary, found: Sequence[findings.Finding],
            ) -> tuple[list[list[findings.Finding]], dict[str, list[findings.Finding]]]:
    """The page's findings per block (in block order) and, for the rest, per check."""
    per_block: list[list[findings.Finding]] = [[] for _ in page.blocks]
    per_check: dict[str, list[findings.Finding]] = {}
    starts = [b.line for b in page.blocks]
    for finding in found:
        index = max((i for i, start in enumerate(starts) if start <= finding.line), default=None)
        if finding.check in PAGE_WIDE or index is None:
            per_check.setdefault(finding.check, []).append(finding)
        else:
            per_block[index].append(finding)
    return per_block, per_check


def _testcase(suite: ET.Element, page: findings.PageSummary, name: str, line: int, found: Sequence[findings.Finding],
              seconds: float = 0.0, not_checked: bool = False) -> tuple[int, int]:
    """Adds the testcase; returns (failures, skipped) it counts for."""
    case = ET.SubElement(suite, "testcase", {"classname": clean(f"docs.{page.locale}.{page.path}"), "name": clean(name),
                                             "file": clean(page.path), "line": str(line), "time": f"{seconds:.3f}"})
    errors = [f for f in found if f.severity is findings.Severity.ERROR]
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        failure = ET.SubElement(case, "failure", {"type": errors[0].check, "message": clean(errors[0].message + more)})
        failure.text = clean("\n".join(_line(f) for f in errors))
    rest = [f for f in found if f.severity is not findings.Severity.ERROR]
    if rest:
        ET.SubElement(case, "system-out").text = clean("\n".join(_line(f) for f in rest))
    if not_checked and not found:
        ET.SubElement(case, "skipped", {"message": "not run (shell commands)"})
        return 0, 1
    return (1 if errors else 0), 0


def _suite(root: ET.Element, page: findings.PageSummary, report: findings.DocsReport) -> dict[str, int]:
    suite = ET.SubElement(root, "testsuite", {"name": clean(page.path)})
    properties = ET.SubElement(suite, "properties")
    for name, value in (("locale", page.locale), ("doc", page.doc or ""), ("generator", page.generator)):
        ET.SubElement(properties, "property", {"name": name, "value": clean(value)})
    found = [f for f in report.findings if f.file == page.path]
    per_block, per_check = _placed(page, found)
    run_time = {run.line: run.duration_s for run in report.runs if run.file == page.path}
    tests = failures = skipped = 0
    for block, inside in zip(page.blocks, per_block, strict=True):
        failed, skip = _testcase(suite, page, f"line {block.line}: {block.kind} {block.subject}", block.line, inside,
                                 run_time.get(block.line, 0.0), block.status == "not-checked")
        tests, failures, skipped = tests + 1, failures + failed, skipped + skip
    checks = sorted(per_check, key=lambda c: findings.CHECKS.index(c) if c in findings.CHECKS else len(findings.CHECKS))
    for check in checks:
        failed, _ = _testcase(suite, page, check, min(f.line for f in per_check[check]), per_check[check])
        tests, failures = tests + 1, failures + failed
    if tests == 0:
        _testcase(suite, page, "page", 1, ())
        tests = 1
    total_time = sum(float(c.get("time", 0)) for c in suite.iter("testcase"))
    counts = {"tests": tests, "failures": failures, "errors": 0, "skipped": skipped}
    suite.attrib.update({k: str(v) for k, v in counts.items()}, time=f"{total_time:.3f}")
    return counts


def render(report: findings.DocsReport) -> str:
    root = ET.Element("testsuites", {"name": SUITE_NAME})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for page in report.pages:
        for key, value in _suite(root, page, report).items():
            totals[key] += value
    root.attrib.update({k: str(v) for k, v in totals.items()}, time=f"{report.duration_s:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
