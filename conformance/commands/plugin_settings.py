"""What the pytest plugin runs, from its three sources: command line, ini file, pyproject section.

Each setting `KEY` of [tool.wbimage-conformance] that a pytest run can use has an option
`--wbimage-KEY` and an ini key `wbimage_KEY` (`-` as `_`), except `maxfail`, whose command line
is pytest's own `--maxfail` / `-x`; `jobs` and `reports` are pytest's `-n` and `--junitxml`.
The command line wins, then the ini file, then the section. Options and ini values arrive as
text; they are read as numbers where the schema wants one (stored.inidoc) and then checked by
the check of every stored file against the section's schema (stored.schemas), so
`--wbimage-timeout nan` and `wbimage_timeout = 1e308` fail as `timeout = nan` in
pyproject.toml does, naming where the value was written: the option, or the ini file, its line
and the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from wbimage_conformance.stored import Source

#: The section's keys that a pytest run uses, in the order --help lists their options.
KEYS = ("impl", "expectations", "cases", "timeout", "sandbox", "memory-limit", "badge", "maxfail")
#: Keys with no --wbimage-KEY option: pytest has its own.
NO_OPTION = frozenset({"maxfail"})


@dataclass(frozen=True)
class Settings:
    """What the plugin runs, each value checked; None where no source gives one."""

    impl: str | None = None
    expectations: str | None = None
    cases: list[str] | None = None
    timeout: float | None = None
    sandbox: str = "auto"
    memory_limit: int | None = None     # megabytes
    badge: str | None = None
    maxfail: int | None = None          # applies where pytest's own --maxfail is not given


def dest(key: str) -> str:
    """The option's dest and the ini key: `wbimage_memory_limit` for `memory-limit`."""
    return "wbimage_" + key.replace("-", "_")


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("wbimage", "wbimage-conformance: run the wandb.Image spec's cases")
    helps = {
        "impl": ("IMPL", "implementation to check: reference, wandb, MODULE:ATTR, NAME@python, exec:COMMAND"),
        "expectations": ("FILE", "known deviations of the implementation (YAML), or the name of a shipped file"),
        "cases": ("PATH", "case file or directory (repeatable; default: the shipped cases)"),
        "timeout": ("SECONDS", "per-case time limit (default 60)"),
        "sandbox": ("MODE", "where the implementation runs: auto (bwrap where usable; the default), bwrap, none"),
        "memory-limit": ("MB", "cap each worker's address space (RLIMIT_AS, Linux); over it a case crashes"),
        "badge": ("PATH", "write a shields.io endpoint badge of the spec's cases (pass rate and colour)"),
        "maxfail": ("N", "pytest's --maxfail where the command line gives none (-x and --maxfail win)"),
    }
    for key in KEYS:
        metavar, text = helps[key]
        if key not in NO_OPTION:
            group.addoption(f"--wbimage-{key}", dest=dest(key), metavar=metavar, default=None,
                            action="append" if key == "cases" else "store", help=text)
        parser.addini(dest(key), f"wbimage-conformance: {text}" + (" (paths relative to the ini file)"
                      if key in ("cases", "expectations", "badge") else ""),
                      type="paths" if key == "cases" else None,  # type: ignore[maybe-unrecognized-str-typeform]  # mypy 2.4 reads "paths" as a type
                      default=[] if key == "cases" else "")


def resolve(config: pytest.Config) -> Settings:
    """Each setting from the first source that gives it, checked; pytest.UsageError naming the
    source (option, ini file and line, or pyproject.toml and line) otherwise."""
    from wbimage_conformance.commands import pyproject

    try:
        section = pyproject.load(config.invocation_params.dir)
    except pyproject.ProjectConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    values: dict[str, Any] = {}
    for key in KEYS:
        attribute = key.replace("-", "_")
        given = _from_command_line(config, key)
        if given is None:
            given = _from_ini(config, key)
        values[attribute] = given if given is not None else getattr(section, attribute)
    if isinstance(values["cases"], tuple):
        values["cases"] = list(values["cases"])
    values["sandbox"] = values["sandbox"] or "auto"
    return Settings(**values)


def _from_command_line(config: pytest.Config, key: str) -> Any:
    from wbimage_conformance import stored

    if key in NO_OPTION:
        return None
    given = config.getoption(dest(key))
    if not given:
        return None
    return _checked(key, given, stored.Source(f"--wbimage-{key}", field_name=lambda path: ""))


def _from_ini(config: pytest.Config, key: str) -> Any:
    given = config.getini(dest(key))
    if not given:
        return None
    value = _checked(key, [str(p) for p in given] if key == "cases" else given, _ini_source(config, dest(key)))
    if key in ("expectations", "badge"):
        beside = _ini_dir(config) / value
        if key == "badge" or beside.exists():
            return str(beside)
    return value


def _checked(key: str, value: Any, source: Source) -> Any:
    """`value` (text read as a number where the schema wants one) checked against the
    section's schema; pytest.UsageError `source: message` otherwise."""
    from wbimage_conformance import stored
    from wbimage_conformance.commands import pyproject
    from wbimage_conformance.stored import inidoc, schemas

    if isinstance(value, str) and inidoc.wants_number(schemas.schema(pyproject.SCHEMA)["properties"][key]):
        value = inidoc.number(value)
    try:
        schemas.check({key: value}, pyproject.SCHEMA, source, "setting")
    except stored.StoredFileError as exc:
        raise pytest.UsageError(str(exc)) from None
    return float(value) if key == "timeout" else value


def _ini_dir(config: pytest.Config) -> Path:
    return config.inipath.parent if config.inipath else config.rootpath


def _ini_source(config: pytest.Config, name: str) -> Source:
    """`FILE:LINE: NAME` where the ini file writes the key, else `FILE: NAME`, or the name
    alone for a value with no file (`-o NAME=VALUE`)."""
    from wbimage_conformance import stored
    from wbimage_conformance.stored import inidoc

    path = config.inipath
    if path is None:
        return stored.Source(name, field_name=lambda _: "")
    try:
        text = stored.read_text(path, stored.INI_FILE)
    except stored.StoredFileError:
        return stored.Source(str(path), field_name=lambda _: name)
    return stored.Source(str(path), inidoc.line_finder(Path(path), text, name), lambda _: name)
