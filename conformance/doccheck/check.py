"""`docs check`: every page read, every block classified and checked, examples run, pages
compared with their translations; one DocsReport. Pages come as files (check_files) or as
what a walk of documentation trees selected (check_selection: tree.select), maybe one shard.

Order of work: read and classify all pages (a file that cannot be read stops everything
with exit code 2), static checks per page (page structure, formulas, signature and tables,
prose, coverage), the examples of all pages in parallel sandboxes, then consistency across
translations.
"""

from __future__ import annotations

import bisect
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import wbimage_conformance
from wbimage_conformance.doccheck import classify as classifier
from wbimage_conformance.doccheck import (
    consistency,
    coverage,
    defects,
    examples,
    findings,
    formulas,
    prose,
    sessions,
    shards,
    signature,
    specdata,
    statements,
    tree,
)
from wbimage_conformance.doccheck.markdown import page_from_bytes, read_page
from wbimage_conformance.run import install_check, sandbox
from wbimage_conformance.worker import versions


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


_SET_ASIDE = {"notebook": "a notebook line", "shell": "a shell command", "prompt": "doctest output",
              "placeholder": "a placeholder the reader fills in"}


def page_findings(page: classifier.ClassifiedPage) -> list[findings.Finding]:
    """Structure: the reader's problems, unparsable blocks, locale disagreements, what of a
    block does not run as Python (notebook and shell lines, placeholders)."""
    out = [findings.error("page", page.path, p.line, "page", p.message) for p in page.page.problems]
    for block in page.of_kind("unparsable"):
        what = "cannot be analysed: it is" if block.runnable and block.runnable.too_complex else "does not parse:"
        out.append(findings.error("page", page.path, block.syntax_line, "python block",
                           f"the Python block at line {block.line} {what} {block.syntax_error}"))
    for conflict in page.identity.conflicts:
        out.append(findings.warning("page", page.path, page.page.body_line, "page",
                             f"the page's locale is {page.locale!r} (from its {page.identity.locale_source}), but "
                             f"{conflict}"))
    for block in page.of_kind("shell"):
        out.append(findings.note("page", page.path, block.line, "python block",
                          "shell commands in a `python` block: not run"))
    for block in page.blocks:
        if block.runnable is None or block.kind == "shell":
            continue
        for item in block.runnable.set_aside:
            out.append(findings.note("page", page.path, block.block.page_line(item.line), "python block",
                              f"{_SET_ASIDE[item.kind]} (`{item.text[:80]}`): set aside, the rest of the block runs"))
    if not page.blocks and not page.constants:
        out.append(findings.note("page", page.path, page.page.body_line, "page",
                          "the page has no Python blocks and no class-variable table: nothing to check"))
    return out


def _summaries(page: classifier.ClassifiedPage, spec: specdata.SpecData,
               found: list[findings.Finding]) -> findings.PageSummary:
    """The page's summary from `found`, the findings on it (on no other page: pages times all
    findings would grow with the square of a tree)."""
    by_line = sorted(found, key=lambda f: f.line)
    lines = [f.line for f in by_line]
    blocks = []
    for block in page.blocks:
        end = block.block.first_line + len(block.block.code.splitlines())
        inside = by_line[bisect.bisect_left(lines, block.line):bisect.bisect_right(lines, end)]
        status = "failed" if any(f.severity is findings.Severity.ERROR for f in inside) else (
            "warning" if any(f.severity is findings.Severity.WARNING for f in inside) else "ok")
        if block.kind == "shell":
            status = "not-checked"
        cases: tuple[str, ...] = ()
        clauses: tuple[str, ...] = ()
        if block.kind == "example":
            cases = tuple(coverage.case_ids(page, block.key, spec))
        elif block.kind == "signature":
            cases, clauses = (spec.signature_case,), ("api.signature",)
        elif block.kind == "formula":
            clauses = tuple(sorted({c for f in inside for c in f.clauses if c.startswith("norm.")}))
        subject = block.subject if block.kind != "method" else block.key
        blocks.append(findings.BlockSummary(block.line, block.kind, subject, clauses, cases, status))
    for table in page.image_constants:
        inside = [f for f in found if f.file == page.path and f.check == "constants"]
        blocks.append(findings.BlockSummary(table.table.line, "class-variables", "class variables",
                                            ("limits.constants",), tuple(c.case for c in spec.constants),
                                     "failed" if any(f.severity is findings.Severity.ERROR for f in inside) else "ok"))
    blocks.sort(key=lambda b: b.line)
    identifier = page.page.identifier[0] if page.page.identifier else None
    return findings.PageSummary(page.path, page.locale, page.identity.locale_source, page.identity.doc, page.page.title,
                         identifier, page.identity.translation_key, tuple(blocks), page.generator,
                         page.identity.evidence)


#: Told (stage, done, total, path) as pages are classified, checked and their sessions run.
Progress = Callable[[str, int, int, str], None]


def check_files(paths: Sequence[str | Path], impl: str = "reference", *, timeout: float = sessions.DEFAULT_TIMEOUT,
                workers: int | None = None, run_examples: bool = True,
                cases: Sequence[str | Path] | None = None, sandbox_mode: str = "auto",
                memory_limit: int | None = None, explain: bool = False) -> findings.DocsReport:
    started = time.monotonic()
    pages = [classifier.classify(read_page(p)) for p in paths]
    return check_classified(pages, impl, timeout=timeout, workers=workers, run_examples=run_examples, cases=cases,
                            sandbox_mode=sandbox_mode, memory_limit=memory_limit, started=started, explain=explain)


