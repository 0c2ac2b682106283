"""Statements in the page's prose that the spec decides, checked without running anything.

Only statements whose subject is unmistakable are read, so an ordinary sentence is never
taken for a claim:

- layouts: "PyTorch tensors (channel, height, width)", "NumPy arrays (height, width,
  channel)" ([input.tensor.layout], [input.array.layout]);
- what is normalized: the items under a lead-in such as "normalization is applied to:" or
  "... is not applied to:", and tables with yes/no (or ✅/❌) cells: tensors and arrays are,
  PIL images and file paths are not ([norm.applies]);
- a sentence about normalization that names ranges: values end up in [0, 255]
  ([norm.applies]); the data a rule is for is [0, 1] or [-1, 1] ([norm.range]);
- a sentence about normalization (or naming `normalize=False`) that says how values are
  clipped: to [0, 255] ([norm.other], [norm.disabled]), and for `normalize=False` at all;
- a sentence about data in [0, 1] that says what it is multiplied by ([norm.unit]);
- an argument's description that states a switch's default ("Defaults to False") against
  the spec's signature ([api.signature]).

The Args of a page are prose too: a lazydocs `**Args:**` bullet list is read with the rest of
the text, the cells of a tfdocs Args table here.

Formula items (the list item above a formula) are checked with their formula, and comments
and headings of examples with the example; neither is read again here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction

from wbimage_conformance.doccheck import claims, findings, pyparse
from wbimage_conformance.doccheck.classify import ArgDoc, ClassifiedPage
from wbimage_conformance.doccheck.markdown import Text, plain_text
from wbimage_conformance.doccheck.specdata import SpecData

_YES = re.compile(r"✅|✔|^\s*(yes|はい|예|적용)\b", re.I)
_NO = re.compile(r"❌|✖|✗|^\s*(no|いいえ|아니요|아니오)\b", re.I)
_LEAD_IN_END = (":", "：")
_DISABLED = re.compile(r"normalize\s*=\s*False")


def _subject(text: str) -> str | None:
    """"pil", "path", "tensor", "array" or None: what an item is about (PIL wins over array)."""
    words = claims.without_code(text)
    for kind in ("pil", "path", "tensor", "array"):
        if claims.has(words, kind):
            return kind
    return None


def _applies_error(path: str, line: int, subject: str, applied: bool, text: str) -> findings.Finding | None:
    should = subject in ("tensor", "array")
    if applied == should:
        return None
    what = {"pil": "PIL images", "path": "file paths", "tensor": "tensors", "array": "arrays"}[subject]
    told = "normalized" if applied else "not normalized"
    truth = "are normalized" if should else "are used as they are"
    return findings.error("claim", path, line, "normalization", f"the page lists {what} as {told} ({text.strip()!r}); "
                   f"in the spec they {truth} ([norm.applies])", clauses=("norm.applies",))


#: Sections whose sentences are about normalization even when they do not say the word.
NORMALIZATION_SECTIONS = frozenset({"note", "normalization", "when", "algorithm", "effects", "practices", "pitfalls",
                                    "signature"})
_DEFAULT = re.compile(r"(?:\bdefaults?\b(?:\s+(?:to|is|value\s+is))?|デフォルト(?:値)?(?:は)?|既定値?(?:は)?|"
                      r"기본값(?:은|이)?)\s*[:=：]?\s*`?(?P<value>True|False|None|-?\d+(?:\.\d+)?|'[^']*'|\"[^\"]*\")`?",
                      re.I)


def check(page: ClassifiedPage, spec: SpecData | None = None) -> list[findings.Finding]:
    out: list[findings.Finding] = []
    formula_leads = {b.lead.line for b in page.of_kind("formula") if b.lead is not None}
    example_texts = {t.line for b in page.examples for t in b.context}
    mode: bool | None = None      # under a lead-in: True applied, False not applied
    heading = None
    for item in page.texts:
        text = item.text
        if item.heading is not heading:
            heading, mode = item.heading, None
        if text.line in formula_leads or text.line in example_texts:
            continue
        words = claims.without_code(text.text)
        out.extend(_layouts(page.path, text.line, text.text))
        # lists under a lead-in
        stripped = text.text.strip()
        if text.kind == "paragraph" and claims.has(words, "normalize") and stripped.endswith(_LEAD_IN_END):
            mode = not claims.has(words, "negation")
            continue
        if text.kind != "item":
            mode = None
        elif mode is not None:
            subject = _subject(text.text)
            if subject is not None:
                found = _applies_error(page.path, text.line, subject, mode, text.text)
                if found is not None:
                    out.append(found)
        out.extend(_statement(page.path, _locator(page, text), text.text, item.section in NORMALIZATION_SECTIONS))
    for arg in page.image_args:
        if arg.source == "table":  # a list's bullets are texts, read above
            out.extend(_statement(page.path, _always_at(arg.line), arg.text, True))
        if spec is not None:
            out.extend(_stated_default(page.path, arg, dict(spec.parameters)))
    out.extend(_tables(page))
    return out


def _layouts(path: str, line: int, text: str) -> list[findings.Finding]:
    out = []
    for kind, layout in claims.layouts(text):
        want = "CHW" if kind == "tensor" else "HWC"
        if layout != want:
            clause = "input.tensor.layout" if kind == "tensor" else "input.array.layout"
            out.append(findings.error("claim", path, line, "layout",
                               f"the page gives {kind}s the layout {layout}; the spec's is {want} ([{clause}])",
                               clauses=(clause,)))
    return out


def _locator(page: ClassifiedPage, text: Text) -> Callable[[str], int]:
    """The page line of a paragraph or item where a pattern (a number, an interval) is, so a
    finding in a wrapped paragraph points at its own line; the first line if none has it."""
    lines = page.page.lines

    def locate(pattern: str) -> int:
        for number in range(text.line, max(text.line, text.end_line) + 1):
            if number <= len(lines) and re.search(pattern, plain_text(lines[number - 1])):
                return number
        return text.line

    return locate


def _number_pattern(value: Fraction) -> str:
    return rf"(?<![\d.]){re.escape(claims.number_text(value))}(?![\d.])"


def _interval_pattern(low: Fraction, high: Fraction) -> str:
    def bound(value: Fraction) -> str:
        return ("[-−]" if value < 0 else "") + re.escape(claims.number_text(abs(value)))

    return rf"[\[(]\s*{bound(low)}\s*,\s*{bound(high)}\s*[\])]"


def _always_at(line: int) -> Callable[[str], int]:
    """A locator for a text whose claims all sit on one line (a table row)."""
    return lambda _pattern: line


def _statement(path: str, locate: Callable[[str], int], text: str, about_normalization: bool) -> list[findings.Finding]:
    """One paragraph's claims on ranges, clipping and factors, each at its own line."""
    out: list[findings.Finding] = []
    words = claims.without_code(text)
    disabled = bool(_DISABLED.search(text))
    for fragment in claims.fragments(words):
        verb = claims.WORD_PATTERNS["normalize"].search(fragment) or claims.WORD_PATTERNS["rescale"].search(fragment)
        if verb is not None:
            # "not in the range [0, 255] or ... in the range [0, 1], ... normalized": the "not" is the range's
            out.extend(_normalization_ranges(path, locate, fragment, negated=claims.negated_near(fragment, verb)))
    first_line = locate(r"^")
    for claim in claims.read_text(text, first_line):
        if claim.kind == "no-clip" and disabled:
            out.append(findings.error("claim", path, locate(r"normalize\s*=\s*False"), "normalize=False",
                               f"the page says values are not clipped with normalize=False ({claim.text!r}); "
                               "[norm.disabled] clips every value to [0, 255]", clauses=("norm.disabled",)))
        elif claim.kind == "clip" and claim.values and tuple(claim.values) != (0, 255) \
                and (disabled or about_normalization or claims.has(words, "normalize")):
            low, high = (claims.number_text(v) for v in claim.values)
            subject, clause = ("normalize=False", "norm.disabled") if disabled else ("clipping", "norm.other")
            out.append(findings.error("claim", path, locate(_interval_pattern(*claim.values)), subject,
                               f"the page says values are clipped to [{low}, {high}] ({claim.text!r}); "
                               f"[{clause}] clips to [0, 255]", clauses=(clause,)))
        elif claim.kind == "factor" and (0, 1) in claims.intervals(words) and claim.values[0] != 255:
            out.append(findings.error("claim", path, locate(_number_pattern(claim.values[0])), "[0, 1] data",
                               f"the page says data in [0, 1] is multiplied by {claims.number_text(claim.values[0])} "
                               f"({claim.text!r}); [norm.unit] multiplies by 255", clauses=("norm.unit",)))
    return out


