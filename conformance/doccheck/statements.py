"""What a page's sentences say about the Image surface, read into statements and tested by
computing what the spec gives.

A sentence that mentions the Image surface (wandb.Image, image data, pixels, modes, formats,
normalization, masks, boxes, to_uint8) is read by one reader per kind of statement. A reader
fires only on the shape its kind is written in, in en, ja and ko, so a sentence is never
filed under a kind it does not belong to ("audio clips" is not clipping, "scalars" is not
scaling). Each statement is then tested against the spec's oracle:

| kind | read from | tested against |
|---|---|---|
| mode-by-channels | "gray scale if the last dimension is 1, RGB if it's 3" | [mode.guess:array] on an (8, 8, n) array |
| output-range | "floats are converted to integers between 0 and 255" | pixels are uint8, all of [0, 255] |
| default-format | "arrays are converted to png" | [file-type.default] png |
| value-example | "negative values (like -0.8) become very dark (around 25)" | the pixel of that value in every branch it can take; "around" allows 13 of 255 levels (5 %) |
| out-of-range | "values wrap modulo 256" | [norm.other] clips |
| normalized | "when logging a torch.Tensor ..., images are (not) normalized" | [norm.applies]: arrays and tensors are, PIL images and paths are not |
| mask-data | "`mask_data`: a 2D array of integer class labels" | [masks.data]: 2-D, integer |
| box-range | "relative coordinates are floats between 0 and 1" | [boxes.domain] |
| to-uint8-range | "floating point image on the range [0,1] and integer images on [0,255]" | [to-uint8] |

Sentences the other checks read (layouts, the ranges of normalization, clipping bounds, factors,
lists of what is normalized: prose.py) are listed with what those made of them. A sentence no
reader understands is listed as not understood: `docs check --explain` shows every one, so a
maintainer sees what was verified and what was not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from wbimage_conformance import oracle
from wbimage_conformance.doccheck import claims, findings
from wbimage_conformance.doccheck.classify import ClassifiedPage, page_subject
from wbimage_conformance.doccheck.markdown import plain_text

#: "around 25" allows this many of the 255 levels either way (5 %, rounded).
AROUND = 13
_SURFACE = re.compile(
    r"wandb\.Image|\bImage\b|\bimages?\b|pixels?|画像|이미지|ピクセル|픽셀|to_uint8|guess_mode|mask_data|box_data|"
    r"normali[sz]|正規化|정규화|grayscale|gray scale|グレースケール|그레이스케일|\bRGBA?\b|\buint8\b|"
    r"\bpng\b|\bjpe?g\b|\barrays?\b|\btensors?\b|配列|テンソル|배열|텐서|\bbox(?:es)?\b|bounding|\bmasks?\b|"
    r"ボックス|マスク|박스|마스크", re.I)
_SENTENCE_END = re.compile(r"(?<=[。！？])|(?<=[.!?])(?=\s+(?:[A-Z`\"'(]|$))|(?<=다\.)\s")
_NUM = r"[-−]?\d+(?:\.\d+)?"


@dataclass(frozen=True)
class Sentence:
    line: int
    text: str                          # its words: links, emphasis and code marks removed
    raw: str                           # as written (inline code kept)
    section: str | None
    last: int = 0                      # the last page line the paragraph it is in may reach


@dataclass(frozen=True)
class Statement:
    kind: str
    facts: tuple[tuple[str, Any], ...]
    problem: str = ""                  # empty: the spec agrees
    clauses: tuple[str, ...] = ()
    anchor: str = ""                   # the words it was read from, to find their line

    def fact(self, name: str) -> Any:
        return dict(self.facts)[name]

    def describe(self) -> str:
        return f"{self.kind}: " + ", ".join(f"{k}={_show(v)}" for k, v in self.facts)


@dataclass(frozen=True)
class Reading:
    sentence: Sentence
    statements: tuple[Statement, ...]
    other: tuple[str, ...]             # what prose.py and claims.py read in it

    @property
    def understood(self) -> bool:
        return bool(self.statements or self.other)


def _show(value: Any) -> str:
    if isinstance(value, Fraction):
        return claims.number_text(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    return str(value)


# -- sentences -------------------------------------------------------------------------------


def split(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


def sentences(page: ClassifiedPage) -> Iterator[Sentence]:
    """Every sentence of the page's prose, list items, Args and table rows, with its line."""
    lines = page.page.lines
    for item in page.texts:
        text = item.text
        for raw in split(text.text):
            if not _words(raw).strip():
                continue
            yield Sentence(_line_of(lines, text.line, max(text.line, text.end_line), raw), _words(raw), raw,
                           item.section, max(text.line, text.end_line))
    for heading in page.page.headings:
        if heading.style in ("atx", "html", "bold", "plain"):
            yield Sentence(heading.line, _words(heading.text), heading.text, None, heading.line)
    for table in page.page.tables:
        for row in table.rows:
            raw = " ".join(row.cells)
            for part in split(raw):
                yield Sentence(row.line, _words(part), part, None, row.line)


