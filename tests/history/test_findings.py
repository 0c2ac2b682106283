"""docs/findings.md's causes section is generated from the causes the shipped expectations
files record, and is current."""

from __future__ import annotations

import re

from locations import DOCS

from wbimage_conformance.history import findings, record
from wbimage_conformance.history.timeline import History
from wbimage_conformance.run import expectations as expectation_files

from history_runs import MALFORMED, four_releases, make_run

FINDINGS = DOCS / "findings.md"
HISTORY = FINDINGS.parent / "history"


def test_the_causes_section_of_findings_is_current():
    text = FINDINGS.read_text(encoding="utf-8")
    history = History.of(record.load_folder(HISTORY))
    assert findings.rewrite(text, history=history) == text, \
        "regenerate: wbimage-conformance history --pages docs"


def test_every_finding_names_its_first_and_last_release():
    text = FINDINGS.read_text(encoding="utf-8")
    section = text.split(findings.BEGIN, 1)[1].split(findings.END, 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("| ")]
    column = lines[0].split(" | ").index("first - last release")
    assert len(lines) > 1
    for row in lines[1:]:
        span = row.split(" | ")[column]
        assert re.match(r"^\d+\.\d+\.\d+( - \d+\.\d+\.\d+)?( \(|$)", span), row[:120]


def test_every_cause_of_every_shipped_wandb_release_is_in_findings():
    text = FINDINGS.read_text(encoding="utf-8")
    for path in sorted(expectation_files.SHIPPED_DIR.glob("wandb-*.yaml")):
        for case_id, entry in expectation_files.load(path).deviations.items():
            cause = entry.reason.partition(": ")[0]
            assert " ".join(cause.replace("|", "\\|").split()) in text, f"{path.name}: {case_id}: {cause}"


def test_a_finding_names_the_releases_between_its_first_and_last_that_lack_it():
    history = History.of(four_releases())
    shown = findings.shown_by_cause(findings.releases_showing(history))
    finding = findings.Finding(MALFORMED[1], "boxes.box", {"0.1.0": 1})
    assert findings.history_span(shown, history, finding) == "0.1.0 - 0.4.0 (not in 0.3.0)"
    missing = findings.Finding("a cause only Pillow 12 shows", "mode.explicit", {"0.2.0 (Pillow 12)": 2, "0.1.0": 1})
    assert findings.history_span(shown, history, missing) == \
        "0.1.0 - 0.2.0 (Pillow 12) (measured releases; not in the history's runs (Pillow 13.0.0))"


def test_a_finding_is_found_by_the_words_before_a_colon_or_else_by_triage_id():
    cause = ("x", "there is no normalization since 0.29.0: a bare astype(uint8), so floats are truncated", ["norm.unit"])
    variant = ("y", "pixels are decoded again from the JPEG file written, so they carry its compression loss "
                    "(exactly a JPEG round trip of the spec's pixels)", ["file-type.encoding"])
    history = History.of([make_run("0.29.0", {"a": ("failed", "norm.unit", [0]), "b": ("failed", "mode.none", [1])},
                                   [cause, variant])])
    shown = findings.shown_by_cause(findings.releases_showing(history))
    words = findings.Finding("there is no normalization since 0.29.0", "norm.unit", {"0.29.0": 1})
    assert findings.history_span(shown, history, words) == "0.29.0"
    same_id = findings.Finding("pixels are decoded again from the JPEG file written, so they carry its compression loss",
                               "file-type.encoding", {"0.29.0": 1})
    assert findings.history_span(shown, history, same_id) == \
        "0.29.0 (as triage cause `pixels-are-decoded-again-from-the-jpeg-file-written-so-they`)"
