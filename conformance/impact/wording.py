"""The sentences the impact's HTML and Markdown reports both say: the verdict, the totals,
each side and how its pixels were checked, what changed in a sample. Said once, so the two
formats never tell a reader different things about the same impact.

The words are plain text; each writer escapes them for its format.
"""

from __future__ import annotations

from wbimage_conformance.impact.compare import VERDICTS, SampleImpact, SiteImpact
from wbimage_conformance.impact.engine import Impact, Side, Verification


def skipped(impact: Impact) -> int:
    return sum(len(site.skipped) for site in impact.sites)


def totals(impact: Impact) -> str:
    """'11 samples: 4 degraded, 0 unknown, 1 changed, 6 unchanged; 0 skipped'."""
    counts = ", ".join(f"{impact.count(verdict)} {verdict}" for verdict in VERDICTS)
    return f"{len(impact.samples)} sample(s) compared: {counts}; {skipped(impact)} skipped"


def headline(impact: Impact) -> str:
    """The one line a reader needs: what the upgrade does to the images, at how many sites,
    worst first."""
    parts = []
    for verdict, words in (("degraded", "lose what they showed"), ("unknown", "could not be compared"),
                           ("changed", "look different")):
        count = impact.count(verdict)
        if count:
            sites = sum(1 for site in impact.sites if site.count(verdict))
            parts.append(f"{count} sample(s) at {sites} call site(s) {words}")
    if parts:
        return "; ".join(parts)
    return "no sample changes" if impact.samples else "no sample could be compared"


def bad(impact: Impact) -> bool:
    """Whether the headline is a warning: anything degraded, changed or unknown."""
    return any(impact.count(verdict) for verdict in VERDICTS[:-1])


def side(label: str, who: Side) -> str:
    return f"{label}: {who.name}, computed by {who.computed_by}"


def verification(impact: Impact) -> list[tuple[str, bool]]:
    """Per side, how far its pixels were checked against the real implementation, and whether
    that found a disagreement (which a report must make stand out)."""
    lines = []
    for label, who in (("before", impact.before), ("after", impact.after)):
        checked = _check_of(impact, who)
        if who.real_only or who.model is None:
            lines.append((f"{label} ({who.name}): every sample was run by the real implementation", False))
        elif who.given == "spec":
            lines.append((f"{label} ({who.name}): the reference implementation itself, nothing to check", False))
        elif checked is None:
            unchecked = (f"{label} ({who.name}): the release model was not checked against the real release "
                         "(--verify runs it on some samples)")
            lines.append((unchecked, False))
        else:
            lines.append(_checked(label, who, checked))
    return lines


def _check_of(impact: Impact, who: Side) -> Verification | None:
    found = [check for check in impact.verification if check.side == who.name]
    return found[0] if found else None


def _checked(label: str, who: Side, check: Verification) -> tuple[str, bool]:
    sentence = f"{label} ({who.name}): the real release ran {check.checked} sample(s)"
    if check.disagreements:
        sentence += (f" and DISAGREES with the release model on {len(check.disagreements)}: their real pixels "
                     "are used, and the model needs fixing")
    else:
        sentence += ", and the release model gave the same outcome on every one"
    if check.unanswered:
        sentence += f"; {check.unanswered} more gave no answer (the model's pixels are used for them)"
    return sentence, bool(check.disagreements)


def site_verdict(site: SiteImpact) -> str:
    """The site's verdict, or 'not compared' when every sample of it was skipped."""
    return site.verdict if site.samples else "not compared"


def site_counts(site: SiteImpact) -> str:
    """'4 sample(s): 2 degraded, 2 unchanged; 1 skipped', only the verdicts present."""
    counts = [f"{site.count(verdict)} {verdict}" for verdict in VERDICTS if site.count(verdict)]
    text = f"{len(site.samples)} sample(s)" + (f": {', '.join(counts)}" if counts else "")
    return text + (f"; {len(site.skipped)} skipped" if site.skipped else "")


def degradations(site: SiteImpact) -> str:
    """'2 black, 1 flattened' (worst first), or ''."""
    return ", ".join(f"{count} {name}" for name, count in site.degradations.items())


def worst(site: SiteImpact) -> str:
    """The worst thing the upgrade does at the site, in a few words."""
    sample = site.worst
    if sample is None:
        return "nothing changes" if site.samples else "nothing compared"
    if sample.degradation:
        return sample.degradation
    return sample.outcome_change or changed(sample)


def changed(sample: SampleImpact) -> str:
    """What the upgrade does to one sample: its degradation, then every measure of the change."""
    if sample.verdict == "unchanged":
        return "unchanged"
    parts = [sample.outcome_change] if sample.outcome_change else []
    if sample.degradation and not (sample.outcome_change or "").startswith(sample.degradation):
        parts.insert(0, sample.degradation)
    if sample.pixels_total:
        parts.append(f"{sample.pixels_changed} of {sample.pixels_total} pixels changed, largest difference "
                     f"{sample.largest_difference}")
    parts += _form_changes(sample)
    return "; ".join(parts) or sample.verdict


def _form_changes(sample: SampleImpact) -> list[str]:
    """Its mode and shape changes, in words."""
    parts = []
    if sample.mode_change:
        parts.append(f"mode {sample.mode_change[0]} becomes {sample.mode_change[1]}")
    if sample.shape_change:
        old, new = ("x".join(str(n) for n in shape) for shape in sample.shape_change)
        parts.append(f"shape {old} becomes {new}")
    return parts


def pixels(site: SiteImpact) -> str:
    """The site's pixels changed over its samples, and the largest difference of any; '' when
    no sample had pixels on both sides (every one raised or gave no answer)."""
    total = sum(s.pixels_total for s in site.samples)
    if not total:
        return ""
    moved = sum(s.pixels_changed for s in site.samples)
    largest = max(s.largest_difference for s in site.samples)
    return f"{moved} of {total} pixels changed, largest difference {largest}"


def mode_and_shape(site: SiteImpact) -> list[str]:
    """Each distinct mode or shape change at the site, with how many samples show it."""
    found: dict[str, int] = {}
    for sample in site.samples:
        for key in _form_changes(sample):
            found[key] = found.get(key, 0) + 1
    return [f"{key} ({count} sample(s))" for key, count in found.items()]
