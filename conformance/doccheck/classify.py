"""What each Python block of a page is, and the tables the checks read.

A block is classified by what its code is, with the page's sections as a hint:

- `signature`: the constructor's signature, `Image(data_or_path: ..., ...) -> None` (tfdocs)
  or `__init__(...) → None` (lazydocs); not valid Python as written, so it is read as the
  parameter list of a `def` (a default or annotation that is not Python either, such as
  `<factory>`, is kept as its text);
- `method`: the same shape for another name (`to_uint8(...)`, with `@classmethod`, or under
  a lazydocs `<kbd>classmethod</kbd>` heading);
- `formula`: one statement, no imports, no `wandb`, with `astype`/`clip`/`uint8` or inside
  the algorithm section, e.g. `normalized_data = (data * 255).astype(np.uint8)`;
- `example`: code that uses `wandb` (or an `Image(...)` call): it is run;
- `python`: any other Python (not checked, reported as a note); `unparsable`: a Python
  block with a syntax error.

An example gets a key that ties it to the spec's cases: `example-N` from a heading like
"Example 2" / "例2" / "예시 2", else from its code (normalize=False is Example 4, a PIL
image Example 3, `* 2 - 1` Example 2, ...); the usage examples are `usage-numpy`,
`usage-pil` and `usage-<file_type>` by what they pass.

Besides the blocks, a page yields its Args entries (a tfdocs table or a lazydocs `**Args:**`
bullet list, whose "- `see`: https://..." lines are the generator's rendering of a link, not
parameters), its class-variable tables, which generator wrote it (`lazydocs`, `tfdocs` or
plain `markdown`), and the content facts its identity is told from (sections.py).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field, replace

from wbimage_conformance.doccheck import pyparse, sections, source
from wbimage_conformance.doccheck.markdown import CodeBlock, Heading, Page, Problem, Table, Text, plain_text

_EXAMPLE_NUMBER = re.compile(
    r"(?:example|例|예시|예제|beispiel|exemple|ejemplo|示例|範例)\s*(?:#|no\.?)?\s*(\d+)", re.I)
_SIGNATURE = re.compile(
    r"^\s*(?P<decorators>(?:@[\w.]+(?:\([^)]*\))?\s*\n\s*)*)(?:def\s+)?(?P<name>[A-Za-z_][\w.]*)\s*"
    r"\((?P<params>.*)\)\s*(?:(?:->|→|⟶)\s*(?P<returns>.+?))?\s*:?\s*(?:\.\.\.|pass)?\s*$",
    re.S,
)
#: The most Python blocks of one page the checker reads: the W&B docs' largest page has under
#: 60, and analysing a page's names and findings grows with the square of its blocks.
MAX_PYTHON_BLOCKS = 500
_CONSTANT_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
#: The constructor's names: tfdocs shows `Image(...)`, lazydocs `__init__(...)` or `Image.__init__(...)`.
CONSTRUCTOR_NAMES = ("Image", "__init__")
#: lazydocs heading words that put a signature block under them.
SIGNATURE_TAGS = frozenset({"method", "classmethod", "staticmethod", "function"})
#: An Args bullet: "- `name`: text" (W&B's lazydocs) or "- <b>`name`</b> (type): text" (lazydocs).
_ARG_ITEM = re.compile(r"^(?:<b>)?`(?P<name>[^`]+)`(?:</b>)?\s*(?:\((?P<type>[^)]*)\))?\s*:\s*(?P<text>.*)$")
_IDENTIFIER = re.compile(r"^[A-Za-z_]\w*$")
_URL_ONLY = re.compile(r"^\s*(?:https?:)?//\S+\s*$")


@dataclass(frozen=True)
class Signature:
    name: str                          # without its class: `Image.to_uint8` is "to_uint8"
    decorators: tuple[str, ...]
    function: ast.FunctionDef          # the parameter list, read as a def
    returns: str | None
    heading_tag: str = ""              # the lazydocs <kbd> word of the heading above, e.g. "classmethod"

    @property
    def is_classmethod(self) -> bool:
        return "classmethod" in self.decorators or self.heading_tag == "classmethod"


@dataclass(frozen=True)
class PyBlock:
    kind: str                          # signature, method, formula, example, python, shell, unparsable
    block: CodeBlock
    section: str | None                # section key of the enclosing section
    heading: Heading | None            # the nearest heading above the block
    lead: Text | None                  # the list item or paragraph right above (a formula's item)
    key: str                           # example key, method name, "constructor", or ""
    tree: ast.Module | None = None
    signature: Signature | None = None
    syntax_error: str | None = None
    syntax_line: int = 0               # page line of the syntax error
    context: tuple[Text, ...] = ()     # the text between the heading and the block
    owner: str | None = None           # the class or function the block documents (None: not told)
    runnable: source.Runnable | None = None  # what runs (notebook lines, shell lines, placeholders set aside)

    @property
    def line(self) -> int:
        return self.block.fence_line

    @property
    def subject(self) -> str:
        if self.kind == "example":
            return self.key
        if self.kind in ("signature", "method"):
            return "signature" if self.kind == "signature" else f"method {self.key}"
        return self.kind


@dataclass(frozen=True)
class ConstantRow:
    name: str
    value: str                         # the cell as written, without backticks
    line: int


@dataclass(frozen=True)
class ConstantTable:
    table: Table
    rows: tuple[ConstantRow, ...]
    owner: str | None = None


@dataclass(frozen=True)
class ArgDoc:
    """One documented argument: a row of an Args table or a bullet of an Args list."""

    name: str
    text: str                          # its description (a lazydocs link line folded in)
    line: int
    source: str                        # "table" or "list"
    owner: str | None = None           # the class or function whose argument it is


@dataclass(frozen=True)
class PageContent:
    """What a page holds, as evidence of which document it is (sections.identify)."""

    constructor: bool                  # a constructor signature block
    class_headings: tuple[str, ...]    # lazydocs `<kbd>class</kbd>` headings, e.g. ("Image",)
    methods: frozenset[str]            # names of the method blocks
    constants: frozenset[str]          # names in class-variable tables
    sections: frozenset[str]           # section keys of the headings
    usage_examples: bool
    effect_examples: bool


@dataclass(frozen=True)
class SectionText:
    text: Text
    section: str | None
    heading: Heading | None


@dataclass(frozen=True)
class ClassifiedPage:
    page: Page
    identity: sections.PageIdentity
    blocks: tuple[PyBlock, ...]
    constants: tuple[ConstantTable, ...]
    args_tables: tuple[Table, ...]
    texts: tuple[SectionText, ...]
    args: tuple[ArgDoc, ...] = ()
    generator: str = "markdown"        # "lazydocs", "tfdocs" or "markdown": who wrote the page
    content: PageContent | None = None

    @property
    def path(self) -> str:
        return self.page.path

    @property
    def locale(self) -> str:
        return self.identity.locale

    def of_kind(self, kind: str) -> list[PyBlock]:
        return [b for b in self.blocks if b.kind == kind]

    def is_image(self, owner: str | None) -> bool:
        """What `owner` documents is Image's: Image itself, or nothing told on the Image page."""
        return owner == IMAGE_CLASS if owner is not None else self.identity.doc == "image"

    @property
    def image_args(self) -> tuple[ArgDoc, ...]:
        return tuple(a for a in self.args if self.is_image(a.owner))

    @property
    def image_constants(self) -> tuple[ConstantTable, ...]:
        return tuple(t for t in self.constants if self.is_image(t.owner))

    @property
    def examples(self) -> list[PyBlock]:
        return self.of_kind("example")

    @property
    def constructor(self) -> PyBlock | None:
        found = self.of_kind("signature")
        return found[0] if found else None


