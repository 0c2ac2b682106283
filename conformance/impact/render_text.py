"""The impact on the terminal: the headline, then each call site worst first, with what became
black, white, flat or an error named before anything milder, and why. The sentences are the
HTML and Markdown reports' (impact/wording.py)."""

from __future__ import annotations

from wbimage_conformance.impact import compare, wording
from wbimage_conformance.impact.engine import Impact
from wbimage_conformance.report.terminal import one_line

#: Samples listed per site (the worst first); the others are counted.
LISTED_PER_SITE = 5
#: Unchanged sites named on their one line; the others are counted.
NAMED_UNCHANGED = 20


def sample_line(item: compare.SampleImpact) -> str:
    what = wording.changed(item)
    if item.improvement and item.improvement != "raised":
        what = f"no longer {item.improvement}: {what}"
    return one_line(f"#{item.sample.index} {item.sample.described}: {what}")


def site_lines(site: compare.SiteImpact) -> list[str]:
    function = f" in {site.function}" if site.function else ""
    lost = wording.degradations(site)
    lines = [one_line(f"{wording.site_verdict(site).upper()} {site.site}{function}: {wording.site_counts(site)}"
                      + (f" [{lost}]" if lost else ""))]
    lines.extend(f"  why: {one_line(cause)}" for cause in site.causes)
    moved = sorted((s for s in site.samples if s.verdict != "unchanged"), key=compare.severity_key)
    lines.extend(f"  {sample_line(item)}" for item in moved[:LISTED_PER_SITE])
    if len(moved) > LISTED_PER_SITE:
        lines.append(f"  ... and {len(moved) - LISTED_PER_SITE} more changed sample(s)")
    lines.extend(f"  skipped #{s.index}: {one_line(s.skipped or '')}" for s in site.skipped)
    return lines


def render(impact: Impact) -> str:
    lines = [one_line(f"wbimage-conformance impact: {impact.before.name} -> {impact.after.name}"),
             one_line(wording.headline(impact)), wording.totals(impact)]
    for text, alarm in wording.verification(impact):
        lines.append(one_line(("MODEL DISAGREES: " if alarm else "") + text))
    for check in impact.verification:
        lines.extend(one_line(f"  {d.sample}: model {d.model}; real {d.real}") for d in check.disagreements)
    lines.extend(one_line(note) for note in impact.notes)
    quiet = [site for site in impact.sites if site.verdict == "unchanged" and site.samples and not site.skipped]
    for site in impact.sites:
        if site not in quiet:
            lines.extend(["", *site_lines(site)])
    if quiet:
        named = ", ".join(site.site for site in quiet[:NAMED_UNCHANGED])
        more = f" and {len(quiet) - NAMED_UNCHANGED} more" if len(quiet) > NAMED_UNCHANGED else ""
        lines.extend(["", one_line(f"unchanged: {len(quiet)} site(s): {named}{more}")])
    lines.extend(["", f"computed in {impact.seconds:.1f} s"])
    return "\n".join(lines) + "\n"