def _words(raw: str) -> str:
    """What a sentence says: links to their labels, no emphasis, no code marks (`0` is 0)."""
    return plain_text(raw).replace("`", "")


def _line_of(lines: list[str], first: int, last: int, raw: str) -> int:
    """The page line where a sentence of a wrapped paragraph starts."""
    probe = _words(raw)[:24].strip()
    for number in range(first, last + 1):
        if number <= len(lines) and probe and probe[:12] in _words(lines[number - 1]):
            return number
    return first


def mentions_surface(sentence: Sentence) -> bool:
    """In the words of the sentence, not in its links ("image.py" in a source link says nothing)."""
    return bool(_SURFACE.search(sentence.text))


# -- readers ---------------------------------------------------------------------------------

_MODE_WORDS = {"grayscale": "L", "gray scale": "L", "greyscale": "L", "grey scale": "L", "グレースケール": "L",
               "그레이스케일": "L", "흑백": "L", "l": "L", "rgb": "RGB", "rgba": "RGBA"}
_MODE = r"(?P<mode>gr[ae]y ?scale|グレースケール|그레이스케일|흑백|RGBA|RGB|\bL\b)"
_CHANNEL_CONTEXT = re.compile(r"last (?:dimension|axis)|channels?|最後の次元|最終次元|チャンネル|チャネル|"
                             r"(?:마지막|최종|끝)\s*차원|채널", re.I)
_MODE_PAIRS = (
    re.compile(_MODE + r"\s*(?:if|when)\s+(?:the last (?:dimension|axis) is|it(?:'s| is)|there (?:is|are))?\s*(?P<n>\d)",
               re.I),
    re.compile(r"(?P<n>\d)\s*(?:の場合は|の場合|なら|のときは|のとき)\s*" + _MODE, re.I),
    re.compile(r"(?P<n>\d)\s*(?:이면|인 경우(?:에는)?|일 경우(?:에는)?|일 때(?:는)?|이라면)\s*" + _MODE, re.I),
    re.compile(r"(?P<n>\d)\s*channels?\s*(?:→|->|=>|gives?|means?|is|are|become)\s*(?:an?\s+)?" + _MODE, re.I),
)


def _mode_by_channels(s: Sentence) -> list[Statement]:
    if not _CHANNEL_CONTEXT.search(s.text):
        return []
    pairs: dict[int, tuple[str, str]] = {}   # channels -> (mode, the words it was read from)
    for pattern in _MODE_PAIRS:
        for match in pattern.finditer(s.text):
            pairs.setdefault(int(match.group("n")), (_MODE_WORDS[match.group("mode").lower()], match.group(0)))
    if not pairs:
        return []
    problems, anchor = [], ""
    for n, (mode, words) in sorted(pairs.items()):
        try:
            want = oracle.guess_mode((8, 8, n), "numpy")
        except oracle.SpecError:
            want = None
        if want != mode:
            anchor = anchor or words
            problems.append(f"a last dimension of {n} gives {mode} on the page; [mode.guess:array] gives "
                            + (want if want else f"no image ({n} channels are refused)"))
    modes = {n: mode for n, (mode, _) in sorted(pairs.items())}
    return [Statement("mode-by-channels", (("modes", modes),), "; ".join(problems), ("mode.guess",), anchor)]


