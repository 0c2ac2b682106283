"""Which locale a page is in, which document it is, and which section a heading names.

Section names per locale come from SPEC.md §0 (the table "Section names used below"), so the
spec stays the one place that says what the pages call their sections; the few English
variants the Image Normalization Guide uses are added here. A heading that names no known
section is still a heading: the checks classify code by what it is, and use sections only
as a hint (an example's key, a formula's place in the algorithm).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from wbimage_conformance import spec
from wbimage_conformance.doccheck.markdown import Page
from wbimage_conformance.errors import ConfigurationError

if TYPE_CHECKING:
    from wbimage_conformance.doccheck.classify import PageContent

#: Variants the spec's table does not list: the guide's own names, and names pages use for
#: sections the spec does not cite (attributes).
EXTRA_HEADINGS: dict[str, tuple[str, ...]] = {
    "practices": ("Best practices",),
    "pitfalls": ("Common issues", "Common pitfalls"),
    "normalization": ("Image Normalization Guide",),
    "attributes": ("Attributes", "属性", "속성"),
    "signature": ("Args", "ARG", "Arguments", "引数", "인수"),
}
#: Locales whose script shows in the text, for pages that say nothing else about their locale.
_SCRIPTS = (("ja", re.compile(r"[\u3040-\u30ff]")), ("ko", re.compile(r"[\uac00-\ud7af]")),
            ("zh", re.compile(r"[\u4e00-\u9fff]")))
_LOCALE_TAG = re.compile(r"^[a-z]{2}(?:[-_][A-Za-z]{2,4})?$")
_FILE_LOCALE = re.compile(r"\.(?P<locale>[a-z]{2}(?:[-_][A-Za-z]{2,4})?)\.(?:md|markdown|mdx)$")


class SectionTableError(ConfigurationError):
    """SPEC.md's §0 section table cannot be read (exit code 2: the install is broken)."""


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[*_`#]", "", text)
    return " ".join(text.rstrip(":：").split()).casefold()


@lru_cache(maxsize=4)
def section_names(spec_path: str = str(spec.SPEC_PATH)) -> dict[str, str]:
    """Normalized heading text -> section key ("algorithm", "effects", ...), every locale."""
    text = Path(spec_path).read_text(encoding="utf-8")
    rows = _section_rows(text)
    if not rows:
        raise SectionTableError(f"{spec_path}: the section table of §0 ('| section | ja | ko | en |') was not found")
    names: dict[str, str] = {}
    for key, cells in rows.items():
        for cell in cells:
            quoted = re.findall(r'"([^"]+)"', cell)
            for name in quoted or ([cell] if not cell.startswith("(") else []):
                names.setdefault(_norm(name), key)
    for key, extra in EXTRA_HEADINGS.items():
        for name in extra:
            names.setdefault(_norm(name), key)
    return names


def _section_rows(text: str) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    inside = False
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.strip().startswith("|") else []
        if cells[:1] == ["section"] and "ja" in cells and "ko" in cells:
            inside = True
            continue
        if inside:
            if not cells:
                break
            if set(cells[0]) <= set("-: "):
                continue
            rows[cells[0]] = cells[1:]
    return rows


def section_of(heading_text: str) -> str | None:
    return section_names().get(_norm(heading_text))


# -- locale and document --------------------------------------------------------------------

#: Titles (and first-level headings) of the Image reference page, normalized.
IMAGE_TITLES = frozenset({"image", "wandb.image", "イメージ", "画像", "이미지"})
_GUIDE_TITLE = re.compile(r"normali[sz]ation guide|正規化ガイド|정규화 가이드", re.I)
#: wandb's source of the Image class: its own module, or (older releases) the module of all data types.
_IMAGE_SOURCE = re.compile(r"github\.com/wandb/(?:wandb|client)/\S*?data_types/image\.py", re.I)
_DATA_TYPES_SOURCE = re.compile(r"github\.com/wandb/(?:wandb|client)/\S*?data_types\.py", re.I)
#: What only the Image class has: its methods and class variables.
IMAGE_METHODS = frozenset({"to_uint8", "guess_mode", "all_boxes", "all_masks", "all_captions"})
IMAGE_CONSTANTS = frozenset({"MAX_DIMENSION", "MAX_ITEMS"})


@dataclass(frozen=True)
class PageIdentity:
    locale: str
    locale_source: str          # "file name", "path", "identifier", "front matter", "script", "default"
    doc: str | None             # "image", "normalization-guide", or None: a page the spec does not cite
    translation_key: str        # pages with the same key are translations of each other
    conflicts: tuple[str, ...]  # disagreements between the ways of telling the locale
    evidence: tuple[str, ...] = ()  # what `doc` was told from, e.g. "title 'Image'"
    other_keys: tuple[str, ...] = ()  # more keys that tie it to translations (its path in a locale tree)


def identify(page: Page, content: PageContent) -> PageIdentity:
    candidates: list[tuple[str, str]] = []
    match = _FILE_LOCALE.search(Path(page.path).name)
    if match:
        candidates.append(("file name", match.group("locale").lower()))
    place = tree_place(page.path)
    if place is not None and place[0] is not None:
        candidates.append(("path", place[0]))
    for key in ("lang", "language", "locale"):
        value = page.front_matter.get(key)
        if isinstance(value, str) and _LOCALE_TAG.match(value.strip()):
            candidates.append(("front matter", value.strip().lower()))
            break
    identifier = page.identifier[0] if page.identifier else None
    prefix = _identifier_locale(identifier)
    if prefix:
        candidates.append(("identifier", prefix))
    script = _script_locale(page.text)
    if script:
        candidates.append(("script", script))
    if candidates:
        source, locale = candidates[0]
    else:
        source, locale = "default", "en"
    primary = locale.split("-")[0].split("_")[0]
    conflicts = tuple(
        f"the {other_source} says {other!r}" for other_source, other in candidates[1:]
        if other.split("-")[0] != primary and other_source != "script"
    )
    doc, evidence = _doc(page, identifier, content)
    keys = translation_keys(page, identifier, primary)
    return PageIdentity(primary, source, doc, keys[0], conflicts, evidence, keys[1:])


def _identifier_locale(identifier: str | None) -> str | None:
    if not identifier:
        return None
    head = identifier.split("-")[0]
    return head.lower() if len(head) == 2 and head.isalpha() else None


def _script_locale(text: str) -> str | None:
    body = re.sub(r"```.*?```", "", text, flags=re.S)
    for locale, pattern in _SCRIPTS:
        if pattern.search(body):
            return locale
    return None


def _doc(page: Page, identifier: str | None, content: PageContent) -> tuple[str | None, tuple[str, ...]]:
    """Which W&B document the page is, and the evidence; (None, ...) when nothing says it is one.

    The guide is told by its identifier or title. The Image reference page by its identifier,
    by a link to the wandb source of `data_types/image.py`, or by a name ("Image" as title,
    first heading or lazydocs class) together with what only that page holds (the
    constructor's signature, Image's methods or class variables, the SDK data-type front
    matter, a link to an older release's `data_types.py`, which every data type's page has).
    Examples alone tell nothing: anyone's page may show normalization examples.
    """
    ident = (identifier or "").lower()
    title = page.title or ""
    first = next((h.text for h in page.headings if h.style in ("atx", "html") and h.level == 1), "")
    if "normalization" in ident:
        return "normalization-guide", (f"menu identifier {identifier!r}",)
    for where, text in (("title", title), ("first heading", first)):
        if _GUIDE_TITLE.search(text):
            return "normalization-guide", (f"{where} {text!r}",)
    strong = [f"menu identifier {identifier!r}"] if ident.endswith("data-types-image") else []
    source = _IMAGE_SOURCE.search(page.text)
    if source:
        strong.append(f"a link to the wandb source {source.group(0)!r}")
    names = [f"{where} {text!r}" for where, text in (("title", title), ("first heading", first))
             if _norm(text) in IMAGE_TITLES]
    names += [f"class heading {text!r}" for text in content.class_headings if _norm(text) in IMAGE_TITLES]
    holds = []
    if content.constructor:
        holds.append("the constructor's signature block")
    if content.methods & IMAGE_METHODS:
        holds.append("methods " + ", ".join(sorted(content.methods & IMAGE_METHODS)))
    if content.constants & IMAGE_CONSTANTS:
        holds.append("class variables " + ", ".join(sorted(content.constants & IMAGE_CONSTANTS)))
    if str(page.front_matter.get("object_type", "")).startswith("python_sdk"):
        holds.append(f"object_type {page.front_matter['object_type']!r}")
    old_source = _DATA_TYPES_SOURCE.search(page.text)
    if old_source:
        holds.append(f"a link to the wandb source {old_source.group(0)!r}")
    if strong or (names and holds):
        return "image", tuple(strong + names + holds)
    return None, ()


#: Where a documentation tree keeps one locale's copy of a page: Hugo's content/<locale>/...,
#: Docusaurus' i18n/<locale>/docusaurus-plugin-content-docs/current/... beside docs/...
_LOCALE_TREE = re.compile(r"(?:^|/)content/(?P<locale>[a-z]{2}(?:[-_][A-Za-z]{2,4})?)/(?P<rest>.+)$")
_DOCUSAURUS_I18N = re.compile(r"(?:^|/)i18n/(?P<locale>[a-z]{2}(?:[-_][A-Za-z]{2,4})?)/docusaurus-plugin-content-docs/"
                              r"(?P<version>current|version-[^/]+)/(?P<rest>.+)$")
_DOCUSAURUS_DOCS = re.compile(r"(?:^|/)docs/(?P<rest>.+)$")


@dataclass(frozen=True)
class TreePosition:
    """Where a page sits in a documentation tree: the tree's layout, the folder holding its
    locale roots (`content/`, or the one holding `docs/` and `i18n/`), its locale (None: the
    default locale of a Docusaurus tree) and its path within its locale's tree."""

    layout: str                 # "hugo" or "docusaurus"
    base: str                   # "site/content/" (hugo), "site/" (docusaurus); "" at the top
    locale: str | None
    rest: str
    version: str = "current"    # Docusaurus: which docs version the i18n copy belongs to


def tree_position(path: str) -> TreePosition | None:
    """The page's place in a Hugo or Docusaurus tree, else None."""
    posix = Path(path).as_posix()
    match = _LOCALE_TREE.search(posix)
    if match:
        return TreePosition("hugo", posix[:match.start("locale")], match.group("locale").lower(), match.group("rest"))
    match = _DOCUSAURUS_I18N.search(posix)
    if match:
        base = posix[:match.start("locale")][: -len("i18n/")]
        return TreePosition("docusaurus", base, match.group("locale").lower(), match.group("rest"),
                            match.group("version"))
    match = _DOCUSAURUS_DOCS.search(posix)
    if match:
        return TreePosition("docusaurus", posix[:match.start("rest")][: -len("docs/")], None, match.group("rest"))
    return None


def looks_like_locale(name: str) -> bool:
    """Whether a folder name reads as a locale tag (en, ja, pt-BR, zh_Hans)."""
    return bool(_LOCALE_TAG.match(name))


def tree_place(path: str) -> tuple[str | None, str] | None:
    """(locale, path within the locale's tree) for a page of a Hugo or Docusaurus tree, else None."""
    position = tree_position(path)
    return None if position is None else (position.locale, position.rest)


def translation_keys(page: Page, identifier: str | None, locale: str) -> tuple[str, ...]:
    """Every key that ties the page to its translations: its identifier without its locale
    prefix (else its file name without its locale suffix), then its path within its locale's
    tree (content/<locale>/X.md and i18n/<locale>/.../X.md are one page), without a locale suffix."""
    keys = [translation_key(page, identifier, locale)]
    place = tree_place(page.path)
    if place is not None:
        rest = Path(place[1])
        stem = _FILE_LOCALE.sub("", rest.name) if _FILE_LOCALE.search(rest.name) else rest.stem
        keys.append("path:" + (rest.parent / stem).as_posix())
    return tuple(dict.fromkeys(keys))


def translation_key(page: Page, identifier: str | None, locale: str) -> str:
    """The identifier without its locale prefix; else the file name without its locale suffix."""
    if identifier:
        head, _, rest = identifier.partition("-")
        if rest and head.lower() == locale:
            return rest
        return identifier
    name = Path(page.path).name
    name = _FILE_LOCALE.sub("", name) if _FILE_LOCALE.search(name) else Path(name).stem
    return "file:" + name
