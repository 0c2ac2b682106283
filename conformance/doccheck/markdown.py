"""A documentation page as the W&B docs site writes it, read into located elements.

The pages are Hugo Markdown: YAML (or TOML) front matter (front_matter.py), shortcodes such as
`{{< cta-button ... >}}`, pipe tables, fenced code blocks (also indented inside list items),
and headings that are `#` lines on some pages and, on the translated pages, plain or bold
lines of their own. Generated pages add their own heading shapes: lazydocs writes
"### <kbd>classmethod</kbd> `Image.to_uint8`", older tfdocs pages
`<h3 id="to_uint8"><code>to_uint8</code></h3>`; both are headings here, and the `<kbd>` word
(class, method, classmethod, property, ...) is kept as the heading's `tag`.

A full CommonMark parser would still not know that a lone line "正規化アルゴリズム" is a
heading, so this reader is line based and keeps what the checks need: every element with the
line it starts on, in document order.

Structural problems (an unclosed fence, front matter that does not parse) are recorded as
`problems` with their line instead of raised, so one broken page does not hide the findings
of the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from wbimage_conformance.doccheck import front_matter
from wbimage_conformance.doccheck.front_matter import Problem
from wbimage_conformance.doccheck.page_file import PageError, read_bytes

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
#: (The text is taken whole and its closing #s stripped after: a lazy text before `[ \t#]*$`
#: made a heading line of "# # # ..." quadratic.)
_ATX = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?:[ \t]+(?P<text>.*))?[ \t#]*$")
_HTML_HEADING = re.compile(r"^\s*<h(?P<level>[1-6])(?:\s[^>]*)?>(?P<text>.*?)</h(?P=level)>\s*$", re.I)
_KBD = re.compile(r"^<kbd>\s*(?P<tag>[^<]*?)\s*</kbd>\s*", re.I)
_BOLD_LINE = re.compile(r"^\s*(\*\*|__)(?P<text>[^*_].*?)\1\s*:?\s*$")
_CODE_LINE = re.compile(r"^\s*`(?P<text>[^`]+)`\s*$")
#: (A shortcode's arguments end before the next "{{": each try stops there, not at the line's end.)
_SHORTCODE = re.compile(r"\{\{(?P<open>[<%])\s*(?P<close>/)?\s*(?P<name>[\w.-]+)(?P<args>(?:(?!\{\{).)*?)\s*[>%]\}\}")
_LIST_ITEM = re.compile(r"^(?P<indent>\s*)(?P<marker>[-*+]|\d{1,9}[.)])[ \t]+(?P<text>.*)$")
_TABLE_DELIMITER = re.compile(r"^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$")
_LINK_ONLY = re.compile(r"^\s*!?\[[^\]]*\]\([^)]*\)\s*$")
_THEMATIC_BREAK = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_SENTENCE_END = ("。", ".", "!", "?", "！", "？", "．", "다.", ";")
PYTHON_LANGUAGES = frozenset({"python", "py", "python3", "py3", "pycon", "ipython"})
#: A plain line longer than this is a paragraph even when it stands alone.
PLAIN_HEADING_MAX = 80
#: ... and one ending in a colon longer than this is a lead-in sentence ("... as follows:").
PLAIN_COLON_HEADING_MAX = 24


@dataclass(frozen=True)
class Heading:
    line: int
    text: str          # without markers: no '#', no '**', no trailing colon
    style: str         # "atx" (# ...), "html" (<h3>...</h3>), "bold" (**...**), "plain" (a lone short line),
    #                    "code" (`name`)
    level: int         # 1-6 for atx and html; 7 for bold, 8 for plain and code lines
    tag: str = ""      # lazydocs' <kbd> word: "class", "method", "classmethod", "property", ...


@dataclass(frozen=True)
class CodeBlock:
    fence_line: int    # the line of the opening fence
    first_line: int    # the page line of the code's first line
    info: str          # the whole info string, e.g. "python title=x.py"
    code: str          # the code, de-indented by the fence's indentation
    closed: bool

    @property
    def language(self) -> str:
        return self.info.split()[0].lower() if self.info.split() else ""

    @property
    def is_python(self) -> bool:
        return self.language.strip("{}.") in PYTHON_LANGUAGES

    def page_line(self, code_line: int) -> int:
        """The page line of line `code_line` (1-based) of the code."""
        return self.first_line + max(code_line, 1) - 1


@dataclass(frozen=True)
class TableRow:
    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    line: int
    header: tuple[str, ...]
    rows: tuple[TableRow, ...]


@dataclass(frozen=True)
class Text:
    line: int
    text: str
    kind: str          # "paragraph" or "item" (a list item's first line and its continuation)
    indent: int = 0
    end_line: int = 0  # the last line (0: the first is the last)


@dataclass(frozen=True)
class Shortcode:
    line: int
    name: str
    args: str
    closing: bool


Element = Heading | CodeBlock | Table | Text | Shortcode


@dataclass(frozen=True)
class Page:
    path: str
    text: str
    front_matter: dict[str, Any]
    front_matter_lines: dict[str, int]   # dotted key -> line, e.g. "menu.reference.identifier"
    elements: tuple[Element, ...]
    problems: tuple[Problem, ...] = ()
    body_line: int = 1                   # first line after the front matter

    @cached_property
    def lines(self) -> list[str]:
        """The page's lines as the reader numbered them (line N is lines[N - 1])."""
        return _lines(self.text)

    @property
    def code_blocks(self) -> list[CodeBlock]:
        return [e for e in self.elements if isinstance(e, CodeBlock)]

    @property
    def headings(self) -> list[Heading]:
        return [e for e in self.elements if isinstance(e, Heading)]

    @property
    def tables(self) -> list[Table]:
        return [e for e in self.elements if isinstance(e, Table)]

    @property
    def shortcodes(self) -> list[Shortcode]:
        return [e for e in self.elements if isinstance(e, Shortcode)]

    @property
    def title(self) -> str | None:
        value = self.front_matter.get("title")
        return str(value) if value is not None else None

    @property
    def identifier(self) -> tuple[str, int] | None:
        """The menu identifier (any menu) and its line, e.g. ('ja-ref-python-data-types-image', 5)."""
        menu = self.front_matter.get("menu")
        if isinstance(menu, dict):
            for name, entry in menu.items():
                if isinstance(entry, dict) and isinstance(entry.get("identifier"), str):
                    key = f"menu.{name}.identifier"
                    return entry["identifier"], self.front_matter_lines.get(key, 1)
        value = self.front_matter.get("identifier")
        if isinstance(value, str):
            return value, self.front_matter_lines.get("identifier", 1)
        return None


