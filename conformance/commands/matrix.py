"""`wbimage-conformance matrix`: which implementation does what, clause family by clause family.

The suite is run against each `--impl` (each may live under its own interpreter,
`NAME@/path/to/python`), and the raw results become one table: clause families down,
implementations across. A cell gives the cases passed out of those run (skipped ones are
counted apart) and the headline: the cause (wbimage_conformance.triage) that explains most
of the family's deviations, with the clause it breaks; where no cause explains them, the
clause most often broken with the reason from the implementation's shipped expectations file
(same name, version in range, the one measured with the same Pillow) or the kind of failure.
Each implementation's top causes over the whole suite head the table. Each column records the
environment its worker reported: Python, NumPy, Pillow and torch, because the results of
older releases depend on them, and the sandbox it ran in (`--sandbox`, default auto: bwrap
where usable).

Exit codes: 0 when every column is as expected: all its cases pass, or fail exactly as its
shipped expectations file says; 1 when a column has an unexpected result (a new deviation, a
listed one that no longer happens, a timeout, a crash), each such column named on standard
error; 2 a configuration error. So a CI job can keep the matrix of releases as a gate.
"""

from __future__ import annotations

import argparse
import html
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from wbimage_conformance.cases import casefiles as case_files
from wbimage_conformance.commands import jobs as job_counts
from wbimage_conformance.model import Environment, Result, Status
from wbimage_conformance.report.summary import UNEXPECTED
from wbimage_conformance.report.terminal import printable
from wbimage_conformance.run import expectations as expectation_files
from wbimage_conformance.run import install_check, runner, sandbox
from wbimage_conformance.stored import writing
from wbimage_conformance.triage import Triage, triage

NAME = "matrix"
HELP = "compatibility table: clause families x implementations"
FORMATS = ("markdown", "html")


@dataclass(frozen=True)
class Column:
    """One implementation's raw results, and the expectations file used for its reasons."""

    label: str
    environment: Environment
    results: tuple[Result, ...]
    expectations: expectation_files.Expectations | None = None


@dataclass(frozen=True)
class Cell:
    passed: int
    ran: int
    skipped: int
    headline: str          # "" when everything that ran passed
    headline_count: int


@dataclass(frozen=True)
class Matrix:
    columns: tuple[Column, ...]
    families: tuple[str, ...]
    cells: dict[tuple[str, int], Cell]
    case_set_digest: str
    triages: tuple[Triage, ...] = ()


# -- collecting ---------------------------------------------------------------------------------


def shipped_expectations(environment: Environment) -> expectation_files.Expectations | None:
    """The shipped file describing this implementation and version; among several, the one
    recorded as drafted under the same Pillow."""
    fitting = []
    for path in sorted(expectation_files.SHIPPED_DIR.glob("*.yaml")):
        try:
            loaded = expectation_files.load(path)
        except expectation_files.ExpectationsError:
            continue
        if loaded.implementation != environment.implementation:
            continue
        version = environment.implementation_version
        if loaded.versions is not None and (version is None or not expectation_files.version_in_range(version, loaded.versions)):
            continue
        fitting.append((path, loaded))
    if len(fitting) > 1 and environment.pillow:
        same_pillow = [f for f in fitting if f[1].environment.get("pillow") == environment.pillow]
        fitting = same_pillow or fitting
    return fitting[0][1] if fitting else None


def collect(impl: str, *, jobs: int | str = 1, timeout: float = runner.DEFAULT_TIMEOUT,
            case_paths: Sequence[str] | None = None,
            progress: Callable[[Result], None] | None = None, sandbox_mode: str = "auto") -> Column:
    case_set = case_files.load_case_set(case_paths)
    workers = job_counts.resolve(jobs, len(case_set.cases))
    with runner.Session(impl, jobs=workers, timeout=timeout, sandbox_mode=sandbox_mode) as session:
        results = session.run(case_set.cases, progress)
        environment = session.environment(case_set.digest)
    return Column(impl, environment, tuple(results), shipped_expectations(environment))


def unexpected(column: Column) -> list[Result]:
    """The column's results that its expectations (the shipped file that fits) do not foresee."""
    verdicts = expectation_files.apply(column.expectations, column.results)
    return [r for r in verdicts if r.status in UNEXPECTED]


# -- the table ----------------------------------------------------------------------------------


def cause(result: Result, expectations: expectation_files.Expectations | None) -> tuple[str, str]:
    """(clause broken, reason in a few words) for one case that did not pass."""
    entry = expectations.deviations.get(result.case.id) if expectations else None
    if entry is not None:
        return entry.clause or result.case.clauses[0], entry.reason.split(": ")[0]
    clause = result.case.clauses[0]
    if result.status is Status.ERROR and result.observation is not None and result.observation.error_type:
        return clause, f"raises {result.observation.error_type}"
    if result.status in (Status.TIMEOUT, Status.CRASH):
        return clause, result.status.value
    fields = sorted({m.field.split(".")[0] for m in result.mismatches})
    return clause, ("wrong " + ", ".join(fields)) if fields else result.status.value


