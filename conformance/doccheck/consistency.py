"""Pages that are translations of each other carry the same code, signature and constants.

Translations are found by `menu.<name>.identifier` without its locale prefix
(`ja-ref-python-data-types-image` and `ko-ref-python-data-types-image`), else by file name
without its locale suffix (`image.ja.md`, `image.en.md`). A page without an identifier (the
English lazydocs page has none) joins the identified pages of its file name when none of
them is in its locale; if several groups qualify, the one nearest in the directory tree.
Pages in one locale are versions of a page, not translations, and are not compared.

Each translation is compared with the group's original: its English page (the W&B docs are
written in English and translated), else the first page given. A difference that several
translations share (the ja and ko signature blocks both list eight parameters where en lists
nine) is one finding naming every place.

Code is compared as logical lines of tokens: comments, blank lines and line wrapping do not
count, every string literal (captions, f-strings) is one placeholder. So a translated
comment or caption is not a difference, `* 2 - 1` against `* 3 - 1` is. Signatures are
compared by parameter names and defaults (annotations are each generator's rendering).
What a generator never renders is not a difference between pages of different generators:
lazydocs shows no class variables, and a page that shows no methods at all beside one that
shows them is a note.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass, replace

from wbimage_conformance.doccheck import findings, pinned, sections
from wbimage_conformance.doccheck import signature
from wbimage_conformance.doccheck.classify import ClassifiedPage, PyBlock

_STRING_TOKENS = {tokenize.STRING}
for _name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END"):
    if hasattr(tokenize, _name):
        _STRING_TOKENS.add(getattr(tokenize, _name))
#: A signature parameter one translation may leave out (see signature.py): name, default.
OMITTABLE = ("normalize", "True")
ORIGINAL_LOCALE = "en"
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


@dataclass(frozen=True)
class Difference:
    """One way a translation differs from the original, before differences that several
    translations share are merged. `message` has placeholders for the translation side:
    {pages} ("this page", or "this page and image.ko.md:12"), and the verbs {has}, {lists},
    {lacks} agreeing with it; `on_original` findings sit on the original and {pages} names
    the translations."""

    severity: findings.Severity
    subject: str
    original_line: int
    line: int                          # on the translation
    message: str
    on_original: bool = False


def _verbs(count: int) -> dict[str, str]:
    one = count == 1
    return {"has": "has" if one else "have", "lists": "lists" if one else "list", "lacks": "lacks" if one else "lack",
            "shows": "shows" if one else "show", "it": "it" if one else "they"}


def _lit(text: object) -> str:
    """Text put into a Difference message as it is (braces of code escaped for format)."""
    return str(text).replace("{", "{{").replace("}", "}}")


def compare_code(original: ClassifiedPage, a: PyBlock, b: PyBlock, subject: str) -> list[Difference]:
    left, right = logical_lines(a.block.code), logical_lines(b.block.code)
    matcher = difflib.SequenceMatcher(None, [x.tokens for x in left], [x.tokens for x in right], autojunk=False)
    out = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        a_line = a.block.page_line(left[i1].line if i1 < len(left) else len(a.block.code.splitlines()))
        b_line = b.block.page_line(right[j1].line if j1 < len(right) else len(b.block.code.splitlines()))
        a_text = _lit("; ".join(_source_line(a, x.line) for x in left[i1:i2]))
        b_text = _lit("; ".join(_source_line(b, x.line) for x in right[j1:j2]))
        if op == "replace" and a_text == b_text:  # one statement over several lines: show what differs in it
            a_text, b_text = (_lit(t) for t in _token_difference(" ".join(x.tokens for x in left[i1:i2]),
                                                                  " ".join(x.tokens for x in right[j1:j2])))
        there = _lit(f"{original.path}:{a_line}")
        if op == "replace":
            message = (f"{subject} differs from its translation: {{pages}} {{has}} `{b_text}` where {there} "
                       f"has `{a_text}`")
        elif op == "delete":
            message = f"{subject} of {{pages}} {{lacks}} `{a_text}`, which its translation has at {there}"
        else:
            message = f"{subject} of {{pages}} {{has}} `{b_text}`, which its translation at {there} does not have"
        statements = " ".join(x.tokens for x in left[i1:i2] + right[j1:j2])
        out.append(Difference(_severity(original, statements), subject, a_line, b_line, message))
    return out


def _token_difference(left: str, right: str, context: int = 3) -> tuple[str, str]:
    """The stretch of two token sequences where they differ, with a few tokens around it."""
    a, b = left.split(), right.split()
    ops = [op for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if op[0] != "equal"]
    if not ops:
        return left, right
    i1, j1 = max(ops[0][1] - context, 0), max(ops[0][3] - context, 0)
    i2, j2 = min(ops[-1][2] + context, len(a)), min(ops[-1][4] + context, len(b))
    shown = [("... " if start else "") + " ".join(tokens[start:end]) + (" ..." if end < len(tokens) else "")
             for tokens, start, end in ((a, i1, i2), (b, j1, j2))]
    return shown[0], shown[1]


def _severity(original: ClassifiedPage, changed: str) -> findings.Severity:
    """On the pages the spec cites, any code difference is an error. Elsewhere translations
    lag their original as a matter of course: a difference that touches the Image surface is
    a warning, one that does not (how the run is opened, say) a note."""
    if original.identity.doc is not None:
        return findings.Severity.ERROR
    names_the_api = re.search(r"\bImage\b|to_uint8|guess_mode|all_(?:boxes|masks|captions)", changed)
    return findings.Severity.WARNING if names_the_api else findings.Severity.NOTE


def _by_key(blocks: Sequence[PyBlock]) -> dict[str, PyBlock]:
    out: dict[str, PyBlock] = {}
    for block in blocks:
        out.setdefault(block.key, block)
    return out


def _missing(original: ClassifiedPage, translation: ClassifiedPage, subject: str, block: PyBlock,
             original_has: bool) -> Difference:
    """A block one side has and the other lacks; the finding sits on the side that lacks it.
    Pages whose source links pin different versions of wandb (pinned.py) are versions as much
    as translations: a block one has and the other not is then a note that says so."""
    severity, versions = findings.Severity.ERROR, ""
    pins = [pinned.pin_of(page.page) for page in (original, translation)]
    if [pin.ref if pin else None for pin in pins] != [pins[0].ref if pins[0] else None] * 2:
        severity = findings.Severity.NOTE
        shown = [pin.describe() if pin else "the current code" for pin in pins]
        versions = _lit(f" (the pages document different versions: {shown[0]} and {shown[1]})")
    if original_has:
        return Difference(severity, subject, block.line, translation.page.body_line,
                          f"{subject} is at {_lit(original.path)}:{block.line} but {{pages}} {{lacks}} it{versions}")
    return Difference(severity, subject, original.page.body_line, block.line,
                      f"{subject} is at {{pages}} but this page has none{versions}", on_original=True)


def _not_rendered(original: ClassifiedPage, translation: ClassifiedPage, what: str, line: int,
                  original_has: bool) -> Difference:
    """Something one generator's page shows and the other's does not render at all."""
    if original_has:
        return Difference(findings.Severity.NOTE, what, line, translation.page.body_line,
                          f"{{pages}} ({translation.generator}) {{shows}} no {what}; the {original.generator} page "
                          f"{_lit(original.path)} shows them (line {line}): not compared")
    return Difference(findings.Severity.NOTE, what, original.page.body_line, line,
                      f"this {original.generator} page shows no {what}; {{pages}} ({translation.generator}) "
                      f"{{has}} them: not compared", on_original=True)


#: Two blocks of translations are the same block when this share of their tokens agree.
SAME_BLOCK = 0.75


def _tokens(block: PyBlock) -> list[str]:
    return [t for line in logical_lines(block.block.code) for t in line.tokens.split()
            if t not in ("<indent>", "<dedent>")]


def _similarity(left: list[str], right: list[str]) -> float:
    """The share of two blocks' tokens (strings and comments aside) that agree, in order; 0.0
    for pairs that cannot reach SAME_BLOCK (difflib's cheap upper bounds say so first)."""
    if not left and not right:
        return 1.0
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    if matcher.real_quick_ratio() < SAME_BLOCK or matcher.quick_ratio() < SAME_BLOCK:
        return 0.0
    return matcher.ratio()


def pair_blocks(a: Sequence[PyBlock], b: Sequence[PyBlock]) -> list[tuple[PyBlock | None, PyBlock | None]]:
    """The blocks of two translations paired by content: the most similar pair first, then the
    next among the blocks left, each at least SAME_BLOCK alike (ties go to the nearer
    position); tabs a translation reorders stay paired. A block with no partner is paired with
    None. Position alone never pairs two blocks. Each block is tokenized once: pages with
    dozens of blocks compare every pair."""
    left, right = [_tokens(x) for x in a], [_tokens(y) for y in b]
    candidates = sorted(((_similarity(x, y), -abs(i - j), i, j) for i, x in enumerate(left)
                         for j, y in enumerate(right)), reverse=True)
    partner: dict[int, int] = {}
    taken: set[int] = set()
    for score, _, i, j in candidates:
        if score < SAME_BLOCK:
            break
        if i not in partner and j not in taken:
            partner[i] = j
            taken.add(j)
    pairs: list[tuple[PyBlock | None, PyBlock | None]] = [(x, b[partner[i]] if i in partner else None)
                                                          for i, x in enumerate(a)]
    return pairs + [(None, y) for j, y in enumerate(b) if j not in taken]


def _compare_examples(a: ClassifiedPage, b: ClassifiedPage) -> list[Difference]:
    """The examples of two translations. On the pages the spec cites, examples have keys
    (example-2, usage-jpg) and are paired by them; elsewhere by content."""
    out: list[Difference] = []
    if a.identity.doc is not None and b.identity.doc is not None:
        a_examples, b_examples = _by_key(a.examples), _by_key(b.examples)
        for key in sorted(set(a_examples) | set(b_examples)):
            if key not in b_examples:
                out.append(_missing(a, b, key, a_examples[key], True))
            elif key not in a_examples:
                out.append(_missing(a, b, key, b_examples[key], False))
            else:
                out.extend(compare_code(a, a_examples[key], b_examples[key], key))
        return out
    runs = ("example", "python")
    for x, y in pair_blocks([k for k in a.blocks if k.kind in runs], [k for k in b.blocks if k.kind in runs]):
        if x is not None and y is not None:
            out.extend(compare_code(a, x, y, f"the block at line {y.line}"))
    return out


def compare_pages(original: ClassifiedPage, translation: ClassifiedPage) -> list[Difference]:
    a, b = original, translation
    out: list[Difference] = _compare_examples(a, b)
    # formulas, in order
    a_formulas, b_formulas = a.of_kind("formula"), b.of_kind("formula")
    for index, (x, y) in enumerate(zip(a_formulas, b_formulas, strict=False), start=1):
        out.extend(compare_code(a, x, y, f"formula {index}"))
    for index, extra in enumerate(a_formulas[len(b_formulas):], start=len(b_formulas) + 1):
        out.append(_missing(a, b, f"formula {index}", extra, True))
    for index, extra in enumerate(b_formulas[len(a_formulas):], start=len(a_formulas) + 1):
        out.append(_missing(a, b, f"formula {index}", extra, False))
    # signature and methods
    out.extend(_compare_signatures(a, a.of_kind("signature")[:1], b, b.of_kind("signature")[:1], "signature"))
    out.extend(_compare_methods(a, b))
    out.extend(_compare_constants(a, b))
    return out


def _compare_methods(a: ClassifiedPage, b: ClassifiedPage) -> list[Difference]:
    a_methods, b_methods = _by_key(a.of_kind("method")), _by_key(b.of_kind("method"))
    if a.generator != b.generator and bool(a_methods) != bool(b_methods):
        shown = a_methods or b_methods
        return [_not_rendered(a, b, "methods", min(x.line for x in shown.values()), bool(a_methods))]
    out = []
    for name in sorted(set(a_methods) | set(b_methods)):
        if name not in b_methods:
            out.append(_missing(a, b, f"method {name}", a_methods[name], True))
        elif name not in a_methods:
            out.append(_missing(a, b, f"method {name}", b_methods[name], False))
        else:
            out.extend(_compare_signatures(a, [a_methods[name]], b, [b_methods[name]], f"method {name}"))
    return out


def _described(block: PyBlock) -> list[tuple[str, str, int]]:
    """Decorators, then parameters with defaults; a class method is one however it is marked
    (`@classmethod` in tfdocs, a `<kbd>classmethod</kbd>` heading in lazydocs)."""
    assert block.signature is not None
    marks = ["classmethod"] if block.signature.is_classmethod else []
    marks += [d for d in block.signature.decorators if d != "classmethod"]
    return [(f"@{d}", "", block.line) for d in marks] + [
        (p.name, "" if p.default is signature.NO_DEFAULT else repr(p.default), p.line)
        for p in signature.parameters(block) if p.name not in ("self", "cls")]


def _compare_signatures(a: ClassifiedPage, a_blocks: list[PyBlock], b: ClassifiedPage, b_blocks: list[PyBlock],
                        subject: str) -> list[Difference]:
    if not a_blocks or not b_blocks:
        if a_blocks:
            return [_missing(a, b, subject, a_blocks[0], True)]
        if b_blocks:
            return [_missing(a, b, subject, b_blocks[0], False)]
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
        there = _lit(f"{a.path}:{a_line}")
        lacking, extra = _lit(_show(left[i1:i2])), _lit(_show(right[j1:j2]))
        counts = f"{{pages}} {{lists}} {len(right)} parameters where {there} lists {len(left)}"
        if subject == "signature" and op == "delete":
            message = f"{counts}; {{it}} {{lacks}} {lacking}"
        elif subject == "signature" and op == "insert":
            message = f"{counts}; {{it}} {{has}} {extra} besides"
        else:
            message = f"{subject} differs from its translation: {{pages}} {{has}} {extra} where {there} has {lacking}"
        only = [x[:2] for x in left[i1:i2] + right[j1:j2]]
        if subject == "signature" and op in ("delete", "insert") and only == [OMITTABLE]:
            # The same decision as the signature check: a block without normalize, which the page
            # documents elsewhere, is a warning; so is a translation that differs only by it.
            out.append(Difference(findings.Severity.WARNING, subject, a_line, b_line,
                                  message + "; one block omits normalize: a warning, as in the signature check"))
            continue
        out.append(Difference(findings.Severity.ERROR, subject, a_line, b_line, message))
    return out


def _show(items: list[tuple[str, str, int]]) -> str:
    return ", ".join(n + (f"={d}" if d else "") for n, d, _ in items) or "nothing"


def _compare_constants(a: ClassifiedPage, b: ClassifiedPage) -> list[Difference]:
    left = {r.name: r for t in a.constants for r in t.rows}
    right = {r.name: r for t in b.constants for r in t.rows}
    if a.generator != b.generator and bool(left) != bool(right):
        table = (a.constants or b.constants)[0].table.line
        return [_not_rendered(a, b, "class variables", table, bool(left))]
    out = []
    for name in sorted(set(left) | set(right)):
        x, y = left.get(name), right.get(name)
        if x is not None and y is not None and x.value != y.value:
            out.append(Difference(findings.Severity.ERROR, "class variables", x.line, y.line,
                                  f"{name} is {_lit(y.value)} on {{pages}} but {_lit(x.value)} at "
                                  f"{_lit(a.path)}:{x.line}"))
        elif x is not None and y is None:
            line = b.constants[0].table.line if b.constants else b.page.body_line
            out.append(Difference(findings.Severity.ERROR, "class variables", x.line, line,
                                  f"{name} is at {_lit(a.path)}:{x.line} but not on {{pages}}"))
        elif y is not None and x is None:
            out.append(Difference(findings.Severity.ERROR, "class variables", a.page.body_line, y.line,
                                  f"{name} is on {{pages}} but not on its translation {_lit(a.path)}"))
    return out


# -- groups ---------------------------------------------------------------------------------


def _file_key(page: ClassifiedPage) -> str:
    return sections.translation_key(page.page, None, page.locale)


def _shared_path(a: str, b: str) -> int:
    try:
        return len(os.path.commonpath([os.path.abspath(a), os.path.abspath(b)]))
    except ValueError:  # different drives
        return 0


def link_translations(pages: Sequence[ClassifiedPage]) -> list[ClassifiedPage]:
    """The pages, each page without an identifier given the translation key of the identified
    pages of its file name (none in its locale); the nearest such group if several."""
    identified: dict[str, list[ClassifiedPage]] = {}
    for page in pages:
        if page.page.identifier is not None:
            identified.setdefault(page.identity.translation_key, []).append(page)
    out = list(pages)
    for index, page in enumerate(pages):
        if page.page.identifier is not None:
            continue
        candidates = [key for key, members in identified.items()
                      if any(_file_key(m) == _file_key(page) for m in members)
                      and all(m.locale != page.locale for m in members)]
        if candidates:
            key = max(candidates, key=lambda k: max(_shared_path(page.path, m.path) for m in identified[k]))
            out[index] = replace(page, identity=replace(page.identity, translation_key=key))
    return out


def groups(pages: Sequence[ClassifiedPage]) -> list[list[ClassifiedPage]]:
    """Pages that share any translation key (path in a locale tree, identifier, file name),
    in more than one locale, in the order given."""
    parent = list(range(len(pages)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[str, int] = {}
    for index, page in enumerate(pages):
        for key in (page.identity.translation_key, *page.identity.other_keys):
            if key in first_with:
                parent[root(index)] = root(first_with[key])
            else:
                first_with[key] = index
    by_root: dict[int, list[ClassifiedPage]] = {}
    for index, page in enumerate(pages):
        by_root.setdefault(root(index), []).append(page)
    return [group for group in by_root.values() if len({p.locale for p in group}) > 1]


def original_of(group: Sequence[ClassifiedPage]) -> ClassifiedPage:
    """The English page (else the first); of several English versions, the one that follows
    the current code rather than one pinned to an older release or commit (pinned.py): the
    others are versions of it, not translations, and are not compared."""
    english = [p for p in group if p.locale == ORIGINAL_LOCALE]
    current = [p for p in english if pinned.pin_of(p.page) is None]
    return (current or english or list(group))[0]


def check(pages: Sequence[ClassifiedPage]) -> list[findings.Finding]:
    out: list[findings.Finding] = []
    for group in groups(link_translations(pages)):
        original = original_of(group)
        merged: dict[tuple, list[tuple[ClassifiedPage, Difference]]] = {}
        for translation in group:
            if translation.locale == original.locale:
                continue
            for difference in compare_pages(original, translation):
                key = (difference.severity, difference.subject, difference.on_original, difference.original_line,
                       difference.message)
                merged.setdefault(key, []).append((translation, difference))
        for shared in merged.values():
            out.append(_finding(original, shared))
    return out


def _finding(original: ClassifiedPage, shared: list[tuple[ClassifiedPage, Difference]]) -> findings.Finding:
    """One finding for a difference one or more translations share with the original."""
    first_page, first = shared[0]
    places = [findings.Location(page.path, difference.line) for page, difference in shared]
    if first.on_original:
        pages = " and ".join(str(p) for p in places)
        message = first.message.format(pages=pages, **_verbs(len(places)))
        return findings.Finding(first.severity, "consistency", original.path, first.original_line, first.subject,
                                message, related=tuple(places))
    pages = "this page" + "".join(f" and {p}" for p in places[1:])
    message = first.message.format(pages=pages, **_verbs(len(places)))
    return findings.Finding(first.severity, "consistency", first_page.path, first.line, first.subject, message,
                     related=(findings.Location(original.path, first.original_line), *places[1:]))
