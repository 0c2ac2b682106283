"""The first sentence of a clause of SPEC.md, so a report can say what a cause breaks in the
spec's own words. A clause split into statements (`- **[clause:name]** ...` items under it)
is told by its first statement; its own paragraph then holds the status and notes."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from wbimage_conformance import spec

_MARKER = re.compile(r"^\*\*\[([a-z0-9][a-z0-9.-]*)\]\*\*\s*")
_STATEMENT = re.compile(r"^\s*-\s+\*\*\[([a-z0-9][a-z0-9.-]*:[a-z0-9][a-z0-9.-]*)\]\*\*\s*")
# "documented." / "derived." / "documented, shapes derived." / "derived from the formulas ..."
_STATUS = re.compile(r"^(?:documented|derived)[^.]*\.\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`(\[])")


@lru_cache(maxsize=4)
def _paragraphs(path: str) -> dict[str, str]:
    """Clause or statement id -> the text it opens, on one line (file order)."""
    out: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines() + [""]:
        match = _MARKER.match(line) or _STATEMENT.match(line)
        if match or not line.strip() or line.startswith("#") or line.lstrip().startswith("- "):
            if current is not None:
                out.setdefault(current, " ".join(lines))
            current, lines = (match.group(1), [line[match.end():].strip()]) if match else (None, [])
        elif current is not None:
            lines.append(line.strip())
    return out


def sentence(clause: str, path: Path | str = spec.SPEC_PATH) -> str:
    """The first sentence of the clause's first statement, or of its own paragraph after the
    status words; "" for a clause SPEC.md lacks. A statement id gives that statement's."""
    texts = _paragraphs(str(path))
    if clause not in texts:
        return ""
    first_statement = next((text for key, text in texts.items() if key.startswith(clause + ":")), None)
    text = first_statement if ":" not in clause and first_statement else texts[clause]
    text = _STATUS.sub("", text, count=1)
    return _SENTENCE_END.split(text, maxsplit=1)[0].strip() if text else ""
