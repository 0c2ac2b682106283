"""The records that flow through the suite, in the order they appear.

case file -> Case -> (materialized input) -> adapter -> Observation -> compare -> Result
-> expectations -> RunReport -> report writers. Each is a frozen dataclass that can be
turned into plain JSON-ready data, so it can cross a process boundary or land in a report.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wbimage_conformance.worker.observation import Observation

__all__ = ["Case", "Environment", "Mismatch", "Observation", "Result", "RunReport", "Shard", "SourceRef", "Status"]


class Status(str, enum.Enum):
    """Verdict for one case. The order is the order reports list them in."""

    PASSED = "passed"
    FAILED = "failed"        # ran, and the observation differs from the expectation
    ERROR = "error"          # raised where the case expects a result
    SKIPPED = "skipped"      # cannot run here (missing optional dependency, unsupported kind)
    XFAILED = "xfailed"      # failed exactly as the expectations file says
    XPASSED = "xpassed"      # passed although the expectations file says it fails
    TIMEOUT = "timeout"      # the implementation did not answer in time
    CRASH = "crash"          # the worker process died (segfault, os._exit, out of memory)


#: Statuses that make a run fail (exit code 1); every report counts by this set.
UNEXPECTED: frozenset[Status] = frozenset(
    {Status.FAILED, Status.ERROR, Status.XPASSED, Status.TIMEOUT, Status.CRASH}
)


@dataclass(frozen=True)
class SourceRef:
    doc: str
    locale: str
    section: str
    example: str | None = None


@dataclass(frozen=True)
class Case:
    """One case as written in a case file. `input`, `call`, `expect` and `allowed` stay the
    validated plain data of the file; wbimage_conformance.cases.casefiles materializes them."""

    id: str
    title: str
    clauses: tuple[str, ...]
    level: str                               # "required" | "implementation-defined"
    input: dict[str, Any]
    call: dict[str, Any]
    expect: dict[str, Any] | None            # for level "required"
    allowed: tuple[dict[str, Any], ...]      # for level "implementation-defined"
    sources: tuple[SourceRef, ...] = ()
    tags: tuple[str, ...] = ()
    rationale: str | None = None
    statements: tuple[str, ...] = ()         # "clause:name" ids of SPEC.md statements it checks
    file: str = ""                           # path of the case file
    line: int = 0                            # line of the case's `id` in that file

    @property
    def family(self) -> str:
        """Clause family of the first clause: 'norm' for 'norm.unit'."""
        return self.clauses[0].split(".")[0]

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Mismatch:
    """One field where the observation differs from the expectation.

    For pixels, detail carries the statistics: number of differing elements, index of the
    first, expected and actual values there, the largest absolute difference."""

    field: str
    expected: Any
    actual: Any
    detail: dict[str, Any] = dataclasses.field(default_factory=dict)  # `field` is a member here
    # How a saved JSON report described it; set only when read back from one, whose arrays
    # above 64 elements are kept by digest, so the words cannot always be recomputed.
    description: str | None = None

    def describe(self) -> str:
        return f"{self.field}: expected {self.expected!r}, got {self.actual!r}"


@dataclass(frozen=True)
class Result:
    """The verdict for one case, after expectations are applied."""

    case: Case
    status: Status
    mismatches: tuple[Mismatch, ...] = ()
    message: str = ""                   # one-line reason (error text, skip reason, crash cause)
    duration_s: float = 0.0
    expectation_reason: str | None = None   # from the expectations file, for xfailed/xpassed
    observation: Observation | None = None
    #: The `reproduction` line as text, or what writes it when it is first read: most results
    #: pass and no report but JSON shows their line, so the runner does not write it per case.
    reproduction_source: str | Callable[[], str] = dataclasses.field(default="", repr=False, compare=False)

    @functools.cached_property
    def reproduction(self) -> str:
        """One line of Python that repeats the call."""
        source = self.reproduction_source
        return source if isinstance(source, str) else source()


@dataclass(frozen=True)
class Environment:
    """What a run's report header records so a result can be reproduced."""

    suite_version: str
    case_set_digest: str
    implementation: str
    implementation_version: str | None
    python: str
    numpy: str | None
    pillow: str | None
    torch: str | None
    platform: str
    sandbox: str = "not recorded"      # where the implementation ran (run/sandbox.py)
    install: str = "not recorded"      # whether the suite's own files were verified (run/install_check.py)


@dataclass(frozen=True)
class Shard:
    """The part of a selection one CI job ran: shard `index` of `count` (from 1), and the ids
    of the whole selection in run order, so the shards' reports can be merged back into one
    and a missing shard is noticed."""

    index: int
    count: int
    selection: tuple[str, ...]


@dataclass(frozen=True)
class SavedCause:
    """A cause as a saved JSON report recorded it. The report keeps no observations, so a run
    read back cannot be triaged again: its causes are the ones its run found."""

    id: str
    title: str
    hint: str
    clauses: tuple[str, ...]
    explains: tuple[str, ...]
    together: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunReport:
    environment: Environment
    results: tuple[Result, ...]
    shard: Shard | None = None
    not_run: tuple[str, ...] = ()    # selected case ids left when --maxfail or a signal stopped the run
    saved_causes: tuple[SavedCause, ...] | None = None   # read back from JSON; None: triage afresh
    interrupted: str | None = None   # the signal that stopped the run ("SIGINT", "SIGTERM"); None: it was not

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status is status)

    @property
    def ok(self) -> bool:
        """True when every result is as expected (exit code 0); an interrupted run is never ok."""
        return self.interrupted is None and not any(r.status in UNEXPECTED for r in self.results)
