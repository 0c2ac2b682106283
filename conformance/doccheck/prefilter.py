"""Which pages of a documentation tree touch the Image surface, decided from their bytes alone.

A docs repository holds thousands of pages, most about other things; parsing and classifying
each would cost more than the check of the few that matter. Compiled regexes over the raw
bytes (no decoding, no parsing) answer "could the checker find anything here?". They err on
the side of checking: a page let through that is not about Image costs a check that finds
nothing; a page dropped is never checked, so every way a page can document Image is a pattern.

Translated pages (ja, ko, ...) keep their code, API names, menu identifiers and source links
in ASCII (`wandb.Image(...)`, `ja-ref-python-data-types-image`, `.../data_types/image.py`);
only titles and prose are translated, so the guide's translated titles are patterns too.

Speed: each pattern starts with a literal (re then scans for it in C) and runs only on pages
holding that literal (`bytes in bytes`, memchr speed); a word boundary before it is a
lookbehind, since a leading `\\b` would make re try the pattern at every byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Pattern:
    shows: str                  # what a match is evidence of, for the report
    needs: bytes                # a literal every match contains
    regex: re.Pattern[bytes]


def _pattern(shows: str, needs: bytes, regex: bytes) -> Pattern:
    return Pattern(shows, needs, re.compile(regex))


PATTERNS: tuple[Pattern, ...] = (
    _pattern("wandb.Image", b"wandb", rb"wandb" + rb"(?<![\w.]wandb)" +
             rb"\s*\.\s*(?:sdk\s*\.\s*)?(?:data_types\s*\.\s*)?Image\b"),
    # (each looks ahead no further than the next import of its kind: a page of thousands of
    # them would otherwise be scanned once per import, quadratic)
    _pattern("Image imported from wandb", b"import",
             rb"from(?<!\wfrom)\s+wandb(?:\.[\w.]+)?\s+import\s+(?:(?!from\s)[^\n])*?\bImage\b"),
    _pattern("Image through an alias of wandb", b"import",
             rb"import(?<!\wimport)\s+wandb\s+as\s+(?P<alias>\w+)(?:(?!import\s+wandb\s)[\s\S]){0,20000}?"
             rb"\b(?P=alias)\s*\.\s*Image\b"),
    _pattern("data_types.Image", b"data_types", rb"data_types\s*\.\s*Image\b"),
    *(_pattern("a method of Image", name, name + rb"\b")
      for name in (b"to_uint8", b"guess_mode", b"all_boxes", b"all_masks", b"all_captions")),
    _pattern("a class variable of Image", b"MAX_", rb"Image\s*\.\s*(?:MAX_DIMENSION|MAX_ITEMS)\b"),
    *(_pattern("BoundingBoxes2D or ImageMask", name, name + rb"\b") for name in (b"BoundingBoxes2D", b"ImageMask")),
    _pattern("the Image page's identifier or source", b"types", rb"data[-_]types[-/_]image(?![\w-])"),
    _pattern("the Image Normalization Guide", b"ormali",
             rb"[Ii]mage[-_ ][Nn]ormali[sz]ation|[Nn]ormali[sz]ation[-_ ][Gg]uide"),
    _pattern("the Image Normalization Guide", "正規化".encode(), "画像正規化|正規化ガイド".encode()),
    _pattern("the Image Normalization Guide", "정규화".encode(), "이미지 정규화|정규화 가이드".encode()),
)
#: The Image reference page's own place: .../data-types/image.md (any locale suffix).
_PATH = re.compile(r"(?:^|/)data[-_]types/image(?:\.[a-z]{2}(?:[-_][A-Za-z]{2,4})?)?\.(?:md|mdx|markdown)$")

#: Why a page is left out, for the report.
NOT_IMAGE = "does not touch the Image surface (pre-filter)"


def evidence(data: bytes, path: str = "") -> str | None:
    """What in the page's bytes (or its path) touches the Image surface; None: nothing does."""
    if _PATH.search(path.replace("\\", "/")):
        return "the Image page's path"
    for pattern in PATTERNS:
        if pattern.needs in data and pattern.regex.search(data):
            return pattern.shows
    return None
