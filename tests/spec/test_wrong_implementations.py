"""Proof that the suite catches wrong implementations, and that triage names what is wrong:
every entry of the catalogue in fixtures/wrong_implementations.py fails at least one shipped
case, each with a reason, and the top cause triage finds is the entry's own bug, in words,
explaining at least 80% of its unexpected results.

Each entry runs the whole suite once through the real runner (a worker subprocess,
`MODULE:ATTR` adapter), the same path `wbimage-conformance run --impl` takes.
"""

from __future__ import annotations

import os

import pytest
from locations import FIXTURES

from wbimage_conformance.model import Status
from wbimage_conformance.run import runner
from wbimage_conformance.triage import clauses, triage

import shipped_cases
from wrong_implementations import CATALOGUE, CAUSE

CAUGHT = {Status.FAILED, Status.ERROR, Status.CRASH, Status.TIMEOUT}


@pytest.fixture
def fixtures_on_worker_path(monkeypatch: pytest.MonkeyPatch) -> None:
    existing = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", str(FIXTURES) + (os.pathsep + existing if existing else ""))


@pytest.mark.parametrize("mutant", CATALOGUE, ids=[m.__name__ for m in CATALOGUE])
def test_suite_catches_the_bug_and_triage_names_it(mutant: type, fixtures_on_worker_path: None) -> None:
    # unsandboxed: the verdicts are tested here (test_sandbox_user_code runs such code under bwrap)
    case_set = shipped_cases.case_set()
    report = runner.run(case_set.cases, f"wrong_implementations:{mutant.__name__}", jobs=1,
                        case_set_digest=case_set.digest, sandbox_mode="none")
    bad = [r for r in report.results if r.status in CAUGHT]
    assert bad, f"no case catches {mutant.__name__}: {mutant.__doc__}"
    assert all(r.message for r in bad), f"{mutant.__name__}: a case failed without saying why"
    found = triage(report.results, report.environment)
    assert found.causes, f"{mutant.__name__}: no cause for {len(bad)} unexpected results"
    top = found.causes[0]
    assert top.id == CAUSE[mutant.__name__], f"{mutant.__name__}: top cause {top.id}: {top.title}"
    assert len(top.results) >= 0.8 * len(bad), f"{mutant.__name__}: {len(top.results)} of {len(bad)}"
    assert top.title and " " in top.title and top.hint, "the cause is named in words, with a hint"
    assert all(clauses.sentence(c) for c in top.clauses), "every clause broken has its sentence"


def test_catalogue_names_the_clause_and_the_cause_of_each_bug() -> None:
    for mutant in CATALOGUE:
        assert mutant.__doc__ and mutant.__doc__.startswith("["), mutant.__name__
    assert {m.__name__ for m in CATALOGUE} == set(CAUSE)
