"""The pytest plugin, run as a user would run it: pytest in a subprocess, in an empty
directory, with the plugin loaded from its entry point."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
import yaml

import runner_support as support


@pytest.fixture(autouse=True)
def _fixtures_importable(monkeypatch):
    support.use_fixtures_path(monkeypatch)


@pytest.fixture
def project(tmp_path):
    """An unrelated project with one test of its own, and a case file."""
    (tmp_path / "test_own.py").write_text("def test_own():\n    assert True\n")
    support.write_cases(tmp_path, [
        support.case("unit-plain"),
        support.case("range-signed", [[-1.0, 0.0]], expect={"pixels": [[0, 127]]}, clauses=["norm.signed"]),
        support.case("tensor-unit", [[[0.2, 0.3]]], input={"kind": "tensor", "dtype": "float32", "value": [[[0.2, 0.3]]]}),
    ], "cases.yaml")
    return tmp_path


def pytest_run(directory, *args):
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rA", *map(str, args)],
                          cwd=directory, capture_output=True, text=True, timeout=600)
    return done.returncode, done.stdout + done.stderr


def spec_args(directory, impl="ToyImage"):
    impl = impl if ":" in impl else support.toy(impl)
    return ["--wbimage-impl", impl, "--wbimage-cases", directory / "cases.yaml"]


def test_without_the_option_nothing_changes(project):
    code, out = pytest_run(project)
    assert code == 0
    assert "1 passed" in out and "wbimage" not in out


def test_cases_are_collected_with_their_ids(project):
    code, out = pytest_run(project, "--collect-only", *spec_args(project))
    assert code == 0, out
    for node_id in ("norm.unit::unit-plain", "norm.signed::range-signed", "norm.unit::tensor-unit"):
        assert f"wbimage::{node_id}" in out
    assert "test_own.py::test_own" in out


def test_outcomes_map_to_pytest(project):
    code, out = pytest_run(project, *spec_args(project, "RoundingImage"))
    assert code == 1
    assert "FAILED wbimage::norm.unit::unit-plain" in out and "FAILED wbimage::norm.signed::range-signed" in out
    assert "expected 76, got 77" in out
    assert f"at        {project / 'cases.yaml'}:3" in out
    assert "reproduce toy_impls.RoundingImage(np.array([[0.2, 0.3]], dtype=np.float32))" in out


def test_the_terminal_summary_names_the_cause(project):
    code, out = pytest_run(project, *spec_args(project, "RoundingImage"))
    assert code == 1
    summary = out.split("wbimage causes:")[1]
    assert "rounds to nearest instead of truncating  [rounds-to-nearest]" in summary
    assert "breaks [norm.truncation] The conversion to `uint8` truncates" in summary
    assert "e.g. range-signed" in summary


def test_skips_and_expectations(project):
    expectations = project / "expect.yaml"
    expectations.write_text(yaml.safe_dump({"implementation": "exec-roundingimage", "deviations": {
        "unit-plain": {"status": "failed", "reason": "rounds instead of truncating"},
        "range-signed": {"status": "failed", "reason": "listed although it fails differently"},
    }}))
    impl = support.exec_impl("toy_impls:RoundingImage")
    code, out = pytest_run(project, *spec_args(project, impl), "--wbimage-expectations", expectations)
    assert code == 0, out
    assert "XFAIL wbimage::norm.unit::unit-plain - rounds instead of truncating" in out
    assert "SKIPPED" in out and "does not accept tensor inputs" in out


def test_xpassed_is_a_failure(project):
    expectations = project / "expect.yaml"
    expectations.write_text(yaml.safe_dump({"implementation": "toy_impls:ToyImage", "deviations": {
        "unit-plain": {"status": "failed", "reason": "thought to fail"}}}))
    code, out = pytest_run(project, *spec_args(project), "--wbimage-expectations", expectations, "-k", "unit")
    assert code == 1
    assert "FAILED wbimage::norm.unit::unit-plain" in out and "xpassed" in out


def test_stale_expectations_are_a_usage_error(project):
    expectations = project / "expect.yaml"
    expectations.write_text(yaml.safe_dump({"implementation": "toy_impls:ToyImage", "deviations": {
        "gone": {"status": "failed", "reason": "r"}}}))
    code, out = pytest_run(project, *spec_args(project), "--wbimage-expectations", expectations)
    assert code == 4
    assert "do not exist: gone" in out


def test_unknown_implementation_is_a_usage_error(project):
    code, out = pytest_run(project, "--wbimage-impl", "no_such_module:Image", "--wbimage-cases", project / "cases.yaml")
    assert code == 4
    assert "No module named 'no_such_module'" in out


def test_keyword_marker_and_exitfirst(project):
    code, out = pytest_run(project, *spec_args(project, "RoundingImage"), "-k", "signed")
    assert code == 1 and "1 failed" in out and "deselected" in out
    code, out = pytest_run(project, *spec_args(project), "-m", "wbimage")
    assert code == 0 and "3 passed" in out
    code, out = pytest_run(project, *spec_args(project, "RoundingImage"), "-x")
    assert code == 1 and "1 failed" in out
    code, out = pytest_run(project, *spec_args(project, "RoundingImage"), "-k", "norm.signed")  # clause ids match too
    assert "FAILED wbimage::norm.signed::range-signed" in out and "unit-plain" not in out.split("short test summary")[-1]


def test_xdist_and_junitxml(project):
    pytest.importorskip("xdist")
    report = project / "junit.xml"
    code, out = pytest_run(project, *spec_args(project, "RoundingImage"), "-n", "2", "--junitxml", report)
    assert code == 1, out
    cases = {tc.get("name"): tc for tc in ET.parse(report).getroot().iter("testcase")}
    assert {"unit-plain", "range-signed", "tensor-unit", "test_own"} <= set(cases)
    assert cases["unit-plain"].find("failure") is not None
    assert cases["test_own"].find("failure") is None
    assert "[rounds-to-nearest]" in out.split("wbimage causes:")[1], "the causes reach the summary from xdist workers"
    assert cases["unit-plain"].get("classname") == "wbimage.norm.unit"
    assert cases["range-signed"].get("classname") == "wbimage.norm.signed"


def write_pyproject(directory, section):
    (directory / "pyproject.toml").write_text("[project]\nname = 'mine'\n\n[tool.wbimage-conformance]\n" + section)


def test_the_pyproject_section_alone_turns_the_plugin_on(project):
    write_pyproject(project, f'impl = "{support.toy("RoundingImage")}"\ncases = "cases.yaml"\n')
    code, out = pytest_run(project)
    assert code == 1, out
    assert "FAILED wbimage::norm.unit::unit-plain" in out and "1 passed" in out  # test_own still runs


def test_the_section_is_found_from_a_subfolder_with_paths_relative_to_it(project):
    write_pyproject(project, f'impl = "{support.toy("RoundingImage")}"\ncases = ["cases.yaml"]\n')
    inner = project / "sub"
    inner.mkdir()
    code, out = pytest_run(inner, "--collect-only")
    assert code == 0, out
    assert "wbimage::norm.signed::range-signed" in out and "test_own" not in out


def test_ini_options_override_the_section_and_the_command_line_overrides_both(project):
    write_pyproject(project, 'impl = "no_such_module:Image"\ncases = "cases.yaml"\n')
    (project / "pytest.ini").write_text(f"[pytest]\nwbimage_impl = {support.toy('RoundingImage')}\n"
                                        "wbimage_cases = cases.yaml\n")
    code, out = pytest_run(project, "-k", "unit-plain")
    assert code == 1 and "FAILED wbimage::norm.unit::unit-plain" in out, out
    code, out = pytest_run(project, "-k", "unit-plain", "--wbimage-impl", support.toy("ToyImage"))
    assert code == 0 and "1 passed, 3 deselected" in out, out


def test_a_bad_section_is_a_usage_error_naming_file_line_and_key(project):
    write_pyproject(project, 'impl = "reference"\nimpls = "typo"\n')
    code, out = pytest_run(project)
    assert code == 4
    assert f"ERROR: {project / 'pyproject.toml'}:6: tool.wbimage-conformance.impls: unknown key" in out


def test_a_project_with_its_own_spec_and_reference_packages_is_unaffected(project):
    """The plugin imports only `wbimage_conformance`; a project's own top-level `spec`,
    `reference` or `conformance` package (collected first, from the rootdir) cannot shadow it."""
    for name in ("spec", "reference", "conformance"):
        (project / name).mkdir()
        (project / name / "__init__.py").write_text("MINE = True\n")
    (project / "test_mine.py").write_text(
        "import spec, reference, conformance\n\n"
        "def test_mine():\n    assert spec.MINE and reference.MINE and conformance.MINE\n")
    code, out = pytest_run(project, *spec_args(project))
    assert code == 0, out
    assert "INTERNALERROR" not in out and "PASSED wbimage::norm.unit::unit-plain" in out and "PASSED test_mine.py::test_mine" in out


def test_the_header_names_the_sandbox_auto_by_default(project):
    from wbimage_conformance.run import sandbox

    code, out = pytest_run(project, "-v", *spec_args(project))  # -v undoes -q: the header is shown
    assert code == 0, out
    assert f"sandbox: {sandbox.choose('auto').description}" in out
    code, out = pytest_run(project, "-v", "--wbimage-sandbox", "none", *spec_args(project))
    assert code == 0, out
    assert "sandbox: none (--sandbox none" in out


# -- start-up and configuration errors, with and without xdist --------------------------------


def error_line(out):
    """The one `ERROR:` line pytest prints for a usage error."""
    (line,) = [line for line in out.splitlines() if line.startswith("ERROR:")]
    return line


@pytest.mark.parametrize("problem", ["impl", "expectations", "cases"])
def test_under_xdist_a_start_up_error_is_the_same_usage_error_as_without(project, problem):
    pytest.importorskip("xdist")
    args = spec_args(project)
    if problem == "impl":
        args = ["--wbimage-impl", "nosuchmod:Thing", "--wbimage-cases", project / "cases.yaml"]
    elif problem == "expectations":
        (project / "stale.yaml").write_text(yaml.safe_dump({"implementation": "toy_impls:ToyImage", "deviations": {
            "gone": {"status": "failed", "reason": "r"}}}))
        args += ["--wbimage-expectations", project / "stale.yaml"]
    else:
        (project / "cases.yaml").write_text("cases:\n  - id: 3\n")
    plain_code, plain = pytest_run(project, *args)
    code, out = pytest_run(project, *args, "-n", "2")
    assert (plain_code, code) == (4, 4), out
    assert error_line(out) == error_line(plain)
    assert "INTERNALERROR" not in out


def test_under_xdist_an_unknown_module_names_it(project):
    pytest.importorskip("xdist")
    code, out = pytest_run(project, "-n", "2", "--wbimage-impl", "nosuchmod:Thing")
    assert code == 4, out
    assert error_line(out).endswith("ModuleNotFoundError: No module named 'nosuchmod'")


@pytest.mark.parametrize("option, value, message", [
    ("--wbimage-timeout", "nan", "expected a positive number of seconds, at most 86400 (a day), got nan"),
    ("--wbimage-timeout", "inf", "expected a positive number of seconds, at most 86400 (a day), got inf"),
    ("--wbimage-timeout", "-1", "expected a positive number of seconds, at most 86400 (a day), got -1"),
    ("--wbimage-timeout", "9" * 5000, "expected a positive number of seconds, at most 86400 (a day), got '9999"),
    ("--wbimage-memory-limit", "2.5", "expected a whole number of megabytes"),
    ("--wbimage-memory-limit", "0", "expected a whole number of megabytes"),
    ("--wbimage-sandbox", "docker", "expected one of \"auto\", \"bwrap\", \"none\", got 'docker'"),
])
def test_a_wrong_option_value_is_a_usage_error_naming_the_option(project, option, value, message):
    code, out = pytest_run(project, *spec_args(project), option, value)
    assert code == 4, out
    assert error_line(out).startswith(f"ERROR: {option}: {message}")
    assert len(error_line(out)) < 300


@pytest.mark.parametrize("key, value, message", [
    ("wbimage_timeout", "1e308", "expected a positive number of seconds"),
    ("wbimage_timeout", "true", "expected a positive number of seconds, at most 86400 (a day), got 'true'"),
    ("wbimage_maxfail", "0", "expected a whole number of at least 1"),
    ("wbimage_sandbox", "off", "expected one of"),
])
def test_a_wrong_ini_value_names_the_ini_file_line_and_key(project, key, value, message):
    ini = project / "pytest.ini"
    ini.write_text(f"[pytest]\nwbimage_cases = cases.yaml\n{key} = {value}\n")
    code, out = pytest_run(project, "--wbimage-impl", support.toy("ToyImage"))
    assert code == 4, out
    assert error_line(out).startswith(f"ERROR: {ini}:3: {key}: {message}")


def test_a_wrong_ini_value_in_pyproject_toml_names_its_line_under_pytests_table(project):
    path = project / "pyproject.toml"
    path.write_text("[project]\nname = 'mine'\n\n[tool.pytest.ini_options]\nwbimage_cases = 'cases.yaml'\n"
                    "wbimage_memory_limit = '0x10'\n")
    code, out = pytest_run(project, "--wbimage-impl", support.toy("ToyImage"))
    assert code == 4, out
    assert error_line(out).startswith(f"ERROR: {path}:6: wbimage_memory_limit: expected a whole number of megabytes, "
                                      "at least 1 and at most 16777216 (16 TiB), got '0x10'")


def test_a_wrong_value_in_the_section_stops_pytest_under_xdist_too(project):
    pytest.importorskip("xdist")
    write_pyproject(project, f'impl = "{support.toy("ToyImage")}"\ncases = "cases.yaml"\nmemory-limit = inf\n')
    code, out = pytest_run(project, "-n", "2")
    assert code == 4, out
    assert error_line(out).startswith(f"ERROR: {project / 'pyproject.toml'}:7: tool.wbimage-conformance.memory-limit: "
                                      "expected a whole number of megabytes")


# -- sandbox, memory-limit, badge and maxfail -------------------------------------------------


def test_the_section_sets_sandbox_badge_and_memory_limit(project):
    write_pyproject(project, f'impl = "{support.toy("RoundingImage")}"\ncases = "cases.yaml"\nsandbox = "none"\n'
                             'memory-limit = 4096\nbadge = "out/badge.json"\n')
    code, out = pytest_run(project, "-v")
    assert code == 1, out
    assert "sandbox: none (--sandbox none" in out
    # RoundingImage fails every case (76.5 rounds to 77); the tensor case is skipped without torch
    badge = json.loads((project / "out" / "badge.json").read_text())
    assert badge["message"] in ("0.0% (0/3)", "0.0% (0/2)") and badge["color"] == "red"


def test_a_memory_limit_too_small_to_start_the_worker_is_a_usage_error(project):
    code, out = pytest_run(project, *spec_args(project), "--wbimage-memory-limit", "1", "--wbimage-sandbox", "none")
    assert code == 4, out
    assert error_line(out).startswith("ERROR: --wbimage-impl: ")


def test_the_badge_counts_the_spec_items_under_xdist(project):
    pytest.importorskip("xdist")
    badge = project / "badge.json"
    code, out = pytest_run(project, *spec_args(project), "-n", "2", "--wbimage-badge", badge, "-k", "not tensor")
    assert code == 0, out
    assert json.loads(badge.read_text()) == {"schemaVersion": 1, "label": "wandb.Image spec",
                                             "message": "100% (2/2)", "color": "brightgreen"}


def test_the_badge_of_a_run_that_stopped_early_says_so(project):
    badge = project / "badge.json"
    code, out = pytest_run(project, *spec_args(project, "RoundingImage"), "-x", "--wbimage-badge", badge)
    assert code == 1, out
    assert json.loads(badge.read_text())["message"] == "0.0% (0/1), stopped early"


@pytest.mark.parametrize("workers", [[], ["-n", "2"]])
def test_maxfail_from_the_ini_file_stops_the_run_and_pytest_maxfail_wins(project, workers):
    """As pytest's own --maxfail: under xdist the cases already running finish (exit code 2,
    interrupted), and the controller stops handing out more."""
    if workers:
        pytest.importorskip("xdist")
    (project / "pytest.ini").write_text(f"[pytest]\nwbimage_impl = {support.toy('RoundingImage')}\n"
                                        "wbimage_cases = cases.yaml\nwbimage_maxfail = 1\n")
    code, out = pytest_run(project, *workers, "-k", "not tensor")
    assert "stopping after 1 failures" in out, out
    if workers:
        assert code == pytest.ExitCode.INTERRUPTED, out
    else:
        assert code == 1 and "1 failed" in out, out
    code, out = pytest_run(project, *workers, "-k", "not tensor", "--maxfail", "5")
    assert code == 1 and "2 failed" in out and "stopping after" not in out, out
