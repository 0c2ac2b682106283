"""Every verdict the runner can give, each produced by a small implementation that earns it.

The implementations are in fixtures/toy_impls.py and run in worker subprocesses, exactly as
a user's implementation would."""

from __future__ import annotations

import sys

import pytest

from wbimage_conformance.cases import casefiles as cases
from wbimage_conformance.model import Status
from wbimage_conformance.run import runner

import runner_support as support


@pytest.fixture(autouse=True)
def _fixtures_importable(monkeypatch):
    support.use_fixtures_path(monkeypatch)


def run_one(tmp_path, impl, case_data, **options):
    path = support.write_cases(tmp_path, [case_data])
    report = runner.run(cases.load_cases([path]), support.toy(impl) if ":" not in impl else impl, **options)
    (result,) = report.results
    return result


def test_passed_when_every_field_matches(tmp_path):
    result = run_one(tmp_path, "ToyImage", support.case("unit"))
    assert result.status is Status.PASSED, result.message
    assert result.mismatches == ()


def test_failed_when_pixels_differ_and_mismatch_says_where(tmp_path):
    result = run_one(tmp_path, "RoundingImage", support.case("unit"))
    assert result.status is Status.FAILED
    (mismatch,) = result.mismatches
    assert mismatch.field == "pixels"
    assert mismatch.detail["differing"] == 1
    assert mismatch.detail["first_index"] == [0, 1]
    assert (mismatch.detail["expected_at_first"], mismatch.detail["actual_at_first"]) == (76, 77)
    assert mismatch.detail["max_abs_diff"] == 1
    assert "first at (0, 1): expected 76, got 77" in result.message


def test_failure_carries_reproduction_and_location(tmp_path):
    result = run_one(tmp_path, "RoundingImage", support.case("unit", kwargs={"caption": "c"}))
    assert result.reproduction == (
        "toy_impls.RoundingImage(np.array([[0.2, 0.3]], dtype=np.float32), caption='c')"
    )
    assert result.case.location.endswith("cases.yaml:3")


def test_error_when_it_raises_where_a_result_is_expected(tmp_path):
    result = run_one(tmp_path, "ToyImage", support.case("unsupported", kwargs={"file_type": "gif"}))
    assert result.status is Status.ERROR
    assert result.message.startswith("raised ValueError: file_type 'gif'")


def test_failed_when_it_raises_the_wrong_exception(tmp_path):
    expect = {"error": {"type": "ValueError", "match": "file_type"}}
    result = run_one(tmp_path, "WrongExceptionImage", support.case("gif", kwargs={"file_type": "gif"}, expect=expect))
    assert result.status is Status.FAILED
    assert [m.field for m in result.mismatches] == ["error.type"]
    assert result.mismatches[0].actual == "RuntimeError"


def test_passed_when_the_expected_exception_is_raised(tmp_path):
    expect = {"error": {"type": "ValueError", "match": "file_type 'gif'"}}
    result = run_one(tmp_path, "ToyImage", support.case("gif", kwargs={"file_type": "gif"}, expect=expect))
    assert result.status is Status.PASSED, result.message


def test_skipped_when_torch_cannot_be_imported(tmp_path, monkeypatch):
    blocker = tmp_path / "no_torch"
    (blocker / "torch").mkdir(parents=True)
    (blocker / "torch" / "__init__.py").write_text("raise ImportError('blocked for the test')\n")
    monkeypatch.setenv("PYTHONPATH", f"{blocker}:{support.FIXTURES}")
    data = support.case("tensor", [[[0.2, 0.3]]])
    data["input"]["kind"] = "tensor"
    result = run_one(tmp_path, "ToyImage", data)
    assert result.status is Status.SKIPPED
    assert result.message == "torch not installed"


def test_skipped_when_the_implementation_lacks_the_input_kind(tmp_path):
    data = support.case("tensor", [[[0.2, 0.3]]])
    data["input"]["kind"] = "tensor"
    result = run_one(tmp_path, support.exec_impl(), data)
    assert result.status is Status.SKIPPED
    assert "does not accept tensor inputs" in result.message


def test_timeout_when_it_hangs_and_the_next_case_runs_on_a_fresh_worker(tmp_path):
    path = support.write_cases(tmp_path, [support.case("hang", kwargs={"caption": "hang"}), support.case("after")])
    report = runner.run(cases.load_cases([path]), support.toy("Chaos"), timeout=2)
    hang, after = report.results
    assert hang.status is Status.TIMEOUT
    assert "no answer within 2 s" in hang.message
    assert after.status is Status.PASSED


@pytest.mark.parametrize("impl, how", [
    ("ExitingImage", "exited with code 3"),
    ("SegfaultingImage", "killed by SIGSEGV"),
])
def test_crash_when_the_worker_dies(tmp_path, impl, how):
    result = run_one(tmp_path, impl, support.case("dies"))
    assert result.status is Status.CRASH
    assert how in result.message


def test_crash_on_memory_error(tmp_path):
    result = run_one(tmp_path, "MemoryErrorImage", support.case("oom"))
    assert result.status is Status.CRASH
    assert "out of memory" in result.message


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="--memory-limit uses prlimit (Linux)")
def test_memory_limit_turns_a_blow_up_into_a_crash(tmp_path):
    path = support.write_cases(tmp_path, [support.case("blow-up", kwargs={"caption": "alloc"}), support.case("after")])
    report = runner.run(cases.load_cases([path]), support.toy("Chaos"), memory_limit=1 << 30)
    blow_up, after = report.results
    assert blow_up.status is Status.CRASH
    assert after.status is Status.PASSED


