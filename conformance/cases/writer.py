"""Case files written in the style of the shipped ones: the YAML shape, the documentation
sections a clause rests on, and one case built with its keys in the schema's order.

Shared by the case generator (spec/tools/make_cases.py, a development tool) and by fuzz, which
writes the cases it finds, so that both write the same YAML.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import yaml

# ---------------------------------------------------------------------------------------------
# YAML shape: block style for cases, flow style for arrays, sources and small mappings


class Flow(list):
    """A list written in flow style: [a, b, c]."""


class FlowMap(dict):
    """A mapping written in flow style: {a: 1, b: 2}."""


class CaseDumper(yaml.SafeDumper):
    """Block style for cases, flow style where a value is Flow or FlowMap; never aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


CaseDumper.add_representer(Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
CaseDumper.add_representer(
    FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", list(v.items()), flow_style=True)
)


class Title(str):
    """A title; written in double quotes when it holds a single quote (no '' doubling)."""


def _represent_title(dumper: yaml.SafeDumper, value: Title) -> yaml.Node:
    style = '"' if "'" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style=style)


CaseDumper.add_representer(Title, _represent_title)


def flow(value: Any) -> Any:
    """Nested lists as one flow list (the emitter keeps everything inside it in flow style)."""
    return Flow(value) if isinstance(value, list) else value


# ---------------------------------------------------------------------------------------------
# Sources: section headings per locale, and which sections each documented clause rests on

SECTIONS: dict[str, dict[str, str]] = {
    "signature": {"ja": "Args", "ko": "ARG", "en": "Args"},
    "note": {"ja": "注意", "ko": "참고", "en": "Note"},
    "normalization": {"ja": "画像の正規化", "ko": "이미지 정규화", "en": "Image normalization"},
    "when": {"ja": "正規化が適用される場合", "ko": "정규화가 적용되는 경우", "en": "When normalization is applied"},
    "algorithm": {"ja": "正規化アルゴリズム", "ko": "정규화 알고리즘", "en": "Normalization algorithm"},
    "effects": {"ja": "正規化効果の例", "ko": "정규화 효과 예시", "en": "Examples of normalization effects"},
    "practices": {"ja": "ベストプラクティス", "ko": "모범 사례", "en": "Recommendations"},
    "pitfalls": {"ja": "よくある落とし穴", "ko": "일반적인 함정", "en": "Troubleshooting"},
    "examples": {"ja": "例", "ko": "예시", "en": "Examples"},
    "methods": {"ja": "メソッド", "ko": "Methods", "en": "Methods"},
    "class-variables": {"ja": "クラス変数", "ko": "클래스 변수", "en": "Class Variables"},
}
LOCALES = ("ja", "ko", "en")

# The "Sources:" lists of SPEC.md, clause by clause ([norm.precision] is derived from the
# formulas of the algorithm section, so it points there). Derived clauses without a section
# get no sources.
CLAUSE_SECTIONS: dict[str, tuple[str, ...]] = {
    "api.signature": ("signature", "normalization"),
    "api.args": ("signature",),
    "api.classmethods": ("methods",),
    "limits.constants": ("class-variables",),
    "input.dispatch": ("when", "signature"),
    "input.array.layout": ("when",),
    "input.tensor.layout": ("when",),
    "input.pil": ("when", "effects", "practices", "examples"),
    "input.path": ("when",),
    "norm.applies": ("note", "normalization", "when"),
    "norm.range": ("algorithm",),
    "norm.unit": ("algorithm", "effects"),
    "norm.signed": ("algorithm", "effects"),
    "norm.other": ("algorithm", "pitfalls"),
    "norm.precision": ("algorithm",),
    "norm.truncation": ("algorithm", "effects"),
    "norm.disabled": ("effects", "practices"),
    "mode.guess": ("methods",),
    "mode.explicit": ("signature",),
    "file-type.default": ("examples",),
    "file-type.accepted": ("examples",),
    "meta.caption": ("signature", "examples"),
    "meta.grouping": ("signature",),
    "all-captions": ("methods",),
    "to-uint8": ("methods",),
}
# Clauses the English "Image Normalization Guide" also carries. Its headings are the English
# page's, except for the two sections it names differently (GUIDE_HEADINGS).
GUIDE_SECTIONS: dict[str, tuple[str, ...]] = {
    "input.array.layout": ("when",),
    "input.tensor.layout": ("when",),
    "input.pil": ("when", "effects", "practices"),
    "input.path": ("when",),
    "norm.applies": ("normalization", "when"),
    "norm.range": ("algorithm",),
    "norm.unit": ("algorithm", "effects"),
    "norm.signed": ("algorithm", "effects"),
    "norm.other": ("algorithm", "pitfalls"),
    "norm.precision": ("algorithm",),
    "norm.truncation": ("algorithm", "effects"),
    "norm.disabled": ("effects", "practices"),
}
GUIDE_HEADINGS: dict[str, str] = {
    "normalization": "Image Normalization Guide",
    "practices": "Best practices",
    "pitfalls": "Common issues",
}


