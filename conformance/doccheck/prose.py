"""Statements in the page's prose that the spec decides, checked without running anything.

Only statements whose subject is unmistakable are read, so an ordinary sentence is never
taken for a claim:

- layouts: "PyTorch tensors (channel, height, width)", "NumPy arrays (height, width,
  channel)" ([input.tensor.layout], [input.array.layout]);
- what is normalized: the items under a lead-in such as "normalization is applied to:" or
  "... is not applied to:", and tables with yes/no (or ✅/❌) cells: tensors and arrays are,
  PIL images and file paths are not ([norm.applies]);
- a sentence naming `normalize=False` that says how values are clipped ([norm.disabled]);
- a sentence about data in [0, 1] that says what it is multiplied by ([norm.unit]).

Formula items (the list item above a formula) are checked with their formula, and comments
and headings of examples with the example; neither is read again here.
"""

from __future__ import annotations

import re

from wbimage_conformance.doccheck import claims as C
from wbimage_conformance.doccheck import findings as F
from wbimage_conformance.doccheck.classify import ClassifiedPage

_YES = re.compile(r"✅|✔|^\s*(yes|はい|예|적용)\b", re.I)
_NO = re.compile(r"❌|✖|✗|^\s*(no|いいえ|아니요|아니오)\b", re.I)
_LEAD_IN_END = (":", "：")
_DISABLED = re.compile(r"normalize\s*=\s*False")


def _subject(text: str) -> str | None:
    """"pil", "path", "tensor", "array" or None: what an item is about (PIL wins over array)."""
    words = C._strip_code(text)
    for kind in ("pil", "path", "tensor", "array"):
        if C.has(words, kind):
            return kind
    return None


def _applies_error(path: str, line: int, subject: str, applied: bool, text: str) -> F.Finding | None:
    should = subject in ("tensor", "array")
    if applied == should:
        return None
    what = {"pil": "PIL images", "path": "file paths", "tensor": "tensors", "array": "arrays"}[subject]
    told = "normalized" if applied else "not normalized"
    truth = "are normalized" if should else "are used as they are"
    return F.error("claim", path, line, "normalization", f"the page lists {what} as {told} ({text.strip()!r}); "
                   f"in the spec they {truth} ([norm.applies])", clauses=("norm.applies",))


def check(page: ClassifiedPage) -> list[F.Finding]:
    out: list[F.Finding] = []
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
        words = C._strip_code(text.text)
        # layouts
        for kind, layout in C.layouts(text.text):
            want = "CHW" if kind == "tensor" else "HWC"
            if layout != want:
                clause = "input.tensor.layout" if kind == "tensor" else "input.array.layout"
                out.append(F.error("claim", page.path, text.line, "layout",
                                   f"the page gives {kind}s the layout {layout}; the spec's is {want} ([{clause}])",
                                   clauses=(clause,)))
        # lists under a lead-in
        stripped = text.text.strip()
        if text.kind == "paragraph" and C.has(words, "normalize") and stripped.endswith(_LEAD_IN_END):
            mode = not C.has(words, "negation")
            continue
        if text.kind != "item":
            mode = None
        elif mode is not None:
            subject = _subject(text.text)
            if subject is not None:
                found = _applies_error(page.path, text.line, subject, mode, text.text)
                if found is not None:
                    out.append(found)
        # normalize=False and clipping
        if _DISABLED.search(text.text):
            for claim in C.read_text(text.text, text.line):
                if claim.kind == "no-clip":
                    out.append(F.error("claim", page.path, text.line, "normalize=False",
                                       f"the page says values are not clipped with normalize=False ({claim.text!r}); "
                                       "[norm.disabled] clips every value to [0, 255]", clauses=("norm.disabled",)))
                elif claim.kind == "clip" and claim.values and tuple(claim.values) != (0, 255):
                    out.append(F.error("claim", page.path, text.line, "normalize=False",
                                       f"the page says normalize=False clips to [{C._num(claim.values[0])}, "
                                       f"{C._num(claim.values[1])}]; [norm.disabled] clips to [0, 255]",
                                       clauses=("norm.disabled",)))
        # data in [0, 1] and its factor
        if (0, 1) in C.intervals(words):
            for claim in C.read_text(text.text, text.line):
                if claim.kind == "factor" and claim.values[0] != 255:
                    out.append(F.error("claim", page.path, text.line, "[0, 1] data",
                                       f"the page says data in [0, 1] is multiplied by {C._num(claim.values[0])}; "
                                       "[norm.unit] multiplies by 255", clauses=("norm.unit",)))
    out.extend(_tables(page))
    return out


def _tables(page: ClassifiedPage) -> list[F.Finding]:
    out = []
    for table in page.page.tables:
        for row in table.rows:
            if not row.cells:
                continue
            yes = any(_YES.search(c) for c in row.cells[1:])
            no = any(_NO.search(c) for c in row.cells[1:])
            for kind, layout in C.layouts(" ".join(row.cells)):
                want = "CHW" if kind == "tensor" else "HWC"
                if layout != want:
                    clause = "input.tensor.layout" if kind == "tensor" else "input.array.layout"
                    out.append(F.error("claim", page.path, row.line, "layout",
                                       f"the page gives {kind}s the layout {layout}; the spec's is {want} ([{clause}])",
                                       clauses=(clause,)))
            subject = _subject(row.cells[0])
            if subject is not None and yes != no:
                found = _applies_error(page.path, row.line, subject, yes, " | ".join(row.cells))
                if found is not None:
                    out.append(found)
    return out
