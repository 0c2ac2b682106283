"""The shipped expectations files against the real releases they describe.

Opt-in, because it needs one virtualenv per release: set WBIMAGE_RELEASE_VENVS to a folder
holding them, named like the files (`wandb-0.28.2`, `wandb-0.19.8-pillow12`, ...) or like
the package (`trackio`, `swanlab`). `.ci/releases` makes `.venvs/wandb-0.28.2` and
`.venvs/wandb-0.31.0`; the maintainers' full set lives wherever they built it.

For each file with an interpreter: one raw run of the whole suite, then (1) with the file
every result is as expected, which is what makes `run --expectations` exit 0, and (2) every
entry's raw status is the failure it names, so without that entry the run has one more
unexpected result and exits 1. Together that is the property "removing any entry makes it
exit 1", checked without running the suite once per entry.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from wbimage_conformance.cases import casefiles as cases
from wbimage_conformance.model import RunReport, Status
from wbimage_conformance.run import expectations as expectation_files
from wbimage_conformance.run import runner

SHIPPED = sorted(expectation_files.SHIPPED_DIR.glob("*.yaml"))
VENVS = os.environ.get("WBIMAGE_RELEASE_VENVS")


def interpreter(path: Path) -> Path | None:
    if not VENVS:
        return None
    package = path.stem.split("-")[0]
    for name in (path.stem, package):
        candidate = Path(VENVS) / name / "bin" / "python"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_release_deviates_exactly_as_its_file_says(path):
    python = interpreter(path)
    if python is None:
        pytest.skip(f"no interpreter for {path.stem}: set WBIMAGE_RELEASE_VENVS to a folder with {path.stem}/bin/python"
                    if not VENVS else f"no {path.stem}/bin/python under {VENVS}")
    expected = expectation_files.load(path)
    case_set = cases.load_case_set(None)
    with runner.Session(f"{expected.implementation}@{python}", jobs=2, timeout=20) as session:
        raw = session.run(case_set.cases)
        environment = session.environment(case_set.digest)
    if environment.pillow != expected.environment.get("pillow"):
        pytest.skip(f"{python} has Pillow {environment.pillow}; {path.name} was measured with another")
    expectation_files.check(expected, [c.id for c in case_set.cases], environment)
    final = RunReport(None, tuple(expectation_files.apply(expected, raw)))  # type: ignore[arg-type]
    unexpected = [f"{r.case.id}: {r.status.value}: {r.message[:120]}" for r in final.results
                  if r.status not in (Status.PASSED, Status.XFAILED, Status.SKIPPED)]
    assert not unexpected, "\n".join(unexpected)
    statuses = {r.case.id: r.status for r in raw}
    for case_id, entry in expected.deviations.items():
        assert entry.status is not Status.SKIPPED
        assert statuses[case_id] is entry.status, f"{case_id}: without this entry the run would still pass"


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
