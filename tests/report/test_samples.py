"""The hand-built sample report (fixtures/report_samples.py) really has what the report tests
rely on: every status, and pixel mismatches of every kind."""

from __future__ import annotations

import numpy as np
from report_samples import sample_report

from wbimage_conformance.model import Status


def test_sample_covers_every_status():
    assert {r.status for r in sample_report().results} == set(Status)


def test_sample_has_the_mismatch_kinds_the_report_tests_rely_on():
    mismatches = [m for r in sample_report().results for m in r.mismatches]
    pixels = [m for m in mismatches if m.field == "pixels"]
    assert any(isinstance(m.expected, dict) for m in pixels)                       # digest only
    assert any(m.expected.shape != m.actual.shape for m in pixels if isinstance(m.expected, np.ndarray))
    assert any(m.field != "pixels" for m in mismatches)                            # metadata
