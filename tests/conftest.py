"""Shared setup: tests/fixtures (toy and deliberately wrong implementations, runner helpers)
and spec/tools (the case generator, a development tool that is not installed) are importable
by plain name in every test module.

And the `slow` marker, which `bash .ci/tests --quick` leaves out (`-m "not slow"`). It is set
here, from one table, rather than in each module, so that what the quick run leaves out, and
why, reads in one place. Modules that run every shipped case (the spec against the reference,
the wrong implementations against the spec) keep a sample in the quick run, so every zone of
the project is still exercised there; the full run (CI's) has everything.
"""

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for folder in (HERE / "fixtures", HERE.parent / "spec" / "tools"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

#: Test modules (or `module::test` prefixes) left out of the quick run, with why.
SLOW = {
    "test_packaging.py": "builds the sdist and the wheel and installs them into fresh venvs",
    "test_history_venvs.py": "makes virtual environments",
    "test_release_expectations.py": "runs the whole suite against each shipped release's stand-in",
    "test_mutation_tooling.py": "runs case selections against mutated copies of the reference",
    "test_fuzz_finds_bugs.py": "fuzzing campaigns against mutants",
}

#: Modules whose tests each run one shipped case or the whole suite: the quick run keeps the
#: first test of each group (a case file, a test function), every zone they reach still reached.
SAMPLED = {
    "test_spec_on_reference.py": lambda item: item.callspec.params["case"].file,
    "test_wrong_implementations.py": lambda item: item.originalname,
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    seen: set[tuple[str, str]] = set()
    for item in items:
        module = item.path.name
        reason = next((why for where, why in SLOW.items() if item.nodeid.split("/")[-1].startswith(where)), None)
        if reason is None and module in SAMPLED and hasattr(item, "callspec"):
            group = (module, SAMPLED[module](item))
            if group in seen:
                reason = "the quick run keeps one test of each group of this module"
            seen.add(group)
        if reason is not None:
            item.add_marker(pytest.mark.slow(reason=reason))
