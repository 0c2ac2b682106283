"""A page's normalization formulas against the spec's, compared as syntax trees.

The spec's formulas are read from SPEC.md itself, from the clauses named in
`FORMULA_CLAUSES` (the backticked expression with `astype` in each), so the spec stays the
one place that states them. Both sides are normalised before they are compared:

- the assigned name is dropped (`normalized_data = e` is `e`), the one data variable is
  renamed to `data`, `numpy` to `np`;
- `np.uint8`, `numpy.uint8`, `"uint8"` and `np.dtype(...)` of those are one dtype;
  `np.clip(x, a, b)` is `x.clip(a, b)` (keywords `a_min`/`min`, `a_max`/`max` too);
- sub-expressions made only of Python numbers are folded, as Python evaluates them before
  NumPy sees them (`255 * 0.5 * (x + 1)` is `127.5 * (x + 1)`), and numbers compare by value;
- the operands of `+` and `*` are put in a fixed order (IEEE addition and multiplication
  are commutative, so `1 + data` is `data + 1`); association is kept, since it changes the
  rounding ([norm.precision]).

Anything else that differs is a different formula, and the first difference is reported
as "the page has X where the spec has Y".
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

from wbimage_conformance import spec
from wbimage_conformance.doccheck import pyparse
from wbimage_conformance.errors import ConfigurationError

#: The clauses that state a formula, in the order the algorithm lists them.
FORMULA_CLAUSES = ("norm.unit", "norm.signed", "norm.other")
_MODULE_NAMES = {"np": "np", "numpy": "np"}
_UINT8 = "UINT8"


class SpecFormulaError(ConfigurationError):
    """SPEC.md does not state a formula where FORMULA_CLAUSES expects one (exit code 2)."""


@dataclass(frozen=True)
class SpecFormula:
    clause: str
    source: str                        # as SPEC.md writes it
    line: int                          # in SPEC.md
    data_range: tuple[Fraction, Fraction] | None   # the range the clause applies to, if it states one
    normalized: str                    # ast.dump of the normalised expression


@lru_cache(maxsize=4)
def spec_formulas(spec_path: str = str(spec.SPEC_PATH)) -> tuple[SpecFormula, ...]:
    lines = Path(spec_path).read_text(encoding="utf-8").splitlines()
    found = []
    for clause in FORMULA_CLAUSES:
        marker = f"**[{clause}]**"
        start = next((i for i, line in enumerate(lines) if marker in line), None)
        if start is None:
            raise SpecFormulaError(f"{spec_path}: clause [{clause}] not found")
        paragraph = []
        for i in range(start, len(lines)):
            if i > start and (not lines[i].strip() or lines[i].lstrip().startswith("**[")):
                break
            paragraph.append(lines[i])
        text = " ".join(paragraph)
        spans = re.findall(r"`([^`]+)`", text)
        formula = next((span for span in spans if "astype" in span and pyparse.parses(span)), None)
        if formula is None:
            raise SpecFormulaError(
                f"{spec_path}:{start + 1}: clause [{clause}] states no formula with astype in backticks")
        before = text.split(formula)[0]
        found.append(SpecFormula(clause, formula, start + 1, _first_range(before), dump(normalize_source(formula))))
    return tuple(found)


def spec_formula(clause: str) -> SpecFormula:
    for formula in spec_formulas():
        if formula.clause == clause:
            return formula
    raise KeyError(clause)


_RANGE = re.compile(r"\[\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*\]")


def _first_range(text: str) -> tuple[Fraction, Fraction] | None:
    match = _RANGE.search(text)
    return (Fraction(match.group(1)), Fraction(match.group(2))) if match else None


# -- normalising ----------------------------------------------------------------------------


def expression_of(tree: ast.Module) -> ast.expr | None:
    """The expression of a one-statement formula block (the right side of an assignment)."""
    if len(tree.body) != 1:
        return None
    statement = tree.body[0]
    if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.Expr, ast.Return)):
        return statement.value
    return None


def normalize_source(source: str) -> ast.expr:
    return normalize(pyparse.parse(source, "eval").body)


def normalize(expression: ast.expr) -> ast.expr:
    tree = copy.deepcopy(expression)
    data_names = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in _MODULE_NAMES})
    renames = {data_names[0]: "data"} if len(data_names) == 1 else {}
    tree = _Normalizer(renames).visit(tree)
    return ast.fix_missing_locations(tree)


def dump(expression: ast.expr) -> str:
    return ast.dump(expression, annotate_fields=False)


def _is_number(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _is_uint8(node: ast.AST) -> bool:
    if (isinstance(node, ast.Attribute) and node.attr == "uint8"
            and isinstance(node.value, ast.Name) and node.value.id == "np"):
        return True
    if isinstance(node, ast.Constant) and node.value == "uint8":
        return True
    if isinstance(node, ast.Name) and node.id == _UINT8:
        return True
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "dtype"
            and len(node.args) == 1 and not node.keywords and _is_uint8(node.args[0]))


class _Normalizer(ast.NodeTransformer):
    def __init__(self, renames: dict[str, str]) -> None:
        self.renames = renames

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in _MODULE_NAMES:
            return ast.Name(_MODULE_NAMES[node.id], ast.Load())
        return ast.Name(self.renames.get(node.id, node.id), ast.Load())

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.generic_visit(node)
        if _is_uint8(node):
            return ast.Name(_UINT8, ast.Load())
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if _is_number(node.operand) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = node.operand.value  # type: ignore[attr-defined]
            return ast.Constant(-value if isinstance(node.op, ast.USub) else value)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if _is_number(node.left) and _is_number(node.right):
            folded = _fold(node)
            if folded is not None:
                return folded
        if isinstance(node.op, (ast.Add, ast.Mult)):
            left, right = sorted((node.left, node.right), key=_order)
            return ast.BinOp(left, node.op, right)
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if _is_uint8(node):
            return ast.Name(_UINT8, ast.Load())
        func = node.func
        # np.clip(x, lo, hi) -> x.clip(lo, hi)
        if (isinstance(func, ast.Attribute) and func.attr == "clip" and isinstance(func.value, ast.Name)
                and func.value.id == "np" and node.args):
            node = ast.Call(ast.Attribute(node.args[0], "clip", ast.Load()), node.args[1:], node.keywords)
            func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "clip":
            bounds = list(node.args)
            keywords = {k.arg: k.value for k in node.keywords}
            for names in (("a_min", "min"), ("a_max", "max")):
                for name in names:
                    if name in keywords:
                        bounds.append(keywords.pop(name))
                        break
            node = ast.Call(func, bounds, [ast.keyword(k, v) for k, v in keywords.items()])
        if isinstance(func, ast.Attribute) and func.attr == "astype":
            node = ast.Call(func, node.args, [k for k in node.keywords if k.arg != "copy"])
            if node.keywords and len(node.keywords) == 1 and node.keywords[0].arg == "dtype" and not node.args:
                node = ast.Call(func, [node.keywords[0].value], [])
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if node.value == "uint8":
            return ast.Name(_UINT8, ast.Load())
        if type(node.value) is float and node.value.is_integer():
            return ast.Constant(int(node.value))  # numbers compare by value
        return node


def _fold(node: ast.BinOp) -> ast.Constant | None:
    a, b = node.left.value, node.right.value  # type: ignore[attr-defined]
    try:
        if isinstance(node.op, ast.Add):
            value = a + b
        elif isinstance(node.op, ast.Sub):
            value = a - b
        elif isinstance(node.op, ast.Mult):
            value = a * b
        elif isinstance(node.op, ast.Div):
            value = a / b
        else:
            return None
    except ArithmeticError:
        return None
    if type(value) is float and value.is_integer():
        value = int(value)
    return ast.Constant(value)


def _order(node: ast.AST) -> tuple[int, str]:
    """Numbers last, so `255 * data` and `data * 255` both read `data * 255`."""
    return (1 if _is_number(node) else 0, dump(node))  # type: ignore[arg-type]


# -- comparing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    page: str                          # the page's differing sub-expression
    spec: str                          # the spec's
    path: str                          # where, as a short description


def first_difference(page: ast.AST, spec_tree: ast.AST) -> Difference | None:
    """The first place (pre-order) where two normalised trees differ."""
    if dump(page) == dump(spec_tree):  # type: ignore[arg-type]
        return None
    if type(page) is not type(spec_tree):
        return Difference(_show(page), _show(spec_tree), type(spec_tree).__name__)
    for name, value in ast.iter_fields(page):
        other = getattr(spec_tree, name, None)
        if isinstance(value, ast.AST) and isinstance(other, ast.AST):
            if type(value) is not type(other) and not isinstance(value, ast.operator):
                return Difference(_show(page), _show(spec_tree), name)  # a different shape: show the whole
            found = first_difference(value, other)
            if found is not None:
                return found
        elif isinstance(value, list) and isinstance(other, list):
            for a, b in zip(value, other, strict=False):  # the common part; a length differing shows further on
                if isinstance(a, ast.AST) and isinstance(b, ast.AST):
                    found = first_difference(a, b)
                    if found is not None:
                        return found
            if len(value) != len(other):
                return Difference(_show(page), _show(spec_tree), f"{name} count")
        elif value != other:
            return Difference(_show(page), _show(spec_tree), name)
    return Difference(_show(page), _show(spec_tree), type(spec_tree).__name__)


def _show(node: ast.AST) -> str:
    if isinstance(node, ast.operator):
        return {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
                ast.Mod: "%", ast.Pow: "**"}.get(type(node), type(node).__name__)
    try:
        return ast.unparse(node).replace(_UINT8, "np.uint8")
    except Exception:  # noqa: BLE001 - a node unparse cannot show is still named
        return type(node).__name__


def size(node: ast.AST) -> int:
    return sum(1 for _ in ast.walk(node))


@dataclass(frozen=True)
class FormulaMatch:
    clause: str
    exact: bool
    difference: Difference | None
    how: str                           # "same formula", "range in the text", "position", "closest"


def match_formula(expression: ast.expr, lead_range: tuple[Fraction, Fraction] | None, position: int,
                  taken: set[str], clip_in_text: bool = False) -> FormulaMatch:
    """Which clause a page formula is for, and whether it equals the spec's formula."""
    normalized = normalize(expression)
    text = dump(normalized)
    formulas = spec_formulas()
    for formula in formulas:
        if formula.normalized == text:
            return FormulaMatch(formula.clause, True, None, "same formula")
    chosen: SpecFormula | None = None
    how = ""
    if lead_range is not None:
        chosen = next((f for f in formulas if f.data_range == lead_range and f.clause not in taken), None)
        how = "range in the text"
    if chosen is None and clip_in_text:
        chosen = next((f for f in formulas if f.data_range is None and f.clause not in taken), None)
        how = "clipping in the text"
    if chosen is None and 0 <= position < len(formulas) and formulas[position].clause not in taken:
        chosen, how = formulas[position], "position"
    if chosen is None:
        candidates = [f for f in formulas if f.clause not in taken] or list(formulas)
        chosen = min(candidates, key=lambda f: _distance(normalized, f))
        how = "closest"
    spec_tree = normalize_source(chosen.source)
    return FormulaMatch(chosen.clause, False, first_difference(normalized, spec_tree), how)


