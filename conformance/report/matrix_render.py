"""The compatibility matrix (report.matrix) as a Markdown or HTML page: the implementations'
top causes, a row per clause family, then the environment each column ran in."""

from __future__ import annotations

import html
from collections.abc import Sequence

from wbimage_conformance.cases.fingerprints import Measured, of_cases
from wbimage_conformance.model import Status
from wbimage_conformance.report.matrix import Cell, Column, Matrix

FORMATS = ("markdown", "html")


def top_causes(matrix: Matrix, index: int, limit: int = 3) -> str:
    """An implementation's headline: its biggest causes over the whole suite, with counts."""
    if not matrix.triages:
        return ""
    found = matrix.triages[index]
    parts = [f"{g.title} ({len(g.results)})" for g in found.causes[:limit]]
    if found.unexplained:
        parts.append(f"unexplained ({len(found.unexplained)})")
    return "; ".join(parts)


def column_title(column: Column, columns: Sequence[Column] = ()) -> str:
    """`wandb 0.20.1`; with the Pillow version when another column has the same release."""
    env = column.environment
    title = f"{env.implementation} {env.implementation_version or ''}".strip()
    twins = [c for c in columns if c is not column and (c.environment.implementation, c.environment.implementation_version)
             == (env.implementation, env.implementation_version)]
    return f"{title} (Pillow {env.pillow})" if twins else title


def environment_rows(matrix: Matrix) -> list[list[str]]:
    rows = []
    for column in matrix.columns:
        env = column.environment
        total = sum(1 for r in column.results if r.status is Status.PASSED)
        ran = sum(1 for r in column.results if r.status is not Status.SKIPPED)
        rows.append([column_title(column, matrix.columns), column.label, env.python, env.numpy or "-", env.pillow or "-",
                     env.torch or "-", env.sandbox.split(" ", 1)[0], f"{total}/{ran}",
                     column.expectations.path.rsplit("/", 1)[-1] if column.expectations else "-"])
    return rows


ENVIRONMENT_HEADER = ["implementation", "--impl", "Python", "NumPy", "Pillow", "torch", "sandbox", "passed/ran",
                      "expectations"]


def cell_text(cell: Cell) -> tuple[str, str]:
    counts = f"{cell.passed}/{cell.ran}" + (f" ({cell.skipped} skipped)" if cell.skipped else "")
    if not cell.ran:
        counts = f"all {cell.skipped} skipped"
    headline = f"{cell.headline} ({cell.headline_count})" if cell.headline else ""
    return counts, headline


def to_markdown(matrix: Matrix) -> str:
    def esc(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    out = ["# Compatibility matrix", "", _measured(matrix).marker(), "",
           (f"Cases passed out of those run, per clause family; the headline is the cause that explains most of the "
            f"family's deviations, with the clause it breaks and how many cases it explains. The first row gives "
            f"each implementation's top causes over the whole suite. Case set `{matrix.case_set_digest}`."), ""]
    header = ["family"] + [column_title(c, matrix.columns) for c in matrix.columns]
    out += ["| " + " | ".join(esc(h) for h in header) + " |", "|" + "---|" * len(header)]
    out.append("| **top causes** | " + " | ".join(esc(top_causes(matrix, i)) or "-" for i in range(len(matrix.columns))) + " |")
    for family in matrix.families:
        row = [f"`{family}`"]
        for index in range(len(matrix.columns)):
            counts, headline = cell_text(matrix.cells[(family, index)])
            row.append(f"**{counts}**" + (f"<br>{esc(headline)}" if headline else ""))
        out.append("| " + " | ".join(row) + " |")
    out += ["", "## Environments", "", "| " + " | ".join(ENVIRONMENT_HEADER) + " |", "|" + "---|" * len(ENVIRONMENT_HEADER)]
    for row in environment_rows(matrix):
        out.append("| " + " | ".join(esc(v) if i != 1 else f"`{esc(v)}`" for i, v in enumerate(row)) + " |")
    return "\n".join(out) + "\n"


def _measured(matrix: Matrix) -> Measured:
    """The cases every column ran, by fingerprint: what the page states it measured (a case one
    column lacks is pending)."""
    return Measured.common_to([of_cases(r.case for r in column.results) for column in matrix.columns])


def to_html(matrix: Matrix) -> str:
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8"><title>Compatibility matrix</title>',
             ("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
              "td,th{border:1px solid #bbb;padding:.4em;vertical-align:top;font-size:90%}"
              ".ok{background:#e6f4e6}.some{background:#fff6dd}.none{background:#fbe3e3}"
              ".h{display:block;color:#444;max-width:22em}</style></head><body>"),
             "<h1>Compatibility matrix</h1>",
             (f"<p>Cases passed out of those run, per clause family; the headline is the cause that explains most of "
              f"the family's deviations, with the clause it breaks and how many cases it explains. The first row gives "
              f"each implementation's top causes. Case set <code>{e(matrix.case_set_digest)}</code>.</p>"),
             "<table><thead><tr><th>family</th>"]
    parts += [f"<th>{e(column_title(c, matrix.columns))}</th>" for c in matrix.columns]
    parts.append("</tr></thead><tbody>")
    parts.append("<tr><th>top causes</th>" + "".join(f'<td><span class="h">{e(top_causes(matrix, i)) or "-"}</span></td>'
                                                    for i in range(len(matrix.columns))) + "</tr>")
    for family in matrix.families:
        parts.append(f"<tr><th><code>{e(family)}</code></th>")
        for index in range(len(matrix.columns)):
            cell = matrix.cells[(family, index)]
            counts, headline = cell_text(cell)
            kind = "ok" if cell.passed == cell.ran else ("none" if cell.passed == 0 else "some")
            parts.append(f'<td class="{kind}"><b>{e(counts)}</b>' + (f'<span class="h">{e(headline)}</span>' if headline else "") + "</td>")
        parts.append("</tr>")
    parts += ["</tbody></table>", "<h2>Environments</h2>", "<table><thead><tr>"]
    parts += [f"<th>{e(h)}</th>" for h in ENVIRONMENT_HEADER]
    parts.append("</tr></thead><tbody>")
    for row in environment_rows(matrix):
        parts.append("<tr>" + "".join(f"<td>{e(v)}</td>" for v in row) + "</tr>")
    parts.append("</tbody></table></body></html>")
    return "\n".join(parts) + "\n"


def render(matrix: Matrix, fmt: str) -> str:
    return to_html(matrix) if fmt == "html" else to_markdown(matrix)
