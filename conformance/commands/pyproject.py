"""`[tool.wbimage-conformance]` in a project's pyproject.toml: defaults for `run` and pytest.

    [tool.wbimage-conformance]
    impl = "mypkg.images:Image"
    expectations = "conformance/expectations.yaml"
    cases = ["conformance/extra-cases"]          # or one string
    jobs = 4                                     # or "auto"
    timeout = 30
    sandbox = "auto"                             # or "bwrap", "none"
    maxfail = 20
    memory-limit = 4096                          # megabytes
    badge = "reports/badge.json"
    reports = { junit = "reports/wbimage.xml", html = "reports/wbimage.html" }

A project states once how it is checked, and `wbimage-conformance run` or pytest in any of its
folders finds it: the file read is the nearest pyproject.toml, from the current directory
upwards, that has this section. The command line wins over every key. Paths are relative to
the directory holding the file, so the same section works from every folder; `expectations`
may also name a file shipped with the suite.

What a key may hold is `schemas/pyproject.schema.json` (checked by commands.settings_schema);
anything else, and a file that cannot be read or parsed, is one line naming the file, the line
and the key, as `pyproject.toml:7: tool.wbimage-conformance.timeout: expected ...`. The file is
read only if it is a regular file of at most MAX_BYTES, and a TOML document nested too deeply
for the parser is an error like any other.

The pytest plugin reads this at every pytest start, in any project, so this module imports
only the standard library at load time; what checking a value needs is imported when needed.
"""

from __future__ import annotations

import os
import re
import stat
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
#: A pyproject.toml is a few kilobytes; a bigger one is not read.
MAX_BYTES = 1024 * 1024


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
    sandbox: str | None = None
    maxfail: int | None = None
    memory_limit: int | None = None        # megabytes
    badge: str | None = None
    reports: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _Found:
    path: Path
    text: str
    section: Any


def load(start: Path | str | None = None) -> ProjectConfig:
    """The section nearest to `start`, checked; an empty ProjectConfig when there is none."""
    found = _find(start)
    if found is None:
        return ProjectConfig()
    _check_is_table(found)
    return parse(found.section, found.path, found.text)


def _find(start: Path | str | None) -> _Found | None:
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / FILE_NAME
        text = _read(candidate)
        if text is None or SECTION not in text:
            continue  # not ours: another project's file is none of our business, even if broken
        data = _parse_toml(candidate, text)
        tool = data.get("tool")
        if isinstance(tool, dict) and SECTION in tool:
            return _Found(candidate, text, tool[SECTION])
    return None


def _read(path: Path) -> str | None:
    """The file's text; None when there is no regular file there. A file too big to be a
    pyproject.toml is an error only when what can be read of it mentions the section."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ProjectConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        if SECTION.encode() in raw:
            raise ProjectConfigError(f"{path}: larger than {MAX_BYTES // 1024} KiB; not read")
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ProjectConfigError(f"{path}:{line}: not valid TOML: not UTF-8 ({exc.reason})") from None


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = re.search(r"\(at line (\d+), column \d+\)$", message)
        line = f":{where.group(1)}" if where else ""
        raise ProjectConfigError(f"{path}{line}: not valid TOML: {message}") from None
    except RecursionError:
        raise ProjectConfigError(f"{path}: not valid TOML here: arrays or tables nested too deeply to read") from None
    except MemoryError:
        raise ProjectConfigError(f"{path}: not valid TOML here: too large to read") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        digits = re.search(r"\d{4000,}", text)
        line = f":{text.count(chr(10), 0, digits.start()) + 1}" if digits else ""
        raise ProjectConfigError(f"{path}{line}: not valid TOML here: {str(exc).split(';')[0]}") from None


def _check_is_table(found: _Found) -> None:
    if not isinstance(found.section, dict):
        raise _error(found.path, found.text, (), "expected a table of settings, such as "
                                                  f"[tool.{SECTION}] with impl = \"mypkg.images:Image\"")


def _error(path: Path, text: str, keys: tuple[str | int, ...], message: str) -> ProjectConfigError:
    from wbimage_conformance.commands import toml_lines

    line = toml_lines.line_of(text, ("tool", SECTION, *keys))
    where = f"{path}:{line}" if line else str(path)
    dotted = ".".join(str(k) if not isinstance(k, int) else f"[{k}]" for k in ("tool", SECTION, *keys))
    return ProjectConfigError(f"{where}: {dotted.replace('.[', '[')}: {message}")


def parse(section: dict[str, Any], path: Path, text: str) -> ProjectConfig:
    """Check the section against the schema; make its paths absolute. `text` is the file's,
    for the line of an error."""
    from wbimage_conformance.commands import settings_schema

    problem = settings_schema.check(section)
    if problem is not None:
        more = f" (and {problem.more} more problem(s))" if problem.more else ""
        raise _error(path, text, problem.path, problem.message + more)
    values: dict[str, Any] = {key.replace("-", "_"): value for key, value in section.items()}
    return ProjectConfig(path=path, **_made_absolute(values, path.parent))


def _made_absolute(values: dict[str, Any], base: Path) -> dict[str, Any]:
    """The checked values with their paths relative to `base`, the folder of the file."""
    if "expectations" in values:
        values["expectations"] = _expectations_path(values["expectations"], base)
    if "cases" in values:
        cases = values["cases"]
        values["cases"] = tuple(str(base / c) for c in ([cases] if isinstance(cases, str) else cases))
    if "badge" in values:
        values["badge"] = str(base / values["badge"])
    if "reports" in values:
        values["reports"] = tuple((fmt, str(base / target)) for fmt, target in values["reports"].items())
    if "timeout" in values:
        values["timeout"] = float(values["timeout"])
    return values


def _expectations_path(value: str, base: Path) -> str:
    """A file beside the pyproject.toml when there is one, else the name of a shipped file,
    else the path beside the pyproject.toml (so the error names where it was looked for)."""
    from wbimage_conformance.run import expectations as expectation_files

    candidate = base / value
    if candidate.exists() or not (expectation_files.SHIPPED_DIR / f"{value}.yaml").is_file():
        return str(candidate)
    return value
