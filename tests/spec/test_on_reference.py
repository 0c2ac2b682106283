"""The whole shipped spec against the reference implementation, one test per case.

Runs the cases exactly as `wbimage-conformance run` does (a worker subprocess speaking the
protocol), so a case that fails here fails there, with the same message."""

from __future__ import annotations

import pytest

from wbimage_conformance.commands.pytest_plugin import failure_text
from wbimage_conformance.model import Status
from wbimage_conformance.run import runner

import shipped_cases

#: Parametrized by id: the cases are built when the first test runs, not while tests are listed.
CASE_IDS = list(shipped_cases.index())  # a broken case file fails collection, naming file, case and field


@pytest.fixture(scope="module")
def reference_session():
    with runner.Session("reference") as session:
        yield session


@pytest.mark.parametrize("case_id", CASE_IDS, ids=CASE_IDS)
def test_case_passes_on_reference(reference_session, case_id):
    result = reference_session.run_case(shipped_cases.case(case_id))
    if result.status is Status.SKIPPED:
        pytest.skip(result.message)
    assert result.status is Status.PASSED, failure_text(result)
