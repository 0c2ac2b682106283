"""An impact as one self-contained HTML page, the run report's look: what the upgrade does to
a project's images, call site by call site, with the pictures.

The page is read by the person deciding whether to upgrade, so it starts with the answer (the
two sides, how their pixels were computed and checked, the totals), then the sites that
change, worst first, each with its losses called out before any number, its causes in full
sentences and its worst samples drawn before, after and where they differ. Unchanged sites
are folded at the end, then the samples that could not be compared and the environment.

A capture may come from anyone: every site path, function name, message and argument shown is
escaped (report.html_page.e, which also shows control and bidi characters as escapes) and
bounded in length. The page fetches nothing (the run report's CSP): thumbnails are PNG data:
URIs, CSS is inline, there is no script.
"""

from __future__ import annotations

import base64
import struct

from wbimage_conformance.impact import compare, wording
from wbimage_conformance.impact.engine import Impact
from wbimage_conformance.impact.models import Outcome
from wbimage_conformance.impact.thumbnails import Thumbnails
from wbimage_conformance.report import images
from wbimage_conformance.report.html_page import BASE_CSS, document, e

#: The longest a user-controlled text (a site path, a function, a message) is shown; the rest is counted.
LONGEST = 300
#: The longest a cause is shown: the models' own sentences, kept whole, but bounded all the same.
LONGEST_CAUSE = 2000
#: Rows of a table listed at most (changed samples of a site, skipped samples); the rest are counted.
LISTED = 100
#: Thumbnails are drawn at an integer enlargement until their longer side reaches this many CSS pixels,
#: and a strip's short side at least images.MIN_THICKNESS (the run report's rule), never a hairline.
DRAWN_SIDE = 128

_CSS = """
header .sides td:first-child { color: var(--muted); }
ul.verification { margin: 6px 0; padding-left: 20px; }
ul.verification li.disagrees { color: var(--bad); font-weight: 700; }
section.disagreements { border: 2px solid var(--bad); background: #ffebe9; border-radius: 8px;
                        padding: 8px 14px; margin: 10px 0; }
section.disagreements h2 { color: var(--bad); margin-top: 4px; }
table.totals td { min-width: 5em; }
.badge.degraded { background: var(--bad); } .badge.changed { background: var(--warn); }
.badge.unknown { background: var(--dead); } .badge.unchanged { background: var(--ok); }
section.site { border: 1px solid var(--line); border-left: 4px solid var(--warn); border-radius: 8px;
               padding: 12px 14px; margin: 14px 0; }
section.site.degraded { border-left-color: var(--bad); } section.site.unknown { border-left-color: var(--dead); }
section.site h3 code { overflow-wrap: anywhere; }
p.losses { margin: 4px 0 8px; }
.loss { display: inline-block; background: var(--bad); color: #fff; font-weight: 700; border-radius: 4px;
        padding: 1px 8px; margin-right: 6px; }
section.site dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 8px; }
section.site dt { color: var(--muted); } section.site dd { margin: 0; overflow-wrap: anywhere; }
ul.causes { margin: 0; padding-left: 18px; }
div.sample { margin: 10px 0 14px; }
div.sample .pixels { margin-bottom: 2px; }
p.caption { margin: 0; font-size: 12.5px; overflow-wrap: anywhere; }
p.caption .what { font-weight: 600; }
section.site td, section#skipped td, section#unchanged td, section.disagreements td { overflow-wrap: anywhere; }
details.unchanged > summary { cursor: pointer; font-weight: 600; }
"""


def bounded(value: object, longest: int = LONGEST) -> str:
    """Escaped text of at most `longest` characters, saying how many more there were."""
    text = str(value)
    if len(text) > longest:
        text = f"{text[:longest]}… ({len(text) - longest} more characters)"
    return e(text)


def _badge(verdict: str) -> str:
    return f'<span class="badge {verdict}">{e(verdict)}</span>'


def _header(impact: Impact) -> str:
    css = "bad" if wording.bad(impact) else "ok"
    sides = "".join(f"<tr><td>{label}</td><td><b>{bounded(side.name)}</b></td><td>computed by "
                    f"{e(side.computed_by)}</td></tr>"
                    for label, side in (("before", impact.before), ("after", impact.after)))
    checks = "".join(f'<li class="{"disagrees" if disagrees else "agrees"}">{bounded(line)}</li>'
                     for line, disagrees in wording.verification(impact))
    return (f"<header><h1>Upgrade impact: {bounded(impact.before.name)} → {bounded(impact.after.name)}</h1>"
            f'<p class="verdict {css}">{e(wording.headline(impact))}</p>'
            f'<table class="sides">{sides}</table><ul class="verification">{checks}</ul>'
            f"{_totals(impact)}</header>")


