"""docs/findings.md's causes section is generated from the causes the shipped expectations
files record, and is current."""

from __future__ import annotations

from pathlib import Path

from wbimage_conformance.releases import findings
from wbimage_conformance.run import expectations as expectation_files

FINDINGS = Path(__file__).resolve().parents[1] / "docs" / "findings.md"


def test_the_causes_section_of_findings_is_current():
    text = FINDINGS.read_text(encoding="utf-8")
    assert findings.rewrite(text) == text, "regenerate: python -m wbimage_conformance.releases.findings docs/findings.md"


def test_every_cause_of_every_shipped_wandb_release_is_in_findings():
    text = FINDINGS.read_text(encoding="utf-8")
    for path in sorted(expectation_files.SHIPPED_DIR.glob("wandb-*.yaml")):
        for case_id, entry in expectation_files.load(path).deviations.items():
            cause = entry.reason.partition(": ")[0]
            assert " ".join(cause.replace("|", "\\|").split()) in text, f"{path.name}: {case_id}: {cause}"