def _distance(page: ast.expr, formula: SpecFormula) -> int:
    spec_nodes = [dump(n) for n in ast.walk(normalize_source(formula.source)) if isinstance(n, ast.expr)]
    page_nodes = [dump(n) for n in ast.walk(page) if isinstance(n, ast.expr)]
    return len(set(spec_nodes) ^ set(page_nodes))


# -- the page's algorithm -------------------------------------------------------------------


def check(page: Any, spec_data: Any = None) -> list[Any]:
    """Findings for the formula blocks of a classified page: each statement that computes
    pixels against the spec's formula for its clause, the words around it (range, factor,
    clipping bounds) against the clause, and, on a W&B page, a clause it lists no formula for."""
    from wbimage_conformance.doccheck import claims as claim_reader
    from wbimage_conformance.doccheck import classify, findings

    out: list[findings.Finding] = []
    blocks = page.of_kind("formula")
    taken: set[str] = set()
    position = 0
    for block in blocks:
        statements = classify.formula_statements(block.tree)
        if not statements and len(block.tree.body) == 1:
            statements = [(block.tree.body[0], None)]
        words, words_line = _words_for(block)
        for statement, test in statements:
            expression = statement.value  # type: ignore[attr-defined]  # a formula block's statements assign or evaluate a value
            if test is not None:
                lead_range = _test_range(test)
                text, text_line = "", block.block.page_line(test.lineno)
            else:
                text = words if len(statements) == 1 else ""
                text_line = words_line if text else block.line
                found = claim_reader.intervals(claim_reader.without_code(text)) if text else []
                lead_range = found[0] if found else None
            line = block.block.page_line(statement.lineno)
            match = match_formula(expression, lead_range, position, taken, clip_in_text=claim_reader.has(text, "clip"))
            position += 1
            taken.add(match.clause)
            out.extend(_check_one(page, block, expression, match, line, lead_range, text, text_line, spec_data))
    if blocks and page.identity.doc is not None:  # a W&B page lists the whole algorithm; anyone's may show part
        for formula in spec_formulas():
            if formula.clause not in taken:
                out.append(findings.error("formula", page.path, blocks[0].line, f"formula [{formula.clause}]",
                                   f"the algorithm lists no formula for [{formula.clause}] (the spec's is "
                                   f"`{formula.source}`); was it dropped?", clauses=(formula.clause,)))
    return out


