"""The claims a page makes in words, read from headings, prose and code comments.

A claim is something the page says will happen that the spec decides, e.g. "-1 -> 0,
0 -> 127.5, 1 -> 255", "all values are multiplied by 255", "values are clipped to
[0, 255]", "this avoids normalization", "logs .jpg instead of the default .png", "a
tensor with values in [0, 1]". The numbers, arrows, intervals and file extensions are
language independent; the verbs come from small word lists for the locales the docs are
published in (ja, ko, en), all of them used for every page, so a page is read the same way
whatever locale it claims to be.

Each claim keeps its line and its target: the example as a whole (a heading), the
statement a comment sits on or above (a variable it assigns, or a `wandb.Image` call).
Checking a claim is examples.py's job; sessions.py asks the probes claims need.
"""

from __future__ import annotations

import ast
import bisect
import io
import re
import tokenize
from dataclasses import dataclass
from fractions import Fraction

from wbimage_conformance.doccheck.classify import PyBlock, image_calls
from wbimage_conformance.doccheck.markdown import plain_text

#: A number, starting where one starts: never inside a run of digits, where a pattern that
#: fails after it would be tried again at every digit (quadratic on a page of 10,000 digits).
NUMBER = r"(?<![\d.])[-−]?\d+(?:\.\d+)?"
_INTERVAL = re.compile(rf"[\[(]\s*({NUMBER})\s*,\s*({NUMBER})\s*[\])]")
_BETWEEN = (
    re.compile(rf"between\s+({NUMBER})\s+and\s+({NUMBER})", re.I),
    re.compile(rf"({NUMBER})\s*から\s*({NUMBER})\s*(?:の間|まで)"),
    re.compile(rf"({NUMBER})\s*(?:에서|부터)\s*({NUMBER})\s*(?:사이|까지)"),
)
#: How far before and after a verb a negation still belongs to it (characters).
_NEGATION_BEFORE, _NEGATION_AFTER = 16, 12
_ARROW = re.compile(rf"({NUMBER})\s*(?:→|->|=>|⟶|➝|➔|maps to|becomes)\s*({NUMBER})")
#: (A dash's leading space is matched from the start of its run only: from inside a run of
#: thousands of spaces every try would scan to its end.)
_SPLIT = re.compile(r"(?<!\s)\s+[-–—]\s+|[;；。！!]|\.\s+|\.$")

WORDS = {
    "negation": r"\bnot\b|\bno\b|\bnever\b|n't\b|\bwithout\b|\bunclipped\b|\bunclamped\b|\bunchanged\b|"
                r"ない|ません|されず|せず|なし|無し|않|없|안\s",
    "avoid": r"avoid|bypass|skip|disabl|(?:turn|switch)(?:ed|es|s)? off|\boff\b|回避|無効|避け|スキップ|オフ|"
             r"회피|비활성|건너|피하|끄|끔",
    # a clip of audio or video is a thing, not clipping
    "clip": r"(?<!audio )(?<!video )(?<!media )(?<!sound )(?:\b|(?<=un))clip(?!s\b)\w*|"
            r"\bclips\b(?=\s+(?:values?|pixels?|to|at|data))|"
            r"clamp|クリップ|クリッピング|클립|클리핑",
    "multiply": r"multipl|\btimes\b|×|掛け|倍|乗算|곱|(?<=\d)\s*배(?!열)",
    "normalize": r"normali[sz]|正規化|정규화",
    # not "scalar", and not the scale of "gray scale" (グレースケール, 그레이스케일)
    "rescale": r"rescal|(?<!gray )(?<!grey )\bscal(?:e|ed|es|ing)\b|"
               r"リスケール|(?<!グレー)スケール|리스케일|(?<!그레이)스케일",
    "default": r"default|デフォルト|既定|기본",
    # values that wrap, not data wrapped in an object ("the image pixels, wrapped in a wandb.Image()")
    "wrap": r"(?:values?|pixels?|numbers?)\s+(?:\w+\s+){0,3}?wrap(?:s|ped)?\b(?!\s+in\b)|"
            r"\bwrap(?:s|ped|ping)?[- ]?around|\boverflow|modulo|ラップアラウンド|オーバーフロー|랩어라운드|오버플로",
    "tensor": r"pytorch|tensor|テンソル|텐서",
    "array": r"numpy|\barrays?\b|配列|배열",
    "pil": r"(?<![A-Za-z])PIL(?![A-Za-z])|pillow",
    "path": r"file ?paths?|ファイルパス|파일 경로|경로",
}
WORD_PATTERNS = {name: re.compile(pattern, re.I) for name, pattern in WORDS.items()}
_EXTENSION = re.compile(r"(?<![\w])\.?(png|jpe?g|bmp|gif|tiff?|webp)\b", re.I)
_ALTERNATIVE_BEFORE = re.compile(r"(?:instead of|rather than)\s*`?$", re.I)
_ALTERNATIVE_AFTER = re.compile(r"`?\s*(?:の代わりに|ではなく|대신|이\s*아닌|가\s*아닌)")
#: Advice to the reader ("if you do not want to normalize ...") says nothing of what happens.
_WISH = re.compile(r"\bif you\b|\bwant\b|したくない|したい場合|하지 않으려면|원하지", re.I)
_DEFAULT_AFTER = re.compile(r"\s*[(（]\s*(?:default|デフォルト|既定|기본)", re.I)
_DEFAULT_BEFORE = re.compile(r"(?:default|デフォルト|既定|기본값?)\s*(?:\w+\s+)?$", re.I)
_LAYOUT = re.compile(r"\(\s*(channels?|height|width|[CHW])\s*,\s*(channels?|height|width|[CHW])\s*,\s*"
                     r"(channels?|height|width|[CHW])\s*\)", re.I)