# -- signatures -----------------------------------------------------------------------------


def parse_signature(code: str) -> Signature | None:
    """A documented signature (`name(params) -> returns`, maybe decorated, `→` as lazydocs
    writes it) as a def, or None. Annotations, defaults and return types that are not Python
    (a generator's `<factory>`) are kept as their text, so a rendered signature always reads."""
    match = _SIGNATURE.match(code)
    if not match:
        return None
    name = match.group("name").rsplit(".", 1)[-1]
    returns = match.group("returns")
    params = match.group("params")
    for attempt in (params, _tolerant(params)):
        source = f"def {name}({attempt})" + (f" -> {_expression(returns.strip())}" if returns else "") + ": ..."
        try:
            tree = pyparse.parse(source)
            break
        except (SyntaxError, pyparse.TooComplex):
            continue
    else:
        return None
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    decorators = tuple(d.strip().lstrip("@").strip() for d in match.group("decorators").splitlines() if d.strip())
    return Signature(name, decorators, function, returns.strip() if returns else None)


def _expression(text: str) -> str:
    """`text` when it is a Python expression, else the string literal of it."""
    return text if pyparse.parses(text.strip()) else repr(text)


def _split_top(text: str, separator: str) -> list[str]:
    """`text` split at `separator` outside brackets and quotes."""
    parts, depth, quote, start = [], 0, "", 0
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    return parts + [text[start:]]


