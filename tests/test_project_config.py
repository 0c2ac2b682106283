"""[tool.wbimage-conformance] in pyproject.toml: found from any folder below it, paths relative
to it, checked key by key with file and line, and always overruled by the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from wbimage_conformance.commands import pyproject
from wbimage_conformance.run import expectations


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


@pytest.mark.parametrize("body, line, message", [
    ('impl = "reference"\nimpls = "typo"\n', 6, "impls: unknown key"),
    ('jobs = 0\n', 5, "jobs: expected a whole number of at least 1"),
    ('jobs = true\n', 5, "jobs: expected a whole number"),
    ('timeout = -1\n', 5, "timeout: expected a positive number"),
    ('impl = 3\n', 5, "impl: expected a non-empty string"),
    ('cases = []\n', 5, "cases: expected a path or a non-empty list"),
    ('reports = { pdf = "x.pdf" }\n', 5, "reports: unknown format 'pdf'"),
    ('reports = ["junit=x.xml"]\n', 5, "reports: expected a table of FORMAT = PATH"),
])
def test_a_wrong_value_names_file_line_and_key(tmp_path, body, line, message):
    path = write(tmp_path, body)
    with pytest.raises(pyproject.ProjectConfigError) as caught:
        pyproject.load(tmp_path)
    assert str(caught.value).startswith(f"{path}:{line}: [tool.wbimage-conformance] {message}")


def test_a_quoted_section_header_is_the_same_section(tmp_path):
    path = write(tmp_path, 'bogus = 1\n', header='[tool."wbimage-conformance"]')
    with pytest.raises(pyproject.ProjectConfigError, match=rf"^{path}:5: "):
        pyproject.load(tmp_path)


def test_a_file_that_is_not_toml_is_a_configuration_error(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.wbimage-conformance\nimpl = 1\n")
    with pytest.raises(pyproject.ProjectConfigError, match=rf"^{path}: not valid TOML"):
        pyproject.load(tmp_path)