def check_selection(selection: tree.Selection, impl: str = "reference", *, shard: shards.ShardSpec | None = None,
                    progress: Progress | None = None, started: float | None = None,
                    **options: Any) -> findings.DocsReport:
    """The pages a walk selected (tree.select), or shard `shard` of them; the report lists the
    pages left out, and the shard with the whole selection it was cut from."""
    started = time.monotonic() if started is None else started
    pages = []
    for done, (path, data) in enumerate(selection.pages, 1):
        if progress is not None:
            progress("classify", done, len(selection.pages), path)
        pages.append(classifier.classify(page_from_bytes(data, path)))
    record = None
    if shard is not None:
        record = findings.DocsShard(shard.index, shard.count, tuple(page.path for page in pages))
        pages = shards.select(pages, shard)
    report = check_classified(pages, impl, progress=progress, started=started, **options)
    return replace(report, skipped=selection.skipped, walked=selection.walked, shard=record)


def check_classified(pages: Sequence[classifier.ClassifiedPage], impl: str = "reference", *,
                     timeout: float = sessions.DEFAULT_TIMEOUT, workers: int | None = None, run_examples: bool = True,
                     cases: Sequence[str | Path] | None = None, sandbox_mode: str = "auto",
                     memory_limit: int | None = None, progress: Progress | None = None,
                     started: float | None = None, explain: bool = False) -> findings.DocsReport:
    started = time.monotonic() if started is None else started
    install = install_check.verify()
    pages = consistency.link_translations(pages)
    spec = specdata.load(cases)
    readings_of = {page.path: statements.read(page) for page in pages}
    found: list[findings.Finding] = []
    for done, page in enumerate(pages, 1):
        if progress is not None:
            progress("check", done, len(pages), page.path)
        found.extend(page_findings(page))
        found.extend(formulas.check(page, spec))
        found.extend(signature.check(page, spec))
        found.extend(prose.check(page, spec))
        found.extend(_not_said_twice(statements.check(page, readings_of[page.path]), found))
        found.extend(coverage.check(page, spec))
    sessions_of = {page.path: sessions.plan(page) for page in pages}
    for page in pages:
        job = sessions_of[page.path]
        found.extend(defects.check(page, job.names, [j.block for j in job.jobs]))
    runs: list[findings.ExampleRun] = []
    if run_examples:
        jobs = [job for job in sessions_of.values() if sessions.has_examples(job)]
        outcomes = _run(jobs, impl, timeout, workers or default_workers(), sandbox_mode, memory_limit, progress)
        for job, outcome in zip(jobs, outcomes, strict=True):
            more, page_runs = examples.evaluate_page(job, outcome, spec, impl)
            found.extend(more)
            runs.extend(page_runs)
    found.extend(consistency.check(pages))
    found = _once(found)
    found.sort(key=findings.Finding.sort_key)
    found_on: dict[str, list[findings.Finding]] = {}
    for finding in found:
        found_on.setdefault(finding.file, []).append(finding)
    summaries = tuple(_summaries(page, spec, found_on.get(page.path, [])) for page in pages)
    here = versions.environment()
    environment = {"suite_version": wbimage_conformance.__version__, "python": here["python"], "numpy": here["numpy"],
                   "pillow": here["pillow"], "torch": here["torch"], "examples_run": run_examples,
                   "sandbox": sandbox.choose(sandbox_mode).description if run_examples else "examples not run",
                   "install": install}
    readings = tuple(_explained(page.path, r) for page in pages for r in readings_of[page.path]) if explain else ()
    return findings.DocsReport(impl if run_examples else "(examples not run)", summaries, tuple(found), tuple(runs),
                        round(time.monotonic() - started, 3), environment, readings)


def _run(jobs: list[sessions.PageJob], impl: str, timeout: float, workers: int, sandbox_mode: str,
         memory_limit: int | None, progress: Progress | None) -> list[sessions.PageOutcome]:
    """The pages' sessions, in parallel on sessions.run_all's lanes; with a progress callback,
    each page's end is told."""
    if progress is None or len(jobs) < 2:
        return sessions.run_all(jobs, impl, timeout, workers, sandbox_mode, memory_limit)
    done = 0
    lock = threading.Lock()

    def told(job: sessions.PageJob, _outcome: sessions.PageOutcome) -> None:
        nonlocal done
        with lock:
            done += 1
            progress("run", done, len(jobs), job.label)

    return sessions.run_all(jobs, impl, timeout, workers, sandbox_mode, memory_limit, on_done=told)


def _once(found: list[findings.Finding]) -> list[findings.Finding]:
    """One claim finding per line and clause: a heading's ".jpg (default)" is both a statement
    of the page and a claim about its example."""
    said: set[tuple[str, int, str]] = set()
    out = []
    for finding in found:
        keys = {(finding.file, finding.line, c) for c in finding.clauses}
        if finding.check == "claim" and finding.severity is findings.Severity.ERROR and keys and keys <= said:
            continue
        if finding.check == "claim" and finding.severity is findings.Severity.ERROR:
            said |= keys
        out.append(finding)
    return out


def _not_said_twice(new: list[findings.Finding], found: list[findings.Finding]) -> list[findings.Finding]:
    """Statement findings the prose checks have not already made at that line for that clause."""
    said = {(f.file, f.line, c) for f in found if f.severity is not findings.Severity.NOTE for c in f.clauses}
    return [f for f in new if not any((f.file, f.line, c) in said for c in f.clauses)]


def _explained(path: str, reading: statements.Reading) -> findings.SentenceReading:
    return findings.SentenceReading(path, reading.sentence.line, reading.sentence.text,
                             tuple(s.describe() for s in reading.statements),
                             tuple(s.problem for s in reading.statements if s.problem), reading.other,
                             reading.understood)