# -- reading --------------------------------------------------------------------------------


def read_page(path: Path | str) -> Page:
    """Read and parse one page (a link followed); PageError when the file is not a regular
    file of UTF-8 text within page_file's size limit."""
    return page_from_bytes(read_bytes(str(path), follow=True), str(path))


def page_from_bytes(raw: bytes, path: str) -> Page:
    """Parse a page already read (a tree's walk reads each page once); PageError unless UTF-8."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PageError(f"{path}:{line}: not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start})") from None
    return parse_page(text, str(path))


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def parse_page(text: str, path: str = "<page>") -> Page:
    lines = _lines(text)
    problems: list[Problem] = []
    front = front_matter.read(lines, problems)
    elements = _Reader(lines, front.body_start, problems).read()
    return Page(path, text, front.data, front.key_lines, tuple(elements), tuple(problems), front.body_start + 1)


# -- body -----------------------------------------------------------------------------------


def _cells(line: str) -> tuple[str, ...]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return tuple(c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", body))


def _is_blank(line: str) -> bool:
    return not line.strip()


class _Reader:
    def __init__(self, lines: list[str], start: int, problems: list[Problem]) -> None:
        self.lines = lines
        self.i = start
        self.problems = problems
        self.out: list[Element] = []

    def read(self) -> list[Element]:
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if _is_blank(line):
                self.i += 1
            elif _FENCE.match(line):
                self._fence()
            elif line.lstrip().startswith("|") and self._delimiter_follows():
                self._table()
            else:
                self._line()
        return self.out

    def _delimiter_follows(self) -> bool:
        return self.i + 1 < len(self.lines) and bool(_TABLE_DELIMITER.match(self.lines[self.i + 1]))

    def _fence(self) -> None:
        match = _FENCE.match(self.lines[self.i])
        assert match is not None
        indent = len(match.group("indent").expandtabs(4))
        fence = match.group("fence")
        info = match.group("info").strip()
        start = self.i
        body: list[str] = []
        self.i += 1
        closed = False
        while self.i < len(self.lines):
            line = self.lines[self.i]
            stripped = line.strip()
            if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
                closed = True
                self.i += 1
                break
            stray = _FENCE.match(line)
            if stray and stray.group("fence")[0] == fence[0] and len(stray.group("fence")) >= len(fence) \
                    and stray.group("info").strip():
                # a fence with an info string cannot close a block: the author meant it to
                self.problems.append(Problem(self.i + 1, f"stray code fence {stripped[:40]!r} inside the block opened "
                                             f"on line {start + 1}: a closing fence takes no info string, so this "
                                             f"block never ends here"))
                closed = True
                self.i += 1
                break
            body.append(_dedent(line, indent))
            self.i += 1
        if not closed:
            self.problems.append(Problem(start + 1, f"code fence {fence!r} opened on line {start + 1} is never closed"))
        self.out.append(CodeBlock(start + 1, start + 2, info, "\n".join(body) + ("\n" if body else ""), closed))

    def _table(self) -> None:
        start = self.i
        header = _cells(self.lines[self.i])
        self.i += 2
        rows: list[TableRow] = []
        while self.i < len(self.lines) and self.lines[self.i].lstrip().startswith("|"):
            rows.append(TableRow(self.i + 1, _cells(self.lines[self.i])))
            self.i += 1
        self.out.append(Table(start + 1, header, tuple(rows)))

    def _standalone(self) -> bool:
        before = self.i == 0 or _is_blank(self.lines[self.i - 1]) or self.lines[self.i - 1].strip() in ("---", "+++")
        after = self.i + 1 >= len(self.lines) or _is_blank(self.lines[self.i + 1])
        return before and after

    def _line(self) -> None:
        line = self.lines[self.i]
        number = self.i + 1
        stripped = line.strip()
        shortcodes = list(_SHORTCODE.finditer(stripped))
        if shortcodes and not _SHORTCODE.sub("", stripped).strip():
            for match in shortcodes:
                self.out.append(Shortcode(number, match.group("name"), match.group("args").strip(),
                                          bool(match.group("close"))))
            self.i += 1
            return
        atx = _ATX.match(line)
        if atx:
            text, tag = _kbd_heading((atx.group("text") or "").rstrip(" \t#"))
            self.out.append(Heading(number, text, "atx", len(atx.group("hashes")), tag))
            self.i += 1
            return
        html = _HTML_HEADING.match(line)
        if html:
            text = re.sub(r"<[^<>]+>", "", html.group("text"))
            self.out.append(Heading(number, _clean_heading(text), "html", int(html.group("level"))))
            self.i += 1
            return
        bold = _BOLD_LINE.match(line)
        if bold:
            self.out.append(Heading(number, _clean_heading(bold.group("text")), "bold", 7))
            self.i += 1
            return
        code = _CODE_LINE.match(line)
        if code and self._standalone():
            self.out.append(Heading(number, code.group("text").strip(), "code", 8))
            self.i += 1
            return
        item = _LIST_ITEM.match(line)
        if item:
            self._item(item)
            return
        if self._standalone() and _looks_like_heading(stripped):
            self.out.append(Heading(number, _clean_heading(stripped), "plain", 8))
            self.i += 1
            return
        self._paragraph()

    def _paragraph(self) -> None:
        start = self.i
        parts = [self.lines[self.i].strip()]
        self.i += 1
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if (_is_blank(line) or _FENCE.match(line) or _ATX.match(line) or _LIST_ITEM.match(line)
                    or line.lstrip().startswith("|") or _BOLD_LINE.match(line)):
                break
            parts.append(line.strip())
            self.i += 1
        self.out.append(Text(start + 1, " ".join(parts), "paragraph", end_line=self.i))

    def _item(self, match: re.Match[str]) -> None:
        start = self.i
        indent = len(match.group("indent").expandtabs(4))
        parts = [match.group("text").strip()]
        self.i += 1
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if (_is_blank(line) or _FENCE.match(line) or _LIST_ITEM.match(line) or _ATX.match(line)
                    or line.lstrip().startswith("|")):
                break
            parts.append(line.strip())
            self.i += 1
        self.out.append(Text(start + 1, " ".join(parts), "item", indent, self.i))


def _looks_like_heading(text: str) -> bool:
    """A lone line that is short and not a sentence: no sentence end, and a colon only after a
    few words ("Examples:"), not after a lead-in sentence."""
    if len(text) > PLAIN_HEADING_MAX or text.endswith(_SENTENCE_END):
        return False
    if text.endswith((":", "：")) and len(text) > PLAIN_COLON_HEADING_MAX:
        return False
    if _LINK_ONLY.match(text) or _THEMATIC_BREAK.match(text):
        return False
    return not text.startswith(("<", ">", "![", "{{"))


def _dedent(line: str, indent: int) -> str:
    """Remove up to `indent` columns of leading whitespace, as CommonMark does inside a fence."""
    removed = 0
    position = 0
    while position < len(line) and removed < indent and line[position] in " \t":
        removed += 4 - removed % 4 if line[position] == "\t" else 1
        position += 1
    return line[position:]


def _kbd_heading(text: str) -> tuple[str, str]:
    """(text, tag) of an ATX heading; lazydocs' "<kbd>method</kbd> `Image.x`" gives ("Image.x", "method")."""
    match = _KBD.match(text.strip())
    if match is None:
        return _clean_heading(text), ""
    rest = _clean_heading(text.strip()[match.end():])
    return rest.strip("`").strip(), match.group("tag").strip().lower()


def _clean_heading(text: str) -> str:
    text = text.strip()
    text = re.sub(r"\{#[^{}]*\}\s*$", "", text).strip()  # Hugo heading anchors {#id}
    while len(text) >= 4 and text[:2] in ("**", "__") and text[-2:] == text[:2]:
        text = text[2:-2].strip()
    return text.rstrip(":：").strip()


def plain_text(markdown: str) -> str:
    """Inline Markdown to text: links to their label, emphasis and code markers removed."""
    # no bracket inside a link's label or target, no '<' inside a tag: each try ends at the
    # next one, so a line of 10,000 '[' or '<' is read in linear time, not quadratic
    text = re.sub(r"!?\[([^\[\]]*)\]\([^()]*\)", r"\1", markdown)
    text = re.sub(r"<[^<>]+>", "", text)
    text = text.replace("**", "").replace("__", "")
    return text.replace("\\", "")


def inline_code(markdown: str) -> list[str]:
    """The `code spans` of a line, in order."""
    return re.findall(r"`([^`]+)`", markdown)

