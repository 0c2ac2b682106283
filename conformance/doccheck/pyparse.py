"""Python from a page, parsed with limits: the one way the checker turns a page's code into a tree.

The checker parses and walks a page's code in its own process (the names a block uses, its
formulas, its signature, the literals of a table). A few kilobytes of valid Python can break
that: `a+a+...+a` or `- - - 1` make trees thousands of levels deep, on which every recursive
walker (pyflakes, ast.unparse, ast.literal_eval, copy.deepcopy, a NodeVisitor) raises
RecursionError; deep brackets make CPython's parser itself raise RecursionError or
MemoryError; a 100,000-line block takes minutes to analyse. So here, and only here:

- code longer than MAX_CHARS or MAX_LINES is not parsed;
- the parser's RecursionError and MemoryError are caught;
- a tree deeper than MAX_DEPTH is not handed on (its depth measured without recursion), so
  every walker downstream runs within Python's recursion limit.

Each refusal is a TooComplex with the code line it is about; the checker reports it as a
finding on the block ("cannot be analysed") and checks the rest of the page as usual. A
syntax error stays the code's own SyntaxError.
"""

from __future__ import annotations

import ast
from typing import Any

#: The largest code the checker analyses: far beyond any documentation example.
MAX_CHARS = 1_000_000
MAX_LINES = 5_000
#: Levels of the syntax tree (a node below another is one level deeper). Real examples stay
#: under 30; recursive walkers take several frames per level, and Python allows 1,000.
MAX_DEPTH = 100


class TooComplex(ValueError):
    """Code the checker does not analyse (too long, nested too deeply); `line` is 1-based."""

    def __init__(self, reason: str, line: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def parse(code: str, mode: str = "exec") -> Any:
    """ast.parse within the limits: SyntaxError for code that is not Python, TooComplex for
    code the checker does not analyse."""
    check_size(code)
    try:
        tree = ast.parse(code, mode=mode)
    except ValueError as exc:  # a NUL byte
        raise SyntaxError(str(exc)) from None
    except (RecursionError, MemoryError):
        raise TooComplex("nested too deeply for Python's parser") from None
    except SyntaxError as exc:
        if "too many nested" in str(exc.msg) or "too complex" in str(exc.msg):
            raise TooComplex(f"nested too deeply ({exc.msg})", exc.lineno or 1) from None
        raise
    check_depth(tree)
    return tree


def parses(code: str, mode: str = "eval") -> bool:
    """Whether `code` is Python the checker can analyse."""
    try:
        parse(code, mode)
    except (SyntaxError, TooComplex):
        return False
    return True


def literal(text: str) -> Any:
    """ast.literal_eval of a page's text within the limits; ValueError when it is not a literal
    (or not one the checker analyses), as literal_eval says for a wrong one."""
    try:
        return ast.literal_eval(parse(text.strip(), "eval"))
    except (SyntaxError, TooComplex, TypeError, MemoryError, RecursionError) as exc:
        raise ValueError(f"not a literal: {exc}") from None


def check_depth(tree: ast.AST) -> None:
    """TooComplex when `tree` nests deeper than MAX_DEPTH, naming the line where it does."""
    pending: list[tuple[ast.AST, int, int]] = [(tree, 1, 1)]
    while pending:
        node, depth, line = pending.pop()
        line = getattr(node, "lineno", line)  # a context node (Load, Store) has none: its parent's
        if depth > MAX_DEPTH:
            raise TooComplex(f"nested too deeply (more than {MAX_DEPTH} levels)", line)
        pending.extend((child, depth + 1, line) for child in ast.iter_child_nodes(node))


def check_size(code: str) -> None:
    """TooComplex when `code` is longer than the checker reads."""
    if len(code) > MAX_CHARS:
        raise TooComplex(f"too long ({len(code):,} characters; the checker reads at most {MAX_CHARS:,})")
    lines = code.count("\n") + 1
    if lines > MAX_LINES:
        raise TooComplex(f"too long ({lines:,} lines; the checker reads at most {MAX_LINES:,})")
