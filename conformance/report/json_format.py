"""The JSON report, shaped as conformance/schemas/report.schema.json documents.

Built for machines: every key is always present (null when unknown), so a consumer never
needs to guess whether a missing key means "none" or "not recorded". No timestamps, so
the same run gives byte-identical output. The arrays of pixel mismatches keep their bytes,
within caps (report.saved_pixels), so a saved run's HTML page draws the run's pictures.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from wbimage_conformance.model import Mismatch, Result, RunReport, Shard
from wbimage_conformance.report import causes, saved_pixels, summary
from wbimage_conformance.report.describe import describe, pixel_facts
from wbimage_conformance.report.jsonable import to_jsonable

#: Bumped when a key changes meaning or disappears (adding keys does not bump it).
REPORT_VERSION = 1

#: What each large pixel array keeps (saved_pixels.plan).
Kept = dict[saved_pixels.Key, dict[str, str]]


def _mismatch(mismatch: Mismatch, kept: Kept, case_id: str, index: int) -> dict[str, Any]:
    return {
        "field": mismatch.field,
        "expected": saved_pixels.with_bytes(to_jsonable(mismatch.expected), kept.get((case_id, index, "expected"))),
        "actual": saved_pixels.with_bytes(to_jsonable(mismatch.actual), kept.get((case_id, index, "actual"))),
        "detail": to_jsonable(pixel_facts(mismatch) if mismatch.field == "pixels" else mismatch.detail),
        "description": describe(mismatch),
    }


def _result(result: Result, kept: Kept) -> dict[str, Any]:
    case = result.case
    return {
        "id": case.id,
        "title": case.title,
        "status": result.status.value,
        "clauses": list(case.clauses),
        "family": summary.family_of(result),
        "level": case.level,
        "file": case.file,
        "line": case.line,
        "duration_s": to_jsonable(float(result.duration_s)),
        "message": result.message,
        "reproduction": result.reproduction,
        "expectation_reason": result.expectation_reason,
        "mismatches": [_mismatch(m, kept, case.id, i) for i, m in enumerate(result.mismatches)],
    }


def _causes(report: RunReport) -> list[dict[str, Any]]:
    return [{
        "id": view.group.id,
        "title": view.group.title,
        "hint": view.group.hint,
        "clauses": [clause for clause, _ in view.clauses],
        "clause_texts": dict(view.clauses),
        "explains": list(view.group.explains),
        "together": list(view.group.together),
        "example": {"id": view.example.case.id, "reproduction": view.example.reproduction,
                    "observed": view.example_note},
    } for view in causes.views(report)]


def to_json_data(report: RunReport) -> dict[str, Any]:
    """The report as plain JSON data (dicts, lists, str, int, float, bool, None only)."""
    env = report.environment
    kept = saved_pixels.plan(report)
    return {
        "report_version": REPORT_VERSION,
        "implementation": {"name": env.implementation, "version": env.implementation_version},
        "environment": to_jsonable(asdict(env)),
        "ok": report.ok,
        "summary": summary.totals(report).as_dict(),
        "families": {name: counts.as_dict() for name, counts in summary.by_family(report).items()},
        "results": [_result(r, kept) for r in report.results],
        "causes": _causes(report),
        "unexplained": [r.case.id for r in causes.unexplained(report)],
        "shard": _shard(report.shard),
        "not_run": list(report.not_run),
        **({"interrupted": report.interrupted} if report.interrupted else {}),
    }


def _shard(shard: Shard | None) -> dict[str, Any] | None:
    if shard is None:
        return None
    return {"index": shard.index, "count": shard.count, "selection": list(shard.selection)}


def render(report: RunReport, *, color: bool = False) -> str:
    return json.dumps(to_json_data(report), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