def _tolerant(params: str) -> str:
    """The parameter list with every annotation and default that is not Python quoted."""
    out = []
    for raw in _split_top(params, ","):
        if not raw.strip():
            continue
        head, *default = _split_top(raw, "=")
        name, colon, annotation = head.partition(":")
        piece = name.strip() + (f": {_expression(annotation.strip())}" if colon else "")
        if default:
            piece += f" = {_expression('='.join(default).strip())}"
        out.append(piece)
    return ", ".join(out)


def _looks_documented(sig: Signature, code: str) -> bool:
    """A call like `Image(pil_image)` also reads as a def; a documented signature has a
    return annotation, a decorator, annotations, an explicit def or a lazydocs method heading."""
    args = sig.function.args
    annotated = any(a.annotation is not None for a in args.posonlyargs + args.args + args.kwonlyargs)
    return bool(sig.returns or sig.decorators or annotated or code.lstrip().startswith("def ")
                or sig.heading_tag in SIGNATURE_TAGS)


def _named_by(heading: Heading | None, sig: Signature) -> bool:
    """The heading above names this method (`to_uint8`, `Image.to_uint8()`): older tfdocs
    pages show unannotated signatures such as `guess_mode(data)` under such a heading. (Not
    the constructor: an `Image(x)` call under a page's "Image" title is a call.)"""
    if heading is None or sig.name in CONSTRUCTOR_NAMES:
        return False
    name = heading.text.strip("`").strip().removesuffix("()").rsplit(".", 1)[-1]
    return name == sig.name


# -- examples -------------------------------------------------------------------------------


def _wandb_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """(names bound to the wandb module, names bound to wandb.Image)."""
    modules, images = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "wandb":
                    modules.add(alias.asname or "wandb")
        elif isinstance(node, ast.ImportFrom) and node.module == "wandb":
            for alias in node.names:
                if alias.name == "Image":
                    images.add(alias.asname or "Image")
    return modules or {"wandb"}, images


def image_calls(tree: ast.Module) -> list[ast.Call]:
    """The `wandb.Image(...)` calls, in source order."""
    modules, images = _wandb_names(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (isinstance(func, ast.Attribute) and func.attr == "Image" and isinstance(func.value, ast.Name)
                and func.value.id in modules) or (isinstance(func, ast.Name) and func.id in images):
            found.append(node)
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


def keyword_constant(call: ast.Call, name: str) -> object:
    for keyword in call.keywords:
        if keyword.arg == name and isinstance(keyword.value, ast.Constant):
            return keyword.value.value
    return None


def _uses_pil(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "PIL":
            return True
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "PIL" for a in node.names):
            return True
    return False


def _uses_run(tree: ast.Module) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == "init" and isinstance(n.value, ast.Name)
               and n.value.id in _wandb_names(tree)[0] for n in ast.walk(tree))


def _signed_rescale(tree: ast.Module) -> bool:
    """`x * 2 - 1` (or `2 * x - 1`): data moved from [0, 1) to [-1, 1)."""
    for node in ast.walk(tree):
        if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub) and isinstance(node.right, ast.Constant)
                and node.right.value == 1 and isinstance(node.left, ast.BinOp) and isinstance(node.left.op, ast.Mult)):
            return True
    return False


