"""Report writers: one RunReport, five ways to read it.

    write(report, "text" | "json" | "junit" | "markdown" | "html", out=None, color=None)

`out` is a text stream, a path (written to a temporary file and renamed: stored.writing), or
None for standard output. Colour applies to the text
format only; by default it is on when `out` is a terminal and NO_COLOR is not set.
`render(report, fmt)` returns the same text as a string; `to_json_data(report)` returns the
JSON report as plain data; `ProgressBar` (in .progress) draws the runner's progress line.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TextIO

from wbimage_conformance.model import RunReport
from wbimage_conformance.report import json_format, junit, markdown, text
from wbimage_conformance.report.json_format import to_json_data
from wbimage_conformance.report.progress import ProgressBar
from wbimage_conformance.report.terminal import wants_color
from wbimage_conformance.stored import writing

_RENDERERS: dict[str, Callable[..., str]] = {
    "text": text.render,
    "json": json_format.render,
    "junit": junit.render,
    "markdown": markdown.render,
    "html": lambda report, **options: _html_page().render(report, **options),
}

FORMATS: tuple[str, ...] = tuple(_RENDERERS)

__all__ = ["FORMATS", "ProgressBar", "render", "to_json_data", "wants_color", "write"]


def _html_page() -> ModuleType:
    """The HTML writer, imported when a page is written: it draws images with Pillow, which
    a run that writes no page (the inner loop) need not import."""
    from wbimage_conformance.report import html_page

    return html_page


def render(report: RunReport, fmt: str, *, color: bool = False) -> str:
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    return renderer(report, color=color)


def _encodable(content: str, stream: TextIO) -> str:
    """Content the stream can take: characters its encoding lacks become escapes, not a crash."""
    encoding = getattr(stream, "encoding", None)
    if not encoding:
        return content
    try:
        content.encode(encoding)
        return content
    except UnicodeEncodeError:
        return content.encode(encoding, errors="backslashreplace").decode(encoding)
    except LookupError:
        return content


def write(report: RunReport, fmt: str, out: TextIO | str | Path | None = None, *,
          color: bool | None = None) -> None:
    """Render `report` as `fmt` into `out` (a stream, a path written as UTF-8, or stdout)."""
    if fmt not in _RENDERERS:
        render(report, fmt)  # raises the ValueError naming the formats
    if isinstance(out, (str, Path)):
        writing.replace_text(out, render(report, fmt, color=bool(color)))
        return
    stream = sys.stdout if out is None else out
    use_color = wants_color(stream) if color is None else color
    stream.write(_encodable(render(report, fmt, color=use_color), stream))
    stream.flush()
