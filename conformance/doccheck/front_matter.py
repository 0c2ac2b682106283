"""A page's front matter read within limits: YAML between `---` lines, TOML between `+++` lines.

Front matter is data from someone else's repository. YAML goes through yamlsource, which
refuses deep nesting, alias bombs, long scalars and long integers before building a value.
TOML has no such reader: tomllib recurses once per bracket (5,000 nested arrays raise
RecursionError) and converts any integer (5,000 digits raise ValueError). So before tomllib
runs, TOML whose brackets nest deeper than yamlsource allows, or that holds an integer
longer than yamlsource allows, is refused with its line; after it, data nested too deeply
by dotted keys is refused too, and whatever tomllib still raises is a problem of the page,
never a traceback. Every refusal is a `Problem` at a page line; the page's body is still
read and checked. (JSON front matter, a page that opens with `{`, is not read as front
matter: the checker reads such a page as body text.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from wbimage_conformance import yamlsource

MAX_DEPTH = yamlsource.MAX_DEPTH
MAX_INT_DIGITS = yamlsource.MAX_INT_DIGITS
_TOML_WHERE = re.compile(r"\(at line (\d+), column \d+\)")
#: One line's basic and literal strings and its comment: brackets there do not nest.
_STRINGS_AND_COMMENT = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|#.*')
_INTEGER = re.compile(r"(?<![\w.])\d[\d_]*")


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


@dataclass(frozen=True)
class FrontMatter:
    data: dict[str, Any]
    key_lines: dict[str, int]   # dotted key -> page line
    body_start: int             # index of the first body line


def read(lines: list[str], problems: list[Problem]) -> FrontMatter:
    """The front matter at the top of `lines`, if any; what is wrong with it goes to `problems`."""
    if not lines or lines[0].strip() not in ("---", "+++"):
        return FrontMatter({}, {}, 0)
    marker = lines[0].strip()
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == marker), None)
    if end is None:
        problems.append(Problem(1, f"front matter opened with {marker!r} on line 1 is never closed"))
        return FrontMatter({}, {}, 0)
    source = "\n".join(lines[1:end])
    if marker == "+++":
        return FrontMatter(_toml(source, problems), {}, end + 1)
    try:
        data, located = yamlsource.parse(source)
    except yamlsource.YamlSourceError as exc:  # lines are of the source: +1 for the opening marker
        problems.append(Problem((exc.line or 0) + 1, f"front matter is {exc.message}"))
        return FrontMatter({}, {}, end + 1)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(Problem(2, f"front matter must be a mapping, not {type(data).__name__}"))
        return FrontMatter({}, {}, end + 1)
    return FrontMatter(data, {key: line + 1 for key, line in located.key_lines().items()}, end + 1)


def _toml(source: str, problems: list[Problem]) -> dict[str, Any]:
    """TOML front matter (page lines are source lines + 1), within the limits."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        problems.append(Problem(1, "TOML front matter needs Python 3.11 (tomllib); not read"))
        return {}
    refused = _before_reading(source)
    if refused is not None:
        problems.append(Problem(refused[0] + 1, f"front matter holds {refused[1]}; not read"))
        return {}
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        where = _TOML_WHERE.search(str(exc))
        problems.append(Problem(int(where.group(1)) + 1 if where else 1, f"front matter is not valid TOML: {exc}"))
        return {}
    except (ValueError, RecursionError, MemoryError) as exc:  # ValueError: an integer past Python's digit limit
        problems.append(Problem(1, f"front matter cannot be read as TOML: {type(exc).__name__}: {exc}"))
        return {}
    wrong = _beyond_limits(data)
    if wrong is not None:
        problems.append(Problem(1, f"front matter holds {wrong}; not read"))
        return {}
    return data


def _before_reading(source: str) -> tuple[int, str] | None:
    """(source line, what) of the first thing tomllib must not be given: brackets outside
    strings and comments nested deeper than MAX_DEPTH (it recurses once per bracket), or an
    integer of more than MAX_INT_DIGITS digits (it converts any length)."""
    depth = 0
    for number, line in enumerate(source.split("\n"), start=1):
        code = _STRINGS_AND_COMMENT.sub("", line)
        long = max((len(m.group().replace("_", "")) for m in _INTEGER.finditer(code)), default=0)
        if long > MAX_INT_DIGITS:
            return number, f"an integer of {long} digits (at most {MAX_INT_DIGITS})"
        for char in code:
            depth = depth + 1 if char in "[{" else max(0, depth - 1) if char in "]}" else depth
            if depth > MAX_DEPTH:
                return number, f"values nested deeper than {MAX_DEPTH} levels"
    return None


def _beyond_limits(data: Any) -> str | None:
    """What of the data tomllib built is past yamlsource's limits (nesting made by dotted keys,
    a long integer), found without recursion; None when nothing is."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            return f"values nested deeper than {MAX_DEPTH} levels"
        if isinstance(value, dict):
            pending.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            pending.extend((v, depth + 1) for v in value)
        elif (isinstance(value, int) and value.bit_length() > 4 * MAX_INT_DIGITS
              and len(str(abs(value))) > MAX_INT_DIGITS):
            return f"an integer of {len(str(abs(value)))} digits (at most {MAX_INT_DIGITS})"
    return None