def source(doc: str, locale: str, section_key: str, example: str | None = None) -> FlowMap:
    heading = SECTIONS[section_key][locale]
    if doc == "normalization-guide":
        heading = GUIDE_HEADINGS.get(section_key, heading)
    entry = FlowMap(doc=doc, locale=locale, section=heading)
    if example:
        entry["example"] = example
    return entry


def sources_for(clauses: Sequence[str]) -> list[FlowMap]:
    """Every documented section the clauses rest on, per locale, without repeats."""
    found: list[FlowMap] = []
    keys: set[tuple[str, str, str]] = set()

    def add(doc: str, locale: str, key: str) -> None:
        entry = source(doc, locale, key)
        ident = (doc, locale, entry["section"])
        if ident not in keys:
            keys.add(ident)
            found.append(entry)

    for locale in LOCALES:
        for clause in clauses:
            for key in CLAUSE_SECTIONS.get(clause, ()):
                add("image", locale, key)
    for clause in clauses:
        for key in GUIDE_SECTIONS.get(clause, ()):
            add("normalization-guide", "en", key)
    return found


# ---------------------------------------------------------------------------------------------
# One case


def case(
    id: str,
    title: str,
    clauses: Sequence[str],
    input: dict[str, Any],
    call: dict[str, Any],
    expect: dict[str, Any] | None = None,
    *,
    allowed: list[dict[str, Any]] | None = None,
    rationale: str | None = None,
    tags: Sequence[str] = (),
    sources: list[FlowMap] | None = None,
) -> dict[str, Any]:
    """One case, keys in the order the schema lists them; the level follows from expect/allowed."""
    built: dict[str, Any] = {"id": id, "title": Title(title), "clauses": Flow(clauses)}
    cited = sources if sources is not None else sources_for(clauses)
    if cited:
        built["sources"] = cited
    built["level"] = "required" if allowed is None else "implementation-defined"
    if tags:
        built["tags"] = Flow(tags)
    built["input"] = input
    built["call"] = call
    if allowed is None:
        if expect is None:
            raise ValueError(f"{id}: a required case needs expect")
        built["expect"] = expect
    else:
        if expect is not None or not rationale:
            raise ValueError(f"{id}: an implementation-defined case has allowed and rationale, no expect")
        built["allowed"] = allowed
        built["rationale"] = rationale
    return built


def image_call(**kwargs: Any) -> FlowMap:
    call = FlowMap(api="Image")
    if kwargs:
        call["kwargs"] = FlowMap(kwargs)
    return call


def api_call(api: str, **kwargs: Any) -> FlowMap:
    call = FlowMap(api=api)
    if kwargs:
        call["kwargs"] = FlowMap(kwargs)
    return call


def pixels_field(pixels: np.ndarray) -> Any:
    """Inline from 1 to 64 elements, otherwise shape plus sha256 of the C-ordered uint8 bytes."""
    pixels = np.asarray(pixels, order="C")  # not ascontiguousarray: it turns 0-d into 1-d
    if pixels.dtype != np.uint8:
        raise AssertionError(f"expected pixels must be uint8, got {pixels.dtype}")
    if pixels.ndim > 0 and 0 < pixels.size <= 64:  # empty or 0-d: the shape must be spelled out
        return Flow(pixels.tolist())
    return FlowMap(shape=Flow(list(pixels.shape)), sha256=hashlib.sha256(pixels.tobytes()).hexdigest())


def dump(document: dict[str, Any]) -> str:
    """A case file's YAML (without its header comment), one blank line between cases."""
    body = yaml.dump(document, Dumper=CaseDumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=110)
    return body.replace("\n- id: ", "\n\n- id: ")
