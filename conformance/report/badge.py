"""A shields.io endpoint badge: the share of the cases that ran which pass the spec.

    {"schemaVersion": 1, "label": "wandb.Image spec", "message": "97.5% (390/400)", "color": "green"}

Published next to a project's README (e.g. on GitHub Pages) and shown with
`https://img.shields.io/endpoint?url=...`, as Bowtie publishes its implementations' badges.
The rate is conformance, not the run's verdict: a case failing as the expectations file says
(xfailed) is a known deviation, so it does not count as passed; skipped cases did not run and
count neither way. The percentage is rounded down, so 100% means every case that ran passed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wbimage_conformance.model import RunReport, Status
from wbimage_conformance.report import summary
from wbimage_conformance.stored import writing

LABEL = "wandb.Image spec"
#: (lowest percentage, colour), checked in order.
COLOURS = ((100, "brightgreen"), (95, "green"), (90, "yellowgreen"), (75, "yellow"), (50, "orange"), (0, "red"))


def percentage(passed: int, ran: int) -> str:
    """`passed / ran` in percent, one decimal, rounded down ("100%" only when all passed)."""
    tenths = passed * 1000 // ran
    return "100%" if passed == ran else f"{tenths // 10}.{tenths % 10}%"


def endpoint(report: RunReport) -> dict[str, Any]:
    counts = summary.totals(report)
    ran = counts.total - counts[Status.SKIPPED]
    passed = counts[Status.PASSED]
    if ran == 0:
        return {"schemaVersion": 1, "label": LABEL, "message": "no case ran", "color": "lightgrey"}
    colour = next(name for lowest, name in COLOURS if passed * 100 >= lowest * ran)
    message = f"{percentage(passed, ran)} ({passed}/{ran})"
    if report.not_run:
        message += ", stopped early"
        colour = "lightgrey"
    return {"schemaVersion": 1, "label": LABEL, "message": message, "color": colour}


def write(report: RunReport, path: Path | str) -> None:
    writing.replace_text(path, json.dumps(endpoint(report), ensure_ascii=False) + "\n")