_FLOAT = re.compile(r"\bfloat|floating|浮動小数|浮動小数点|부동\s*소수|실수", re.I)
_INTEGER = re.compile(r"\bintegers?\b|整数|정수|\buint8\b", re.I)
_INTEGER_DATA = re.compile(r"\bintegers?\b|整数|정수", re.I)  # data of an integer dtype, not the uint8 it becomes
_INTO_INTEGERS = r"(?:to|into)\s+(?:\w+\s+){0,3}?(?:integers?|uint8|(?:pixel\s+)?values?)\s+"
_TO_INTEGERS = (
    re.compile(_INTO_INTEGERS + rf"between\s+(?P<a>{_NUM})\s+and\s+(?P<b>{_NUM})", re.I),
    re.compile(_INTO_INTEGERS + rf"in\s+\[\s*(?P<a>{_NUM})\s*,\s*(?P<b>{_NUM})\s*\]", re.I),
    re.compile(rf"(?P<a>{_NUM})\s*から\s*(?P<b>{_NUM})\s*(?:まで)?の(?:範囲の)?(?:整数|値)に"),
    re.compile(rf"(?P<a>{_NUM})\s*(?:에서|부터)\s*(?P<b>{_NUM})\s*(?:사이|까지)의\s*(?:정수|값)(?:로|으로)"),
)


def _output_range(s: Sentence) -> list[Statement]:
    if not (_FLOAT.search(s.text) and _INTEGER.search(s.text)):
        return []
    found = _first_interval(_TO_INTEGERS, s.text)
    if found is None:
        return []
    interval, words = found
    problem = "" if interval == (0, 255) else (
        f"the page says floats become integers in [{_show(interval[0])}, {_show(interval[1])}]; the spec's pixels "
        "are uint8 over all of [0, 255] ([norm.unit] multiplies [0, 1] by 255)")
    return [Statement("output-range", (("input", "float"), ("range", interval)), problem, ("norm.unit",), words)]


def _first_interval(patterns: tuple[re.Pattern[str], ...], text: str) -> tuple[tuple[Fraction, Fraction], str] | None:
    """The interval (groups `a` and `b`) of the first pattern that matches, and its words."""
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return (claims.number(match.group("a")), claims.number(match.group("b"))), match.group(0)
    return None


_FORMAT_SUBJECT = re.compile(r"\barrays?\b|\btensors?\b|配列|テンソル|배열|텐서", re.I)
_CONVERTED = (
    re.compile(r"\b(?:converted|saved|encoded|written|stored|logged)\s+(?:to|as|in)\s+(?:an?\s+)?\.?"
               r"(?P<fmt>png|jpe?g|bmp|gif|webp|tiff?)\b", re.I),
    re.compile(r"\.?(?P<fmt>png|jpe?g|bmp|gif|webp|tiff?)\s*(?:に|として|形式で)\s*(?:変換|保存|エンコード)", re.I),
    re.compile(r"\.?(?P<fmt>png|jpe?g|bmp|gif|webp|tiff?)\s*(?:로|으로|형식으로)\s*(?:변환|저장|인코딩)", re.I),
)
_ALTERNATIVE = re.compile(r"file_type|instead|rather than|代わりに|ではなく|대신", re.I)


_MARKED_DEFAULT = re.compile(r"\.?(?P<fmt>png|jpe?g|bmp|gif|webp|tiff?)\s*[(（]\s*(?:the\s+)?(?:default|デフォルト|既定|기본)", re.I)


def _default_format(s: Sentence) -> list[Statement]:
    marked = _MARKED_DEFAULT.search(s.text)
    if marked:  # ".png (default)"
        fmt = marked.group("fmt").lower().replace("jpeg", "jpg")
        problem = "" if fmt == "png" else (f"the page marks {fmt} as the default file type; the spec's default is "
                                           "png ([file-type.default])")
        return [Statement("default-format", (("format", fmt),), problem, ("file-type.default",), marked.group(0))]
    if not _FORMAT_SUBJECT.search(s.text) or _ALTERNATIVE.search(s.raw):
        return []
    for pattern in _CONVERTED:
        match = pattern.search(s.text)
        if match:
            fmt = match.group("fmt").lower().replace("jpeg", "jpg")
            problem = "" if fmt == "png" else (f"the page says arrays and tensors are converted to {fmt}; the spec's "
                                               "default file type is png ([file-type.default])")
            return [Statement("default-format", (("format", fmt),), problem, ("file-type.default",), match.group(0))]
    return []


