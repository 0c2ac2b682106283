"""Proof that the suite catches wrong implementations: every entry of the catalogue in
fixtures/wrong_implementations.py must fail at least one shipped case, with a reason.

Each mutant runs through the real runner (a worker subprocess, `MODULE:ATTR` adapter), the
same path `wbimage-conformance run --impl` takes. Cases run in file order and the test stops
at the first unexpected result, so a mutant that is caught early costs little.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fixtures.wrong_implementations import CATALOGUE

from wbimage_conformance.cases import casefiles as cases
from wbimage_conformance.model import Status
from wbimage_conformance.run import runner

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CASES = cases.load_case_set().cases
CAUGHT = {Status.FAILED, Status.ERROR, Status.CRASH, Status.TIMEOUT}


@pytest.fixture
def fixtures_on_worker_path(monkeypatch: pytest.MonkeyPatch) -> None:
    existing = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", str(FIXTURES) + (os.pathsep + existing if existing else ""))


@pytest.mark.parametrize("mutant", CATALOGUE, ids=[m.__name__ for m in CATALOGUE])
def test_suite_catches_wrong_implementation(mutant: type, fixtures_on_worker_path: None) -> None:
    # built on the reference, which a sandbox hides from every implementation but the reference
    with runner.Session(f"wrong_implementations:{mutant.__name__}", sandbox_mode="none") as session:
        for case in CASES:
            result = session.run_case(case)
            if result.status in CAUGHT:
                assert result.message, f"{case.id} failed {mutant.__name__} without saying why"
                return
    pytest.fail(f"no case catches {mutant.__name__}: {mutant.__doc__}")


def test_catalogue_names_the_clause_each_bug_breaks() -> None:
    for mutant in CATALOGUE:
        assert mutant.__doc__ and mutant.__doc__.startswith("["), mutant.__name__
