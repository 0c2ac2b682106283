"""Whether a stream is an interactive terminal, and whether it wants colour (no-color.org).

The text report's colour and the progress bar both decide from this one place.
"""

from __future__ import annotations

import os


def is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # a closed or detached stream
        return False


def wants_color(stream: object) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set to anything non-empty."""
    return is_terminal(stream) and not os.environ.get("NO_COLOR")
