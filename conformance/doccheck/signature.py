"""The signature block, the method blocks, the Args table and the class-variable table
against the spec.

Constructor: `data_or_path` first, then the parameters of the spec's `api-signature` case,
in that order, with those defaults. A parameter the page leaves out is an error, with one
exception decided here: `normalize`. The ja and ko pages list eight parameters and document
`normalize` in their normalization section ("unless normalize=False"); [api.signature]
takes it from there. So a signature block without `normalize` is a *warning* (it does not
fail the check) when the page mentions `normalize` elsewhere, and an error when it does not.

Methods: the names and parameters [api.classmethods] gives (`to_uint8(data)`,
`all_captions(images)`, `all_boxes(images, run, run_key, step)` and `all_masks(...)`, all
class methods; `guess_mode(data, file_type=None)`, callable either way). tfdocs marks a class
method with `@classmethod` in the block, lazydocs with a `<kbd>classmethod</kbd>` heading.

Args: every argument a page documents (a table row, a bullet of a lazydocs `**Args:**` list)
is a parameter of the spec's signature.

Constants: each row of the class-variable table against the spec's `attribute` cases of
[limits.constants] (MAX_DIMENSION 65500, MAX_ITEMS 108). A tfdocs Image page without the
table lacks it; lazydocs never renders class variables (only properties), so there its absence
is a note.

What a page must show depends on what it documents: a page with the constructor's Args or
usage examples must show the signature block; a page of methods and class variables only
need not.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any

from wbimage_conformance.doccheck import coverage, pinned, pyparse, wandb_api
from wbimage_conformance.doccheck.findings import Finding, error, note, warning
from wbimage_conformance.doccheck.classify import ClassifiedPage, PyBlock
from wbimage_conformance.doccheck.specdata import SpecData


@dataclass(frozen=True)
class MethodSpec:
    parameters: tuple[str, ...]                    # required, in order
    optional: tuple[tuple[str, Any], ...]          # may follow, with these defaults
    classmethod: bool | None                       # True: must be; None: either
    clauses: tuple[str, ...]


#: [api.classmethods] and the clauses of each method; checked against SPEC.md by the tests.
METHODS: dict[str, MethodSpec] = {
    "to_uint8": MethodSpec(("data",), (), True, ("api.classmethods", "to-uint8")),
    "all_captions": MethodSpec(("images",), (), True, ("api.classmethods", "all-captions")),
    "guess_mode": MethodSpec(("data",), (("file_type", None),), None, ("api.classmethods", "mode.guess")),
    "all_boxes": MethodSpec(("images", "run", "run_key", "step"), (), True, ("all-boxes", "annotations.run")),
    "all_masks": MethodSpec(("images", "run", "run_key", "step"), (), True, ("all-masks", "annotations.run")),
}
FIRST_PARAMETER = "data_or_path"
NO_DEFAULT = object()  # a parameter without a default (None is a default)
#: The other classes the spec has ([boxes.group], [masks.form], [classes.form]): their
#: constructors' parameters, which their reference pages' Args document.
OTHER_CLASSES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "BoundingBoxes2D": (("val", "key"), ("boxes.group",)),
    "ImageMask": (("val", "key"), ("masks.form",)),
    "Classes": (("class_set",), ("classes.form",)),
}


@dataclass(frozen=True)
class Parameter:
    name: str
    default: Any                       # NO_DEFAULT when there is none
    line: int


def parameters(block: PyBlock) -> list[Parameter]:
    """The parameters of a signature or method block, with page lines."""
    assert block.signature is not None
    args = block.signature.function.args
    positional = args.posonlyargs + args.args
    defaults: list[Any] = [NO_DEFAULT] * (len(positional) - len(args.defaults)) + list(args.defaults)
    out = []
    for arg, default in zip(positional, defaults, strict=True):
        out.append(Parameter(arg.arg, _literal(default), _line_of(block, arg.arg)))
    if args.vararg:
        out.append(Parameter("*" + args.vararg.arg, NO_DEFAULT, _line_of(block, args.vararg.arg)))
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        out.append(Parameter(arg.arg, _literal(kw_default), _line_of(block, arg.arg)))
    if args.kwarg:
        out.append(Parameter("**" + args.kwarg.arg, NO_DEFAULT, _line_of(block, args.kwarg.arg)))
    return out


def _literal(node: ast.expr | None) -> Any:
    if node is None or node is NO_DEFAULT:
        return NO_DEFAULT
    try:
        return ast.literal_eval(node)
    except ValueError:
        return ast.unparse(node)


def _line_of(block: PyBlock, name: str) -> int:
    pattern = re.compile(rf"(?<![\w.]){re.escape(name)}\s*[:=,)]")
    for number, line in enumerate(block.block.code.splitlines(), start=1):
        if pattern.search(line):
            return block.block.page_line(number)
    return block.line


def _show(value: Any) -> str:
    return "no default" if value is NO_DEFAULT else f"default {value!r}"


def mentions_normalize(page: ClassifiedPage, outside: PyBlock) -> int | None:
    """The first line outside `outside` that documents the `normalize` keyword."""
    pattern = re.compile(r"\bnormalize\s*=|`normalize`")
    start, end = outside.block.fence_line, outside.block.first_line + len(outside.block.code.splitlines())
    for number, line in enumerate(page.page.text.splitlines(), start=1):
        if not start <= number <= end and pattern.search(line):
            return number
    return None


# -- constructor ----------------------------------------------------------------------------


def check_constructor(page: ClassifiedPage, block: PyBlock, spec: SpecData) -> list[Finding]:
    """The constructor's parameters against the spec's: the first, unknown ones, their order,
    their defaults, and the ones the block leaves out."""
    extra = {"clauses": ("api.signature",), "cases": (spec.signature_case,)}
    params = [p for p in parameters(block) if p.name != "self"]
    out, rest = _first_parameter(page.path, block, params, extra)
    out += _unknown_and_misordered(page.path, rest, spec, extra)
    defaults = dict(spec.parameters)
    for p in rest:
        want = defaults.get(p.name, NO_DEFAULT)
        if want is not NO_DEFAULT and (p.default is NO_DEFAULT or not _same(p.default, want)):
            out.append(error("signature", page.path, p.line, "signature",
                             f"parameter {p.name!r} has {_show(p.default)}; the spec's default is {want!r}", **extra))
    present = {p.name for p in rest}
    for name, default in spec.parameters:
        if name not in present:
            out.append(_omitted(page, block, name, default, extra))
    return out


def _first_parameter(path: str, block: PyBlock, params: list[Any], extra: dict[str, Any]) -> tuple[list[Finding], list[Any]]:
    """A finding when the first parameter is not the spec's, and the parameters after it."""
    if params and params[0].name == FIRST_PARAMETER:
        return [], params[1:]
    first = params[0].name if params else "nothing"
    found = error("signature", path, params[0].line if params else block.line, "signature",
                  f"the first parameter is {first!r}; the spec's is {FIRST_PARAMETER!r}", **extra)
    if FIRST_PARAMETER in {p.name for p in params}:
        return [found], [p for p in params if p.name != FIRST_PARAMETER]
    return [found], params[1:]


