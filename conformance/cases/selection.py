"""Which cases a run includes: `-k EXPR`, `--clause ID`, `--level`.

`-k` works like pytest's: a word matches a case when it is a substring of the case's id or
title (ignoring case); words combine with `and`, `or`, `not` and parentheses, e.g.
`-k "float16 and not tensor"`. `--clause norm` selects cases citing `norm` or any clause
under it (`norm.unit`, `norm.signed`, ...). `--level required` leaves out
implementation-defined cases.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from wbimage_conformance.cases.cache import CaseSummary
from wbimage_conformance.errors import ConfigurationError
from wbimage_conformance.model import Case

_TOKEN = re.compile(r"\s*(\(|\)|[^\s()]+)")
#: What a selection reads: a built case, or the summary of one.
Selectable = Case | CaseSummary
Predicate = Callable[[Selectable], bool]


class SelectionError(ConfigurationError, ValueError):
    """A -k expression that cannot be read (exit code 2)."""


def keyword_predicate(expression: str) -> Predicate:
    tokens = [m.group(1) for m in _TOKEN.finditer(expression) if m.group(1)]
    if not tokens:
        raise SelectionError("-k: empty expression")
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        position += 1
        return tokens[position - 1]

    def parse_or() -> Predicate:
        left = parse_and()
        while peek() == "or":
            take()
            right = parse_and()
            left = _either(left, right)
        return left

    def parse_and() -> Predicate:
        left = parse_not()
        while peek() == "and":
            take()
            right = parse_not()
            left = _both(left, right)
        return left

    def parse_not() -> Predicate:
        if peek() == "not":
            take()
            inner = parse_not()
            return lambda c: not inner(c)
        return parse_atom()

    def parse_atom() -> Predicate:
        token = peek()
        if token is None:
            raise SelectionError(f"-k {expression!r}: unexpected end of expression")
        take()
        if token == "(":
            inner = parse_or()
            if peek() != ")":
                raise SelectionError(f"-k {expression!r}: missing ')'")
            take()
            return inner
        if token in (")", "and", "or"):
            raise SelectionError(f"-k {expression!r}: unexpected {token!r}")
        word = token.lower()
        return lambda c: word in c.id.lower() or word in c.title.lower()

    predicate = parse_or()
    if peek() is not None:
        raise SelectionError(f"-k {expression!r}: unexpected {peek()!r}")
    return predicate


def _either(a: Predicate, b: Predicate) -> Predicate:
    return lambda case: a(case) or b(case)


def _both(a: Predicate, b: Predicate) -> Predicate:
    return lambda case: a(case) and b(case)


def cites(case: Selectable, clause: str) -> bool:
    return any(c == clause or c.startswith(clause + ".") for c in case.clauses)


def predicate(keyword: str | None = None, clauses: Sequence[str] = (), level: str = "all") -> Predicate:
    """The test `select` applies; it reads only id, title, clauses and level, so it can pick
    cases from their summaries before any is built (casefiles.load_case_set's `keep`)."""
    if level not in ("all", "required"):
        raise SelectionError(f"--level must be 'required' or 'all', not {level!r}")
    matches = keyword_predicate(keyword) if keyword else None

    def kept(case: Selectable) -> bool:
        return ((level == "all" or case.level == "required")
                and (not clauses or any(cites(case, c) for c in clauses))
                and (matches is None or matches(case)))

    return kept


def select(
    cases: Iterable[Case],
    keyword: str | None = None,
    clauses: Sequence[str] = (),
    level: str = "all",
) -> list[Case]:
    """The cases that pass every filter given, in their original order."""
    kept = predicate(keyword, clauses, level)
    return [case for case in cases if kept(case)]