def _normalization_ranges(path: str, locate: Callable[[str], int], text: str, negated: bool) -> list[findings.Finding]:
    """Where normalization puts values ([0, 255]) and which data its rescaling rules are for,
    in one sentence."""
    out = []
    for role, (low, high) in claims.normalization_ranges(text):
        shown = f"[{claims.number_text(low)}, {claims.number_text(high)}]"
        line = locate(_interval_pattern(low, high))
        if role == "target" and (low, high) != (0, 255):
            out.append(findings.error("claim", path, line, "normalization",
                               f"the page says normalization brings values into {shown}; [norm.applies] normalizes "
                               "to [0, 255] uint8", clauses=("norm.applies",)))
        elif role == "condition" and not negated and (low, high) not in ((0, 1), (-1, 1)):
            out.append(findings.error("claim", path, line, "normalization",
                               f"the page says data in {shown} is normalized; the spec rescales data in [0, 1] "
                               "([norm.unit]) and [-1, 1] ([norm.signed]) and only clips any other data "
                               "([norm.other])", clauses=("norm.range", "norm.unit", "norm.signed")))
    return out


def _stated_default(path: str, arg: ArgDoc, defaults: dict[str, object]) -> list[findings.Finding]:
    """A switch's stated default against the spec's (`normalize`: "Defaults to True"). Only
    switches: "file_type defaults to png" rightly describes what the default `None` gives."""
    if not isinstance(defaults.get(arg.name), bool):
        return []
    out = []
    for match in _DEFAULT.finditer(plain_text(arg.text)):
        try:
            stated = pyparse.literal(match.group("value"))
        except ValueError:  # a number longer than Python reads
            continue
        want = defaults[arg.name]
        if not (type(stated) is type(want) and stated == want):
            out.append(findings.error("claim", path, arg.line, f"argument {arg.name}",
                               f"the Args {arg.source} says {arg.name} defaults to {stated!r}; the spec's default "
                               f"is {want!r} ([api.signature])", clauses=("api.signature",)))
    return out


def _tables(page: ClassifiedPage) -> list[findings.Finding]:
    out = []
    for table in page.page.tables:
        for row in table.rows:
            if not row.cells:
                continue
            yes = any(_YES.search(c) for c in row.cells[1:])
            no = any(_NO.search(c) for c in row.cells[1:])
            out.extend(_layouts(page.path, row.line, " ".join(row.cells)))
            subject = _subject(row.cells[0])
            if subject is not None and yes != no:
                found = _applies_error(page.path, row.line, subject, yes, " | ".join(row.cells))
                if found is not None:
                    out.append(found)
    return out
