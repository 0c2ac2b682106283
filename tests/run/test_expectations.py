"""Expectations files: strict matching, version ranges, and writing them from a run."""

from __future__ import annotations

import pytest
import yaml

from wbimage_conformance.cases import fingerprints
from wbimage_conformance.model import Case, Environment, Result, Status
from wbimage_conformance.run import expectations as ex


def make_case(case_id="cc"):
    return Case(id=case_id, title="t", clauses=("norm.disabled",), level="required", input={}, call={}, expect={}, allowed=())


def result(status, case_id="cc", message="pixels: 2 of 2 values differ"):
    return Result(case=make_case(case_id), status=status, message=message)


def parsed(deviations, implementation="wandb", versions=">=0.20.1,<0.29"):
    return ex.parse({"implementation": implementation, "versions": versions, "deviations": deviations}, "exp.yaml")


def env(implementation="wandb", version="0.25.0", numpy="2.4.6", pillow="13.0.0", torch="2.13.0+cpu"):
    return Environment("0.1.0", "sha256:0", implementation, version, "3.11.7", numpy, pillow, torch, "Linux")


FAILS = {"cc": {"status": "failed", "reason": "normalize=False wraps", "clause": "norm.disabled"}}


def test_listed_and_failing_as_said_is_xfailed():
    final = ex.apply_one(parsed(FAILS), result(Status.FAILED))
    assert final.status is Status.XFAILED
    assert final.expectation_reason == "normalize=False wraps"


def test_listed_but_passing_is_xpassed():
    final = ex.apply_one(parsed(FAILS), result(Status.PASSED, message=""))
    assert final.status is Status.XPASSED
    assert "expectations say failed" in final.message


def test_listed_with_another_bad_status_stays_unexpected():
    final = ex.apply_one(parsed(FAILS), result(Status.CRASH, message="the worker exited with code 3"))
    assert final.status is Status.CRASH
    assert final.message.startswith("crash, but the expectations say failed")


def test_unlisted_results_are_unchanged():
    raw = result(Status.FAILED, case_id="other")
    assert ex.apply_one(parsed(FAILS), raw) is raw
    assert ex.apply_one(None, raw) is raw


@pytest.mark.parametrize("status", ["error", "crash", "timeout"])
def test_every_bad_status_can_be_expected(status):
    final = ex.apply_one(parsed({"cc": {"status": status, "reason": "r"}}), result(Status(status)))
    assert final.status is Status.XFAILED


def test_expected_skip_stays_skipped():
    final = ex.apply_one(parsed({"cc": {"status": "skipped", "reason": "no torch"}}), result(Status.SKIPPED))
    assert final.status is Status.SKIPPED


def test_check_accepts_a_fitting_file():
    assert ex.check(parsed(FAILS), ["cc", "dd"], env()) == []


def test_entry_naming_no_case_is_an_error():
    with pytest.raises(ex.ExpectationsError, match="do not exist: cc"):
        ex.check(parsed(FAILS), ["dd"], env())


def test_version_outside_the_range_is_an_error():
    with pytest.raises(ex.ExpectationsError, match="do not include wandb 0.29.0"):
        ex.check(parsed(FAILS), ["cc"], env(version="0.29.0"))


def test_unknown_version_with_a_range_is_an_error():
    with pytest.raises(ex.ExpectationsError, match="reports no version"):
        ex.check(parsed(FAILS), ["cc"], env(version=None))


def test_other_implementation_is_an_error():
    with pytest.raises(ex.ExpectationsError, match="written for implementation 'wandb'"):
        ex.check(parsed(FAILS), ["cc"], env("reference", "0.1.0"))


