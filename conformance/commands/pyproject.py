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

What a key may hold is `schemas/pyproject.schema.json`, checked as every stored file is
(wbimage_conformance.stored): anything else, and a file that cannot be read or parsed, is one
line naming the file, the line and the key, as `pyproject.toml:7:
tool.wbimage-conformance.timeout: expected ...`. The file is read only if it is a regular
file of at most stored.PYPROJECT's size, and a TOML document nested too deeply for the parser
is an error like any other.

The pytest plugin reads this at every pytest start, in any project, so this module imports
only the standard library at load time; what checking a value needs is imported when needed.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wbimage_conformance.errors import ConfigurationError

FILE_NAME = "pyproject.toml"
SECTION = "wbimage-conformance"
SCHEMA = "pyproject.schema.json"
#: Where the section is in the document.
SECTION_PATH = ("tool", SECTION)


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


def load(start: Path | str | None = None) -> ProjectConfig:
    """The section nearest to `start`, checked; an empty ProjectConfig when there is none."""
    from wbimage_conformance import stored

    try:
        return _load(start)
    except stored.StoredFileError as exc:
        raise ProjectConfigError(str(exc)) from None


def _load(start: Path | str | None) -> ProjectConfig:
    from wbimage_conformance import stored
    from wbimage_conformance.stored import schemas

    here = Path(start if start is not None else Path.cwd()).resolve()
    for candidate in (folder / FILE_NAME for folder in (here, *here.parents)):
        raw = _mentioning_section(candidate)
        if raw is None:
            continue  # not ours: another project's file is none of our business, even if broken
        data, locator = stored.toml_document(raw, str(candidate))
        tool = data.get("tool")
        if isinstance(tool, dict) and SECTION in tool:
            schemas.check(tool[SECTION], SCHEMA, _section_source(candidate, locator), f"[tool.{SECTION}] section")
            return parse(tool[SECTION], candidate)
    return ProjectConfig()


def _section_source(candidate: Path, locator: Any) -> Any:
    """Where a value of the section is, for the schema's errors: its line in the file, and its
    name with the section's own path in front (`tool.wbimage-conformance.timeout`)."""
    from wbimage_conformance import stored
    from wbimage_conformance.stored import schemas

    return stored.Source(str(candidate), lambda path: locator.line_at((*SECTION_PATH, *path)),
                         lambda path: schemas.dotted((*SECTION_PATH, *path)))


def _mentioning_section(path: Path) -> bytes | None:
    """The bytes of the regular file at `path` when they name the section somewhere, else
    None; a file over the size limit is refused only when it names the section."""
    from wbimage_conformance import stored
    from wbimage_conformance.stored import files

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
    except OSError:
        return None
    head = files.read_head(path, stored.PYPROJECT)
    if SECTION.encode() not in head:
        return None
    if len(head) > stored.PYPROJECT.max_bytes:
        raise files.too_large(path, stored.PYPROJECT)
    return head


def parse(section: dict[str, Any], path: Path) -> ProjectConfig:
    """The checked section's values, its paths made absolute (relative to the file's folder)."""
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
