"""Reading a stored file the way hostile input must be read: regular files only, a size limit,
strict UTF-8.

Every file the suite reads back (a saved report, a history record, an expectations file) may
come from someone else: a CI artifact, a pull request, a download. A path naming a FIFO would
block the reader forever, `/dev/zero` would feed it without end, a directory or a device has no
text at all. So the path is opened without blocking (`O_NONBLOCK`: opening a FIFO returns at
once), the open descriptor (not the path, which could change in between) must be a regular
file, and at most the kind's byte limit is read; one byte more is refused, not truncated. A
symbolic link is followed (checkouts and CI artifact folders use them; `O_NOFOLLOW` would refuse
those), and what it leads to is judged as itself: a link to `/dev/zero` is a device.
Every refusal is one line naming the file (and the line, for bytes that are not UTF-8).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from wbimage_conformance import private_data
from wbimage_conformance.errors import ConfigurationError


class StoredFileError(ConfigurationError, ValueError):
    """A stored file that cannot be used (exit code 2); the message starts with `file:line:`."""


@dataclass(frozen=True)
class Kind:
    """One kind of stored file and its limits (README, "Limits")."""

    name: str                 # "saved report", "history record", ...: used in messages, also plural
    max_bytes: int
    max_depth: int
    #: Whether the kind holds what implementations must not see (results, expected values):
    #: the sandbox then hides each file read (private_data); settings files are not hidden.
    hidden: bool = True


_KIND_OF_MODE = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                 (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _what(mode: int) -> str:
    return next((name for test, name in _KIND_OF_MODE if test(mode)), "a special file")


def read_head(path: Path | str, kind: Kind) -> bytes:
    """At most `kind.max_bytes + 1` bytes of a regular file (one more than the limit: the caller
    can tell a file over it); StoredFileError for anything that is not a regular file."""
    if kind.hidden:
        private_data.note(path)  # results and expectations: the sandbox hides them from implementations
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        raise StoredFileError(f"{path}: cannot read the {kind.name}: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise StoredFileError(f"{path}: {_what(mode)}, not a regular file ({kind.name}s are read from "
                                  "regular files only)")
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return handle.read(kind.max_bytes + 1)
    except OSError as exc:
        raise StoredFileError(f"{path}: cannot read the {kind.name}: {exc.strerror or exc}") from None
    finally:
        os.close(descriptor)


def too_large(path: Path | str, kind: Kind) -> StoredFileError:
    return StoredFileError(f"{path}: larger than {kind.max_bytes} bytes, the limit for a {kind.name}")


def read_bytes(path: Path | str, kind: Kind) -> bytes:
    """The bytes of a regular file of at most `kind.max_bytes`; StoredFileError otherwise."""
    raw = read_head(path, kind)
    if len(raw) > kind.max_bytes:
        raise too_large(path, kind)
    return raw


def decode(raw: bytes, where: str) -> str:
    """`raw` as strict UTF-8; the error names the line of the first byte that is not."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise StoredFileError(f"{where}:{line}: not UTF-8 (byte {exc.start}: {exc.reason})") from None


def read_text(path: Path | str, kind: Kind) -> str:
    """The text of a stored file, read under its kind's limits."""
    return decode(read_bytes(path, kind), str(path))
