"""Pages that are translations of each other carry the same code, signature and constants.

Translations are found by `menu.<name>.identifier` without its locale prefix
(`ja-ref-python-data-types-image` and `ko-ref-python-data-types-image`), else by file name
without its locale suffix (`image.ja.md`, `image.en.md`). The first page of a group, in
the order given, is the one the others are compared with.

Code is compared as logical lines of tokens: comments, blank lines and line wrapping do not
count, every string literal (captions, f-strings) is one placeholder. So a translated
comment or caption is not a difference, `* 2 - 1` against `* 3 - 1` is. Every difference
names both places.
"""

from __future__ import annotations

import difflib
import io
import re
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass

from wbimage_conformance.doccheck import findings as F
from wbimage_conformance.doccheck import signature as sig
from wbimage_conformance.doccheck.classify import ClassifiedPage, PyBlock

_STRING_TOKENS = {tokenize.STRING}
for _name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END"):
    if hasattr(tokenize, _name):
        _STRING_TOKENS.add(getattr(tokenize, _name))
#: A signature parameter one translation may leave out (see signature.py): name, default.
OMITTABLE = ("normalize", "True")
_SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}


@dataclass(frozen=True)
class LogicalLine:
    line: int        # code line (1-based) where it starts
    tokens: str


def logical_lines(code: str) -> list[LogicalLine]:
    out: list[LogicalLine] = []
    current: list[str] = []
    start = 0
    in_fstring = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            kind = token.type
            if kind in _SKIPPED:
                continue
            if kind == tokenize.NEWLINE:
                if current:
                    out.append(LogicalLine(start, " ".join(current)))
                current = []
                continue
            if hasattr(tokenize, "FSTRING_START") and kind == tokenize.FSTRING_START:
                in_fstring += 1
                if in_fstring == 1:
                    if not current:
                        start = token.start[0]
                    current.append("<str>")
                continue
            if hasattr(tokenize, "FSTRING_END") and kind == tokenize.FSTRING_END:
                in_fstring -= 1
                continue
            if in_fstring:
                continue
            if not current:
                start = token.start[0]
            if kind == tokenize.INDENT:
                current.append("<indent>")
            elif kind == tokenize.DEDENT:
                current.append("<dedent>")
            else:
                current.append("<str>" if kind in _STRING_TOKENS else token.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    if current:
        out.append(LogicalLine(start, " ".join(current)))
    # a DEDENT belongs to the line it precedes; keep it off an otherwise empty line. A comma
    # before a closing bracket is formatting, not code.
    return [LogicalLine(line.line, re.sub(r" , (?=[)\]}])", " ", line.tokens)) for line in out
            if line.tokens.replace("<dedent>", "").strip()]


def _source_line(block: PyBlock, code_line: int) -> str:
    lines = block.block.code.splitlines()
    return lines[code_line - 1].strip() if 0 < code_line <= len(lines) else ""


def compare_code(a_page: ClassifiedPage, a: PyBlock, b_page: ClassifiedPage, b: PyBlock, subject: str) -> list[F.Finding]:
    left, right = logical_lines(a.block.code), logical_lines(b.block.code)
    matcher = difflib.SequenceMatcher(None, [x.tokens for x in left], [x.tokens for x in right], autojunk=False)
    out = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        a_line = a.block.page_line(left[i1].line) if i1 < len(left) else a.block.page_line(len(a.block.code.splitlines()))
        b_line = b.block.page_line(right[j1].line) if j1 < len(right) else b.block.page_line(len(b.block.code.splitlines()))
        a_text = "; ".join(_source_line(a, x.line) for x in left[i1:i2])
        b_text = "; ".join(_source_line(b, x.line) for x in right[j1:j2])
        if op == "replace":
            message = f"{subject} differs from its translation: this page has `{b_text}` where {a_page.path}:{a_line} has `{a_text}`"
        elif op == "delete":
            message = f"{subject} lacks `{a_text}`, which its translation has at {a_page.path}:{a_line}"
        else:
            message = f"{subject} has `{b_text}`, which its translation at {a_page.path}:{a_line} does not have"
        out.append(F.error("consistency", b_page.path, b_line, subject, message,
                           related=(F.Location(a_page.path, a_line),)))
    return out


def _by_key(blocks: Sequence[PyBlock]) -> dict[str, PyBlock]:
    out: dict[str, PyBlock] = {}
    for block in blocks:
        out.setdefault(block.key, block)
    return out


def _missing(subject: str, have: ClassifiedPage, block: PyBlock, lack: ClassifiedPage) -> F.Finding:
    return F.error("consistency", lack.path, lack.page.body_line, subject,
                   f"{subject} is at {have.path}:{block.line} but this translation of it has none",
                   related=(F.Location(have.path, block.line),))


def compare_pages(a: ClassifiedPage, b: ClassifiedPage) -> list[F.Finding]:
    out: list[F.Finding] = []
    # examples, by key
    a_examples, b_examples = _by_key(a.examples), _by_key(b.examples)
    for key in sorted(set(a_examples) | set(b_examples)):
        if key not in b_examples:
            out.append(_missing(key, a, a_examples[key], b))
        elif key not in a_examples:
            out.append(_missing(key, b, b_examples[key], a))
        else:
            out.extend(compare_code(a, a_examples[key], b, b_examples[key], key))
    # formulas, in order
    a_formulas, b_formulas = a.of_kind("formula"), b.of_kind("formula")
    for index, (x, y) in enumerate(zip(a_formulas, b_formulas), start=1):
        out.extend(compare_code(a, x, b, y, f"formula {index}"))
    for index, extra in enumerate(a_formulas[len(b_formulas):], start=len(b_formulas) + 1):
        out.append(_missing(f"formula {index}", a, extra, b))
    for index, extra in enumerate(b_formulas[len(a_formulas):], start=len(a_formulas) + 1):
        out.append(_missing(f"formula {index}", b, extra, a))
    # signature and methods
    out.extend(_compare_signatures(a, a.of_kind("signature")[:1], b, b.of_kind("signature")[:1], "signature"))
    a_methods, b_methods = _by_key(a.of_kind("method")), _by_key(b.of_kind("method"))
    for name in sorted(set(a_methods) | set(b_methods)):
        if name not in b_methods:
            out.append(_missing(f"method {name}", a, a_methods[name], b))
        elif name not in a_methods:
            out.append(_missing(f"method {name}", b, b_methods[name], a))
        else:
            out.extend(_compare_signatures(a, [a_methods[name]], b, [b_methods[name]], f"method {name}"))
    out.extend(_compare_constants(a, b))
    return out


def _described(block: PyBlock) -> list[tuple[str, str, int]]:
    decorators = [(f"@{d}", "", block.line) for d in (block.signature.decorators if block.signature else ())]
    return decorators + [(p.name, "" if p.default is sig._MISSING else repr(p.default), p.line)
                         for p in sig.parameters(block)]


def _compare_signatures(a: ClassifiedPage, a_blocks: list[PyBlock], b: ClassifiedPage, b_blocks: list[PyBlock],
                        subject: str) -> list[F.Finding]:
    if not a_blocks or not b_blocks:
        if a_blocks:
            return [_missing(subject, a, a_blocks[0], b)]
        if b_blocks:
            return [_missing(subject, b, b_blocks[0], a)]
        return []
    left, right = _described(a_blocks[0]), _described(b_blocks[0])
    if [x[:2] for x in left] == [x[:2] for x in right]:
        return []
    out = []
    matcher = difflib.SequenceMatcher(None, [x[:2] for x in left], [x[:2] for x in right], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        a_line = left[i1][2] if i1 < len(left) else a_blocks[0].line
        b_line = right[j1][2] if j1 < len(right) else b_blocks[0].line
        show = lambda items: ", ".join(n + (f"={d}" if d else "") for n, d, _ in items) or "nothing"  # noqa: E731
        message = (f"{subject} differs from its translation: this page has {show(right[j1:j2])} where "
                   f"{a.path}:{a_line} has {show(left[i1:i2])}")
        only = [x[:2] for x in left[i1:i2] + right[j1:j2]]
        if subject == "signature" and op in ("delete", "insert") and only == [OMITTABLE]:
            # The same decision as the signature check: a block without normalize, which the page
            # documents elsewhere, is a warning; so is a translation that differs only by it.
            out.append(F.warning("consistency", b.path, b_line, subject,
                                 message + " (one block omits normalize; a warning, as in the signature check)",
                                 related=(F.Location(a.path, a_line),)))
            continue
        out.append(F.error("consistency", b.path, b_line, subject, message, related=(F.Location(a.path, a_line),)))
    return out


def _compare_constants(a: ClassifiedPage, b: ClassifiedPage) -> list[F.Finding]:
    left = {r.name: r for t in a.constants for r in t.rows}
    right = {r.name: r for t in b.constants for r in t.rows}
    out = []
    for name in sorted(set(left) | set(right)):
        x, y = left.get(name), right.get(name)
        if x is not None and y is not None and x.value != y.value:
            out.append(F.error("consistency", b.path, y.line, "class variables",
                               f"{name} is {y.value} here but {x.value} at {a.path}:{x.line}",
                               related=(F.Location(a.path, x.line),)))
        elif x is not None and y is None:
            out.append(F.error("consistency", b.path, b.constants[0].table.line if b.constants else b.page.body_line,
                               "class variables", f"{name} is at {a.path}:{x.line} but not on this page",
                               related=(F.Location(a.path, x.line),)))
        elif y is not None and x is None:
            out.append(F.error("consistency", b.path, y.line, "class variables",
                               f"{name} is on this page but not on its translation {a.path}",
                               related=(F.Location(a.path, a.page.body_line),)))
    return out


def groups(pages: Sequence[ClassifiedPage]) -> list[list[ClassifiedPage]]:
    by_key: dict[str, list[ClassifiedPage]] = {}
    for page in pages:
        by_key.setdefault(page.identity.translation_key, []).append(page)
    return [group for group in by_key.values() if len(group) > 1]


def check(pages: Sequence[ClassifiedPage]) -> list[F.Finding]:
    out: list[F.Finding] = []
    for group in groups(pages):
        base = group[0]
        for other in group[1:]:
            out.extend(compare_pages(base, other))
    return out
