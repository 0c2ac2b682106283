"""Writing a report file so that no failure can lose the previous one.

`Path.write_text` truncates the target first: an exception while rendering or encoding (a lone
surrogate from an implementation's error message cannot be encoded as UTF-8) left a report
path at 0 bytes, destroying the previous report. Here the text is encoded first, with any
character UTF-8 cannot hold written as a backslash escape (`\\ud800`), written to a temporary
file in the target's folder (so the rename stays on one file system), flushed to disk, and
renamed over the target in one step: readers see the old file or the new one, never a part.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

ENCODING = "utf-8"
#: Characters UTF-8 cannot encode (lone surrogates) become `\udXXX` text, not an exception.
ERRORS = "backslashreplace"


def encoded(text: str) -> bytes:
    """`text` as UTF-8 bytes, whatever it holds."""
    return text.encode(ENCODING, ERRORS)


def replace_bytes(path: Path | str, content: bytes) -> None:
    """Put `content` at `path` all at once; on any failure the previous file stays as it was.

    A symbolic link is followed (the file it names is replaced, the link kept); a path that is
    not a regular file (`/dev/stdout`, a FIFO) is written in place, as nothing can be renamed
    over it."""
    target = Path(os.path.realpath(path))
    if target.exists() and not target.is_file():
        with open(target, "wb") as out:
            out.write(content)
        return
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def replace_text(path: Path | str, text: str) -> None:
    """`replace_bytes` of `text` encoded as UTF-8 with escapes for what UTF-8 cannot hold."""
    replace_bytes(path, encoded(text))


def _mode_for(target: Path) -> int:
    """The permissions the target had, else those a new file gets under the current umask
    (mkstemp makes files readable by their owner only, which a published report must not be)."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
