"""Every example of a W&B page maps to a spec case, and every example the spec encodes for a
page's document and locale is on the page.

Coverage is about the pages the spec cites: a page identified (sections.identify) as the Image
reference page or the normalization guide. Anyone else's page is checked for its formulas,
claims and examples like every page, but the spec encodes none of its examples and expects
none on it, so it gets one note here and nothing else.

On a W&B page, an example maps to the cases whose `sources` cite the same document, locale
and example key. An example no case cites is reported: the spec has not encoded it, so
nothing checks what it shows. The other direction catches a dropped example: the spec's cases
cite `example-3` of `image/ja`, and the page has none. Examples are only looked for in the
parts of the page it has: the usage examples on a page that documents the constructor (its
signature block, its Args, its examples), the normalization examples on a page that has the
normalization sections. A page of methods and class variables only, or an older release's
page from before the normalization sections, drops nothing by lacking them.
"""

from __future__ import annotations

from wbimage_conformance.doccheck import findings, sections
from wbimage_conformance.doccheck.classify import ClassifiedPage
from wbimage_conformance.doccheck.specdata import SpecData

_SECTION_OF_KEY = {"example": "effects", "usage": "examples"}
#: Sections that make a page one with the normalization part.
NORMALIZATION_SECTIONS = frozenset({"normalization", "when", "algorithm", "effects"})


def case_ids(page: ClassifiedPage, key: str, spec: SpecData) -> list[str]:
    doc = page.identity.doc
    return spec.cases_for_example(page.locale, key, doc) if doc else []


def documents_constructor(page: ClassifiedPage) -> bool:
    """The page documents the constructor: its signature, its Args or its usage examples."""
    content = page.content
    examples = content is not None and (content.usage_examples or "examples" in content.sections)
    return bool(page.constructor or page.image_args or examples)


def documents_normalization(page: ClassifiedPage) -> bool:
    """The page has the normalization part: it is the guide, or has its sections, formulas or examples."""
    content = page.content
    seen = content is not None and (content.effect_examples or bool(content.sections & NORMALIZATION_SECTIONS))
    return bool(page.identity.doc == "normalization-guide" or page.of_kind("formula") or seen)


def _expected(page: ClassifiedPage, key: str) -> bool:
    part = key.split("-", maxsplit=1)[0]
    if part == "usage":
        return documents_constructor(page)
    if part == "example":
        return documents_normalization(page)
    return True


def _section_line(page: ClassifiedPage, key: str) -> int:
    """Where a missing example would be: its section's heading, else the page's first line."""
    wanted = _SECTION_OF_KEY.get(key.split("-", maxsplit=1)[0])
    for heading in page.page.headings:
        if wanted and sections.section_of(heading.text) == wanted:
            return heading.line
    return page.page.body_line


def check(page: ClassifiedPage, spec: SpecData) -> list[findings.Finding]:
    doc = page.identity.doc
    if doc is None:
        if page.examples:
            return [findings.note("coverage", page.path, page.page.body_line, "page",
                           "nothing on this page says it is a W&B page the spec cites (the Image reference page or "
                           "the normalization guide: front matter, source link, headings, content); its examples are "
                           "run and checked, but none is looked for as dropped")]
        return []
    out: list[findings.Finding] = []
    seen: dict[str, int] = {}
    for block in page.examples:
        if not case_ids(page, block.key, spec):
            out.append(findings.error("coverage", page.path, block.line, block.key,
                               f"this example maps to no spec case: no case cites example {block.key!r} of "
                               f"{doc}/{page.locale}, so nothing checks what it shows"))
        if block.key in seen:
            out.append(findings.note("coverage", page.path, block.line, block.key,
                              f"a second block reads as {block.key} (the first is at line {seen[block.key]}): both "
                              "are checked, the cases cite the first"))
        seen.setdefault(block.key, block.line)
    for key, ids in sorted(spec.examples_for(page.locale, doc).items()):
        if key not in seen and _expected(page, key):
            out.append(findings.error("coverage", page.path, _section_line(page, key), key,
                               f"the page has no {key}: the spec encodes it for {doc}/{page.locale} "
                               f"(cases {', '.join(ids[:4])}{', ...' if len(ids) > 4 else ''}); was it dropped?",
                               cases=tuple(ids)))
    return out
