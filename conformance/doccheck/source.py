"""What of a Python block can run: the code as a reader would paste it.

Real pages put more than Python in a `python` fence: notebook lines (`!pip install wandb`,
`%matplotlib inline`), shell commands (`pip install wandb[media]`, `wandb login`), doctest
prompts (`>>> x = 1`), and placeholders a reader fills in (`<your-image>`). None of that is a
defect of the page. This module turns a block into the code that runs, line for line (every
page line keeps its number), and says what it set aside and why, so the checker reports it
as a note instead of a syntax error. What is left that still does not parse is the page's
own syntax error.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from wbimage_conformance.doccheck import pyparse

#: A line a notebook runs outside Python: a shell escape or a magic.
_NOTEBOOK = re.compile(r"^(?P<indent>\s*)(?P<text>[!%].*)$")
#: A command line a reader types into a shell, not Python (with an optional "$ " prompt).
_SHELL = re.compile(
    r"^\s*(?:\$\s+)?(?:sudo\s+)?(?:pip3?|python3?\s+-m\s+pip|conda|mamba|uv|poetry|wandb|git|cd|export|curl|wget|"
    r"apt(?:-get)?|brew|npm|npx|yarn|docker|mkdir|ls|bash|sh|source|chmod|unzip|tar|nvidia-smi)(?:\s+\S.*)?$")
#: "python train.py --epochs 3": a script run from the shell.
_SCRIPT = re.compile(r"^\s*(?:\$\s+)?python3?\s+[\w./-]+\.py\b")
#: A placeholder the reader replaces: <your-image>, <path/to/file>, <API key>.
_ANGLE = re.compile(r"<(?![<=])[A-Za-z_][\w ./:-]{0,60}>")
_DOCTEST = re.compile(r"^\s*(>>>|\.\.\.)( |$)")
PLACEHOLDER_NAME = "__placeholder__"


@dataclass(frozen=True)
class SetAside:
    """A line of the block that does not run as written, and why."""

    line: int          # code line, 1-based
    kind: str          # "notebook", "shell", "prompt", "placeholder"
    text: str


@dataclass(frozen=True)
class Runnable:
    code: str                          # what runs; same number of lines as the block
    set_aside: tuple[SetAside, ...]
    tree: ast.Module | None            # None: it does not parse
    syntax_error: str | None = None    # of the block as written, when it does not parse
    syntax_line: int = 0               # code line of that error
    shell: bool = False                # the whole block is shell commands
    too_complex: bool = False          # not analysed (pyparse's limits); syntax_error says why


def _parse(code: str) -> tuple[ast.Module | None, SyntaxError | None]:
    try:
        return pyparse.parse(code), None
    except SyntaxError as exc:
        return None, exc


def _too_complex(code: str, exc: pyparse.TooComplex) -> Runnable:
    return Runnable(code, (), None, exc.reason, exc.line, too_complex=True)


def _is_shell(line: str) -> bool:
    return bool(_SHELL.match(line) or _SCRIPT.match(line))


def _without_prompts(lines: list[str]) -> tuple[list[str], list[SetAside]]:
    """Doctest-style blocks: the code after `>>> ` and `... `, outputs blanked."""
    out, aside = [], []
    for number, line in enumerate(lines, start=1):
        match = _DOCTEST.match(line)
        if match:
            out.append(line[match.end():])
        else:
            out.append("")
            if line.strip():
                aside.append(SetAside(number, "prompt", line.strip()))
    return out, aside


def _stand_in_line(indent: str) -> str:
    return f"{indent}pass"


def runnable(code: str) -> Runnable:
    """The block as it runs, with what was set aside; the tree of what runs, if it parses
    (and is within pyparse's limits: else `too_complex`)."""
    try:
        return _runnable(code)
    except pyparse.TooComplex as exc:
        return _too_complex(code, exc)


def _runnable(code: str) -> Runnable:
    """Doctest prompts and notebook magics are set aside first; a block that then parses runs
    as it is. Else a block of shell lines only is shell; else shell lines among Python and
    `<placeholders>` are replaced, kept only if that makes the block parse."""
    pyparse.check_size(code)
    lines = code.split("\n")
    aside: list[SetAside] = []
    if any(_DOCTEST.match(line) and line.lstrip().startswith(">>>") for line in lines):
        lines, aside = _without_prompts(lines)
    aside += _set_aside_magics(lines)
    candidate = "\n".join(lines)
    tree, error = _parse(candidate)
    if tree is not None:
        return Runnable(candidate, tuple(aside), tree)
    assert error is not None
    code_lines = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if code_lines and all(_is_shell(line) for line in code_lines):
        shell = [SetAside(n, "shell", line.strip()) for n, line in enumerate(lines, start=1)
                 if line.strip() and not line.lstrip().startswith("#")]
        return Runnable("\n".join("" for _ in lines), tuple(aside + shell), pyparse.parse(""), shell=True)
    repaired = _repaired(lines, aside)
    if repaired is not None:
        return repaired
    return Runnable(code, (), None, error.msg or str(error), error.lineno or 1)


def _set_aside_magics(lines: list[str]) -> list[SetAside]:
    """Notebook lines (`!pip ...`, `%matplotlib ...`) replaced in place by a stand-in line."""
    aside = []
    for number, line in enumerate(lines, start=1):
        match = _NOTEBOOK.match(line)
        if match:
            aside.append(SetAside(number, "notebook", match.group("text").strip()))
            lines[number - 1] = _stand_in_line(match.group("indent"))
    return aside


def _repaired(lines: list[str], aside: list[SetAside]) -> Runnable | None:
    """The block with its shell lines and `<placeholders>` replaced, if that parses and
    something was replaced."""
    for number, line in enumerate(lines, start=1):
        if _is_shell(line) and line.strip():
            aside.append(SetAside(number, "shell", line.strip()))
            lines[number - 1] = _stand_in_line(line[: len(line) - len(line.lstrip())])
    replaced = []
    for number, line in enumerate(lines, start=1):
        for match in _ANGLE.finditer(line):
            replaced.append(SetAside(number, "placeholder", match.group(0)))
        lines[number - 1] = _ANGLE.sub(PLACEHOLDER_NAME, line)
    candidate = "\n".join(lines)
    tree, _ = _parse(candidate)
    if tree is not None and (replaced or any(a.kind == "shell" for a in aside)):
        return Runnable(candidate, tuple(sorted(aside + replaced, key=lambda a: a.line)), tree)
    return None
