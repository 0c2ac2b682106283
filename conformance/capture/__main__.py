"""python -m wbimage_conformance.capture DIR [limits] -- COMMAND ARGS...

Runs COMMAND unchanged and keeps, in DIR, a bounded sample of what it passes to wandb.Image,
per call site; then merges what every process wrote into DIR/manifest.json and prints one
summary line on stderr. Everything stays on this machine: nothing is sent anywhere.

Exit code: the program's own (128 + N when signal N ended it); 2 when the capture cannot
start (DIR is a file or cannot be written, a bad limit, a command that does not exist), or
when the program succeeded but its capture cannot be read back.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from wbimage_conformance.capture import launch, manifest
from wbimage_conformance.capture.agent import Limits
from wbimage_conformance.errors import ConfigurationError, UsageError

#: Byte limits accept a suffix: 64M, 1G, 500k.
_SUFFIXES = {"k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}
MAX_LIMIT = 2 ** 53


def _size(text: str) -> int:
    """A byte count, `64M`-style suffixes allowed."""
    scale = _SUFFIXES.get(text[-1:].lower(), 1)
    digits = text[:-1] if scale > 1 else text
    if not digits.isdigit() or not 0 <= int(digits) * scale <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"{text!r} is not a byte count from 0 to 2**53 (suffixes k, M, G)")
    return int(digits) * scale


def _count(text: str) -> int:
    if not text.isdigit() or int(text) > MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 0 to 2**53")
    return int(text)


class _OneLineParser(argparse.ArgumentParser):
    """argparse that reports a bad argument as the one line every error of the suite is."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def parser() -> argparse.ArgumentParser:
    defaults = Limits()
    found = _OneLineParser(
        prog="python -m wbimage_conformance.capture", usage="%(prog)s DIR [options] -- COMMAND [ARGS...]",
        description="Run COMMAND unchanged and keep, in DIR, the first inputs it passes to wandb.Image at each "
                    "call site. Nothing leaves this machine.")
    found.add_argument("directory", metavar="DIR", help="the capture folder (made if missing)")
    found.add_argument("--max-per-site", type=_count, default=defaults.max_per_site, metavar="N",
                       help="samples kept per call site: the first N (default %(default)s)")
    found.add_argument("--max-bytes-per-site", type=_size, default=defaults.max_bytes_per_site, metavar="BYTES",
                       help="bytes kept per call site (default 64M)")
    found.add_argument("--max-total-bytes", type=_size, default=defaults.max_total_bytes, metavar="BYTES",
                       help="bytes kept in all (default 1G)")
    return found


def _split(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    if "--" not in argv:
        raise UsageError("no command: write it after `--`, e.g. `DIR -- python train.py`")
    at = list(argv).index("--")
    command = list(argv[at + 1:])
    if not command:
        raise UsageError("no command after `--`")
    return list(argv[:at]), command


def capture(argv: Sequence[str]) -> int:
    own, command = _split(argv)
    arguments = parser().parse_args(own)
    limits = Limits(arguments.max_per_site, arguments.max_bytes_per_site, arguments.max_total_bytes)
    directory = launch.prepare(Path(arguments.directory))
    code = launch.run(command, launch.child_environment(directory, limits, os.environ))
    try:
        kept, where = manifest.finish(directory, limits.as_json())
    except ConfigurationError as exc:
        print(f"wbimage capture: {exc}", file=sys.stderr)
        return code or 2
    print(manifest.summary(kept, where), file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return capture(sys.argv[1:] if argv is None else argv)
    except ConfigurationError as exc:
        print(f"wbimage capture: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