ACCEPTED_FILE_TYPES = ("png", "jpg", "jpeg", "bmp")
_HEADING_FILE_TYPE = re.compile(r"(?<![\w])\.?(jpe?g|bmp)\b", re.I)


def content_key(tree: ast.Module, section: str | None, heading: Heading | None = None) -> str:
    """The example key read from the code (a usage example whose file_type is not one the
    spec accepts is keyed by what its heading announces, so a broken call is reported as
    that example's failure rather than as a different example)."""
    calls = image_calls(tree)
    file_type = next((keyword_constant(c, "file_type") for c in calls if keyword_constant(c, "file_type")), None)
    if section == "examples" or (section != "effects" and _uses_run(tree)):
        if isinstance(file_type, str) and file_type not in ACCEPTED_FILE_TYPES and heading is not None:
            announced = _HEADING_FILE_TYPE.search(plain_text(heading.text))
            file_type = announced.group(1).lower().replace("jpeg", "jpg") if announced else None
        if isinstance(file_type, str) and file_type != "png":
            return f"usage-{file_type}"
        return "usage-pil" if _uses_pil(tree) else "usage-numpy"
    if any(keyword_constant(c, "normalize") is False for c in calls):
        return "example-4"
    if _uses_pil(tree):
        return "example-3"
    if _signed_rescale(tree):
        return "example-2"
    return "example-1"


def example_key(tree: ast.Module, heading: Heading | None, section: str | None) -> str:
    if heading is not None and section != "examples":
        match = _EXAMPLE_NUMBER.search(plain_text(heading.text))
        if match:
            return f"example-{int(match.group(1))}"
    return content_key(tree, section, heading)


# -- formulas -------------------------------------------------------------------------------


#: Sections whose code is the user's, not the algorithm's: a conversion there is advice.
_NOT_ALGORITHM = frozenset({"practices", "pitfalls", "examples", "effects", "methods", "class-variables", "attributes"})
_ALLOWED_IMPORTS = frozenset({"numpy"})


def converts_to_uint8(node: ast.AST) -> bool:
    attrs = {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    return bool(attrs & {"astype", "clip"}) or "uint8" in attrs or "uint8" in names


def formula_statements(tree: ast.Module) -> list[tuple[ast.stmt, ast.expr | None]]:
    """The statements of a formula block that compute pixels, each with the `if` test it
    sits under (None for the `else` branch or top level)."""
    found: list[tuple[ast.stmt, ast.expr | None]] = []

    def visit(statements: list[ast.stmt], test: ast.expr | None) -> None:
        for statement in statements:
            if isinstance(statement, ast.If):
                visit(statement.body, statement.test)
                visit(statement.orelse, None)
            elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.Expr, ast.Return)) and \
                    statement.value is not None and converts_to_uint8(statement.value):
                found.append((statement, test))

    visit(tree.body, None)
    return found


def _is_formula(tree: ast.Module, section: str | None) -> bool:
    """Code that computes pixels, outside the sections where code is the user's own: one
    statement, or an if/elif/else chain of them; no wandb, no imports but numpy."""
    if section in _NOT_ALGORITHM:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] not in _ALLOWED_IMPORTS for a in node.names):
            return False
        if isinstance(node, ast.ImportFrom):
            return False
        if isinstance(node, ast.Name) and node.id == "wandb":
            return False
    simple = len(tree.body) == 1 and isinstance(tree.body[0], (ast.Assign, ast.AnnAssign, ast.Expr, ast.Return))
    if simple and section == "algorithm":
        return True
    statements = formula_statements(tree)
    if section == "algorithm":
        return bool(statements)
    # elsewhere, clipping or casting alone is the reader's own code: a formula makes 8-bit pixels
    return any(_names_uint8(statement) for statement, _ in statements)


def _names_uint8(node: ast.AST) -> bool:
    return any((isinstance(n, ast.Attribute) and n.attr == "uint8") or (isinstance(n, ast.Name) and n.id == "uint8")
               or (isinstance(n, ast.Constant) and n.value == "uint8") for n in ast.walk(node))


