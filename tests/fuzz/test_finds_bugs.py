"""Fuzzing finds what the hand-written and generated cases miss: for each mutant in
fixtures/fuzz_mutants.py, the shipped suite without the cases fuzzing found
(spec/cases/fuzz-found.yaml) passes it; `fuzz` with a fixed seed finds a disagreement with
the reference, shrinks it to a tiny input, and writes a case that validates against the
schema, fails on the mutant and passes on the reference; the cases kept from such searches in
fuzz-found.yaml catch the mutant, so the shipped suite as a whole does. Plus: the same seed
writes the same files, and a disagreement the spec leaves open is reported without a case.

The searches use tight strategies (one kind, one or two dtypes, no keywords) and share
running workers, so the whole module stays within a few seconds of search time.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import strategies as st
from locations import FIXTURES

from wbimage_conformance.cases import casefiles as cases
from wbimage_conformance.fuzz import differential as fuzz
from wbimage_conformance.fuzz import strategies
from wbimage_conformance.model import Status
from wbimage_conformance.run import runner

SEED = 0
ID_PATTERN = re.compile(r"^fuzz-[a-z0-9-]+-[0-9a-f]{10}$")


@pytest.fixture(scope="module", autouse=True)
def mutants_importable():
    with pytest.MonkeyPatch.context() as patch:
        existing = os.environ.get("PYTHONPATH")
        patch.setenv("PYTHONPATH", str(FIXTURES) + (os.pathsep + existing if existing else ""))
        yield


def whole_floats_search() -> st.SearchStrategy:
    """2-D float arrays of boundary values only (0, +-1, 255, their neighbours, 2**63, the
    largest finite values, ...): where whole-number images with huge values are common."""
    return strategies.image_calls(
        kinds=("numpy",), dtypes=("float32", "float64"), channels=(None,),
        elements=lambda dtype, regime: st.sampled_from(strategies.boundary_values(dtype)),
        kwargs=st.just({}),
    )


def half_tensor_search() -> st.SearchStrategy:
    """float16 tensors in the signed regime: values of [-1, 1] with the (2k - 255)/255 grid."""
    return strategies.image_calls(kinds=("tensor",), dtypes=("float16",), regimes=("signed",), kwargs=st.just({}))


@pytest.fixture(scope="module")
def sessions(mutants_importable):
    """One running worker per implementation, shared by every test of the module."""
    opened: dict[str, runner.Session] = {}

    def get(name: str) -> runner.Session:
        if name not in opened:
            # unsandboxed: the verdicts are tested here (test_sandbox_user_code runs such code under bwrap)
            opened[name] = runner.Session(name, sandbox_mode="none").__enter__()
        return opened[name]

    yield get
    for session in opened.values():
        session.close()


MUTANTS = {
    "WholeFloatsThroughInt64": (whole_floats_search, 60),
    "HalfTensorsInFloat32": (half_tensor_search, 60),
}


def impl_name(mutant: str) -> str:
    return f"fuzz_mutants:{mutant}"


@pytest.fixture(scope="module")
def searches(tmp_path_factory, sessions) -> dict[str, tuple[fuzz.FuzzReport, Path]]:
    done = {}
    for mutant, (search, budget) in MUTANTS.items():
        out = tmp_path_factory.mktemp(mutant)
        report = fuzz.run(sessions(impl_name(mutant)), sessions("reference"), max_examples=budget, seed=SEED,
                          strategy=search(), write_cases=out)
        done[mutant] = (report, out)
    return done


FUZZ_FOUND = "fuzz-found.yaml"


def shipped_without_fuzz_found() -> list:
    return [c for c in cases.load_case_set().cases if Path(c.file).name != FUZZ_FOUND]


@pytest.mark.parametrize("mutant", MUTANTS)
def test_the_cases_before_fuzzing_do_not_catch_the_mutant(mutant, sessions):
    results = sessions(impl_name(mutant)).run(shipped_without_fuzz_found())
    unexpected = [(r.case.id, r.status.value, r.message) for r in results if r.status not in (Status.PASSED, Status.SKIPPED)]
    assert unexpected == [], f"a case outside {FUZZ_FOUND} now catches {mutant}; the fuzz tests need a bug it misses"
    assert sum(r.status is Status.PASSED for r in results) > 500


@pytest.mark.parametrize("mutant", MUTANTS)
def test_the_cases_kept_from_fuzzing_catch_the_mutant(mutant, sessions):
    kept = [c for c in cases.load_case_set().cases if Path(c.file).name == FUZZ_FOUND]
    results = sessions(impl_name(mutant)).run(kept)
    assert [r for r in results if r.status is Status.FAILED], f"no case of {FUZZ_FOUND} catches {mutant}"


@pytest.mark.parametrize("mutant", MUTANTS)
def test_fuzz_finds_and_shrinks_a_disagreement(mutant, searches):
    report, _ = searches[mutant]
    assert not report.ok
    (finding,) = report.findings
    disagreement = finding.disagreement
    assert disagreement.fields == ("pixels",)
    values = np.asarray(disagreement.example.input["value"], dtype=object)
    assert values.size <= 2, "shrunk to one or two values out of up to nine"
    assert disagreement.impl_outcome != disagreement.against_outcome


@pytest.mark.parametrize("mutant", MUTANTS)
def test_the_written_case_is_valid_and_names_its_clause(mutant, searches):
    report, out = searches[mutant]
    (finding,) = report.findings
    (path,) = sorted(out.glob("*.yaml"))
    assert finding.path == path and path.name == f"{finding.case_id}.yaml"
    (case,) = cases.load_file(path, frozenset(c.id for c in cases.load_clauses()))  # schema-checked
    assert ID_PATTERN.match(case.id)
    assert case.level == "required" and "fuzz" in case.tags
    branch = {"WholeFloatsThroughInt64": "norm.other", "HalfTensorsInFloat32": "norm.signed"}[mutant]
    assert case.clauses[0] == branch and case.id.startswith("fuzz-" + branch.replace(".", "-") + "-")
    assert case.input == finding.disagreement.example.input
    assert f"wrote {path}" in fuzz.format_report(report)


@pytest.mark.parametrize("mutant", MUTANTS)
def test_the_written_case_fails_the_mutant_and_passes_the_reference(mutant, searches, sessions):
    _, out = searches[mutant]
    written = cases.load_case_set([out]).cases
    (on_mutant,) = sessions(impl_name(mutant)).run(written)
    (on_reference,) = sessions("reference").run(written)
    assert on_mutant.status is Status.FAILED, on_mutant.message
    assert "pixels" in on_mutant.message
    assert on_reference.status is Status.PASSED, on_reference.message


def test_expected_pixels_come_from_the_oracle_not_an_implementation(searches):
    from wbimage_conformance import oracle
    from wbimage_conformance.cases.materialize import materialize

    report, out = searches["WholeFloatsThroughInt64"]
    (case,) = cases.load_case_set([out]).cases
    data = materialize(case).input["array"]
    assert float(data.max()) >= 2.0**63  # the band the mutant gets wrong
    assert np.asarray(case.expect["pixels"]).tolist() == oracle.image(data, "numpy").pixels.tolist()
    text = out.joinpath(f"{case.id}.yaml").read_text(encoding="utf-8")
    assert "wbimage_conformance.oracle" in text and "--seed 0" in text


def test_the_same_seed_writes_the_same_files(searches, tmp_path):
    first_report, first = searches["WholeFloatsThroughInt64"]
    # Fresh workers this time: nothing carried over from the first run.
    again = fuzz.run(impl_name("WholeFloatsThroughInt64"), max_examples=60, seed=SEED,
                     strategy=whole_floats_search(), write_cases=tmp_path, sandbox_mode="none")
    names = sorted(p.name for p in first.glob("*.yaml"))
    assert names == sorted(p.name for p in tmp_path.glob("*.yaml"))
    for name in names:
        assert (first / name).read_bytes() == (tmp_path / name).read_bytes()
    assert again.calls == first_report.calls
    assert [f.disagreement.example for f in again.findings] == [f.disagreement.example for f in first_report.findings]


def test_an_implementation_defined_disagreement_gets_no_case(tmp_path, sessions):
    example = strategies.ImageCall({"kind": "numpy", "dtype": "uint8", "value": [[7]]}, {"mode": "P"})
    report = fuzz.run(impl_name("OtherPilModes"), sessions("reference"), max_examples=5, seed=SEED,
                      strategy=st.just(example), write_cases=tmp_path, sandbox_mode="none")
    (finding,) = report.findings
    assert finding.disagreement.fields == ("error",)
    assert finding.case_id is None and finding.path is None
    assert "implementation-defined" in finding.not_written
    assert list(tmp_path.iterdir()) == []
    assert "no case written: the oracle cannot express the expectation" in fuzz.format_report(report)


def test_identical_implementations_do_not_disagree(sessions):
    report = fuzz.run("reference", sessions("reference"), max_examples=40, seed=SEED,
                      strategy=strategies.image_calls(kinds=("numpy",)))
    assert report.ok and report.calls == 40
    assert "no disagreement found" in fuzz.format_report(report)