_LIKE = re.compile(rf"(?:\blike\b|e\.g\.?|such as|for example|例えば|たとえば|예를 들어|예:|예\))\s*,?\s*\(?\s*(?P<v>{_NUM})")
_AROUND = re.compile(rf"(?:\baround\b|\babout\b|approximately|roughly|~|≈|約|およそ|대략|약)\s*(?P<p>{_NUM})")


def _value_example(s: Sentence) -> list[Statement]:
    value, pixel = _LIKE.search(s.text), _AROUND.search(s.text)
    if value is None or pixel is None or pixel.start() < value.end():
        return []
    v, p = claims.number(value.group("v")), claims.number(pixel.group("p"))
    candidates = _pixels_of(v)
    problem = ""
    if not any(abs(got - p) <= AROUND for got, _ in candidates):
        shown = " or ".join(f"{got} ([{clause}])" for got, clause in candidates)
        problem = (f"the page says {_show(v)} comes out around {_show(p)}; the spec gives {shown} ('around' is read "
                   f"as within {AROUND} of the 255 levels)")
    return [Statement("value-example", (("value", v), ("pixel", p), ("within", AROUND)), problem,
                      tuple(c for _, c in candidates), pixel.group(0))]


def _pixels_of(value: Fraction) -> list[tuple[int, str]]:
    """The pixel of one value in each branch whose data it can belong to."""
    branches = [("other", "norm.other")]
    if -1 <= value <= 1:
        branches.insert(0, ("signed", "norm.signed"))
    if 0 <= value <= 1:
        branches.insert(0, ("unit", "norm.unit"))
    out = []
    for branch, clause in branches:
        got = oracle.normalize_value(oracle.exact_value(float(value)), branch, None)
        if (got, clause) not in out:
            out.append((got, clause))
    return out


#: Wrapping of values, not wrapping data in an object ("Wrap pixel data ... so a run can log it").
_WRAP = re.compile(r"(?:values?|pixels?|numbers?)\s+(?:\w+\s+){0,3}?wrap(?:s|ped)?\b|\bwrap(?:s|ped|ping)?[- ]?around|"
                   r"modulo|\boverflows?\b|ラップアラウンド|オーバーフロー|剰余|랩어라운드|오버플로|나머지", re.I)
_VALUES = re.compile(r"\bvalues?\b|pixels?|data|値|ピクセル|データ|값|픽셀|데이터", re.I)
_HYPOTHETICAL = re.compile(r"\bwould\b|\bcould\b|\bmight\b|otherwise|without|instead of|rather than|releases?|"
                           r"versions?|\bbug\b|場合がある|かもしれ|버전|릴리스", re.I)


def _out_of_range(s: Sentence) -> list[Statement]:
    if not (_WRAP.search(s.text) and _VALUES.search(s.text)) or _HYPOTHETICAL.search(s.text) \
            or re.search(r"normalize\s*=\s*False", s.raw):
        return []
    wrap = _WRAP.search(s.text)
    return [Statement("out-of-range", (("behaviour", "wrap"),),
                      "the page says values outside [0, 255] wrap; the spec clips them to [0, 255] ([norm.other], "
                      "[norm.disabled])", ("norm.other", "norm.disabled"), wrap.group(0) if wrap else "")]


_KINDS = (("tensor", re.compile(r"\btensors?\b|torch\.Tensor|テンソル|텐서", re.I)),
          ("array", re.compile(r"\barrays?\b|ndarray|配列|배열", re.I)),
          ("pil", re.compile(r"(?<![A-Za-z])PIL(?![A-Za-z])|pillow", re.I)),
          ("path", re.compile(r"file ?paths?|ファイルパス|파일 경로", re.I)))
_PASSIVE = (
    re.compile(r"\b(?:are|is|will be|get|gets|be)\s+(?P<neg>not\s+|never\s+)?(?:automatically\s+)?normali[sz]ed\b", re.I),
    re.compile(r"正規化(?:されます|される|されています|され(?P<neg>ません|ない|ず))"),
    re.compile(r"정규화(?:됩니다|된다|되어|되(?P<neg>지 않)|되지\s*않)"),
)
_WISH = re.compile(r"\bif you\b|\bwant\b|\bto avoid\b|したくない|したい場合|하지 않으려면|원하지", re.I)