def _unknown_and_misordered(path: str, rest: list[Any], spec: SpecData, extra: dict[str, Any]) -> list[Finding]:
    expected = [name for name, _ in spec.parameters]
    out = [error("signature", path, p.line, "signature",
                 f"parameter {p.name!r} is not in the spec's signature ({', '.join(expected)})", **extra)
           for p in rest if p.name not in expected]
    known = [p for p in rest if p.name in expected]
    order = [p.name for p in known]
    if order != sorted(order, key=expected.index):
        out.append(error("signature", path, known[0].line, "signature",
                         f"parameters are in the order {', '.join(order)}; the spec's order is "
                         f"{', '.join(n for n in expected if n in order)}", **extra))
    return out


def _omitted(page: ClassifiedPage, block: PyBlock, name: str, default: Any, extra: dict[str, Any]) -> Finding:
    """A parameter the signature block leaves out: a note where the page's pinned release did
    not have it, a warning where the page documents it elsewhere, else an error."""
    path, subject = page.path, "signature"
    pin = pinned.pin_of(page.page)
    elsewhere = mentions_normalize(page, block) if name == "normalize" else None
    reason = pinned.why_absent(pin, name) if pin is not None and elsewhere is None else None
    if pin is not None and reason is not None:  # (documented elsewhere: its release had it)
        return note("signature", path, block.line, subject,
                    f"the signature block omits {name!r}; the page documents {pin.describe()}, and by "
                    f"the release rules {reason}: not an error of the page", **extra)
    if elsewhere is not None:
        return warning("signature", path, block.line, subject,
                       f"the signature block omits 'normalize' (default {default!r}); the page "
                       f"documents the keyword elsewhere (line {elsewhere}), so this does not fail the "
                       f"check", **extra)
    return error("signature", path, block.line, subject,
                 f"the signature block omits parameter {name!r} (default {default!r})", **extra)


