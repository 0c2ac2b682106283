"""One self-contained HTML page: causes, the unexpected results (unexplained first, with
pictures), then environment, summary by family and the table of all results.

The page is a single file that can be attached to a CI run and opened anywhere, offline:
CSS is inline, images are PNG data: URIs, there is no script, and a Content-Security-Policy
forbids fetching anything. For every pixel mismatch it shows expected, actual and a
difference map side by side at one shared integer scale. Every piece of text that comes
from a case, an implementation or an exception is escaped.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass

import numpy as np

from wbimage_conformance.model import Mismatch, Result, RunReport, Status
from wbimage_conformance.report import causes, images, saved_pixels, summary
from wbimage_conformance.report.describe import as_array, describe, is_digest, printable, shape_text, short

#: The look every page of the suite shares: type, tables, verdicts, badges and picture panels.
BASE_CSS = """
:root { --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --dead: #8250df; --line: #d0d7de;
        --muted: #57606a; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328;
       margin: 0 auto; padding: 24px; max-width: 1200px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 10px; }
h3 { font-size: 15px; margin: 0 0 8px; }
code, pre { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px;
      margin: 4px 0; white-space: pre-wrap; word-break: break-word; }
table { border-collapse: collapse; margin: 6px 0; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.zero { color: #b0b7be; }
.verdict { font-size: 16px; font-weight: 600; margin: 6px 0 0; }
.verdict.ok { color: var(--ok); } .verdict.bad { color: var(--bad); }
.badge { display: inline-block; min-width: 64px; text-align: center; border-radius: 10px; padding: 0 8px;
         font-size: 11.5px; font-weight: 600; color: #fff; text-transform: uppercase; }
.pixels { display: flex; flex-wrap: wrap; gap: 16px; margin: 10px 0 4px; align-items: flex-start; }
.pixels figure { margin: 0; max-width: 100%; }
.pixels img { display: block; image-rendering: pixelated; border: 1px solid var(--line);
              background: repeating-conic-gradient(#ddd 0 25%, #fff 0 50%) 0 0 / 16px 16px;
              max-width: 100%; height: auto; }
.pixels figcaption { color: var(--muted); font-size: 12px; margin-top: 3px; max-width: 360px; }
.pixels figure.wide figcaption { max-width: none; }
.nopicture { width: 200px; min-height: 64px; border: 1px dashed var(--line); border-radius: 4px;
             padding: 8px; color: var(--muted); font-size: 12px; background: var(--soft);
             overflow-wrap: anywhere; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
"""

#: What only the run report has: status badges, the results table, cases, causes.
_RUN_CSS = """
.badge.passed { background: var(--ok); }
.badge.failed, .badge.error, .badge.xpassed { background: var(--bad); }
.badge.skipped, .badge.xfailed { background: var(--warn); }
.badge.timeout, .badge.crash { background: var(--dead); }
table.results { width: 100%; }
#only-unexpected:checked ~ table.results tr.as-expected { display: none; }
label.filter { user-select: none; cursor: pointer; }
article.case { border: 1px solid var(--line); border-left: 4px solid var(--bad); border-radius: 8px;
               padding: 12px 14px; margin: 12px 0; }
article.case.xfailed { border-left-color: var(--warn); }
article.case.timeout, article.case.crash { border-left-color: var(--dead); }
td.status { white-space: nowrap; }
td.location { overflow-wrap: anywhere; min-width: 9em; }
section.cause { border: 1px solid var(--line); border-left: 4px solid var(--bad); border-radius: 8px;
                padding: 10px 14px; margin: 10px 0; }
section.cause h3 .count { color: var(--muted); font-weight: 400; }
section.cause dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
section.cause dt { color: var(--muted); } section.cause dd { margin: 0; }
section.cause blockquote { margin: 0; color: #1f2328; }
section.cause .cases { font-size: 12px; color: var(--muted); }
article.case dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 8px; }
article.case dt { color: var(--muted); } article.case dd { margin: 0; }
ul.mismatches { margin: 6px 0; padding-left: 20px; }
details.xfailed > summary { cursor: pointer; font-weight: 600; }
"""

#: Pictures wider than this many pixels have captions as wide as themselves.
WIDE = 360

#: Nothing is fetched: the page shows only its own inline CSS and data: images.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def e(value: object) -> str:
    return html.escape(printable(str(value)), quote=True)


def anchor(result: Result) -> str:
    return "case-" + re.sub(r"[^A-Za-z0-9_.-]", "_", result.case.id)


def _path(location: str) -> str:
    """A case's file:line, escaped, that a narrow column wraps after a slash, not inside a name."""
    return e(location).replace("/", "/<wbr>")


def _badge(status: Status) -> str:
    return f'<span class="badge {status.value}">{e(status.value)}</span>'


def _environment(report: RunReport) -> str:
    rows = "".join(f"<tr><th>{e(label)}</th><td>{e(value)}</td></tr>" for label, value in summary.header_rows(report))
    return f'<table class="environment">{rows}</table>'


def _families(report: RunReport) -> str:
    head = "".join(f'<th class="num">{e(summary.SUMMARY_KEYS[s])}</th>' for s in Status)

    def row(name: str, counts: summary.Counts, tag: str = "td") -> str:
        cells = "".join(
            f'<td class="num{"" if counts[s] else " zero"}">{counts[s]}</td>' for s in Status
        )
        return f'<tr><{tag}>{e(name)}</{tag}><td class="num">{counts.total}</td>{cells}</tr>'

    body = "".join(row(name, counts) for name, counts in summary.by_family(report).items())
    body += row("total", summary.totals(report), "th")
    return f'<table class="families"><tr><th>family</th><th class="num">total</th>{head}</tr>{body}</table>'


def _has_article(result: Result) -> bool:
    return summary.is_unexpected(result) or result.status is Status.XFAILED


def _results_table(report: RunReport) -> str:
    rows = []
    for result in report.results:
        case = result.case
        css = "unexpected" if summary.is_unexpected(result) else "as-expected"
        name = f"<code>{e(case.id)}</code>"
        if _has_article(result):
            name = f'<a href="#{anchor(result)}">{name}</a>'
        note = result.message.splitlines()[0] if result.message else ""
        if not note and result.mismatches:
            note = describe(result.mismatches[0])
        rows.append(
            f'<tr class="{css}"><td class="status">{_badge(result.status)}</td>'
            f"<td>{name}</td><td>{e(case.title)}</td><td>{e(', '.join(case.clauses))}</td>"
            f'<td class="location"><code>{_path(case.location)}</code></td>'
            f'<td class="num">{result.duration_s * 1000:.1f}</td><td>{e(note)}</td></tr>'
        )
    head = ("<tr><th>status</th><th>case</th><th>title</th><th>clauses</th><th>location</th>"
            '<th class="num">ms</th><th>note</th></tr>')
    return (
        '<input type="checkbox" id="only-unexpected">'
        ' <label class="filter" for="only-unexpected">show only unexpected results</label>'
        f'<table class="results">{head}{"".join(rows)}</table>'
    )


def _figure(picture: images.Picture, caption: str, role: str) -> str:
    note = f" · {picture.note}" if picture.note else ""
    wide = " wide" if picture.width > WIDE else ""  # its caption as wide as the picture, not wrapped narrower
    return (
        f'<figure class="{role}{wide}"><img src="{picture.uri}" width="{picture.width}" height="{picture.height}"'
        f' alt="{e(role)} pixels"><figcaption>{e(caption)} · {e(picture.how)}{e(note)}</figcaption></figure>'
    )


def _no_picture(text: str, role: str) -> str:
    return f'<figure class="{role}"><div class="nopicture">{e(text)}</div></figure>'


@dataclass(frozen=True)
class _Side:
    """One side of a pixel mismatch: the array as given and its drawable form, if any."""

    raw: object
    array: np.ndarray | None
    shown: np.ndarray | None
    why: str

    @classmethod
    def of(cls, raw: object) -> _Side:
        if saved_pixels.is_saved_array(raw):  # read back from a JSON report: drawn from its saved bytes
            array, why = saved_pixels.decode(raw)
        else:
            array, why = (None, "no array") if is_digest(raw) else (as_array(raw), "no array")
        shown, why = images.displayable(array) if array is not None else (None, why)
        return cls(raw, array, shown, why)

    @property
    def only_digest(self) -> bool:
        """An expectation the case file gives by digest alone (not an array a report saved)."""
        return is_digest(self.raw) and not saved_pixels.is_saved_array(self.raw)

    def panel(self, role: str, layout: images.Layout) -> str:
        if self.shown is None or self.array is None:  # drawn only from an array
            return _no_picture(f"{role}: {self.why} ({short(self.raw, 80)})", role)
        picture = images.picture(images.shrink(self.shown, layout), layout, self.why)
        return _figure(picture, f"{role} · {self.array.dtype} {shape_text(self.array.shape)}", role)


def _digest_panel(digest: dict) -> str:
    shape = digest.get("shape")
    where = f"shape {shape_text(shape)}, " if isinstance(shape, (list, tuple)) else ""
    return _no_picture(
        f"expected: known only by digest ({where}sha256 {digest['sha256']}), so it cannot be drawn", "expected")


def _difference_panel(expected: _Side, actual: _Side, layout: images.Layout) -> str:
    if expected.only_digest:
        return _no_picture("no difference map: the expected pixels are known only by their digest", "difference")
    if expected.array is not None and actual.array is not None and expected.array.shape != actual.array.shape:
        return _no_picture(
            f"no difference map: the shapes differ (expected {shape_text(expected.array.shape)}, "
            f"actual {shape_text(actual.array.shape)})", "difference")
    if expected.shown is None or actual.shown is None or expected.array is None or actual.array is None:
        return _no_picture("no difference map: both sides must be drawable images", "difference")
    diff = images.difference(expected.array, actual.array, layout)
    return _figure(
        images.picture(diff.rgb, layout),
        f"difference · {diff.differing} of {diff.total} pixels differ; black = same, "
        f"red = smallest, yellow = largest difference ({_number(diff.largest)})",
        "difference")


def pixel_panels(mismatch: Mismatch) -> str:
    """Expected, actual and difference map of one pixel mismatch, side by side at one scale."""
    expected, actual = _Side.of(mismatch.expected), _Side.of(mismatch.actual)
    layout = images.layout_for([side.shown.shape[:2] for side in (expected, actual) if side.shown is not None])
    first = _digest_panel(mismatch.expected) if expected.only_digest else expected.panel("expected", layout)
    return (f'<div class="pixels">{first}{actual.panel("actual", layout)}'
            f"{_difference_panel(expected, actual, layout)}</div>")


def _number(value: float) -> str:
    return str(int(value)) if math.isfinite(value) and value == int(value) else str(value)


def _article(result: Result, cause: str | None = None) -> str:
    case = result.case
    facts = [("at", f"<code>{e(case.location)}</code>"), ("clauses", e(", ".join(case.clauses) or "none"))]
    if cause:
        facts.append(("cause", f'<a href="#cause-{e(cause)}"><code>{e(cause)}</code></a>'))
    if result.reproduction:
        facts.append(("reproduce", f"<pre>{e(result.reproduction)}</pre>"))
    message = summary.message_beyond_mismatches(result)
    if message:
        facts.append(("message", f"<pre>{e(message)}</pre>"))
    if result.expectation_reason:
        facts.append(("expectation", e(result.expectation_reason)))
    dl = "".join(f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in facts)
    parts = [
        f'<article class="case {result.status.value}" id="{anchor(result)}">',
        f"<h3>{_badge(result.status)} <code>{e(case.id)}</code> {e(case.title)}</h3>",
        f"<dl>{dl}</dl>",
    ]
    if result.mismatches:
        items = "".join(f"<li>{e(describe(m))}</li>" for m in result.mismatches)
        parts.append(f'<ul class="mismatches">{items}</ul>')
    parts += [pixel_panels(m) for m in result.mismatches if m.field == "pixels"]
    parts.append("</article>")
    return "".join(parts)


def _causes(report: RunReport) -> str:
    views = causes.views(report)
    if not views:
        return ""
    explained = causes.triaged(report).explained_count
    parts = [(f'<section id="causes"><h2>Causes ({len(views)}, explaining {explained} of '
             f"{len(summary.unexpected_results(report))} unexpected results)</h2>")]
    for number, view in enumerate(views, start=1):
        group, example = view.group, view.example
        breaks = "".join(f"<blockquote><code>[{e(c)}]</code> {e(text)}</blockquote>" for c, text in view.clauses)
        facts = [("breaks", breaks)]
        if group.hint:
            facts.append(("hint", e(group.hint)))
        facts.append(("example", (f'<a href="#{anchor(example)}"><code>{e(example.case.id)}</code></a> '
                                 f"<code>{e(example.case.location)}</code>: {e(view.example_note)}")))
        if example.reproduction:
            facts.append(("reproduce", f"<pre>{e(example.reproduction)}</pre>"))
        if group.together:
            facts.append(("together", f"{len(group.together)} of these only together with another cause above"))
        links = ", ".join(f'<a href="#case-{e(re.sub(r"[^A-Za-z0-9_.-]", "_", i))}">{e(i)}</a>' for i in group.explains)
        facts.append(("cases", f'<span class="cases">{links}</span>'))
        dl = "".join(f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in facts)
        parts.append(f'<section class="cause" id="cause-{e(group.id)}"><h3>{number}. {e(group.title)} '
                     f'<span class="count">· {view.count} case(s) · <code>{e(group.id)}</code></span></h3>'
                     f'<dl>{dl}</dl></section>')
    parts.append("</section>")
    return "".join(parts)


def render(report: RunReport, *, color: bool = False) -> str:
    counts = summary.totals(report)
    label = summary.implementation_label(report)
    if report.ok:
        verdict = f'<p class="verdict ok">Every case as expected: {e(summary.long_line(counts))}</p>'
    else:
        verdict = (f'<p class="verdict bad">{counts.unexpected} unexpected result(s): '
                   f"{e(summary.long_line(counts))}</p>")
    body = [f"<header><h1>wbimage-conformance report: {e(label)}</h1>{verdict}</header>"]
    found = _causes(report)
    if found:
        body.append(found)
    unexplained = causes.unexplained(report)
    if unexplained:
        title = "Unexplained results" if found else "Unexpected results"
        articles = "".join(_article(r) for r in unexplained)
        body.append(f'<section id="unexplained"><h2>{title} ({len(unexplained)})</h2>{articles}</section>')
    by_case = causes.cause_of(report)
    explained = [r for r in summary.unexpected_results(report) if r.case.id in by_case]
    if explained:
        articles = "".join(_article(r, by_case[r.case.id]) for r in explained)
        body.append(f'<section id="unexpected"><h2>Explained by a cause above ({len(explained)})</h2>'
                    f'{articles}</section>')
    body += [
        f'<section id="environment"><h2>Environment</h2>{_environment(report)}</section>',
        f'<section id="families"><h2>Summary by clause family</h2>{_families(report)}</section>',
        f'<section id="results"><h2>All results ({counts.total})</h2>{_results_table(report)}</section>',
    ]
    xfailed = [r for r in report.results if r.status is Status.XFAILED]
    if xfailed:
        articles = "".join(_article(r) for r in xfailed)
        body.append(
            f'<section id="xfailed"><h2>Known deviations ({len(xfailed)})</h2>'
            f'<details class="xfailed"><summary>Failed as the expectations file says; show them</summary>'
            f"{articles}</details></section>")
    body.append(f"<footer>{e(summary.short_line(counts))}</footer>")
    return document(f"wbimage-conformance: {label}", BASE_CSS + _RUN_CSS, body)


def document(title: str, css: str, body: list[str]) -> str:
    """The whole page around `body`: its title (escaped here), inline style and CSP."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