def has(text: str, word: str) -> bool:
    return bool(WORD_PATTERNS[word].search(text))


def number(text: str) -> Fraction:
    return Fraction(text.replace("−", "-"))


@dataclass(frozen=True)
class Claim:
    kind: str          # mapping, factor, clip, no-clip, normalized, not-normalized, rescaled, not-rescaled,
    #                    range, format, default-format
    line: int
    text: str          # the words the claim was read from
    values: tuple = ()
    target: str = "example"   # "example", "variable:NAME", "call:LINE" (code line of a wandb.Image call)

    def describe(self) -> str:
        if self.kind == "mapping":
            return ", ".join(f"{number_text(a)} → {number_text(b)}" for a, b in self.values)
        if self.kind == "factor":
            return f"values are multiplied by {number_text(self.values[0])}"
        if self.kind == "clip":
            return "values are clipped" + (f" to [{number_text(self.values[0])}, {number_text(self.values[1])}]" if self.values else "")
        if self.kind == "no-clip":
            return "values are not clipped"
        if self.kind == "range":
            return f"values in [{number_text(self.values[0])}, {number_text(self.values[1])}]"
        if self.kind == "not-normalized":
            return "no normalization is applied"
        if self.kind == "normalized":
            return "the data is normalized"
        if self.kind == "rescaled":
            return "values are rescaled"
        if self.kind == "not-rescaled":
            return "values are not rescaled"
        if self.kind == "format":
            return f"the image is logged as .{self.values[0]}"
        if self.kind == "default-format":
            return f".{self.values[0]} is the default"
        return self.kind


def number_text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(float(value))


def fragments(text: str) -> list[str]:
    return [f.strip() for f in _SPLIT.split(text) if f and f.strip()]


def without_code(text: str) -> str:
    """Inline code is named, not claimed: `normalize=False` says which keyword, not what happens."""
    text = re.sub(r"`[^`]*`", " ", plain_text(text))
    return re.sub(r"\b\w+\s*=\s*(?:True|False|None|[\"'][^\"']*[\"']|\w+)", " ", text)


def intervals(text: str) -> list[tuple[Fraction, Fraction]]:
    return [interval for interval, _, _ in located_intervals(text)]


def located_intervals(text: str) -> list[tuple[tuple[Fraction, Fraction], int, int]]:
    """Every interval of `text` with its start and end offsets, bracketed ones first."""
    found = [((number(m.group(1)), number(m.group(2))), m.start(), m.end()) for m in _INTERVAL.finditer(text)]
    for pattern in _BETWEEN:
        found.extend(((number(m.group(1)), number(m.group(2))), m.start(), m.end()) for m in pattern.finditer(text))
    return found


def _nearest_interval(text: str, verb: re.Match[str]) -> tuple[Fraction, Fraction] | None:
    """The interval closest to a verb: "multiplied by 256 and clipped to [0, 255]" clips to
    [0, 255] even when "[0, 1]" comes first; "[0, 255] にクリップ" puts it before the verb."""
    def distance(item: tuple[tuple[Fraction, Fraction], int, int]) -> int:
        _, start, end = item
        return start - verb.end() if start >= verb.end() else max(0, verb.start() - end)

    found = located_intervals(text)
    return min(found, key=distance)[0] if found else None


def negated_near(text: str, verb: re.Match[str]) -> bool:
    """A negation next to the verb ("are not clipped", "クリップされない", "클립되지 않음"),
    not anywhere in the sentence ("PIL images are not normalized, values are clipped")."""
    window = text[max(0, verb.start() - _NEGATION_BEFORE): verb.end() + _NEGATION_AFTER]
    return has(window, "negation")