def _totals(impact: Impact) -> str:
    counts = [("samples", len(impact.samples))] + [(v, impact.count(v)) for v in wording.VERDICTS]
    counts.append(("skipped", wording.skipped(impact)))
    head = "".join(f'<th class="num">{name}</th>' for name, _ in counts)
    cells = "".join(f'<td class="num{"" if count else " zero"}">{count}</td>' for _, count in counts)
    return f'<table class="totals"><tr>{head}</tr><tr>{cells}</tr></table>'


def _disagreements(impact: Impact) -> str:
    """Every sample where a real release did not do what its model did: a fault of this tool,
    shown before anything that rests on the model."""
    rows = [f"<tr><td>{bounded(check.side)}</td><td><code>{bounded(d.sample)}</code></td>"
            f"<td>{bounded(d.model)}</td><td>{bounded(d.real)}</td></tr>"
            for check in impact.verification for d in check.disagreements]
    if not rows:
        return ""
    return ('<section class="disagreements" id="disagreements"><h2>The release model disagrees with the real '
            f"release on {len(rows)} sample(s)</h2><p>Their real pixels are used below; the model needs fixing."
            "</p><table><tr><th>side</th><th>sample</th><th>the model</th><th>the real release</th></tr>"
            f"{''.join(rows[:LISTED])}</table>{_more(len(rows))}</section>")