def test_another_interpreter_by_path(tmp_path):
    result = run_one(tmp_path, f"toy_impls:ToyImage@{sys.executable}", support.case("unit"))
    assert result.status is Status.PASSED


def test_run_goes_on_after_crashes(tmp_path):
    captions = ["exit", "ok", "segv", "ok", "oom", "ok"]
    path = support.write_cases(tmp_path, [support.case(f"c{i}", kwargs={"caption": c}) for i, c in enumerate(captions)])
    report = runner.run(cases.load_cases([path]), support.toy("Chaos"))
    assert [r.status for r in report.results] == [Status.CRASH, Status.PASSED] * 3


def test_mutating_the_input_fails_on_field_input(tmp_path):
    result = run_one(tmp_path, "MutatingImage", support.case("mutates"))
    assert result.status is Status.FAILED
    assert "input" in [m.field for m in result.mismatches]
    assert "ndarray values changed" in result.mismatches[-1].detail["change"]


def test_read_only_input_cannot_be_mutated_and_passes(tmp_path):
    data = support.case("readonly")
    data["input"]["readonly"] = True
    assert run_one(tmp_path, "MutatingImage", data).status is Status.PASSED


def test_wrong_types_fail_even_when_values_are_equal(tmp_path):
    to_uint8 = support.case("to-uint8", call={"api": "to_uint8"}, expect={"pixels": [[51, 76]]})
    result = run_one(tmp_path, "WrongTypesImage", to_uint8)
    assert result.status is Status.FAILED
    assert "dtype float64, expected uint8" in result.message

    attribute = support.case("max-dim", call={"api": "attribute", "name": "MAX_DIMENSION"},
                             expect={"value": 65500}, clauses=["limits.constants"])
    assert run_one(tmp_path, "WrongTypesImage", attribute).status is Status.FAILED
    assert run_one(tmp_path, "ToyImage", attribute).status is Status.PASSED

    guess = support.case("guess", call={"api": "guess_mode"}, expect={"value": "L"}, clauses=["mode.guess"])
    result = run_one(tmp_path, "WrongTypesImage", guess)
    assert result.status is Status.FAILED
    assert result.mismatches[0].actual.type == "numpy.str_"


def test_printing_to_stdout_does_not_break_the_protocol(tmp_path):
    assert run_one(tmp_path, "PrintingImage", support.case("prints")).status is Status.PASSED


def test_instance_method_guess_mode_is_called_with_a_note(tmp_path):
    guess = support.case("guess", call={"api": "guess_mode"}, expect={"value": "RGB"}, clauses=["mode.guess"])
    result = run_one(tmp_path, "InstanceGuessModeImage", guess)
    assert result.status is Status.FAILED  # the value is L; the note says how it was called
    assert "guess_mode is an instance method" in result.message


def test_missing_normalize_keyword_is_a_per_case_error_with_a_clear_message(tmp_path):
    path = support.write_cases(tmp_path, [support.case("no-normalize", kwargs={"normalize": False}), support.case("plain")])
    report = runner.run(cases.load_cases([path]), support.toy("NoNormalizeImage"))
    first, second = report.results
    assert first.status is Status.ERROR
    assert "unexpected keyword argument 'normalize'" in first.message
    assert "has no keyword argument 'normalize'" in first.message
    assert second.status is Status.PASSED


def test_implementation_defined_passes_on_any_allowed_outcome(tmp_path):
    data = support.case("either", expect=None)
    del data["expect"]
    data.update(level="implementation-defined", rationale="either is fine",
                allowed=[{"pixels": [[52, 77]]}, {"pixels": [[51, 76]]}])
    assert run_one(tmp_path, "ToyImage", data).status is Status.PASSED
    result = run_one(tmp_path, "RoundingImage", {**data, "allowed": [{"pixels": [[0, 0]]}, {"pixels": [[51, 76]]}]})
    assert result.status is Status.FAILED
    assert result.message.startswith("none of the 2 allowed outcomes matched; closest is allowed[1]")


def test_exec_implementation_runs_through_the_same_protocol(tmp_path):
    path = support.write_cases(tmp_path, [support.case("unit"), support.case("gif", kwargs={"file_type": "gif"})])
    report = runner.run(cases.load_cases([path]), support.exec_impl())
    assert [r.status for r in report.results] == [Status.PASSED, Status.ERROR]
    assert report.environment.implementation == "exec-toyimage"
    assert report.environment.implementation_version == "0.0.1"


def test_adapter_object_via_module_attr(tmp_path):
    report = runner.run(cases.load_cases([support.write_cases(tmp_path, [support.case("unit")])]),
                        "toy_impls:ToyAdapter")
    assert report.results[0].status is Status.PASSED
    assert (report.environment.implementation, report.environment.implementation_version) == ("toy-adapter", "1.2.3")


def test_environment_comes_from_the_worker(tmp_path):
    import numpy
    import PIL

    report = runner.run(cases.load_cases([support.write_cases(tmp_path, [support.case("unit")])]), support.toy("ToyImage"))
    env = report.environment
    assert env.implementation == "toy_impls:ToyImage"
    assert env.numpy == numpy.__version__
    assert env.pillow == PIL.__version__
    assert env.python == "%d.%d.%d" % sys.version_info[:3]
    assert env.case_set_digest == ""  # given by the caller; see test_runner_cases for the digest
