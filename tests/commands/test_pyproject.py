"""[tool.wbimage-conformance] in pyproject.toml: found from any folder below it, paths relative
to it, checked key by key with file and line, and always overruled by the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from wbimage_conformance.commands import cli, pyproject
from wbimage_conformance.run import expectations, runner

import runner_support as support


def write(directory: Path, body: str, header: str = "[tool.wbimage-conformance]") -> Path:
    path = directory / "pyproject.toml"
    path.write_text(f"[project]\nname = 'mine'\n\n{header}\n{body}")
    return path


def test_the_nearest_file_with_the_section_is_read_from_a_subfolder(tmp_path):
    path = write(tmp_path, 'impl = "mypkg:Image"\n')
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'no section here'\n")
    config = pyproject.load(inner)
    assert config.path == path and config.impl == "mypkg:Image"


def test_no_section_anywhere_gives_empty_defaults(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert pyproject.load(tmp_path) == pyproject.ProjectConfig()


def test_every_key_is_read_and_paths_are_relative_to_the_file(tmp_path):
    (tmp_path / "conformance").mkdir()
    (tmp_path / "conformance" / "expect.yaml").write_text("")
    path = write(tmp_path, 'impl = "exec:./my-impl"\nexpectations = "conformance/expect.yaml"\n'
                           'cases = ["cases", "more/x.yaml"]\njobs = 3\ntimeout = 12\n'
                           'reports = { junit = "out/junit.xml", html = "out/report.html" }\n')
    config = pyproject.load(tmp_path)
    assert config == pyproject.ProjectConfig(
        path=path, impl="exec:./my-impl", expectations=str(tmp_path / "conformance" / "expect.yaml"),
        cases=(str(tmp_path / "cases"), str(tmp_path / "more" / "x.yaml")), jobs=3, timeout=12.0,
        reports=(("junit", str(tmp_path / "out" / "junit.xml")), ("html", str(tmp_path / "out" / "report.html"))))


def test_one_case_path_may_be_a_string_and_jobs_may_be_auto(tmp_path):
    write(tmp_path, 'cases = "cases"\njobs = "auto"\n')
    config = pyproject.load(tmp_path)
    assert config.cases == (str(tmp_path / "cases"),) and config.jobs == "auto"


def test_expectations_may_name_a_shipped_file(tmp_path):
    shipped = sorted(expectations.SHIPPED_DIR.glob("*.yaml"))[0].stem
    write(tmp_path, f'expectations = "{shipped}"\n')
    assert pyproject.load(tmp_path).expectations == shipped


SECTION = "tool.wbimage-conformance"
NUMBER = "expected a positive number of seconds, at most 86400 (a day), got "


@pytest.mark.parametrize("body, line, message", [
    ('impl = "reference"\nimpls = "typo"\n', 6, "impls: unknown key; known keys: impl, expectations, cases"),
    ('jobs = 0\n', 5, "jobs: expected a whole number of at least 1 and at most 256, or \"auto\", got 0"),
    ('jobs = true\n', 5, "jobs: expected a whole number of at least 1 and at most 256, or \"auto\", got true"),
    ('jobs = 1025\n', 5, "jobs: expected a whole number"),
    ('timeout = -1\n', 5, "timeout: " + NUMBER + "-1"),
    ('timeout = 0\n', 5, "timeout: " + NUMBER + "0"),
    ('timeout = 0.0\n', 5, "timeout: " + NUMBER + "0.0"),
    ('timeout = inf\n', 5, "timeout: " + NUMBER + "inf"),
    ('timeout = -inf\n', 5, "timeout: " + NUMBER + "-inf"),
    ('timeout = nan\n', 5, "timeout: " + NUMBER + "nan"),
    ('timeout = 1e308\n', 5, "timeout: " + NUMBER + "1e+308"),
    ('timeout = 86400.5\n', 5, "timeout: " + NUMBER + "86400.5"),
    ('timeout = true\n', 5, "timeout: " + NUMBER + "true"),
    ('timeout = "soon"\n', 5, "timeout: " + NUMBER + "'soon'"),
    ('impl = 3\n', 5, "impl: expected an implementation"),
    ('impl = "  "\n', 5, "impl: expected an implementation"),
    ('cases = []\n', 5, "cases: expected a path or a non-empty list of paths, got []"),
    ('cases = ["a", 3]\n', 5, "cases: expected a path or a non-empty list of paths, got ['a', 3]"),
    ('reports = { pdf = "x.pdf" }\n', 5, "reports.pdf: unknown key; known keys: text, json, junit, markdown, html"),
    ('reports = ["junit=x.xml"]\n', 5, "reports: expected a table of FORMAT = PATH"),
    ('reports = { junit = 1 }\n', 5, "reports.junit: expected a path"),
    ('sandbox = "docker"\n', 5, "sandbox: expected one of \"auto\", \"bwrap\", \"none\", got 'docker'"),
    ('sandbox = true\n', 5, "sandbox: expected one of"),
    ('maxfail = 0\n', 5, "maxfail: expected a whole number of at least 1 and at most 1000000, got 0"),
    ('maxfail = 2.0\n', 5, "maxfail: expected a whole number of at least 1 and at most 1000000, got 2.0"),
    ('maxfail = false\n', 5, "maxfail: expected a whole number of at least 1 and at most 1000000, got false"),
    ('memory-limit = -5\n', 5, "memory-limit: expected a whole number of megabytes"),
    ('memory-limit = 16777217\n', 5, "memory-limit: expected a whole number of megabytes"),
    ('memory_limit = 5\n', 5, "memory_limit: unknown key"),
    ('badge = ""\n', 5, "badge: expected a path (a non-empty string of at most 4096 characters, no NUL), got ''"),
    ('badge = "a\\u0000b"\n', 5, "badge: expected a path"),
    (f'expectations = "{"x" * 5000}"\n', 5, "expectations: expected a path (a non-empty string of at most 4096 "
                                           "characters, no NUL), got 'xxxxxxxx"),
])
def test_a_wrong_value_names_file_line_and_key(tmp_path, body, line, message):
    path = write(tmp_path, body)
    with pytest.raises(pyproject.ProjectConfigError) as caught:
        pyproject.load(tmp_path)
    text = str(caught.value)
    assert text.startswith(f"{path}:{line}: {SECTION}.{message}")
    assert "\n" not in text and len(text) < 300


def test_the_first_wrong_key_in_the_file_is_named_and_the_others_counted(tmp_path):
    path = write(tmp_path, 'impl = "reference"\ntimeout = 0\njobs = 0\nimpls = 1\n')
    with pytest.raises(pyproject.ProjectConfigError) as caught:
        pyproject.load(tmp_path)
    assert str(caught.value).startswith(f"{path}:6: {SECTION}.timeout: ")
    assert str(caught.value).endswith("(and 2 more problem(s))")


def test_huge_integers_are_named_by_their_size_never_printed(tmp_path):
    path = write(tmp_path, "maxfail = 0x" + "f" * 20000 + "\n")
    with pytest.raises(pyproject.ProjectConfigError) as caught:
        pyproject.load(tmp_path)
    assert str(caught.value) == (f"{path}:5: {SECTION}.maxfail: expected a whole number of at least 1 and at most "
                                 "1000000, got an integer of about 24083 digits")


def test_an_integer_too_long_to_parse_is_a_one_line_error_at_its_line(tmp_path):
    path = write(tmp_path, 'impl = "reference"\ntimeout = ' + "9" * 5000 + "\n")
    with pytest.raises(pyproject.ProjectConfigError) as caught:
        pyproject.load(tmp_path)
    assert str(caught.value).startswith(f"{path}:6: not valid TOML here: ")
    assert "5000 digits" in str(caught.value) and len(str(caught.value)) < 200


@pytest.mark.parametrize("nested", ["x = " + "[" * 5000 + "]" * 5000, "x = " + "{ a = " * 3000 + "1" + " }" * 3000])
def test_a_document_nested_too_deeply_is_a_one_line_error(tmp_path, nested):
    path = write(tmp_path, nested + "\n")
    with pytest.raises(pyproject.ProjectConfigError) as caught:
        pyproject.load(tmp_path)
    assert str(caught.value) == f"{path}: not valid TOML here: arrays or tables nested too deeply to read"


@pytest.mark.parametrize("text, line, key", [
    ("[tool]\nwbimage-conformance.timeout = -3\n", 2, "timeout"),
    ("[tool]\nwbimage-conformance = { impl = 'x', timeout = -3 }\n", 2, "timeout"),
    ("tool.wbimage-conformance.jobs = 0\n", 1, "jobs"),
    ("[tool.wbimage-conformance]\nimpl = 'x'\n[tool.wbimage-conformance.reports]\njunit = 'a'\npdf = 'b'\n", 5,
     "reports.pdf"),
    ("[tool.wbimage-conformance]\nimpl = 'x'\nreports.junit = 'a'\nreports.pdf = 'b'\n", 4, "reports.pdf"),
    ("[tool.wbimage-conformance]\ncases = [\n  'a',\n  3,\n]\n", 2, "cases"),
    ('[tool.other]\ndoc = """\n[tool.wbimage-conformance]\ntimeout = 1\n"""\n[tool.wbimage-conformance]\n\ntimeout = 0\n',
     8, "timeout"),
    ("[ tool . 'wbimage-conformance' ]  # ours\n 'timeout' = 0\n", 2, "timeout"),
])
def test_the_line_is_found_for_dotted_keys_inline_tables_and_sub_tables(tmp_path, text, line, key):
    path = tmp_path / "pyproject.toml"
    path.write_text(text)
    with pytest.raises(pyproject.ProjectConfigError, match=rf"^{path}:{line}: {SECTION}\.{key}: "):
        pyproject.load(tmp_path)


def test_a_section_that_is_not_a_table_is_named(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool]\nwbimage-conformance = 5\n")
    with pytest.raises(pyproject.ProjectConfigError, match=rf"^{path}:2: {SECTION}: expected a table"):
        pyproject.load(tmp_path)


def test_new_keys_are_read_with_paths_relative_to_the_file(tmp_path):
    write(tmp_path, 'sandbox = "none"\nmaxfail = 20\nmemory-limit = 4096\nbadge = "out/badge.json"\n')
    config = pyproject.load(tmp_path / ".")
    assert (config.sandbox, config.maxfail, config.memory_limit, config.badge) == (
        "none", 20, 4096, str(tmp_path / "out" / "badge.json"))


def test_a_quoted_section_header_is_the_same_section(tmp_path):
    path = write(tmp_path, 'bogus = 1\n', header='[tool."wbimage-conformance"]')
    with pytest.raises(pyproject.ProjectConfigError, match=rf"^{path}:5: "):
        pyproject.load(tmp_path)


def test_a_file_that_is_not_toml_is_a_configuration_error(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.wbimage-conformance\nimpl = 1\n")
    with pytest.raises(pyproject.ProjectConfigError, match=rf"^{path}:1: not valid TOML"):
        pyproject.load(tmp_path)


def test_a_file_not_in_utf8_is_a_configuration_error_at_its_line(tmp_path):
    """Worded as every stored file's bytes that are not UTF-8 are (stored.files)."""
    path = tmp_path / "pyproject.toml"
    path.write_bytes(b"[tool.wbimage-conformance]\nimpl = 'caf\xe9'\n")
    with pytest.raises(pyproject.ProjectConfigError, match=rf"^{path}:2: not UTF-8 \(byte 38: "):
        pyproject.load(tmp_path)


