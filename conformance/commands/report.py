"""`wbimage-conformance report REPORT.json [REPORT.json ...]`: saved JSON reports, rendered and merged.

A CI job saves its run as JSON (`run --report json=PATH`); this renders it again in any format
(report.from_json), and several runs of one implementation as one (report.merge): the N shards
of `run --shard K/N` give back the unsharded run. Output options are those of `run`
(commands.outputs), $GITHUB_STEP_SUMMARY included.

Reports of `docs check` (schema `wbimage-conformance/docs-report/1`) are told by their schema
id: the N shards of `docs check --shard K/N` merge into one docs report (doccheck.merge),
written as `docs check` writes it (text, json, markdown, junit; doccheck.render).

Saved reports are read as hostile input (stored.SAVED_REPORT: a regular file, size and
nesting limits, the report schema, every refusal one line naming file, line and field).

Exit codes: 0 a pass by the rule `run` exits by (run.verdict): every case of the (merged) run
as expected, at least one case checked (--allow-skips accepts a run of skips only), the whole
selection covered; or no error in the docs report. 1 an unexpected result, a run that checked
nothing, or an error finding; 2 a file that is not a JSON report, or reports that do not make
one whole run or one docs check (a shard missing, even when only one is given, or given twice,
shards of different selections or implementations, docs and run reports mixed).
"""

from __future__ import annotations

import argparse
from typing import Any

from wbimage_conformance.commands import outputs
from wbimage_conformance.doccheck import from_json as docs_json
from wbimage_conformance.doccheck import merge as docs_merge
from wbimage_conformance.doccheck import render as docs_render
from wbimage_conformance.errors import UsageError
from wbimage_conformance.report import from_json, merge
from wbimage_conformance.run import verdict

NAME = "report"
HELP = "render saved JSON reports in any format; merge the shards or runs of one implementation, or of one docs check"
EXIT_CODES = ("exit codes: 0 every case of the (merged) run as expected (passed, xfailed or skipped) and at least "
              "one checked (--allow-skips: none need be), or no error in the docs report; 1 an unexpected result in "
              "any of the runs or shards, a selected case not run, nothing checked, or an error finding; 2 a file "
              "that is not a JSON report, or reports that do not make one run (a shard missing or given twice, shards "
              "of different selections, implementations or environments, run and docs reports mixed)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("runs", nargs="+", metavar="REPORT.json",
                        help="JSON reports written by `run` or by `docs check`")
    parser.add_argument("--allow-skips", action="store_true",
                        help="exit 0 for a run in which every case was skipped (as `run --allow-skips`)")
    outputs.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    read = [(path, *from_json.read_json(path)) for path in args.runs]
    docs = [path for path, data, _ in read if docs_json.is_docs_report(data)]
    if docs and len(docs) != len(read):
        other = next(path for path, data, _ in read if not docs_json.is_docs_report(data))
        raise UsageError(f"{docs[0]} is a docs check report but {other} is not: merge reports of one kind")
    if docs:
        return _docs(args, read)
    plan = outputs.plan(args)
    merged = merge.merge([(path, from_json.from_data(data, path, locator.line_at)) for path, data, locator in read])
    outputs.emit(merged, plan)
    return verdict.exit_for(merged, allow_skips=args.allow_skips)


def _docs(args: argparse.Namespace, saved: list[tuple[str, Any, Any]]) -> int:
    fmt = args.format or "text"
    for kind in [fmt] + [target.fmt for target in args.report or ()]:
        if kind not in docs_render.FORMATS:
            raise UsageError(f"docs reports are written as {', '.join(docs_render.FORMATS)}, not {kind}")
    if args.badge:
        raise UsageError("--badge is for runs of the cases, not for docs reports")
    merged = docs_merge.merge([(path, docs_json.from_data(data, path, locator.line_at)) for path, data, locator in saved])
    docs_render.emit(merged, fmt, args.output, [(t.fmt, t.path) for t in args.report or ()])
    return 0 if merged.ok else 1
