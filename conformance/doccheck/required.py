"""`docs check --require-module NAME`: an example stopped because NAME is not installed where
examples run is an error, not a note, so a check cannot pass without running it (the
pre-commit hooks require torch)."""

from __future__ import annotations

import re
from dataclasses import replace

from wbimage_conformance.doccheck.findings import DocsReport, Severity


def required_modules(report: DocsReport, names: list[str]) -> DocsReport:
    """The report with each example finding that a required module's absence caused made an
    error. Told by Python's own ModuleNotFoundError text, which the finding quotes."""
    if not names:
        return report
    missing = re.compile(r"No module named '(" + "|".join(map(re.escape, names)) + r")(?:\.[^']*)?'")
    findings = []
    for finding in report.findings:
        found = missing.search(finding.message) if finding.check == "example" else None
        if found and finding.severity is not Severity.ERROR:
            findings.append(replace(finding, severity=Severity.ERROR, message=(
                f"{finding.message} (--require-module {found.group(1)}: an example that cannot run is not a pass)")))
        else:
            findings.append(finding)
    return replace(report, findings=tuple(findings))