# -- the page -------------------------------------------------------------------------------


def _constant_rows(table: Table) -> tuple[ConstantRow, ...]:
    rows = []
    for row in table.rows:
        if len(row.cells) < 2:
            continue
        name = re.sub(r"<[^<>]+>", "", row.cells[0]).replace("`", "").strip()
        if _CONSTANT_NAME.match(name):
            rows.append(ConstantRow(name, row.cells[1].replace("`", "").strip(), row.line))
    return tuple(rows)


def _tagged_section(heading: Heading) -> str | None:
    """The section a lazydocs heading opens: a method's signature, a property, or (None) the class."""
    if heading.tag in SIGNATURE_TAGS:
        return "signature" if heading.text.rsplit(".", 1)[-1] == "__init__" else "methods"
    if heading.tag == "property":
        return "attributes"
    return None


def _table_args(table: Table) -> list[ArgDoc]:
    out = []
    for row in table.rows:
        name = re.sub(r"<[^<>]+>", "", row.cells[0]).replace("`", "").strip() if row.cells else ""
        if name:
            out.append(ArgDoc(name, " ".join(row.cells[1:]).strip(), row.line, "table"))
    return out


def _list_arg(item: Text, args: list[ArgDoc], indent: int | None, owner: str | None = None) -> int | None:
    """Read one bullet of an Args list into `args`; the indent of the list's top level.

    Deeper bullets are details of the argument above (they stay prose, see prose.py). A
    bullet whose "name" is not an identifier or whose text is only a URL is how lazydocs
    renders a line such as "see: https://..." or a URL split at its colon: it continues the
    argument above.
    """
    if indent is not None and item.indent > indent:
        return indent
    match = _ARG_ITEM.match(item.text.strip())
    if match is None:
        return indent
    name, text = match.group("name").strip(), match.group("text").strip()
    if args and (not _IDENTIFIER.match(name) or _URL_ONLY.match(text)):
        last = args[-1]
        args[-1] = replace(last, text=f"{last.text} {name}: {text}".strip())
        return item.indent if indent is None else indent
    args.append(ArgDoc(name, text, item.line, "list", owner))
    return item.indent if indent is None else indent


def _generator(page: Page, blocks: list[PyBlock], args_tables: list[Table], constants: list[ConstantTable]) -> str:
    """Which generator wrote the page, from the shapes only it produces."""
    if any(h.tag for h in page.headings) or any(b.signature is not None and "→" in b.block.code for b in blocks):
        return "lazydocs"
    if args_tables or constants or any(h.style == "html" for h in page.headings) or "View source" in page.text:
        return "tfdocs"
    return "markdown"


IMAGE_CLASS = "Image"
#: A class name a heading, title or signature may name: `wandb.BoundingBoxes2D`, `ImageMask`, `class Classes`.
_CLASS_NAME = re.compile(r"^(?:class\s+)?`?(?:[a-z_][\w]*\.)*(?P<name>[A-Z][A-Za-z0-9_]*)`?(?:\(\))?$")
#: A callable a page documents by title: `log`, `wandb.init`, `Image`.
_CALLABLE_TITLE = re.compile(r"^`?(?:wandb\.)?(?P<name>[A-Za-z_]\w*)`?(?:\(\))?$")
#: `wandb.JoinedTable(table_1, table_2, join_key)` in the sentence that introduces an Args table.
_CALL_MENTION = re.compile(r"`(?:[A-Za-z_]\w*\.)*(?P<name>[A-Za-z_]\w*)\((?P<params>[^`()]*)\)`")


def page_subject(page: Page) -> str | None:
    """What a page documents by its title or first heading, when that is a name: `BoundingBoxes2D`, `log`."""
    first = next((h.text for h in page.headings if h.style in ("atx", "html") and h.level == 1), "")
    for text in (page.title or "", first):
        match = _CALLABLE_TITLE.match(text.strip())
        if match and sections.section_of(text) is None:
            return match.group("name")
    return None


