"""`wbimage-conformance fuzz`: search for inputs on which two implementations disagree.

Exit codes: 0 no disagreement, 1 disagreements found (written as cases when asked), 2 a
configuration error. The search itself is wbimage_conformance.fuzz.differential.
"""

from __future__ import annotations

import argparse

from wbimage_conformance.fuzz import differential
from wbimage_conformance.report.terminal import printable
from wbimage_conformance.run import runner, sandbox

NAME = "fuzz"
HELP = "search for inputs on which two implementations disagree; write them as cases"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--impl", required=True,
                        help="the implementation under test (same forms as for run --impl)")
    parser.add_argument("--against", default="reference", metavar="IMPL",
                        help="the implementation to compare with (default: reference)")
    parser.add_argument("--max-examples", type=int, default=differential.DEFAULT_MAX_EXAMPLES, metavar="N",
                        help=f"examples Hypothesis generates before shrinking (default {differential.DEFAULT_MAX_EXAMPLES})")
    parser.add_argument("--seed", type=int, default=0, metavar="S",
                        help="the search's seed; the same seed finds the same examples (default 0)")
    parser.add_argument("--write-cases", metavar="DIR",
                        help="write each minimal disagreement as a case file into DIR")
    parser.add_argument("--timeout", type=float, default=runner.DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"per-call time limit (default {runner.DEFAULT_TIMEOUT:g})")
    parser.add_argument("--sandbox", choices=sandbox.MODES, default="auto",
                        help="where both implementations run: bwrap, none or auto (bwrap where usable; the default), "
                             "as for run --sandbox")


def run(args: argparse.Namespace) -> int:
    report = differential.run(args.impl, args.against, max_examples=args.max_examples, seed=args.seed,
                              write_cases=args.write_cases, timeout=args.timeout, sandbox_mode=args.sandbox)
    print(printable(differential.format_report(report)), end="")
    return 0 if report.ok else 1