# Unknown keys and PEP 440 values are worded as in every stored file and setting (stored/schemas.py):
# the unknown key is the field named, and a version is a format the schema asserts.
@pytest.mark.parametrize("data, message", [
    ([], "is not of type 'object'"),
    ({"deviations": {}}, "implementation: 'implementation' is a required property"),
    ({"implementation": "w", "extra": 1}, "extra: unknown key; known keys: implementation, versions, environment"),
    ({"implementation": "w", "versions": 0.2}, "versions: 0.2 is not of type"),
    ({"implementation": "w", "versions": "about 0.2"}, r"versions: 'about 0.2' is not a PEP 440 version range"),
    ({"implementation": "w", "deviations": {"cc": {"status": "passed", "reason": "r"}}}, r"deviations.cc.status: 'passed' is not one of \['failed'"),
    ({"implementation": "w", "deviations": {"cc": {"status": "failed"}}}, "needs a sentence"),
    ({"implementation": "w", "deviations": {"cc": {"status": "failed", "reason": "r", "why": 1}}},
     "deviations.cc.why: unknown key; known keys: status, reason, clause"),
    ({"implementation": "w", "versions": ">=1", "deviations": {"cc": {"status": "x", "reason": ""}}, "more": 1},
     r"deviations.cc.status: .* \(and 2 more problem\(s\)\)"),
])
def test_malformed_files_are_errors(data, message):
    with pytest.raises(ex.ExpectationsError, match=message):
        ex.parse(data, "exp.yaml")


def test_shipped_files_are_found_by_name(tmp_path, monkeypatch):
    monkeypatch.setattr(ex, "SHIPPED_DIR", tmp_path)
    (tmp_path / "toy-1.0.yaml").write_text(yaml.safe_dump({"implementation": "toy", "deviations": {}}))
    assert ex.load("toy-1.0").implementation == "toy"
    with pytest.raises(ex.ExpectationsError, match="cannot read"):
        ex.load("toy-2.0")


def test_every_shipped_file_is_well_formed():
    for path in sorted(ex.SHIPPED_DIR.glob("*.yaml")):
        ex.load(path)


def test_load_reads_yaml(tmp_path):
    path = tmp_path / "wandb.yaml"
    path.write_text(yaml.safe_dump({"implementation": "wandb", "versions": ">=0.20.1,<0.29", "deviations": FAILS}))
    loaded = ex.load(path)
    assert loaded.deviations["cc"] == ex.Deviation(Status.FAILED, "normalize=False wraps", "norm.disabled")
    assert loaded.path == str(path)
    path.write_text("implementation: [unclosed\n")
    with pytest.raises(ex.ExpectationsError, match="not valid YAML"):
        ex.load(path)


@pytest.mark.parametrize("version, spec, inside", [
    ("0.20.1", ">=0.20.1,<0.29", True),
    ("0.20.0", ">=0.20.1,<0.29", False),
    ("0.28.17", ">=0.20.1,<0.29", True),
    ("0.29.0", ">=0.20.1,<0.29", False),
    ("0.29.0rc1", "<0.29", False),     # PEP 440: < excludes pre-releases of the bound itself
    ("0.28.3rc1", "<0.29", True),      # ... but not pre-releases inside the range
    ("0.28.2.post1", ">0.28.2", False),  # PEP 440: > excludes post-releases of the bound
    ("0.28.3", ">0.28.2", True),
    ("0.19.8", "==0.19.*", True),
    ("0.20.0", "!=0.20.0", False),
    ("0.19.9", "~=0.19.0", True),
    ("0.20.0", "~=0.19.0", False),
    ("1.0.post1", ">1.0", False),
    ("1.0.post1", ">=1.0", True),
    ("1.0.dev1", "<1.0a1", True),
    ("2.13.0+cpu", "==2.13", True),
])
def test_version_ranges_follow_pep_440(version, spec, inside):
    assert ex.version_in_range(version, spec) is inside


def test_a_version_pep_440_cannot_read_is_in_no_range():
    assert ex.version_in_range("nightly", ">=0") is False


ENVIRONMENT = {"numpy": "2.4.6", "pillow": "12.3.0", "torch": "2.13.0+cpu"}


def drafted(**environment):
    return ex.parse({"implementation": "wandb", "versions": ">=0.20", "environment": {**ENVIRONMENT, **environment},
                     "deviations": FAILS}, "exp.yaml")


def test_same_major_versions_fit_without_a_word():
    assert ex.check(drafted(), ["cc"], env(pillow="12.0.1", numpy="2.3.0", torch="2.14.1")) == []


def test_another_pillow_major_is_an_error_naming_both():
    with pytest.raises(ex.ExpectationsError, match=r"drafted under Pillow 12\.3\.0, but the worker has Pillow 13\.0\.0"):
        ex.check(drafted(), ["cc"], env(pillow="13.0.0"))