def heading_owner(heading: Heading) -> str | None:
    """The class a heading opens: lazydocs' `<kbd>class</kbd> X`, or a heading that is a class
    name in code (### `JoinedTable`, ## class ImageMask, <h2><code>Classes</code></h2>)."""
    if heading.tag == "class":
        return heading.text.strip("`").rsplit(".", 1)[-1] or None
    if heading.tag or sections.section_of(heading.text) is not None:
        return None
    match = _CLASS_NAME.match(heading.text.strip())
    if match and ("`" in heading.text or heading.style in ("html", "code") or heading.text.startswith("class ")):
        return match.group("name")
    return None


def _mentioned_callable(lead: Text | None, names: list[str]) -> str | None:
    """The callable a sentence shows with these parameter names, e.g. `wandb.JoinedTable(table_1, ...)`."""
    if lead is None:
        return None
    for match in _CALL_MENTION.finditer(lead.text):
        params = {p.split("=")[0].strip().lstrip("*") for p in match.group("params").split(",") if p.strip()}
        if params and set(names) <= params:
            return match.group("name")
    return None


def _too_many_blocks(page: Page, first_left: CodeBlock) -> Page:
    count = sum(1 for block in page.code_blocks if block.is_python)
    problem = Problem(first_left.fence_line, f"the page has {count} Python blocks; the checker reads the first "
                                             f"{MAX_PYTHON_BLOCKS} (this one and those after it are not checked)")
    return replace(page, problems=page.problems + (problem,))


@dataclass
class _PageWalk:
    """What classify() carries from one element of a page to the next: the section and heading
    it is in, the sentence before a block (its lead), the text since the last block, and whose
    parameters a signature list or table documents (the owner)."""

    owner: str | None
    blocks: list[PyBlock] = field(default_factory=list)
    constants: list[ConstantTable] = field(default_factory=list)
    args_tables: list[Table] = field(default_factory=list)
    args: list[ArgDoc] = field(default_factory=list)
    texts: list[SectionText] = field(default_factory=list)
    section_keys: set[str] = field(default_factory=set)
    section: str | None = None
    heading: Heading | None = None
    lead: Text | None = None
    context: list[Text] = field(default_factory=list)
    list_indent: int | None = None
    first_left: CodeBlock | None = None

    def visit(self, element: object) -> None:
        if isinstance(element, Heading):
            self.on_heading(element)
        elif isinstance(element, Text):
            self.on_text(element)
        elif isinstance(element, Table):
            self.on_table(element)
            self.lead = None
        elif isinstance(element, CodeBlock):
            self.on_code(element)
            self.lead = None
            self.context = []

    def on_heading(self, element: Heading) -> None:
        self.owner = heading_owner(element) or self.owner
        key = _tagged_section(element) if element.tag else sections.section_of(element.text)
        if key == "signature" and self.section == "methods" and not element.tag:
            key = "methods"  # a method's own "Args:" (lazydocs), not the constructor's
        if key is not None or element.tag:
            self.section = key
            self.list_indent = None
        if key is not None:
            self.section_keys.add(key)
        self.heading = element
        self.lead = None
        self.context = []

    def on_text(self, element: Text) -> None:
        self.texts.append(SectionText(element, self.section, self.heading))
        if self.section == "signature" and element.kind == "item":
            self.list_indent = _list_arg(element, self.args, self.list_indent, self.owner)
        self.lead = element
        self.context.append(element)

    def on_table(self, element: Table) -> None:
        head = sections.section_of(element.header[0]) if element.header else None
        rows = _constant_rows(element)
        if rows and (head == "class-variables" or len(rows) == len(element.rows)):
            self.constants.append(ConstantTable(element, rows, self.owner))
        elif head == "signature" and self.section != "methods":  # a method's Args table is the method's
            table_args = _table_args(element)
            table_owner = _mentioned_callable(self.lead, [a.name for a in table_args]) or self.owner
            self.args_tables.append(element)
            self.args.extend(replace(a, owner=table_owner) for a in table_args)

    def on_code(self, element: CodeBlock) -> None:
        if not element.is_python:
            return
        if len(self.blocks) == MAX_PYTHON_BLOCKS:
            self.first_left = self.first_left or element
            return
        block = _classify_block(element, self.section, self.heading, self.lead, self.owner)
        if block.kind in ("signature", "method") and block.key[:1].isupper():
            self.owner = block.key if block.kind == "method" else IMAGE_CLASS  # a class's constructor
        owner = self.owner if block.owner is None else block.owner
        self.blocks.append(replace(block, context=tuple(self.context), owner=owner))

    def content(self, page: Page) -> PageContent:
        blocks = self.blocks
        return PageContent(
            constructor=any(b.kind == "signature" for b in blocks),
            class_headings=tuple(h.text for h in page.headings if h.tag == "class"),
            methods=frozenset(b.key for b in blocks if b.kind == "method"),
            constants=frozenset(r.name for t in self.constants for r in t.rows),
            sections=frozenset(self.section_keys),
            usage_examples=any(b.kind == "example" and b.key.startswith("usage-") for b in blocks),
            effect_examples=any(b.kind == "example" and b.key.startswith("example-") for b in blocks),
        )