#: Where an interval stands in a sentence about normalization, from the words around it:
#: after "to", "into", "within" (English) or before "...に正規化", "...로" (ja, ko) it is where
#: values end up; after "in" or before "...にある", "...에 있" it is the data a rule is for.
_RANGE_WORDS = re.compile(r"(?:\s+the)?(?:\s+range)?(?:\s+of)?\s*$", re.I)
_TARGET_BEFORE = re.compile(r"\b(?:to|into|within)$", re.I)
_OUTSIDE_BEFORE = re.compile(r"\b(?:outside|not\s+(?:\w+\s+)?in)$", re.I)
_CONDITION_BEFORE = re.compile(r"\b(?:in|inside)$", re.I)
_TARGET_AFTER = re.compile(r"^\s*(?:の範囲|범위)?\s*"
                           r"(?:に(?:正規化|変換|スケール|リスケール|収め|マップ)|(?:으로|로)\b)")
_CONDITION_AFTER = re.compile(r"^\s*(?:の範囲|범위)?\s*(?:(?:内)?に(?:ある|あり|収まる)|에\s*있|내에|안에)")
_OUTSIDE_AFTER = re.compile(r"^\s*(?:の範囲|범위)?\s*(?:外|밖)")


def normalization_ranges(text: str) -> list[tuple[str, tuple[Fraction, Fraction]]]:
    """(role, interval) for each interval of a sentence about normalization: "target" where
    values end up, "condition" the data a rule applies to, "outside" data outside it.
    Intervals the words around do not place are left out."""
    words = without_code(text)
    out = []
    for interval, start, end in located_intervals(words):
        before = _RANGE_WORDS.sub("", words[max(0, start - 40): start])
        after = words[end: end + 12]
        if _TARGET_BEFORE.search(before) or _TARGET_AFTER.match(after):
            out.append(("target", interval))
        elif _OUTSIDE_BEFORE.search(before) or _OUTSIDE_AFTER.match(after):
            out.append(("outside", interval))
        elif _CONDITION_BEFORE.search(before) or _CONDITION_AFTER.match(after):
            out.append(("condition", interval))
    return out


def read_text(text: str, line: int, target: str = "example") -> list[Claim]:
    """Claims in one heading, sentence or comment."""
    out: list[Claim] = []
    words = without_code(text)
    pairs = tuple((number(a), number(b)) for a, b in _ARROW.findall(words))
    if pairs:
        out.append(Claim("mapping", line, text, pairs, target))
    for fragment in fragments(words):
        out += _fragment_claims(fragment, line, target)
    return out


def _fragment_claims(fragment: str, line: int, target: str) -> list[Claim]:
    """One fragment's claims: clipping (or wrapping, which says nothing else), a factor,
    normalized or not, a range, rescaled or not, file formats."""
    clip = WORD_PATTERNS["clip"].search(fragment)
    if clip is None and has(fragment, "wrap"):
        return [Claim("no-clip", line, fragment, (), target)]
    out: list[Claim] = []
    if clip is not None:
        if negated_near(fragment, clip):
            out.append(Claim("no-clip", line, fragment, (), target))
        else:
            bounds = _nearest_interval(fragment, clip)
            out.append(Claim("clip", line, fragment, bounds if bounds else (), target))
    if has(fragment, "multiply") and not _ARROW.search(fragment):
        factor = _factor(fragment)
        if factor is not None:
            out.append(Claim("factor", line, fragment, (factor,), target))
    out += _normalization_claims(fragment, line, target, clipped=clip is not None)
    if has(fragment, "rescale") and not has(fragment, "multiply"):
        negated = has(fragment, "negation")
        out.append(Claim("not-rescaled" if negated else "rescaled", line, fragment, (), target))
    return out + _formats(fragment, line, target)


def _normalization_claims(fragment: str, line: int, target: str, clipped: bool) -> list[Claim]:
    """Normalized or not; else, a bare range that no clipping, rescaling, factor or uint8
    accounts for is a claim of the range the data ends in."""
    ranges = intervals(fragment)
    if has(fragment, "normalize") and not _WISH.search(fragment):
        if has(fragment, "negation") or has(fragment, "avoid"):
            return [Claim("not-normalized", line, fragment, (), target)]
        return [] if ranges else [Claim("normalized", line, fragment, (), target)]
    if ranges and not clipped and not has(fragment, "rescale") and not has(fragment, "multiply") \
            and "uint8" not in fragment:
        return [Claim("range", line, fragment, ranges[0], target)]
    return []


def _factor(fragment: str) -> Fraction | None:
    """The number the multiplying verb goes with: the one nearest to it, intervals left out."""
    without = _INTERVAL.sub(" ", fragment)
    verb = WORD_PATTERNS["multiply"].search(without)
    numbers = [(m.start(), m.group()) for m in re.finditer(NUMBER, without)]
    if verb is None or not numbers:
        return None
    position = verb.start()
    return number(min(numbers, key=lambda n: abs(n[0] - position))[1])


