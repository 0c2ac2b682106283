"""`[tool.wbimage-conformance]` in a project's pyproject.toml: defaults for `run` and pytest.

    [tool.wbimage-conformance]
    impl = "mypkg.images:Image"
    expectations = "conformance/expectations.yaml"
    cases = ["conformance/extra-cases"]          # or one string
    jobs = 4                                     # or "auto"
    timeout = 30
    reports = { junit = "reports/wbimage.xml", html = "reports/wbimage.html" }

A project states once how it is checked, and `wbimage-conformance run` or pytest in any of its
folders finds it: the file read is the nearest pyproject.toml, from the current directory
upwards, that has this section. The command line wins over every key. Paths are relative to
the directory holding the file, so the same section works from every folder; `expectations`
may also name a file shipped with the suite. A key the suite does not know, or a value of the
wrong type, is a configuration error naming the file, the line and the key.

The pytest plugin reads this at every pytest start, in any project, so this module imports
only the standard library at load time; what checking a value needs is imported when needed.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wbimage_conformance.errors import ConfigurationError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 gets tomli from the package's dependencies
    import tomli as tomllib

FILE_NAME = "pyproject.toml"
SECTION = "wbimage-conformance"
KEYS = ("impl", "expectations", "cases", "jobs", "timeout", "reports")


class ProjectConfigError(ConfigurationError):
    """The section exists but says something the suite cannot use (exit code 2)."""


@dataclass(frozen=True)
class ProjectConfig:
    """The section's values, paths already made absolute; None where the section is silent."""

    path: Path | None = None
    impl: str | None = None
    expectations: str | None = None
    cases: tuple[str, ...] | None = None
    jobs: int | str | None = None
    timeout: float | None = None
    reports: tuple[tuple[str, str], ...] = ()


def find(start: Path | str | None = None) -> tuple[Path, dict[str, Any]] | None:
    """The nearest pyproject.toml at or above `start` (default: the current directory) that has
    the section, with the section's table; None when there is none."""
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / FILE_NAME
        if not candidate.is_file():
            continue
        try:
            text = candidate.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ProjectConfigError(f"{candidate}: cannot read: {exc}") from None
        if SECTION not in text:
            continue  # not ours: another project's file is none of our business, even if broken
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ProjectConfigError(f"{candidate}: not valid TOML: {exc}") from None
        section = data.get("tool", {}).get(SECTION) if isinstance(data.get("tool"), dict) else None
        if section is not None:
            if not isinstance(section, dict):
                raise ProjectConfigError(f"{candidate}: tool.{SECTION} must be a table")
            return candidate, section
    return None


def load(start: Path | str | None = None) -> ProjectConfig:
    """The section nearest to `start`, checked; an empty ProjectConfig when there is none."""
    found = find(start)
    if found is None:
        return ProjectConfig()
    path, section = found
    return parse(section, path)


def _line_of(path: Path, key: str) -> int:
    """The line where the section sets `key` (the section's header line when not found)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 0
    header = re.compile(r"\s*\[\s*tool\s*\.\s*(\"?)" + re.escape(SECTION) + r"\1\s*\]")
    setting = re.compile(r"\s*(\"?)" + re.escape(key) + r"\1\s*=")
    start = next((n for n, line in enumerate(lines) if header.match(line)), None)
    if start is None:
        return 0
    for number in range(start + 1, len(lines)):
        if lines[number].lstrip().startswith("["):
            break
        if setting.match(lines[number]):
            return number + 1
    return start + 1


def parse(section: dict[str, Any], path: Path) -> ProjectConfig:
    """Check the section's keys and types; make its paths absolute."""
    base = path.parent

    def fail(key: str, message: str) -> ProjectConfigError:
        line = _line_of(path, key)
        where = f"{path}:{line}" if line else str(path)
        return ProjectConfigError(f"{where}: [tool.{SECTION}] {key}: {message}")

    for key in section:
        if key not in KEYS:
            raise fail(key, f"unknown key; the section knows {', '.join(KEYS)}")
    values: dict[str, Any] = {}
    for key in ("impl", "expectations"):
        if key in section:
            value = section[key]
            if not isinstance(value, str) or not value.strip():
                raise fail(key, f"expected a non-empty string, got {value!r}")
            values[key] = value
    if "expectations" in values:
        values["expectations"] = _expectations_path(values["expectations"], base)
    if "cases" in section:
        cases = section["cases"]
        cases = [cases] if isinstance(cases, str) else cases
        if not isinstance(cases, list) or not cases or not all(isinstance(c, str) and c for c in cases):
            raise fail("cases", f"expected a path or a non-empty list of paths, got {section['cases']!r}")
        values["cases"] = tuple(str(base / c) for c in cases)
    if "jobs" in section:
        jobs = section["jobs"]
        if not (jobs == "auto" or (isinstance(jobs, int) and not isinstance(jobs, bool) and jobs >= 1)):
            raise fail("jobs", f"expected a whole number of at least 1, or \"auto\", got {jobs!r}")
        values["jobs"] = jobs
    if "timeout" in section:
        timeout = section["timeout"]
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
            raise fail("timeout", f"expected a positive number of seconds, got {timeout!r}")
        values["timeout"] = float(timeout)
    if "reports" in section:
        from wbimage_conformance.report import FORMATS

        reports = section["reports"]
        if not isinstance(reports, dict) or not reports:
            raise fail("reports", f"expected a table of FORMAT = PATH, such as {{ junit = \"reports/junit.xml\" }}, got {reports!r}")
        pairs = []
        for fmt, target in reports.items():
            if fmt not in FORMATS:
                raise fail("reports", f"unknown format {fmt!r}; choose among {', '.join(FORMATS)}")
            if not isinstance(target, str) or not target:
                raise fail("reports", f"{fmt}: expected a path, got {target!r}")
            pairs.append((fmt, str(base / target)))
        values["reports"] = tuple(pairs)
    return ProjectConfig(path=path, **values)


def _expectations_path(value: str, base: Path) -> str:
    """A file beside the pyproject.toml when there is one, else the name of a shipped file,
    else the path beside the pyproject.toml (so the error names where it was looked for)."""
    from wbimage_conformance.run import expectations as expectation_files

    candidate = base / value
    if candidate.exists() or not (expectation_files.SHIPPED_DIR / f"{value}.yaml").is_file():
        return str(candidate)
    return value
