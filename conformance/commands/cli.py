"""`wbimage-conformance`: the command line. Each subcommand is a module of this package with
`NAME`, `HELP`, `add_arguments(parser)` and `run(args) -> int`, listed by name in COMMANDS, and
optionally `EXIT_CODES`, the end of its --help.
Only the subcommand given is imported (`docs check` need not import what `bisect` needs);
the whole list is built for help and for anything else.

Exit codes: 0 as expected; 1 an unexpected result (per subcommand); 2 a configuration error
(`wbimage_conformance.errors.ConfigurationError`), reported as one line on stderr; 130 after
Ctrl-C (SIGINT), 143 after SIGTERM where the command turns it into an interruption.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

import wbimage_conformance
from wbimage_conformance.errors import ConfigurationError, UsageError

PROG = "wbimage-conformance"
#: The subcommands' modules (each module's NAME is its name), in the order help lists them.
COMMANDS = ("run", "report", "coverage", "docs", "matrix", "history", "bisect", "refresh", "fuzz", "impact")


class _Parser(argparse.ArgumentParser):
    """argparse that raises UsageError (one line, exit code 2) instead of printing usage."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand, or of `only` (one of COMMANDS)."""
    parser = _Parser(prog=PROG, description="Check implementations of wandb.Image's pixel pipeline against the spec.")
    parser.add_argument("--version", action="version", version=f"{PROG} {wbimage_conformance.__version__}")
    subcommands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMANDS if only is None else (only,):
        command = importlib.import_module(f"wbimage_conformance.commands.{name}")
        sub = subcommands.add_parser(command.NAME, help=command.HELP, description=command.HELP,
                                     epilog=getattr(command, "EXIT_CODES", None))
        command.add_arguments(sub)
        sub.set_defaults(handler=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        given = list(sys.argv[1:] if argv is None else argv)
        args = build_parser(given[0] if given and given[0] in COMMANDS else None).parse_args(given)
        return args.handler(args)
    except ConfigurationError as exc:
        from wbimage_conformance.report.terminal import one_line  # only when there is an error to print

        print(f"{PROG}: error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:  # before or after a run's cases: no report to write
        print(f"{PROG}: interrupted", file=sys.stderr)
        return getattr(exc, "exit_code", 130)
