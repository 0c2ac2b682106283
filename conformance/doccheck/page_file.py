"""A documentation page's bytes, read only from a regular file of bounded size.

Whatever is named on the command line or met in a tree may be something else: a link to
/dev/zero (endless), a FIFO (an open for reading blocks until a writer comes), a directory, a
file of gigabytes, a link out of the repository. So a page is opened without blocking and,
unless the caller follows links, without following one; the open descriptor is checked to be
a regular file (the name may have changed since it was looked at) no larger than
MAX_PAGE_BYTES, and at most that much is read. Anything else is a PageError naming the file:
a usage error for a file given on the command line, a page left out (and listed) in a walk.
"""

from __future__ import annotations

import errno
import os
import stat

from wbimage_conformance.errors import ConfigurationError

#: The largest page read: the largest page of the W&B docs is under 30 KB.
MAX_PAGE_BYTES = 1024 * 1024


class PageError(ConfigurationError):
    """The file cannot be read as a page (missing, not a regular file, too large, not UTF-8)."""


def read_bytes(path: str, *, follow: bool = False, limit: int = MAX_PAGE_BYTES) -> bytes:
    """The file's bytes, if it is a regular file of at most `limit` bytes; PageError otherwise.
    `follow`: a link is followed (the caller has decided where it may lead)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | (0 if follow else getattr(os, "O_NOFOLLOW", 0))
    try:
        _refuse_kind(path, os.stat(path) if follow else os.lstat(path))
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise PageError(f"{path}: " + ("symbolic links in a loop" if follow else "a symbolic link, not followed")) \
                from None
        raise PageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        _refuse_kind(path, info)
        if info.st_size > limit:
            raise PageError(f"{path}: {info.st_size:,} bytes, larger than a documentation page may be "
                            f"({limit:,} bytes); not read")
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew while being read
        raise PageError(f"{path}: larger than a documentation page may be ({limit:,} bytes); not read")
    return data


def _refuse_kind(path: str, info: os.stat_result) -> None:
    if stat.S_ISREG(info.st_mode):
        return
    kind = ("a directory" if stat.S_ISDIR(info.st_mode) else
            "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a regular file")
    raise PageError(f"{path}: {kind}, not a documentation page")
