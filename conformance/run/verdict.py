"""Whether a run is a pass: the one rule `run` and `report` exit by.

A run passes only when it says something, and all of it is good: every result as expected
(passed, xfailed, skipped), every selected case reached (none left by --maxfail), at least one
case checked (a run of nothing, or of skips only, says nothing about the implementation;
--allow-skips accepts it), and the whole selection covered. The last is where `run --shard K/N`
and `report` differ by design, not by accident: a shard's job judges the part it was given
(so a CI matrix fails on the shard that failed; a part left empty because there are more shards
than cases passes), while a saved report claims the whole run, so one shard of N > 1 on its own
is never a pass; `report` merges all N and judges that.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TextIO

from wbimage_conformance.model import UNEXPECTED, RunReport, Status


@dataclass(frozen=True)
class Verdict:
    passed: bool
    reason: str = ""        # why not, in one line; empty for a pass

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1


def judge(report: RunReport, *, allow_skips: bool = False, shard_job: bool = False) -> Verdict:
    """The verdict on `report`; `shard_job` when it is the run of `--shard K/N` itself."""
    if not report.ok:
        unexpected = sum(r.status in UNEXPECTED for r in report.results)
        return Verdict(False, f"{unexpected} unexpected result(s)")
    if report.not_run:
        return Verdict(False, f"{len(report.not_run)} selected case(s) were not run")
    shard = report.shard
    if shard is not None and shard.count > 1 and not shard_job:
        return Verdict(False, f"this is shard {shard.index} of {shard.count} only: a pass needs every shard "
                              f"(merge all {shard.count} with `wbimage-conformance report`)")
    if shard_job and not report.results:
        return Verdict(True)    # more shards than cases: this part is empty, the merged run is judged
    checked = [r for r in report.results if r.status is not Status.SKIPPED]
    if not checked and not allow_skips:
        what = "no case ran" if not report.results else f"no case was checked (all {len(report.results)} skipped)"
        return Verdict(False, f"{what}; --allow-skips accepts such a run")
    return Verdict(True)


def exit_for(report: RunReport, *, allow_skips: bool = False, shard_job: bool = False,
             stderr: TextIO | None = None) -> int:
    """The exit code of `run` or `report` for `report`; a reason the report itself does not
    show (it shows unexpected results) is said on standard error."""
    found = judge(report, allow_skips=allow_skips, shard_job=shard_job)
    if not found.passed and report.ok:
        print(f"wbimage-conformance: not a pass: {found.reason}", file=sys.stderr if stderr is None else stderr)
    return found.exit_code
