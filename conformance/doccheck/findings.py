"""What `docs check` reports: findings with a place, a subject and a reason.

A finding is an `error` (the page or the implementation contradicts the spec: exit code 1),
a `warning` (worth fixing, does not fail the check) or a `note` (informative, e.g. a
statement the spec reads differently on purpose, such as "0 -> 127.5" under
[norm.truncation]).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


#: The checks, in the order a report lists them.
CHECKS = ("page", "formula", "example", "claim", "signature", "constants", "coverage", "consistency")


@dataclass(frozen=True)
class Location:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Finding:
    severity: Severity
    check: str                         # one of CHECKS
    file: str
    line: int
    subject: str                       # "example-2", "formula [norm.unit]", "signature", "page", ...
    message: str
    clauses: tuple[str, ...] = ()
    cases: tuple[str, ...] = ()
    related: tuple[Location, ...] = ()

    @property
    def location(self) -> Location:
        return Location(self.file, self.line)

    def sort_key(self) -> tuple[Any, ...]:
        return (self.file, self.line, CHECKS.index(self.check) if self.check in CHECKS else len(CHECKS), self.message)


def error(check: str, file: str, line: int, subject: str, message: str, **extra: Any) -> Finding:
    return Finding(Severity.ERROR, check, file, line, subject, message, **extra)


def warning(check: str, file: str, line: int, subject: str, message: str, **extra: Any) -> Finding:
    return Finding(Severity.WARNING, check, file, line, subject, message, **extra)


def note(check: str, file: str, line: int, subject: str, message: str, **extra: Any) -> Finding:
    return Finding(Severity.NOTE, check, file, line, subject, message, **extra)


@dataclass(frozen=True)
class BlockSummary:
    """One code block or table of a page, as the report lists it."""

    line: int
    kind: str                          # formula, example, signature, method, class-variables, python, other
    subject: str
    clauses: tuple[str, ...] = ()
    cases: tuple[str, ...] = ()
    status: str = "ok"                 # ok, failed, warning, not-checked, not-run


@dataclass(frozen=True)
class PageSummary:
    path: str
    locale: str
    locale_source: str
    doc: str | None
    title: str | None
    identifier: str | None
    translation_key: str
    blocks: tuple[BlockSummary, ...] = ()
    generator: str = "markdown"        # lazydocs, tfdocs or markdown
    doc_evidence: tuple[str, ...] = ()  # what `doc` was told from


@dataclass(frozen=True)
class ExampleRun:
    """What running one example produced, for the JSON report."""

    file: str
    line: int
    subject: str
    status: str                        # passed, failed, error, timeout, skipped
    duration_s: float
    images: int
    logged: tuple[str, ...] = ()
    message: str = ""


@dataclass(frozen=True)
class SentenceReading:
    """One sentence about the Image surface and what the checker made of it (--explain)."""

    file: str
    line: int
    text: str
    statements: tuple[str, ...]        # "kind: facts", each checked against the spec
    problems: tuple[str, ...]          # of those, what the spec contradicts
    other: tuple[str, ...]             # what the other readers made of it
    understood: bool


@dataclass(frozen=True)
class SkippedPage:
    """A page of a walked tree that was not checked, and why (the pre-filter, a link, ...)."""

    path: str
    reason: str


@dataclass(frozen=True)
class DocsShard:
    """Part `index` of `count` (from 1) of a selection of pages, and the whole selection in
    order, so the shards' reports can be merged back and a missing one is noticed."""

    index: int
    count: int
    selection: tuple[str, ...]


@dataclass(frozen=True)
class DocsReport:
    implementation: str
    pages: tuple[PageSummary, ...]
    findings: tuple[Finding, ...]
    runs: tuple[ExampleRun, ...] = ()
    duration_s: float = 0.0
    environment: dict[str, Any] = field(default_factory=dict)
    readings: tuple[SentenceReading, ...] = ()   # filled with --explain
    skipped: tuple[SkippedPage, ...] = ()
    walked: int = 0                     # pages found in the directories given (0: files only)
    shard: DocsShard | None = None

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    @property
    def ok(self) -> bool:
        return self.count(Severity.ERROR) == 0
