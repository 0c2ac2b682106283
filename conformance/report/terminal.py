"""Text fit for a terminal, whether a stream is one, and whether it wants colour (no-color.org).

`printable` is the one sanitizer for text the suite did not write (an implementation's error
message or stderr line, a docs example's exception, a cause id or title from a saved file):
every report and every error line passes such text through it. An escape sequence in it could
retitle the terminal, clear it or write the clipboard (OSC 52); a bidi override could make a
line read other than it is; a lone surrogate cannot be encoded at all. Such characters are
shown as escapes (`\x1b`, `\u202e`, `\ud800`), not deleted, so the report still tells what
the implementation printed, and none reaches the terminal (or an XML, HTML or JSON file) as the
character itself. The text report's colour and the progress bar decide from this module too.
"""

from __future__ import annotations

import os
import re

#: C0 controls but newline and tab, DEL, C1 controls (ESC starts every CSI and OSC sequence, and
#: 0x9b and 0x9d are their one-byte forms), the Arabic letter mark, LRM/RLM, the line and
#: paragraph separators, the bidi embeddings, overrides and isolates, and lone surrogates.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
                    "\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every character of UNSAFE shown as an escape; newlines and tabs kept."""
    return UNSAFE.sub(_escape, text)


def one_line(text: str) -> str:
    """`printable` text on one line, for an error message: runs of whitespace become one space."""
    return " ".join(printable(text).split())


def is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # a closed or detached stream
        return False


def wants_color(stream: object) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set to anything non-empty."""
    return is_terminal(stream) and not os.environ.get("NO_COLOR")
