"""The impact on the terminal: the headline, then each call site worst first, with what became
black, white, flat or an error named before anything milder, and why."""

from __future__ import annotations

from wbimage_conformance.impact import compare
from wbimage_conformance.impact.engine import Impact, Verification
from wbimage_conformance.impact.render_json import totals
from wbimage_conformance.report.terminal import one_line

#: Samples listed per site (the worst first); the others are counted.
LISTED_PER_SITE = 5


def headline(impact: Impact) -> str:
    counts = totals(impact)
    return (f"{counts['samples']} sample(s) at {counts['sites']} call site(s): {counts['degraded']} degraded, "
            f"{counts['changed']} changed, {counts['unchanged']} unchanged, {counts['unknown']} unknown, "
            f"{counts['skipped']} skipped")


def verification_line(check: Verification) -> str:
    if not check.checked and not check.unanswered:
        return f"{check.side}: no sample verified"
    agreed = check.checked - len(check.disagreements)
    line = f"{check.side}: the real release agrees with its model on {agreed} of {check.checked} sample(s)"
    if check.unanswered:
        line += f" ({check.unanswered} unanswered)"
    return line


def sample_line(item: compare.SampleImpact) -> str:
    what = item.degradation or item.verdict
    if item.improvement and item.improvement != "raised":
        what += f" (no longer {item.improvement})"
    parts = []
    if item.outcome_change:
        parts.append(item.outcome_change)
    if item.pixels_total:
        parts.append(f"{item.pixels_changed} of {item.pixels_total} pixels changed, largest difference "
                     f"{item.largest_difference}")
    if item.mode_change:
        parts.append(f"mode {item.mode_change[0]} -> {item.mode_change[1]}")
    if item.shape_change:
        parts.append(f"shape {list(item.shape_change[0])} -> {list(item.shape_change[1])}")
    return one_line(f"#{item.sample.index} {item.sample.described}: {what}"
                    + (f": {'; '.join(parts)}" if parts else ""))


def site_lines(site: compare.SiteImpact) -> list[str]:
    function = f" ({site.function})" if site.function else ""
    counts = ", ".join(f"{site.count(v)} {v}" for v in ("degraded", "changed", "unknown") if site.count(v))
    lost = ", ".join(f"{name} {count}" for name, count in site.degradations.items())
    lines = [one_line(f"{site.verdict.upper()} {site.site}{function}: {len(site.samples)} sample(s)"
                      + (f", {counts}" if counts else "") + (f" [{lost}]" if lost else ""))]
    lines.extend(f"  why: {one_line(cause)}" for cause in site.causes)
    moved = sorted((s for s in site.samples if s.verdict != "unchanged"), key=compare.severity_key)
    lines.extend(f"  {sample_line(item)}" for item in moved[:LISTED_PER_SITE])
    if len(moved) > LISTED_PER_SITE:
        lines.append(f"  ... and {len(moved) - LISTED_PER_SITE} more changed sample(s)")
    lines.extend(f"  skipped #{s.index}: {one_line(s.skipped or '')}" for s in site.skipped)
    return lines


def render(impact: Impact) -> str:
    before, after = impact.before, impact.after
    lines = [one_line(f"wbimage-conformance impact: {before.name} ({before.computed_by}) -> "
                      f"{after.name} ({after.computed_by})"), headline(impact)]
    lines.extend(verification_line(check) for check in impact.verification)
    lines.extend(one_line(note) for note in impact.notes)
    for check in impact.verification:
        for d in check.disagreements:
            lines.append(one_line(f"  MODEL DISAGREES {d.sample}: model {d.model}; real {d.real} "
                                  "(the real result is used)"))
    quiet = [site for site in impact.sites if site.verdict == "unchanged" and not site.skipped]
    for site in impact.sites:
        if site not in quiet:
            lines.append("")
            lines.extend(site_lines(site))
    if quiet:
        lines.append("")
        lines.append(f"unchanged: {len(quiet)} site(s): " + one_line(", ".join(site.site for site in quiet[:20]))
                     + (f" and {len(quiet) - 20} more" if len(quiet) > 20 else ""))
    lines.append("")
    lines.append(f"computed in {impact.seconds:.1f} s")
    return "\n".join(lines) + "\n"