def _more(count: int) -> str:
    return f"<p>… and {count - LISTED} more, not listed here.</p>" if count > LISTED else ""


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's header (IHDR is always the first chunk)."""
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _drawn(width: int, height: int) -> tuple[int, int]:
    """The size a thumbnail is drawn at (CSS pixels; the browser enlarges it, pixelated)."""
    scale = max(1, DRAWN_SIDE // max(width, height))
    return max(width * scale, images.MIN_THICKNESS), max(height * scale, images.MIN_THICKNESS)


def _figure(png: bytes | None, role: str, caption: str, missing: str) -> str:
    if png is None:
        return f'<figure class="{role}"><div class="nopicture">{bounded(missing)}</div></figure>'
    width, height = _drawn(*_png_size(png))
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    # the size again as a style: the shared CSS sizes pictures by their width (height: auto),
    # which would draw a thickened strip as a hairline again
    return (f'<figure class="{role}"><img src="{uri}" width="{width}" height="{height}" '
            f'style="width: {width}px; height: {height}px" '
            f'alt="{role}"><figcaption>{bounded(caption)}</figcaption></figure>')


def _pictures(sample: compare.SampleImpact, shown: Thumbnails, impact: Impact) -> str:
    before, after = sample.before, sample.after
    no_difference = ("no difference map: the shapes differ" if sample.shape_change
                     else "no difference map: a side has no pixels")
    figures = [
        _figure(shown.before, "before", f"before · {impact.before.name} · {before.mode}", _why_none(before)),
        _figure(shown.after, "after", f"after · {impact.after.name} · {after.mode}", _why_none(after)),
        _figure(shown.difference, "difference", f"difference · black: same, white: {sample.largest_difference}",
                no_difference),
    ]
    return f'<div class="pixels">{"".join(figures)}</div>'


def _why_none(outcome: Outcome) -> str:
    if outcome.failed:
        return f"no answer: {outcome.failed}"
    return f"raises {outcome.raised}" if outcome.raised else "no pixels"


def _sample(sample: compare.SampleImpact, shown: Thumbnails, impact: Impact) -> str:
    return (f'<div class="sample">{_pictures(sample, shown, impact)}<p class="caption"><code>'
            f"{bounded(sample.sample.label)}</code> · {bounded(sample.sample.described)} · "
            f'<span class="what">{bounded(wording.changed(sample))}</span></p></div>')


def _facts(site: compare.SiteImpact) -> str:
    facts = [("samples", e(wording.site_counts(site)))]
    if wording.pixels(site):
        facts.append(("pixels", e(wording.pixels(site))))
    forms = wording.mode_and_shape(site)
    if forms:
        facts.append(("mode, shape", e("; ".join(forms))))
    outcomes = list(dict.fromkeys(s.outcome_change for s in site.samples if s.outcome_change))
    if outcomes:
        facts.append(("outcome", "<br>".join(bounded(o) for o in outcomes[:LISTED])))
    if site.causes:
        items = "".join(f"<li>{bounded(cause, LONGEST_CAUSE)}</li>" for cause in site.causes[:LISTED])
        facts.append(("why", f'<ul class="causes">{items}</ul>'))
    return "<dl>" + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>"


def _site_title(site: compare.SiteImpact) -> str:
    function = f" in <code>{bounded(site.function)}</code>" if site.function else ""
    return f"{_badge(site.verdict)} <code>{bounded(site.site)}</code>{function}"


def _site(number: int, site: compare.SiteImpact, impact: Impact) -> str:
    losses = "".join(f'<span class="loss">{e(count)} {e(name)}</span>' for name, count in site.degradations.items())
    moved = sorted((s for s in site.samples if s.verdict != "unchanged"), key=compare.severity_key)
    drawn = [s for s in moved if (s.sample.site, s.sample.index) in impact.shown]
    pictures = "".join(_sample(s, impact.shown[(s.sample.site, s.sample.index)], impact) for s in drawn)
    rest = [s for s in moved if s not in drawn]
    return (f'<section class="site {site.verdict}" id="site-{number}"><h3>{_site_title(site)}</h3>'
            + (f'<p class="losses">{losses}</p>' if losses else "")
            + _facts(site) + pictures + _undrawn(rest) + "</section>")


def _undrawn(rest: list[compare.SampleImpact]) -> str:
    """The site's other changed samples, listed without pictures (the worst are drawn)."""
    if not rest:
        return ""
    rows = "".join(f"<tr><td><code>{bounded(s.sample.label)}</code></td><td>{bounded(s.sample.described)}</td>"
                   f"<td>{bounded(wording.changed(s))}</td></tr>" for s in rest[:LISTED])
    return (f"<p>{len(rest)} more sample(s) changed, not drawn:</p><table><tr><th>sample</th><th>input</th>"
            f"<th>what changed</th></tr>{rows}</table>{_more(len(rest))}")


def _unchanged(sites: list[compare.SiteImpact]) -> str:
    if not sites:
        return ""
    rows = "".join(f'<tr><td><code>{bounded(s.site)}</code></td><td><code>{bounded(s.function)}'
                   f"</code></td><td>{e(wording.site_counts(s))}</td></tr>" for s in sites)
    return (f'<section id="unchanged"><h2>Unchanged call sites ({len(sites)})</h2><details class="unchanged">'
            f"<summary>Every sample of these sites looks the same after the upgrade; show them</summary>"
            f"<table><tr><th>site</th><th>function</th><th>samples</th></tr>{rows}</table></details></section>")


def _skipped(impact: Impact) -> str:
    skipped = [s for site in impact.sites for s in site.skipped]
    if not skipped:
        return ""
    rows = "".join(f"<tr><td><code>{bounded(s.label)}</code></td><td>{bounded(s.described.strip())}</td>"
                   f"<td>{bounded(s.skipped)}</td></tr>" for s in skipped[:LISTED])
    return (f'<section id="skipped"><h2>Skipped samples ({len(skipped)})</h2><p>Not compared, so not counted '
            "above.</p><table><tr><th>sample</th><th>input</th><th>why</th></tr>"
            f"{rows}</table>{_more(len(skipped))}</section>")


def _environment(impact: Impact) -> str:
    rows = []
    for key, value in impact.environment.items():
        shown = value
        if isinstance(value, dict):  # a real side's own versions
            shown = ", ".join(f"{k} {v}" for k, v in value.items() if v is not None) or "not known"
        label = key.replace("_real", " (the real implementation)").replace("_", " ")
        rows.append(f"<tr><th>{bounded(label)}</th><td>{bounded(shown)}</td></tr>")
    rows.append(f"<tr><th>computed in</th><td>{impact.seconds:.1f} s</td></tr>")
    return f'<section id="environment"><h2>Environment</h2><table>{"".join(rows)}</table></section>'


def html(impact: Impact) -> str:
    """The whole page."""
    moved = [site for site in impact.sites if site.verdict != "unchanged"]
    still = [site for site in impact.sites if site.verdict == "unchanged" and site.samples]
    body = [_header(impact), _disagreements(impact)]
    if moved:
        sites = "".join(_site(number, site, impact) for number, site in enumerate(moved, start=1))
        body.append(f'<section id="sites"><h2>Call sites that change ({len(moved)}), worst first</h2>{sites}</section>')
    body += [_unchanged(still), _skipped(impact), _environment(impact),
             f"<footer>{e(wording.totals(impact))}</footer>"]
    title = f"wbimage-conformance impact: {impact.before.name} → {impact.after.name}"
    return document(title, BASE_CSS + _CSS, [part for part in body if part])
