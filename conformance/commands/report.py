"""`wbimage-conformance report RUN.json [RUN.json ...]`: saved JSON runs, rendered and merged.

A CI job saves its run as JSON (`run --report json=PATH`); this renders it again in any format
(report.from_json), and several runs of one implementation as one (report.merge): the N shards
of `run --shard K/N` give back the unsharded run. Output options are those of `run`
(commands.outputs), $GITHUB_STEP_SUMMARY included.

Exit codes: 0 every case of the (merged) run as expected; 1 an unexpected result; 2 a file
that is not a JSON report, or reports that do not make one run.
"""

from __future__ import annotations

import argparse

from wbimage_conformance.commands import outputs
from wbimage_conformance.report import from_json, merge

NAME = "report"
HELP = "render saved JSON runs in any format; merge the shards or runs of one implementation"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("runs", nargs="+", metavar="RUN.json", help="JSON reports written by `run`")
    outputs.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    plan = outputs.plan(args)
    merged = merge.merge([(path, from_json.load(path)) for path in args.runs])
    outputs.emit(merged, plan)
    return 0 if merged.ok else 1
