"""Every example of every page maps to a spec case, and every example the spec encodes for a
page's document and locale is on the page.

An example maps to the cases whose `sources` cite the same locale and example key (and the
same document when the page's document is known). An example no case cites is reported:
the spec has not encoded it, so nothing checks what it shows. The other direction catches a
dropped example: the spec's cases cite `example-3` of `image/ja`, and the page has none.
"""

from __future__ import annotations

from wbimage_conformance.doccheck import findings as F
from wbimage_conformance.doccheck.classify import ClassifiedPage
from wbimage_conformance.doccheck.specdata import SpecData

_SECTION_OF_KEY = {"example": "effects", "usage": "examples"}


def case_ids(page: ClassifiedPage, key: str, spec: SpecData) -> list[str]:
    doc = page.identity.doc
    return spec.cases_for_example(page.locale, key, doc) if doc else spec.cases_for_example(page.locale, key)


def _section_line(page: ClassifiedPage, key: str) -> int:
    """Where a missing example would be: its section's heading, else the page's first line."""
    from wbimage_conformance.doccheck import sections

    wanted = _SECTION_OF_KEY.get(key.split("-")[0])
    for heading in page.page.headings:
        if wanted and sections.section_of(heading.text) == wanted:
            return heading.line
    return page.page.body_line


def check(page: ClassifiedPage, spec: SpecData) -> list[F.Finding]:
    out: list[F.Finding] = []
    doc = page.identity.doc
    seen: dict[str, int] = {}
    for block in page.examples:
        ids = case_ids(page, block.key, spec)
        if not ids:
            where = f"{doc}/{page.locale}" if doc else f"locale {page.locale}"
            out.append(F.error("coverage", page.path, block.line, block.key,
                               f"this example maps to no spec case: no case cites example {block.key!r} of {where}, "
                               "so nothing checks what it shows"))
        if block.key in seen:
            out.append(F.warning("coverage", page.path, block.line, block.key,
                                 f"a second block reads as {block.key} (the first is at line {seen[block.key]})"))
        seen.setdefault(block.key, block.line)
    if doc is None:
        if page.examples:
            out.append(F.note("coverage", page.path, page.page.body_line, "page",
                              "the page's document (Image page or normalization guide) cannot be told from its "
                              "front matter or content; dropped examples are not looked for"))
        return out
    for key, ids in sorted(spec.examples_for(page.locale, doc).items()):
        if key not in seen:
            out.append(F.error("coverage", page.path, _section_line(page, key), key,
                               f"the page has no {key}: the spec encodes it for {doc}/{page.locale} "
                               f"(cases {', '.join(ids[:4])}{', ...' if len(ids) > 4 else ''}); was it dropped?",
                               cases=tuple(ids)))
    return out