def test_an_oversized_file_with_the_section_is_refused_unread_and_one_without_it_ignored(tmp_path):
    """The limit is worded as every stored file's is (stored.files)."""
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.wbimage-conformance]\nimpl = 'x'\n" + "# padding\n" * 200_000)
    with pytest.raises(pyproject.ProjectConfigError,
                       match=rf"^{path}: larger than 1048576 bytes, the limit for a pyproject.toml$"):
        pyproject.load(tmp_path)
    path.write_text("[project]\nname = 'x'\n" + "# padding\n" * 200_000)
    assert pyproject.load(tmp_path) == pyproject.ProjectConfig()


def test_a_pyproject_that_is_not_a_regular_file_is_not_read(tmp_path):
    import os

    os.mkfifo(tmp_path / "pyproject.toml")  # opening it would wait for a writer forever
    assert pyproject.load(tmp_path) == pyproject.ProjectConfig()


def test_the_schema_knows_the_report_formats_and_sandbox_modes_the_suite_has():
    from wbimage_conformance.report import FORMATS
    from wbimage_conformance.run import sandbox
    from wbimage_conformance.stored import schemas

    properties = schemas.schema(pyproject.SCHEMA)["properties"]
    assert tuple(properties["reports"]["properties"]) == FORMATS
    assert tuple(properties["sandbox"]["enum"]) == sandbox.MODES