def _normalized(s: Sentence) -> list[Statement]:
    if _WISH.search(s.text) or _HYPOTHETICAL.search(s.text):
        return []
    for pattern in _PASSIVE:
        verb = pattern.search(s.text)
        if verb is None:
            continue
        before = s.text[: verb.start()]
        named = [(max(m.start() for m in rx.finditer(before)), kind) for kind, rx in _KINDS if rx.search(before)]
        if not named:
            return []
        kind = max(named)[1] if len(named) > 1 else named[0][1]
        negated = bool(verb.groupdict().get("neg")) or bool(re.search(r"되지\s*않", verb.group(0)))
        should = kind in ("tensor", "array")
        problem = "" if (not negated) == should else (
            f"the page says {kind}s are {'not ' if negated else ''}normalized; in the spec "
            + ("arrays and tensors are normalized" if should else "PIL images and file paths are used as they are")
            + " ([norm.applies])")
        return [Statement("normalized", (("input", kind), ("normalized", not negated)), problem, ("norm.applies",),
                          verb.group(0))]
    return []


_DIMENSIONS = re.compile(r"(?P<n>\d)\s*-?\s*(?:D\b|dimensional|次元|차원)", re.I)


def _mask_data(s: Sentence) -> list[Statement]:
    if "mask_data" not in s.raw:
        return []
    dims = _DIMENSIONS.search(s.text)
    dtype = "integer" if _INTEGER.search(s.text) else ("float" if _FLOAT.search(s.text) else None)
    if dims is None and dtype is None:
        return []
    facts = ((("ndim", int(dims.group("n"))),) if dims else ()) + ((("dtype", dtype),) if dtype else ())
    problems = []
    if dims and int(dims.group("n")) != 2:
        problems.append(f"a {dims.group('n')}-D mask_data")
    if dtype == "float":
        problems.append("float class labels")
    problem = (f"the page describes {' and '.join(problems)}; [masks.data] takes a 2-D array of integer class ids, "
               "one per pixel") if problems else ""
    return [Statement("mask-data", facts, problem, ("masks.data",), dims.group(0) if dims else "")]


_BOX = re.compile(r"\bbox(?:es)?\b|bounding|\bposition\b|\bdomain\b|ボックス|座標|박스|좌표", re.I)
_RELATIVE = re.compile(r"relative|fraction|percentage|floating[- ]point|\bfloats?\b|割合|相対|浮動小数|비율|상대|부동\s*소수",
                       re.I)
_BETWEEN = (re.compile(rf"between\s+(?P<a>{_NUM})\s+and\s+(?P<b>{_NUM})", re.I),
            re.compile(rf"(?P<a>{_NUM})\s*から\s*(?P<b>{_NUM})"), re.compile(rf"(?P<a>{_NUM})\s*(?:에서|부터)\s*(?P<b>{_NUM})"),
            re.compile(rf"\[\s*(?P<a>{_NUM})\s*,\s*(?P<b>{_NUM})\s*\]"))


def _box_range(s: Sentence) -> list[Statement]:
    if not (_BOX.search(s.text) and _RELATIVE.search(s.text)) or re.search(r"pixel|ピクセル|픽셀", s.text, re.I):
        return []
    found = _first_interval(_BETWEEN, s.text)
    if found is None:
        return []
    interval, words = found
    problem = "" if interval == (0, 1) else (
        f"the page says relative box coordinates lie in [{_show(interval[0])}, {_show(interval[1])}]; "
        "[boxes.domain] keeps them in [0, 1]")
    return [Statement("box-range", (("domain", "relative"), ("range", interval)), problem, ("boxes.domain",), words)]


_RANGE = re.compile(rf"\[\s*(?P<a>{_NUM})\s*,\s*(?P<b>{_NUM})\s*\]")
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")
#: How far from its noun a range may stand (characters).
_NEAR = 40


def _range_beside(text: str, noun: re.Match[str], before: bool) -> tuple[tuple[Fraction, Fraction], str] | None:
    """The range written right after the noun (en), or right before it (ja, ko), and its words."""
    if before:
        ranges = [m for m in _RANGE.finditer(text, 0, noun.start()) if noun.start() - m.end() < _NEAR]
        match = ranges[-1] if ranges else None
    else:
        match = _RANGE.search(text, noun.end())
        match = match if match and match.start() - noun.end() < _NEAR else None
    return ((claims.number(match.group("a")), claims.number(match.group("b"))), match.group(0)) if match else None