def _same(page_value: Any, spec_value: Any) -> bool:
    return type(page_value) is type(spec_value) and page_value == spec_value


# -- methods --------------------------------------------------------------------------------


def check_method(page: ClassifiedPage, block: PyBlock) -> list[Finding]:
    name = block.key
    path = page.path
    subject = f"method {name}"
    method = METHODS.get(name)
    if method is None:
        if name in wandb_api.public_methods("Image"):
            return []  # a real Image method the spec does not cover: known, nothing to check
        return [warning("signature", path, block.line, subject,
                          f"method {name!r} is neither part of the spec (known: {', '.join(sorted(METHODS))}) nor a "
                          f"public method of Image in wandb {wandb_api.version() or '(no API manifest)'}; not checked")]
    extra = {"clauses": method.clauses}
    out: list[Finding] = []
    params = [p for p in parameters(block) if p.name not in ("self", "cls")]
    names = [p.name for p in params]
    allowed = list(method.parameters) + [n for n, _ in method.optional]
    if names[: len(method.parameters)] != list(method.parameters) or names != allowed[: len(names)]:
        out.append(error("signature", path, block.line, subject,
                           f"parameters are ({', '.join(names)}); the spec's are ({', '.join(method.parameters)}"
                           + "".join(f", {n}={d!r}" for n, d in method.optional) + ")", **extra))
    optional = dict(method.optional)
    for p in params:
        if p.name in optional and not (p.default is not NO_DEFAULT and _same(p.default, optional[p.name])):
            out.append(error("signature", path, p.line, subject,
                               f"parameter {p.name!r} has {_show(p.default)}; the spec's default is {optional[p.name]!r}",
                               **extra))
    assert block.signature is not None
    decorators = block.signature.decorators
    if method.classmethod and not block.signature.is_classmethod:
        tag = block.signature.heading_tag
        shown = f"its heading says <kbd>{tag}</kbd>" if tag else "the block has no @classmethod"
        line = block.heading.line if tag and block.heading is not None else block.line
        out.append(error("signature", path, line, subject,
                           f"{name} is a class method in the spec ([api.classmethods]); {shown}", **extra))
    if "staticmethod" in decorators and method.classmethod is not None:
        out.append(error("signature", path, block.line, subject,
                           f"{name} is shown as a static method; the spec makes it a class method", **extra))
    return out


def check_other_constructor(page: ClassifiedPage, block: PyBlock) -> list[Finding]:
    """`BoundingBoxes2D(val, key)` and the like: the parameters the spec gives the class."""
    expected, clauses = OTHER_CLASSES[block.key]
    names = [p.name for p in parameters(block) if p.name not in ("self", "cls")]
    if names[: len(expected)] == list(expected):
        return []
    return [error("signature", page.path, block.line, f"signature {block.key}",
                    f"{block.key} takes ({', '.join(names)}) here; the spec's {block.key} takes ({', '.join(expected)})",
                    clauses=clauses)]


# -- tables ---------------------------------------------------------------------------------


