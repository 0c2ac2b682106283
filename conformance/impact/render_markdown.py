"""An impact as Markdown for a CI step summary ($GITHUB_STEP_SUMMARY): the headline, the
totals, how each side's pixels were checked, and one table row per call site, worst first.

No pictures: a step summary does not reliably show data: URIs (the HTML report has them). Its
length is bounded whatever the capture holds: the worst MAX_SITES sites are listed and the
rest counted by verdict, and every cell is cut to a few words. Site paths, function names and
causes come from a capture that may come from anyone, so each cell is escaped as the run
report escapes its own (report.markdown: HTML, `|`, backticks, newlines).
"""

from __future__ import annotations

from collections import Counter

from wbimage_conformance.impact import wording
from wbimage_conformance.impact.compare import SiteImpact
from wbimage_conformance.impact.engine import Impact
from wbimage_conformance.report.markdown import inline_code, table, text

#: Sites listed in the table; the others are counted by verdict.
MAX_SITES = 50
#: The longest a cell's text runs (a site path, a function); a cause is cut shorter.
LONGEST_CELL, LONGEST_CAUSE = 120, 100


def cut(value: str, longest: int) -> str:
    """`value` on one line in at most `longest` characters, an ellipsis marking a cut."""
    flat = " ".join(str(value).split())
    return flat if len(flat) <= longest else flat[: longest - 1] + "…"


def _cause(site: SiteImpact) -> str:
    causes = site.causes
    if not causes:
        return ""
    more = f" (+{len(causes) - 1} more)" if len(causes) > 1 else ""
    return text(cut(causes[0], LONGEST_CAUSE) + more)


def _row(site: SiteImpact) -> list[str]:
    verdict = wording.site_verdict(site)
    verdict = f"**{verdict}**" if site.verdict != "unchanged" else verdict
    samples = str(len(site.samples)) + (f" (+{len(site.skipped)} skipped)" if site.skipped else "")
    changed = site.count("changed") + site.count("degraded")
    worst = wording.worst(site)
    return [inline_code(cut(site.site, LONGEST_CELL), in_table=True),
            inline_code(cut(site.function, LONGEST_CELL), in_table=True) if site.function.strip() else "",
            verdict, samples, str(changed), str(site.count("degraded")),
            f"**{text(cut(worst, LONGEST_CELL))}**" if site.verdict == "degraded" else text(cut(worst, LONGEST_CELL)),
            _cause(site)]


def _sites(impact: Impact) -> list[str]:
    if not impact.sites:
        return ["No call site: nothing was compared.", ""]
    head = ["site", "function", "verdict", "samples", "changed", "degraded", "worst", "cause"]
    lines = table(head, [_row(site) for site in impact.sites[:MAX_SITES]])
    rest = impact.sites[MAX_SITES:]
    if rest:
        counts = Counter(site.verdict for site in rest)
        by_verdict = ", ".join(f"{counts[v]} {v}" for v in wording.VERDICTS if counts[v])
        lines += ["", f"… and {len(rest)} more call site(s) ({by_verdict}); the HTML report lists every one."]
    return [*lines, ""]


def _verification(impact: Impact) -> list[str]:
    lines = []
    for sentence, disagrees in wording.verification(impact):
        line = text(sentence)
        lines.append(f"- :warning: **{line}**" if disagrees else f"- {line}")
    return [*lines, ""]


def markdown(impact: Impact) -> str:
    """The step summary."""
    headline = wording.headline(impact)
    mark = ":warning: " if wording.bad(impact) else ""
    lines = [
        f"## wbimage-conformance impact: {text(impact.before.name)} → {text(impact.after.name)}",
        "",
        f"{mark}**{text(headline)}**",
        "",
        text(wording.totals(impact), line_start=True) + f" ({impact.seconds:.1f} s)",
        "",
        *_verification(impact),
        *_sites(impact),
    ]
    return "\n".join(lines)