def _words_for(block: Any) -> tuple[str, int]:
    """The list item above a formula, else a heading of its own (not a section heading)."""
    from wbimage_conformance.doccheck import sections

    if block.lead is not None:
        return block.lead.text, block.lead.line
    if block.heading is not None and sections.section_of(block.heading.text) is None:
        return block.heading.text, block.heading.line
    return "", block.line


def _test_range(test: ast.expr) -> tuple[Fraction, Fraction] | None:
    """[lo, hi] from an `if` test such as `0 <= data.min() and data.max() <= 1`."""
    numbers = []
    for node in ast.walk(normalize(test)):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            numbers.append(Fraction(node.value))
    return (min(numbers), max(numbers)) if len(numbers) >= 2 else None


def _check_one(page: Any, block: Any, expression: ast.expr, match: FormulaMatch, line: int,
               lead_range: tuple[Fraction, Fraction] | None, text: str, text_line: int, spec_data: Any) -> list[Any]:
    from wbimage_conformance.doccheck import claims as claim_reader
    from wbimage_conformance.doccheck import findings

    out = []
    formula = spec_formula(match.clause)
    subject = f"formula [{match.clause}]"
    cases = tuple(spec_data.cases_for_clause(match.clause, page.locale, 6)) if spec_data else ()
    if not match.exact:
        written = ast.unparse(expression)
        detail = (f" (first difference: the page has `{match.difference.page}` where the spec has "
                  f"`{match.difference.spec}`)") if match.difference else ""
        out.append(findings.error("formula", page.path, line, subject,
                           f"`{written}` is not the spec's formula for [{match.clause}], `{formula.source}` "
                           f"(SPEC.md:{formula.line}){detail}", clauses=(match.clause,), cases=cases))
    where = line if text_line == block.line else text_line
    if formula.data_range is not None and lead_range is not None and lead_range != formula.data_range:
        low, high = lead_range
        out.append(findings.error("formula", page.path, where, subject,
                           f"the page says this formula is for data in [{_show_number(low)}, {_show_number(high)}]; "
                           f"[{match.clause}] applies to [{_show_number(formula.data_range[0])}, "
                           f"{_show_number(formula.data_range[1])}]",
                           clauses=(match.clause, "norm.range"), cases=cases))
    if not text:
        return out
    for claim in claim_reader.read_text(text, text_line):
        if claim.kind == "factor" and match.clause == "norm.unit" and claim.values[0] != 255:
            out.append(findings.error("formula", page.path, claim.line, subject,
                               f"the text says values are multiplied by {_show_number(claim.values[0])}; "
                               f"[norm.unit] multiplies by 255", clauses=("norm.unit",), cases=cases))
        if claim.kind == "clip" and claim.values and tuple(claim.values) != (0, 255):
            out.append(findings.error("formula", page.path, claim.line, subject,
                               f"the text says values are clipped to [{_show_number(claim.values[0])}, "
                               f"{_show_number(claim.values[1])}]; [norm.other] clips to [0, 255]",
                               clauses=("norm.other",), cases=cases))
        if claim.kind == "no-clip" and match.clause == "norm.other":
            out.append(findings.error("formula", page.path, claim.line, subject,
                               "the text says values are not clipped; [norm.other] clips to [0, 255]",
                               clauses=("norm.other",), cases=cases))
    return out


def _show_number(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(float(value))