def check_args(page: ClassifiedPage, spec: SpecData) -> list[Finding]:
    """Every argument documented for Image (Args table row or Args list bullet) is a spec
    parameter; one documented for BoundingBoxes2D, ImageMask or Classes is one of theirs.
    Arguments of anything else (wandb.log, JoinedTable, a callback) are not the spec's."""
    out = _other_class_args(page)
    names = {FIRST_PARAMETER} | {n for n, _ in spec.parameters}
    for arg in page.image_args:
        if re.fullmatch(r"[A-Za-z_]\w*", arg.name) and arg.name not in names:
            out.append(error("signature", page.path, arg.line, f"Args {arg.source}",
                               f"argument {arg.name!r} is not a parameter of the spec's signature "
                               f"({FIRST_PARAMETER}, {', '.join(n for n, _ in spec.parameters)})",
                               clauses=("api.args",), cases=(spec.signature_case,)))
    return out


def _other_class_args(page: ClassifiedPage) -> list[Finding]:
    out = []
    for arg in page.args:
        if arg.owner not in OTHER_CLASSES or not re.fullmatch(r"[A-Za-z_]\w*", arg.name):
            continue
        parameters, clauses = OTHER_CLASSES[arg.owner]
        if arg.name not in parameters:
            out.append(error("signature", page.path, arg.line, f"Args {arg.source}",
                               f"argument {arg.name!r} is not a parameter of {arg.owner} in the spec "
                               f"({', '.join(parameters)})", clauses=clauses))
    return out


def check_constants(page: ClassifiedPage, spec: SpecData) -> list[Finding]:
    out: list[Finding] = []
    path = page.path
    subject = "class variables"
    for table in page.image_constants:
        seen = set()
        for row in table.rows:
            seen.add(row.name)
            constant = spec.constant(row.name)
            if constant is None:
                out.append(warning("constants", path, row.line, subject,
                                     f"class variable {row.name} is not in the spec "
                                     f"(known: {', '.join(c.name for c in spec.constants)})"))
                continue
            extra: dict[str, tuple[str, ...]] = {"clauses": ("limits.constants",), "cases": (constant.case,)}
            value = _number(row.value)
            if value is None:
                out.append(error("constants", path, row.line, subject,
                                   f"{row.name} is given as {row.value!r}, which is not a number; the spec's value is "
                                   f"{constant.value!r}", **extra))
            elif not _same(value, constant.value):
                out.append(error("constants", path, row.line, subject,
                                   f"{row.name} is {row.value} on the page; the spec's value is {constant.value!r} "
                                   f"(case {constant.case})", **extra))
        for constant in spec.constants:
            if constant.name not in seen:
                out.append(error("constants", path, table.table.line, subject,
                                   f"the class-variable table lacks {constant.name} (spec: {constant.value!r})",
                                   clauses=("limits.constants",), cases=(constant.case,)))
    if not page.image_constants and page.identity.doc == "image":
        known = ", ".join(f"{c.name} = {c.value!r}" for c in spec.constants)
        extra = {"clauses": ("limits.constants",), "cases": tuple(c.case for c in spec.constants)}
        if page.generator == "lazydocs":
            out.append(note("constants", path, page.page.body_line, subject,
                              f"a lazydocs page shows no class variables (the generator renders only properties); "
                              f"the spec's Image has {known}, not checked here", **extra))
        else:
            out.append(error("constants", path, page.page.body_line, subject,
                               f"the page has no class-variable table; the spec's Image has {known}", **extra))
    return out


def _number(text: str) -> Any:
    try:
        value = pyparse.literal(text)
    except ValueError:
        return None
    return value if type(value) in (int, float) else None


def check(page: ClassifiedPage, spec: SpecData) -> list[Finding]:
    out: list[Finding] = []
    constructors = [b for b in page.of_kind("signature") if page.is_image(b.owner)]
    for block in constructors:
        out.extend(check_constructor(page, block, spec))
    if not constructors and page.identity.doc == "image" and coverage.documents_constructor(page):
        out.append(error("signature", page.path, page.page.body_line, "signature",
                           "the page documents Image's constructor (its Args or usage examples) but shows no "
                           "signature block", clauses=("api.signature",), cases=(spec.signature_case,)))
    for block in page.of_kind("method"):
        if page.is_image(block.owner) or (block.owner is None and block.key in METHODS):
            out.extend(check_method(page, block))
        elif block.owner in OTHER_CLASSES and block.key == block.owner:
            out.extend(check_other_constructor(page, block))
    out.extend(check_args(page, spec))
    out.extend(check_constants(page, spec))
    return out