def classify(page: Page) -> ClassifiedPage:
    walk = _PageWalk(owner=page_subject(page))
    for element in page.elements:
        walk.visit(element)
    if walk.first_left is not None:
        page = _too_many_blocks(page, walk.first_left)
    content = walk.content(page)
    identity = sections.identify(page, content)
    return ClassifiedPage(page, identity, tuple(walk.blocks), tuple(walk.constants), tuple(walk.args_tables),
                          tuple(walk.texts), tuple(walk.args),
                          _generator(page, walk.blocks, walk.args_tables, walk.constants), content)


def _classify_block(block: CodeBlock, section: str | None, heading: Heading | None, lead: Text | None,
                    owner: str | None = None) -> PyBlock:
    """A signature (of Image's constructor, another class's, or a method) where the block is
    one the page documents; else what running it would be: unparsable, shell, a formula, an
    example using wandb, or other Python."""
    signature = parse_signature(block.code)
    if signature is not None and heading is not None and heading.tag \
            and heading.text.rsplit(".", 1)[-1] == signature.name:
        signature = replace(signature, heading_tag=heading.tag)  # the heading is this block's own
    if signature is not None and (_looks_documented(signature, block.code) or _named_by(heading, signature)):
        return _signature_block(block, section, heading, lead, owner, signature)
    run = source.runnable(block.code)
    if run.tree is None:
        return PyBlock("unparsable", block, section, heading, lead, "", syntax_error=run.syntax_error,
                       syntax_line=block.page_line(run.syntax_line), runnable=run)
    if run.shell:
        return PyBlock("shell", block, section, heading, lead, "", tree=run.tree, runnable=run)
    tree = run.tree
    if not run.set_aside and _is_formula(tree, section):
        return PyBlock("formula", block, section, heading, lead, "", tree=tree)
    if _uses_wandb(tree):
        return PyBlock("example", block, section, heading, lead, example_key(tree, heading, section), tree=tree,
                       runnable=run)
    return PyBlock("python", block, section, heading, lead, "", tree=tree, runnable=run)


def _signature_block(block: CodeBlock, section: str | None, heading: Heading | None, lead: Text | None,
                     owner: str | None, signature: Signature) -> PyBlock:
    if signature.name == IMAGE_CLASS or (signature.name == "__init__" and owner in (None, IMAGE_CLASS)):
        return PyBlock("signature", block, section, heading, lead, "constructor", signature=signature,
                       owner=IMAGE_CLASS if signature.name == IMAGE_CLASS else owner)
    if signature.name[:1].isupper():  # another class's constructor
        return PyBlock("method", block, section, heading, lead, signature.name, signature=signature,
                       owner=signature.name)
    return PyBlock("method", block, section, heading, lead, signature.name, signature=signature, owner=owner)


def _uses_wandb(tree: ast.Module) -> bool:
    """The block names wandb, imports it (or a module of it), or calls an Image."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "wandb":
            return True
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "wandb" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "wandb":
            return True
    return bool(image_calls(tree))
