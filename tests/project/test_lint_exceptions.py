"""The lint exceptions listed in pyproject.toml ([tool.ruff.lint.extend-per-file-ignores]) can
only shrink: each listed (file, rule) still has a finding to hide, and the findings hidden add up
to exactly LISTED_FINDINGS. A file-wide exception would otherwise let a new over-complex
function or long line in unseen; with the count, a new one fails here, and a fixed one asks for
the count to come down (and the entry to go when it reaches none)."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

#: Findings the listed exceptions hide today. Lower it as they are fixed; never raise it.
LISTED_FINDINGS = 542


def _root() -> Path:
    """The checkout: the nearest folder above this file whose pyproject.toml configures ruff."""
    for folder in Path(__file__).resolve().parents:
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "[tool.ruff" in candidate.read_text(encoding="utf-8"):
            if not (folder / ".git").exists():
                pytest.skip(f"{folder} is not a git checkout (an sdist?): the list names the repository's files")
            return folder
    pytest.skip("no pyproject.toml with [tool.ruff] above the tests (an installed copy of the tests)")


def _ruff() -> list[str]:
    if importlib.util.find_spec("ruff") is not None:
        return [sys.executable, "-m", "ruff"]
    if shutil.which("ruff") is None:
        pytest.skip("ruff is not installed here: bash .ci/lint installs the pinned version")
    return ["ruff"]


def _pattern(glob: str) -> re.Pattern[str]:
    """ruff's per-file pattern as a regex over a path relative to the checkout: `**/` is any
    number of folders, none included; `*` stays within one folder."""
    parts = re.split(r"(\*\*/|\*)", glob)
    body = "".join("(?:.*/)?" if p == "**/" else "[^/]*" if p == "*" else re.escape(p) for p in parts)
    return re.compile(body + r"\Z")


def _listed(root: Path) -> dict[str, list[str]]:
    with open(root / "pyproject.toml", "rb") as f:
        lint = tomllib.load(f)["tool"]["ruff"]["lint"]
    return lint.get("extend-per-file-ignores", {})


def _inline(value: object) -> str:
    """A value as inline TOML (strings, numbers, lists and tables are all the settings use)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return json.dumps(value)


def _settings_without_the_list(root: Path) -> list[str]:
    """ruff's settings from pyproject.toml as --config overrides, the listed exceptions left
    out (an override of extend-per-file-ignores would add to the list, not replace it)."""
    with open(root / "pyproject.toml", "rb") as f:
        ruff = tomllib.load(f)["tool"]["ruff"]
    pairs = [(key, value) for key, value in ruff.items() if key != "lint"]
    pairs += [(f"lint.{key}", value) for key, value in ruff["lint"].items() if key != "extend-per-file-ignores"]
    return [arg for key, value in pairs for arg in ("--config", f"{key} = {_inline(value)}")]


def _hidden(root: Path, listed: dict[str, list[str]]) -> Counter[tuple[str, str]]:
    """(pattern, rule) -> how many findings that exception hides: ruff run without the list."""
    command = [*_ruff(), "check", "--isolated", "--no-cache", "--no-fix", "--exit-zero", "--output-format", "json",
               *_settings_without_the_list(root), "."]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=300, check=True)
    patterns = {glob: _pattern(glob) for glob in listed}
    hidden: Counter[tuple[str, str]] = Counter()
    for finding in json.loads(done.stdout):
        path = Path(finding["filename"]).resolve().relative_to(root).as_posix()
        for glob, rules in listed.items():
            if finding["code"] in rules and patterns[glob].match(path):
                hidden[glob, finding["code"]] += 1
    return hidden


def test_every_listed_exception_still_hides_a_finding_and_the_count_only_shrinks():
    root = _root()
    listed = _listed(root)
    hidden = _hidden(root, listed)
    stale = [f"{glob}: {rule}" for glob, rules in listed.items() for rule in rules if not hidden[glob, rule]]
    assert not stale, "fixed, so take them out of [tool.ruff.lint.extend-per-file-ignores]: " + ", ".join(stale)
    total = sum(hidden.values())
    by_rule = Counter()
    for (_, rule), count in hidden.items():
        by_rule[rule] += count
    summary = ", ".join(f"{rule} {count}" for rule, count in sorted(by_rule.items()))
    assert total <= LISTED_FINDINGS, (
        f"{total - LISTED_FINDINGS} new finding(s) in files whose old ones are listed ({summary}): fix them")
    assert total == LISTED_FINDINGS, (
        f"only {total} listed findings remain ({summary}): lower LISTED_FINDINGS to {total}")


@pytest.mark.parametrize(("glob", "path", "matches"), [
    ("tests/**/test_cli.py", "tests/test_cli.py", True),
    ("tests/**/test_cli.py", "tests/commands/test_cli.py", True),
    ("tests/**/test_cli.py", "tests/test_cli_ci.py", False),
    ("conformance/run/runner.py", "conformance/run/runner.py", True),
    ("conformance/run/runner.py", "conformance/run/runner.pyc", False),
    ("conformance/*.py", "conformance/run/runner.py", False),
])
def test_patterns_are_read_as_ruff_reads_them(glob, path, matches):
    assert bool(_pattern(glob).match(path)) is matches