def _formats(fragment: str, line: int, target: str) -> list[Claim]:
    out = []
    for match in _EXTENSION.finditer(fragment):
        if not (match.group(0).startswith(".") or match.group(1).isupper()):
            continue  # "png" inside a word list is not a claim; ".png" or "PNG" is
        extension = match.group(1).lower()
        after = fragment[match.end(): match.end() + 14]
        before = fragment[max(0, match.start() - 14): match.start()]
        is_default = _DEFAULT_AFTER.match(after) or _DEFAULT_BEFORE.search(before)
        if not is_default and (_ALTERNATIVE_BEFORE.search(before) or _ALTERNATIVE_AFTER.match(after)):
            continue  # "jpg instead of .png": the extension named is the one not used (unless it is the default)
        kind = "default-format" if is_default else "format"
        out.append(Claim(kind, line, fragment, (extension,), target))
    return out


# -- examples -------------------------------------------------------------------------------


def _statement_at(tree: ast.Module, line: int, after: bool) -> ast.stmt | None:
    """The simple statement on `line`, or (after=True) the first one starting below it."""
    simple = [n for n in ast.walk(tree) if isinstance(n, ast.stmt)
              and not isinstance(n, (ast.With, ast.For, ast.While, ast.If, ast.Try, ast.FunctionDef, ast.ClassDef))]
    simple.sort(key=lambda n: n.lineno)
    if after:
        return next((n for n in simple if n.lineno > line), None)
    covering = [n for n in simple if n.lineno <= line <= (n.end_lineno or n.lineno)]
    return covering[-1] if covering else None


def _target(tree: ast.Module, statement: ast.stmt | None) -> str:
    if statement is None:
        return "example"
    calls = [c for c in image_calls(tree) if statement.lineno <= c.lineno <= (statement.end_lineno or statement.lineno)]
    if calls:
        return f"call:{calls[0].lineno}"
    if isinstance(statement, ast.Assign) and all(isinstance(t, ast.Name) for t in statement.targets):
        return "variable:" + statement.targets[0].id  # type: ignore[attr-defined]
    return "example"


def comments(code: str) -> list[tuple[int, str, bool]]:
    """(code line, text, is_trailing) of every comment."""
    out = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type == tokenize.COMMENT:
                trailing = bool(token.line[: token.start[1]].strip())
                out.append((token.start[0], token.string.lstrip("#").strip(), trailing))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return out


def _lead_in(block: PyBlock) -> tuple:
    """The text that introduces the block. Under an example's own heading that is all the
    text since the heading; under any other heading only the paragraph right above the block:
    a list of rules further up ("values in [0, 1] are multiplied by 255") is about the
    algorithm, not about this block's data."""
    if block.heading is not None and block.section in ("effects", "examples"):
        return block.context
    last = block.context[-1:] if block.context else ()
    return tuple(t for t in last if t.kind == "paragraph")


def example_claims(block: PyBlock) -> list[Claim]:
    """Claims of one example: its heading and the text above it apply to the whole example,
    a comment to the statement it sits on or above."""
    out: list[Claim] = []
    if block.heading is not None and block.heading.style in ("bold", "atx", "plain"):
        out.extend(read_text(block.heading.text, block.heading.line))
    for text in _lead_in(block):
        out.extend(read_text(text.text, text.line))
    if block.tree is None:
        return out
    for code_line, text, trailing in comments(block.block.code):
        statement = _statement_at(block.tree, code_line, after=not trailing)
        out.extend(read_text(text, block.block.page_line(code_line), _target(block.tree, statement)))
    return out


# -- prose ----------------------------------------------------------------------------------


class _Spans:
    """Matches of one pattern in a text (in order, not overlapping), to look up by offset in
    log time: a page of thousands of layouts costs no more than one pass."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.starts = [start for start, _ in spans]
        self.ends = [end for _, end in spans]

    def last_start_before(self, offset: int) -> int:
        """The start of the last match that ends by `offset` (-1: none)."""
        index = bisect.bisect_right(self.ends, offset)
        return self.starts[index - 1] if index else -1


def layouts(text: str) -> list[tuple[str, str]]:
    """(kind, layout) pairs: ("tensor", "CHW") for "PyTorch tensors (channel, height, width)"."""
    words = plain_text(text)
    tensors = _Spans([m.span() for m in WORD_PATTERNS["tensor"].finditer(words)])
    arrays = _Spans([m.span() for m in WORD_PATTERNS["array"].finditer(words)])
    out = []
    for match in _LAYOUT.finditer(words):
        layout = "".join(part[0].upper() for part in match.groups())
        # the kind named last before the layout is the one it describes
        tensor = tensors.last_start_before(match.start())
        array = arrays.last_start_before(match.start())
        if max(tensor, array) >= 0:
            out.append(("tensor" if tensor > array else "array", layout))
    return out
