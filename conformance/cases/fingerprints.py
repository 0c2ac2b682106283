"""What a measurement was measured on, case by case.

A measured artifact (a saved run, an expectations file, a generated page, a performance table)
is only as current as the cases it ran. A digest of the case files' bytes goes stale when a
comment changes; a fingerprint of each case as written changes exactly when its title, clauses,
level, input, call, expectation or allowed outcomes change. An artifact states the cases it
measured as a *set fingerprint*: one digest over the sorted (case id, fingerprint) pairs, with
the count, and the cases it has not measured yet (new or changed since) listed as pending. A
statement is true when the current cases, less the pending ones, give the same set fingerprint.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from wbimage_conformance.model import Case

#: Prefix of a set fingerprint, so it is not mistaken for a case-file digest (sha256:...).
SET_PREFIX = "fp1:"


def fingerprint(case: Case) -> str:
    """12 hex digits of the case as written (title, clauses, level, input, call, expect,
    allowed): a change to any of them gives another fingerprint."""
    written = {"title": case.title, "clauses": list(case.clauses), "level": case.level, "input": case.input,
               "call": case.call, "expect": case.expect, "allowed": list(case.allowed)}
    text = json.dumps(written, sort_keys=True, default=repr, ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:12]


def of_cases(cases: Iterable[Case]) -> dict[str, str]:
    """case id -> fingerprint, in the order given."""
    return {case.id: fingerprint(case) for case in cases}


def set_fingerprint(fingerprints: Mapping[str, str]) -> str:
    """One digest over the sorted (case id, fingerprint) pairs: equal exactly when the same cases
    are written the same way."""
    lines = "".join(f"{case_id} {digest}\n" for case_id, digest in sorted(fingerprints.items()))
    return SET_PREFIX + hashlib.sha256(lines.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Measured:
    """What an artifact says it measured: how many cases, their set fingerprint, and the current
    cases it has not measured (added or changed since; their results are not in it)."""

    cases: int
    fingerprints: str
    pending: tuple[str, ...] = ()

    def marker(self) -> str:
        """The line a generated page states this by (history.staleness reads it back)."""
        pending = f"; pending: {', '.join(self.pending)}" if self.pending else ""
        return f"<!-- measured: {self.cases} cases, {self.fingerprints}{pending} -->"

    @classmethod
    def common_to(cls, held: Sequence[Mapping[str, str]], pending: Iterable[str] = ()) -> Measured:
        """What a page made from several measurements measured: the cases every one holds in
        the same version; the others, and `pending`, pending."""
        common = {k: v for k, v in held[0].items() if all(h.get(k) == v for h in held[1:])} if held else {}
        left_out = {k for h in held for k in h if k not in common} | set(pending)
        return cls(len(common), set_fingerprint(common), tuple(sorted(left_out)))

    @classmethod
    def of(cls, current: Mapping[str, str], pending: Iterable[str] = ()) -> Measured:
        """The statement of an artifact holding every case of `current` except `pending`."""
        left_out = set(pending)
        measured = {k: v for k, v in current.items() if k not in left_out}
        return cls(len(measured), set_fingerprint(measured), tuple(sorted(left_out & set(current))))


@dataclass(frozen=True)
class Difference:
    """How the cases an artifact measured differ from the current ones."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def to_run(self) -> tuple[str, ...]:
        """The cases a refresh must run: new or changed, in the current order."""
        return self.added + self.changed

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> str:
        parts = [f"{len(ids)} {word}" for word, ids in (("added", self.added), ("changed", self.changed),
                                                          ("removed", self.removed)) if ids]
        return ", ".join(parts) or "no change"


def difference(measured: Mapping[str, str], current: Mapping[str, str]) -> Difference:
    """Cases of `current` that `measured` (case id -> fingerprint as measured) lacks or holds
    in another version, and cases it holds that no longer exist."""
    added = tuple(k for k in current if k not in measured)
    changed = tuple(k for k in current if k in measured and measured[k] != current[k])
    removed = tuple(sorted(k for k in measured if k not in current))
    return Difference(added, changed, removed)


def disagreement(stated: Measured, current: Mapping[str, str]) -> str | None:
    """Why a statement is false for the current cases (None: it is true). Only a set fingerprint
    is stated, so what differs is told by count, not by case."""
    unknown = [case_id for case_id in stated.pending if case_id not in current]
    if unknown:
        return f"pending case(s) that do not exist: {', '.join(unknown[:5])}"
    expected = Measured.of(current, stated.pending)
    if expected.fingerprints == stated.fingerprints:
        return None
    return (f"measured {stated.cases} case(s) as {stated.fingerprints}, but the {expected.cases} current case(s) "
            f"not listed as pending give {expected.fingerprints}: a case was added, changed or removed since, "
            "and the artifact does not say so (refresh it: wbimage-conformance refresh)")