def test_another_numpy_major_is_an_error():
    with pytest.raises(ex.ExpectationsError, match=r"NumPy 2\.4\.6, but the worker has NumPy 1\.26\.4"):
        ex.check(drafted(), ["cc"], env(numpy="1.26.4"))


def test_missing_torch_only_warns_that_tensor_cases_go_unchecked():
    warnings = ex.check(drafted(), ["cc"], env(pillow="12.3.0", torch=None))
    assert len(warnings) == 1 and "no torch" in warnings[0] and "tensor cases are skipped" in warnings[0]


def test_torch_where_the_file_was_drafted_without_it_is_an_error():
    with pytest.raises(ex.ExpectationsError, match="drafted without torch, but the worker has torch 2.13.0"):
        ex.check(drafted(torch=None), ["cc"], env(pillow="12.3.0"))


def test_a_file_without_environment_is_not_checked_for_it():
    assert ex.check(parsed(FAILS), ["cc"], env(pillow="9.0.0", numpy="1.0", torch=None)) == []


@pytest.mark.parametrize("environment, message", [
    ("pillow 12", "environment: 'pillow 12' is not of type"),
    ({"pillow": "12", "scipy": "1.0"}, r"environment.scipy: unknown key; known keys: numpy, pillow, torch"),
    ({"pillow": "twelve"}, "environment.pillow: 'twelve' is not a PEP 440 version"),
    ({"numpy": 2.0, "torch": float("nan")}, r"environment.torch: nan is not of type 'string', 'number', 'null'"),
])
def test_malformed_environment_is_an_error(environment, message):
    with pytest.raises(ex.ExpectationsError, match=message):
        ex.parse({"implementation": "w", "environment": environment}, "exp.yaml")


def test_load_errors_name_the_line(tmp_path):
    path = tmp_path / "wandb.yaml"
    path.write_text("implementation: wandb\nversions: ==0.25\ndeviations:\n  cc:\n    reason: r\n    status: passed\n")
    with pytest.raises(ex.ExpectationsError, match=rf"{path}:6: deviations.cc.status: 'passed' is not one of"):
        ex.load(path)
    path.write_text("implementation: wandb\nimplementation: trackio\n")
    with pytest.raises(ex.ExpectationsError, match=rf"{path}:2: key 'implementation' appears twice"):
        ex.load(path)


def test_written_file_makes_the_run_expected_and_keeps_reasons(tmp_path):
    raw = [result(Status.FAILED, "cc"), result(Status.PASSED, "dd", ""), result(Status.CRASH, "ee", "killed by SIGSEGV"),
           result(Status.SKIPPED, "ff", "torch not installed")]
    previous = parsed({"cc": {"status": "error", "reason": "kept reason"}, "dd": {"status": "failed", "reason": "fixed"}})
    updated = ex.from_results(raw, env(), previous)
    assert set(updated.deviations) == {"cc", "ee"}
    kept = updated.deviations["cc"]
    assert (kept.status, kept.reason, kept.clause) == (Status.FAILED, "kept reason", "norm.disabled")
    assert kept.fingerprint == fingerprints.fingerprint(raw[0].case)  # the case as this run measured it
    assert updated.deviations["ee"].reason == "killed by SIGSEGV"
    assert updated.versions == ">=0.20.1,<0.29"
    assert updated.environment == {"numpy": "2.4.6", "pillow": "13.0.0", "torch": "2.13.0+cpu"}
    path = tmp_path / "out.yaml"
    ex.write(updated, path)
    again = ex.load(path)
    assert again.deviations == updated.deviations
    assert again.environment == updated.environment
    assert [r.status for r in ex.apply(again, raw)] == [Status.XFAILED, Status.PASSED, Status.XFAILED, Status.SKIPPED]


def test_entries_for_cases_not_run_are_kept():
    previous = parsed({"zz": {"status": "crash", "reason": "not run this time"}})
    updated = ex.from_results([result(Status.FAILED, "cc")], env(), previous)
    assert list(updated.deviations) == ["zz", "cc"]


def test_new_file_pins_the_version():
    assert ex.from_results([], env()).versions == "==0.25.0"
