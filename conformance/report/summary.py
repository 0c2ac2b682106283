"""Counts by clause family and status, shared by every report format.

Every writer draws its tables and closing lines from here, so a text report, a JUnit file and
a JSON document of the same run can never disagree about how many cases failed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wbimage_conformance.model import UNEXPECTED, Result, RunReport, Status

#: Key of each status in JSON summaries and in the long closing line (plural where it reads so).
SUMMARY_KEYS: dict[Status, str] = {
    Status.PASSED: "passed",
    Status.FAILED: "failed",
    Status.ERROR: "errors",
    Status.SKIPPED: "skipped",
    Status.XFAILED: "xfailed",
    Status.XPASSED: "xpassed",
    Status.TIMEOUT: "timeouts",
    Status.CRASH: "crashes",
}


NO_FAMILY = "(none)"


def family_of(result: Result) -> str:
    """Clause family of a result's case: the prefix of its first clause ('norm' for 'norm.unit')."""
    clauses = result.case.clauses
    if not clauses:
        return NO_FAMILY
    return clauses[0].split(".")[0]


def first_clause(result: Result) -> str:
    clauses = result.case.clauses
    return clauses[0] if clauses else "none"


def is_unexpected(result: Result) -> bool:
    return result.status in UNEXPECTED


@dataclass
class Counts:
    """How many results have each status; `total` is their sum."""

    by_status: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(Status, 0))

    def add(self, status: Status) -> None:
        self.by_status[status] += 1

    def __getitem__(self, status: Status) -> int:
        return self.by_status[status]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def unexpected(self) -> int:
        return sum(n for s, n in self.by_status.items() if s in UNEXPECTED)

    @property
    def as_expected(self) -> int:
        """Passed, plus failed exactly as the expectations file says."""
        return self.by_status[Status.PASSED] + self.by_status[Status.XFAILED]

    def as_dict(self) -> dict[str, int]:
        """The JSON `summary` object: total first, then one key per status."""
        data = {"total": self.total}
        data.update({SUMMARY_KEYS[s]: self.by_status[s] for s in Status})
        return data


def totals(report: RunReport) -> Counts:
    counts = Counts()
    for result in report.results:
        counts.add(result.status)
    return counts


def by_family(report: RunReport) -> dict[str, Counts]:
    """Counts per clause family, families in alphabetical order (the '(none)' bucket last)."""
    families: dict[str, Counts] = {}
    for result in report.results:
        families.setdefault(family_of(result), Counts()).add(result.status)
    return dict(sorted(families.items(), key=lambda item: (item[0] == NO_FAMILY, item[0])))


def unexpected_results(report: RunReport) -> list[Result]:
    """Results that make the run fail, in run order."""
    return [r for r in report.results if is_unexpected(r)]


def long_line(counts: Counts) -> str:
    """'N passed, N failed, N errors, N skipped, N xfailed, N xpassed, N timeouts, N crashes'."""
    return ", ".join(f"{counts[s]} {SUMMARY_KEYS[s]}" for s in Status)


def short_line(counts: Counts) -> str:
    """'N as expected, N unexpected, N skipped': the run by outcome, for CI log readers.

    as expected = passed + xfailed, unexpected = failed, error, xpassed, timeout and crash,
    skipped = skipped; so '0 unexpected' holds exactly when the run's exit code is 0. Its words
    are not status names: beside the long line ('712 passed, ... 45 xfailed'), a closing line
    saying '757 passed' would count one case as passed in one line and xfailed in the next.
    """
    return f"{counts.as_expected} as expected, {counts.unexpected} unexpected, {counts[Status.SKIPPED]} skipped"


def header_rows(report: RunReport) -> list[tuple[str, str]]:
    """The environment as (label, value) rows, in the order every report header shows them;
    then, for part of a selection, which shard it is and how many cases --maxfail left."""
    env = report.environment
    missing = "not installed"
    rows = [
        ("suite version", env.suite_version),
        ("case set", env.case_set_digest),
        ("implementation", env.implementation),
        ("implementation version", env.implementation_version or "unknown"),
        ("python", env.python),
        ("numpy", env.numpy or missing),
        ("pillow", env.pillow or missing),
        ("torch", env.torch or missing),
        ("platform", env.platform),
        ("sandbox", env.sandbox),
        ("install", env.install),
    ]
    if report.shard is not None:
        shard = report.shard
        rows.append(("shard", (f"{shard.index} of {shard.count}: {len(report.results) + len(report.not_run)} "
                              f"of the {len(shard.selection)} selected cases")))
    if report.interrupted:
        rows.append(("interrupted",
                     f"by {report.interrupted}: a partial run, {len(report.not_run)} selected cases not run"))
    elif report.not_run:
        rows.append(("not run", f"{len(report.not_run)} selected cases: --maxfail stopped the run"))
    return rows


def implementation_label(report: RunReport) -> str:
    env = report.environment
    return f"{env.implementation} {env.implementation_version}" if env.implementation_version else env.implementation


def message_beyond_mismatches(result: Result) -> str:
    """The result's message less the parts that only repeat its mismatch lines.

    The runner builds a failure's one-line message from its mismatches (for JSON readers and
    the pytest plugin); reports that list the mismatches themselves print only what is left."""
    if not result.mismatches:
        return result.message
    from wbimage_conformance.run.compare import describe_mismatch  # the runner's own wording

    message = result.message
    for line in sorted({describe_mismatch(m) for m in result.mismatches}, key=len, reverse=True):
        message = message.replace(line, "")
    return re.sub(r"(?:;\s*)+", "; ", message).strip("; ")