def _to_uint8_range(s: Sentence) -> list[Statement]:
    if not (s.section == "methods" or "to_uint8" in s.raw or re.search(r"to uint8", s.text, re.I)):
        return []
    found: dict[str, tuple[Fraction, Fraction]] = {}
    written: dict[str, str] = {}
    before = bool(_CJK.search(s.text))  # ja and ko put the range before the noun: "[0,1] の浮動小数点画像"
    for name, word in (("float", _FLOAT), ("integer", _INTEGER_DATA)):
        for match in word.finditer(s.text):
            beside = _range_beside(s.text, match, before)
            if beside is not None and name not in found:
                found[name], written[name] = beside
    if not found:
        return []
    want = {"float": (Fraction(0), Fraction(1)), "integer": (Fraction(0), Fraction(255))}
    wrong = [f"{name} data in [{_show(a)}, {_show(b)}]" for name, (a, b) in found.items() if (a, b) != want[name]]
    problem = (f"the page says to_uint8 takes {' and '.join(wrong)}; [to-uint8] applies the normalization "
               "algorithm: floats in [0, 1] are multiplied by 255, integers in [0, 255] kept") if wrong else ""
    first_wrong = next((written[name] for name, interval in found.items() if interval != want[name]), "")
    return [Statement("to-uint8-range", tuple(sorted(found.items())), problem, ("to-uint8",), first_wrong)]


READERS: tuple[Callable[[Sentence], list[Statement]], ...] = (
    _mode_by_channels, _output_range, _default_format, _value_example, _out_of_range, _normalized, _mask_data,
    _box_range, _to_uint8_range)


# -- the page --------------------------------------------------------------------------------


def _other(sentence: Sentence) -> tuple[str, ...]:
    """What the older readers (claims.py, prose.py) make of the sentence, named for --explain."""
    names = [claim.describe() for claim in claims.read_text(sentence.raw, sentence.line)]
    names += [f"layout of {kind}s: {layout}" for kind, layout in claims.layouts(sentence.raw)]
    names += [f"normalization {role} [{claims.number_text(a)}, {claims.number_text(b)}]" for role, (a, b) in claims.normalization_ranges(sentence.raw)]
    return tuple(dict.fromkeys(names))


#: Reference pages whose every sentence is about the Image surface.
SURFACE_CLASSES = frozenset({"Image", "BoundingBoxes2D", "ImageMask", "Classes"})


def read(page: ClassifiedPage) -> list[Reading]:
    """Every sentence of the page that mentions the Image surface, with what was made of it.
    On a page the spec cites (the Image reference page, the normalization guide) or the
    reference page of Image, BoundingBoxes2D, ImageMask or Classes, every sentence is about
    it, whether or not it names it ("Values outside [0, 255] ...")."""
    everything = page.identity.doc is not None or page_subject(page.page) in SURFACE_CLASSES
    out = []
    for sentence in sentences(page):
        if not (everything or mentions_surface(sentence)):
            continue
        statements = tuple(s for reader in READERS for s in reader(sentence))
        out.append(Reading(sentence, statements, _other(sentence)))
    return out


def check(page: ClassifiedPage, readings: list[Reading] | None = None) -> list[findings.Finding]:
    """An error for each statement the spec contradicts, at the line of the words it was read from."""
    lines = page.page.lines
    out = []
    for reading in read(page) if readings is None else readings:
        for statement in reading.statements:
            if statement.problem:
                line = _anchor_line(lines, reading.sentence, statement.anchor)
                out.append(findings.error("claim", page.path, line, statement.kind,
                                   f"{statement.problem} ({reading.sentence.text[:160]!r})", clauses=statement.clauses))
    return out


def _anchor_line(lines: list[str], sentence: Sentence, anchor: str) -> int:
    """The line, among those the sentence may span, whose words hold the end of `anchor`."""
    tail = anchor.strip()[-8:]
    if tail:
        for number in range(sentence.line, max(sentence.line, sentence.last) + 1):
            if number <= len(lines) and tail in _words(lines[number - 1]):
                return number
    return sentence.line