def _cause_headline(found: Triage, bad: list[Result]) -> tuple[str, int]:
    """The cause explaining most of `bad`, as "[clause] title", and how many it explains."""
    ids = {r.case.id for r in bad}
    best = max(found.causes, key=lambda g: len(ids & set(g.explains)), default=None)
    count = len(ids & set(best.explains)) if best else 0
    if best is None or not count:
        return "", 0
    return f"[{best.clauses[0]}] {best.title}", count


def build(columns: Sequence[Column]) -> Matrix:
    triages = tuple(triage(column.results, column.environment) for column in columns)
    families: list[str] = []
    for column in columns:
        for result in column.results:
            if result.case.family not in families:
                families.append(result.case.family)
    families.sort()
    cells: dict[tuple[str, int], Cell] = {}
    for index, column in enumerate(columns):
        for family in families:
            mine = [r for r in column.results if r.case.family == family]
            skipped = sum(1 for r in mine if r.status is Status.SKIPPED)
            passed = sum(1 for r in mine if r.status is Status.PASSED)
            bad = [r for r in mine if r.status not in (Status.PASSED, Status.SKIPPED)]
            headline, count = _cause_headline(triages[index], bad) if bad else ("", 0)
            if bad and not headline:
                causes = [cause(r, column.expectations) for r in bad]
                clause, _ = Counter(c for c, _ in causes).most_common(1)[0]
                reason, count = Counter(r for c, r in causes if c == clause).most_common(1)[0]
                headline = f"[{clause}] {reason}"
            cells[(family, index)] = Cell(passed, len(mine) - skipped, skipped, headline, count)
    digest = columns[0].environment.case_set_digest if columns else ""
    return Matrix(tuple(columns), tuple(families), cells, digest, triages)


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

    out = ["# Compatibility matrix", "",
           f"Cases passed out of those run, per clause family; the headline is the cause that explains most of the "
           f"family's deviations, with the clause it breaks and how many cases it explains. The first row gives "
           f"each implementation's top causes over the whole suite. Case set `{matrix.case_set_digest}`.", ""]
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


def to_html(matrix: Matrix) -> str:
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8"><title>Compatibility matrix</title>',
             "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
             "td,th{border:1px solid #bbb;padding:.4em;vertical-align:top;font-size:90%}"
             ".ok{background:#e6f4e6}.some{background:#fff6dd}.none{background:#fbe3e3}"
             ".h{display:block;color:#444;max-width:22em}</style></head><body>",
             "<h1>Compatibility matrix</h1>",
             f"<p>Cases passed out of those run, per clause family; the headline is the cause that explains most of the "
             f"family's deviations, with the clause it breaks and how many cases it explains. The first row gives each "
             f"implementation's top causes. Case set <code>{e(matrix.case_set_digest)}</code>.</p>",
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


# -- command line -------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--impl", action="append", required=True, metavar="IMPL",
                        help="an implementation as for `run --impl` (repeatable; one column each)")
    parser.add_argument("--cases", nargs="+", metavar="PATH", help="case files or directories (default: the shipped cases)")
    parser.add_argument("--format", choices=FORMATS, default="markdown")
    parser.add_argument("--output", metavar="PATH", help="write the table here instead of standard output")
    parser.add_argument("--jobs", type=job_counts.parse, default=job_counts.AUTO, metavar="N",
                        help="worker processes per implementation, or auto: one per usable core (default auto)")
    parser.add_argument("--timeout", type=float, default=runner.DEFAULT_TIMEOUT, metavar="SECONDS")
    parser.add_argument("--sandbox", choices=sandbox.MODES, default="auto",
                        help="where the implementations run: bwrap, none or auto (bwrap where usable; the default), "
                             "as for run --sandbox; the environment table says which")


def run(args: argparse.Namespace) -> int:
    """Write the table; exit 1 when a column has a result its expectations do not foresee."""
    install_check.verify()  # before anything of the suite's judges: a tampered install runs nothing
    columns = [collect(impl, jobs=args.jobs, timeout=args.timeout, case_paths=args.cases, sandbox_mode=args.sandbox)
               for impl in args.impl]
    text = render(build(columns), args.format)
    if args.output:
        writing.replace_text(args.output, text)
    else:
        print(printable(text), end="")
    failing = 0
    for column in columns:
        surprises = unexpected(column)
        if surprises:
            failing += 1
            first = surprises[0]
            listed = (f"against {column.expectations.path.rsplit('/', 1)[-1]}" if column.expectations
                      else "no shipped expectations file fits it")
            print(f"wbimage-conformance: matrix: {column_title(column, columns)}: {len(surprises)} unexpected "
                  f"result(s) ({listed}); first: {first.case.id} {first.status.value}", file=sys.stderr)
    return 1 if failing else 0