# -- `run` takes the section's sandbox, maxfail, memory-limit and badge -----------------------


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project whose cases RoundingImage fails (both) and passes (one): [[0.2, 0.3]] rounds."""
    support.use_fixtures_path(monkeypatch)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)
    support.write_cases(tmp_path, [
        support.case("rounds-1"), support.case("rounds-2"),
        support.case("exact-1", [[0.0, 1.0]], expect={"pixels": [[0, 255]], "mode": "L", "size": [2, 1]}),
    ], "cases.yaml")
    return tmp_path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["run", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_run_takes_sandbox_maxfail_memory_limit_and_badge_from_the_section(capsys, project, monkeypatch):
    seen = {}
    original = runner.Session.__init__

    def spy(self, impl="reference", **kwargs):
        seen.update(kwargs)
        original(self, impl, **kwargs)

    monkeypatch.setattr(runner.Session, "__init__", spy)
    write(project, f'impl = "{support.toy("RoundingImage")}"\ncases = "cases.yaml"\njobs = 1\nsandbox = "none"\n'
                   'maxfail = 1\nmemory-limit = 2048\nbadge = "out/badge.json"\n')
    code, out, err = run(capsys)
    assert code == 1
    assert (seen["sandbox_mode"], seen["memory_limit"]) == ("none", 2048 * 1024 * 1024)
    assert "stopped after 1 unexpected result(s) (--maxfail 1); 2 of 3 selected cases not run" in err
    assert json.loads((project / "out" / "badge.json").read_text())["message"] == "0.0% (0/1), stopped early"


def test_the_command_line_wins_over_the_sections_new_keys(capsys, project, monkeypatch):
    seen = {}
    original = runner.Session.__init__

    def spy(self, impl="reference", **kwargs):
        seen.update(kwargs)
        original(self, impl, **kwargs)

    monkeypatch.setattr(runner.Session, "__init__", spy)
    write(project, f'impl = "{support.toy("RoundingImage")}"\ncases = "cases.yaml"\njobs = 1\nsandbox = "bwrap"\n'
                   'maxfail = 1\nmemory-limit = 2048\nbadge = "out/badge.json"\n')
    code, _, err = run(capsys, "--sandbox", "none", "--maxfail", "5", "--memory-limit", "3072", "--badge", "b.json")
    assert code == 1
    assert (seen["sandbox_mode"], seen["memory_limit"]) == ("none", 3072 * 1024 * 1024)
    assert "stopped after" not in err
    assert json.loads((project / "b.json").read_text())["message"] == "33.3% (1/3)"
    assert not (project / "out" / "badge.json").exists()


def test_the_sections_maxfail_gives_way_to_update_expectations(capsys, project):
    write(project, f'impl = "{support.toy("RoundingImage")}"\ncases = "cases.yaml"\njobs = 1\nsandbox = "none"\n'
                   'maxfail = 1\n')
    code, _, err = run(capsys, "--update-expectations", "expect.yaml")
    assert code == 0, err
    assert "stopped after" not in err
    assert set(yaml.safe_load((project / "expect.yaml").read_text())["deviations"]) == {"rounds-1", "rounds-2"}


def test_every_setting_of_the_schema_says_what_it_expects_and_the_plugin_uses_only_those():
    """An error reads `expected <description>, got <value>`: each property and definition has one."""
    from wbimage_conformance.commands import plugin_settings
    from wbimage_conformance.stored import schemas

    document = schemas.schema(pyproject.SCHEMA)
    described = [*document["properties"].values(), *document["$defs"].values(),
                 *document["properties"]["reports"]["properties"].values()]
    assert all("description" in entry or "$ref" in entry for entry in described)
    assert set(plugin_settings.KEYS) <= set(document["properties"])
    assert set(plugin_settings.KEYS) | {"jobs", "reports"} == set(document["properties"])


def test_the_section_schema_has_the_command_lines_bounds():
    """The pyproject section and the command line accept the same numbers: the schema's bounds
    are run/limits.py's, so a value valid in one place is valid in the other."""
    from wbimage_conformance.run import limits

    schema = json.loads((Path(pyproject.__file__).parent.parent / "schemas" / "pyproject.schema.json").read_text())
    props = schema["properties"]
    jobs = next(branch for branch in props["jobs"]["anyOf"] if branch.get("type") == "integer")
    assert (jobs["minimum"], jobs["maximum"]) == (limits.MIN_JOBS, limits.MAX_JOBS)
    assert (props["timeout"]["exclusiveMinimum"], props["timeout"]["maximum"]) == (limits.MIN_TIMEOUT_S,
                                                                                   limits.MAX_TIMEOUT_S)
    assert (props["maxfail"]["minimum"], props["maxfail"]["maximum"]) == (limits.MIN_MAXFAIL, limits.MAX_MAXFAIL)
    assert (props["memory-limit"]["minimum"], props["memory-limit"]["maximum"]) == (limits.MIN_MEMORY_LIMIT_MB,
                                                                                    limits.MAX_MEMORY_LIMIT_MB)
