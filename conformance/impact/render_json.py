"""The impact as JSON: every site and sample with its numbers, causes and how each side was
computed, for tools and for CI artifacts. The other reports say the same things from the same
`Impact`; this one holds them all. Text from the capture (sites, functions, messages) is made
printable first (report/terminal.printable)."""

from __future__ import annotations

import json
from typing import Any

import wbimage_conformance
from wbimage_conformance.impact import compare, wording
from wbimage_conformance.impact.compare import VERDICTS
from wbimage_conformance.impact.engine import Impact, Side
from wbimage_conformance.impact.models import Outcome
from wbimage_conformance.report.terminal import printable

FORMAT = 1


def _side(side: Side) -> dict[str, Any]:
    return {"given": printable(side.given), "name": printable(side.name), "computed_by": side.computed_by}


def totals(impact: Impact) -> dict[str, int]:
    counts = {"samples": len(impact.samples), **{verdict: impact.count(verdict) for verdict in VERDICTS}}
    counts["skipped"] = wording.skipped(impact)
    counts["sites"] = len(impact.sites)
    return counts


def _outcome(outcome: Outcome) -> dict[str, Any]:
    return {"mode": outcome.mode, "shape": list(outcome.shape) if outcome.shape else None,
            "raised": printable(outcome.raised) if outcome.raised else None,
            "failed": printable(outcome.failed) if outcome.failed else None,
            "computed_by": outcome.computed_by}


def _sample(item: compare.SampleImpact) -> dict[str, Any]:
    sample = item.sample
    return {
        "index": sample.index, "input": printable(sample.described), "kind": sample.kind, "dtype": sample.dtype,
        "shape": list(sample.shape), "given": {k: printable(repr(v)) for k, v in sorted(sample.given.items())},
        "verdict": item.verdict, "degradation": item.degradation, "improvement": item.improvement,
        "pixels_changed": item.pixels_changed, "pixels_total": item.pixels_total,
        "largest_difference": item.largest_difference,
        "mode_change": list(item.mode_change) if item.mode_change else None,
        "shape_change": [list(s) for s in item.shape_change] if item.shape_change else None,
        "outcome_change": printable(item.outcome_change) if item.outcome_change else None,
        "causes": [printable(c) for c in item.causes],
        "before": _outcome(item.before), "after": _outcome(item.after),
    }


def _site(site: compare.SiteImpact) -> dict[str, Any]:
    return {
        "site": printable(site.site), "function": printable(site.function), "verdict": site.verdict,
        "samples": len(site.samples), **{verdict: site.count(verdict) for verdict in VERDICTS},
        "degradations": site.degradations, "causes": [printable(c) for c in site.causes],
        "items": [_sample(item) for item in site.samples],
        "skipped": [{"index": s.index, "reason": printable(s.skipped or "")} for s in site.skipped],
    }


def _printable_tree(value: Any) -> Any:
    """The environment as printable text (a real side's versions come from its own interpreter)."""
    if isinstance(value, dict):
        return {printable(str(k)): _printable_tree(v) for k, v in value.items()}
    return printable(value) if isinstance(value, str) else value


def document(impact: Impact) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "tool": f"wbimage-conformance {wbimage_conformance.__version__} impact",
        "before": _side(impact.before), "after": _side(impact.after),
        "totals": totals(impact),
        "verification": [{"side": printable(v.side), "checked": v.checked, "unanswered": v.unanswered,
                          "disagreements": [{"sample": printable(d.sample), "model": printable(d.model),
                                             "real": printable(d.real)} for d in v.disagreements]}
                         for v in impact.verification],
        "sites": [_site(site) for site in impact.sites],
        "environment": _printable_tree(impact.environment),
        "seconds": round(impact.seconds, 3),
    }


def render(impact: Impact) -> str:
    return json.dumps(document(impact), indent=1, ensure_ascii=False, allow_nan=False) + "\n"
