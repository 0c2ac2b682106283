"""One release run: the suite (or some of its cases) in the release's virtualenv, triaged, as a
saved run.

The worker runs under the release's own interpreter (`wandb@DIR/wandb-X/bin/python`), in the
sandbox `--sandbox` chooses, and reports the Python, NumPy, Pillow and torch it imported. The
raw statuses are kept (no expectations file applies: most releases have none), and triage
names the causes with the release rules of that version where they exist, else the generic
hypotheses; what neither explains has no cause in the record.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from wbimage_conformance.cases.casefiles import CaseSet
from wbimage_conformance.history import record
from wbimage_conformance.model import Case, Environment, Result
from wbimage_conformance.run import session

DEFAULT_TIMEOUT = 20.0


def impl_for(python: Path, package: str = "wandb") -> str:
    return f"{package}@{python}"


def run_cases(python: Path, cases: Sequence[Case], case_set_digest: str, *, jobs: int = 1,
              timeout: float = DEFAULT_TIMEOUT, sandbox_mode: str = "auto",
              package: str = "wandb") -> tuple[list[Result], Environment, record.SavedRun]:
    """The raw results of `cases` on the release behind `python` (kept: expectations are drafted
    from them), what its worker imported, and their triaged record."""
    outcome = run_raw(impl_for(python, package), cases, case_set_digest, jobs=jobs, timeout=timeout,
                      sandbox_mode=sandbox_mode)
    found = outcome.triage()
    saved = record.from_results(outcome.raw, outcome.environment,
                                [(g.id, g.title, g.clauses, g.explains) for g in found.causes])
    return list(outcome.raw), outcome.environment, saved


def run_raw(impl: str, cases: Sequence[Case], case_set_digest: str, *, jobs: int = 1,
            timeout: float = DEFAULT_TIMEOUT, sandbox_mode: str = "auto") -> session.Outcome:
    """`cases` (already chosen: none at all is a run of nothing, not a usage error) on any
    implementation `run` accepts, without expectations: raw results for saving and drafting."""
    return session.run_suite(session.Options(impl, case_set=CaseSet(tuple(cases), (), case_set_digest),
                                             jobs=jobs, timeout=timeout, sandbox=sandbox_mode, empty_ok=True))


def run_release(python: Path, cases: Sequence[Case], case_set_digest: str, *, jobs: int = 1,
                timeout: float = DEFAULT_TIMEOUT, sandbox_mode: str = "auto",
                package: str = "wandb") -> record.SavedRun:
    return run_cases(python, cases, case_set_digest, jobs=jobs, timeout=timeout, sandbox_mode=sandbox_mode,
                     package=package)[2]
