"""Names across the blocks of one page, read the way the page runs: in page order, in one
namespace.

Real pages split one program over several blocks and leave out what the reader supplies
(`image_array`, a model, a data loader). A name a block uses and nothing before it binds is
therefore usually a fragment, not a defect. Three shapes are defects, because the page itself
shows what was meant:

- *similar*: the same block binds a name that is the used one with a word added or removed
  (`data` used, `my_data` bound) or one letter changed (`imgae`), and the bound name is not
  made from the used one (`for image in images` binds `image` from `images`). Only the same
  block counts: across blocks a page's `data` is as often the reader's own data as a slip for
  the `my_data` of a section further up;
- *comprehension*: the name is bound only as a comprehension's variable elsewhere in the
  block (a comprehension whose `for` clause was lost);
- (the runtime's NameError on a name an earlier block binds is a statement that did not
  run, not a defect: stops.py says so.)

Conventional module aliases (`np`, `plt`, `torch`, ...) that a page uses without importing
are imported for it, so the rest of the example can still be checked.

Undefined names come from pyflakes, which knows Python's scopes (functions, classes,
comprehensions, `global`); each block is checked with the names earlier blocks bind as
builtins. A statement that uses `...` as a value (`np.array([[1, 2, ..., 1]])`) holds a
placeholder, and so does every later statement that uses a name it binds.
"""

from __future__ import annotations

import ast
import builtins
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pyflakes import checker as pyflakes_checker
from pyflakes import messages as pyflakes_messages

from wbimage_conformance.doccheck.classify import PyBlock

#: Names readers take for granted: module aliases, and the run they started; each with what
#: the session runs to bind it.
IMPLIED_IMPORTS = {
    "np": "import numpy as np", "numpy": "import numpy", "pd": "import pandas as pd",
    "plt": "import matplotlib.pyplot as plt", "torch": "import torch", "nn": "import torch.nn as nn",
    "PIL": "import PIL.Image\nimport PIL", "os": "import os", "sys": "import sys", "math": "import math",
    "random": "import random", "json": "import json", "time": "import time", "tf": "import tensorflow as tf",
    "wandb": "import wandb", "Path": "from pathlib import Path",
    # the run a reader started before the page's code (the session starts one, as wandb.init() would)
    "run": "import wandb; run = wandb.run",
}
_BUILTINS = frozenset(dir(builtins)) | {"__file__", "__name__", "__builtins__", "display", "get_ipython"}
#: Shortest name the similar-name rules look at, and the letters a typo may change.
MIN_NAME = 3
MIN_TYPO_NAME = 5


@dataclass(frozen=True)
class Unbound:
    """A name a block uses that nothing before it binds, and what the page makes of it."""

    block: int                 # fence line of the block
    line: int                  # page line of the use
    name: str
    reason: str                # implied, similar, comprehension, later, never
    other: str = ""            # the similar name, or the comprehension's first line as text
    other_line: int = 0        # page line where `other` is bound / the comprehension is
    statement: int = 0         # page line of the innermost statement holding the use

    @property
    def is_defect(self) -> bool:
        return self.reason in ("similar", "comprehension")


@dataclass(frozen=True)
class PageNames:
    unbound: tuple[Unbound, ...] = ()
    implied: dict[int, tuple[str, ...]] = field(default_factory=dict)  # block fence line -> imports to run
    placeholder_lines: frozenset[int] = frozenset()                  # page lines holding a placeholder
    bound_at: dict[str, int] = field(default_factory=dict)           # module-level name -> first page line
    block_bindings: dict[int, frozenset[str]] = field(default_factory=dict)  # block fence line -> names it binds

    def about(self, block: PyBlock, line: int, name: str) -> Unbound | None:
        return next((u for u in self.unbound if u.block == block.line and u.line == line and u.name == name),
                    next((u for u in self.unbound if u.block == block.line and u.name == name), None))


# -- bindings -------------------------------------------------------------------------------


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.ListComp, ast.SetComp,
           ast.GeneratorExp, ast.DictComp)


def _module_bindings(tree: ast.Module) -> dict[str, int]:
    """Names a block binds at module level, each with the code line of its first binding
    (not inside a function, class, lambda or comprehension, which have scopes of their own)."""
    out: dict[str, int] = {}

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.setdefault(node.name, node.lineno)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    out.setdefault((alias.asname or alias.name).split(".")[0], node.lineno)
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.setdefault(node.id, node.lineno)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            out.setdefault(node.name, node.lineno)
        if isinstance(node, _SCOPES):
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    for statement in tree.body:
        visit(statement)
    return out


def _all_bindings(tree: ast.Module) -> list[tuple[str, int, ast.AST]]:
    """Every name the block binds in any scope: (name, code line, the binding statement or
    comprehension clause), for the similar-name rule."""
    out: list[tuple[str, int, ast.AST]] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.append((node.name, node.lineno, node))
            for arg in node.args.posonlyargs + node.args.args + node.args.kwonlyargs:
                out.append((arg.arg, arg.lineno, node))
        elif isinstance(node, ast.ClassDef):
            out.append((node.name, node.lineno, node))
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                out += [(n.id, n.lineno, node) for n in ast.walk(target) if isinstance(n, ast.Name)]
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            out += [(n.id, n.lineno if hasattr(n, "lineno") else 0, node) for n in ast.walk(node.target)
                    if isinstance(n, ast.Name)]
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    out += [(n.id, n.lineno, item) for n in ast.walk(item.optional_vars) if isinstance(n, ast.Name)]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out += [((a.asname or a.name).split(".")[0], node.lineno, node) for a in node.names if a.name != "*"]
    return out


def _source_of_binding(node: ast.AST) -> ast.AST | None:
    """The expression a binding is made from (the iterable of a for, the value of an assignment)."""
    if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
        return node.iter
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        return node.value
    if isinstance(node, ast.withitem):
        return node.context_expr
    return None


def _reads(node: ast.AST | None, name: str) -> bool:
    return node is not None and any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


def _comprehension_targets(tree: ast.Module) -> dict[str, int]:
    out: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            for generator in node.generators:
                for n in ast.walk(generator.target):
                    if isinstance(n, ast.Name):
                        out.setdefault(n.id, node.lineno)
    return out


# -- similar names --------------------------------------------------------------------------


def _words(name: str) -> list[str]:
    """`my_data` -> my, data; `DataLoader` -> data, loader."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return [w for w in spaced.lower().split("_") if w]


def _one_word_apart(used: str, bound: str) -> bool:
    """`data` and `my_data`, `img` and `mask_img`: one word added at either end (not a
    number: `img_1` is another image, not a longer name for `img`)."""
    a, b = _words(used), _words(bound)
    if len(a) < 1 or len(b) != len(a) + 1 or len(used) < MIN_NAME:
        return False
    extra = b[0] if b[1:] == a else (b[-1] if b[:-1] == a else None)
    return extra is not None and len(extra) >= 2 and not extra.isdigit()


def _one_letter_apart(used: str, bound: str) -> bool:
    """A typo: one letter changed, added, dropped or two swapped, in a name of five or more
    letters; not a plural (`image`/`images`) and not a different number (`img_1`/`img_2`)."""
    if min(len(used), len(bound)) < MIN_TYPO_NAME or used.rstrip("s") == bound.rstrip("s"):
        return False
    if any(c.isdigit() for c in used + bound):
        return False
    if len(used) == len(bound):
        diff = [i for i, (x, y) in enumerate(zip(used, bound, strict=True)) if x != y]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and used[diff[0]] == bound[diff[1]] and used[diff[1]] == bound[diff[0]])
    short, long_ = sorted((used, bound), key=len)
    return len(long_) - len(short) == 1 and any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def similar_binding(used: str, bindings: Sequence[tuple[str, int, ast.AST]]) -> tuple[str, int] | None:
    """Of `bindings` (name, page line, binding node), the name the used one most likely meant."""
    found = []
    for name, line, node in bindings:
        if name == used or _reads(_source_of_binding(node), used):
            continue
        if _one_word_apart(used, name) or _one_letter_apart(used, name):
            found.append((difflib.SequenceMatcher(None, used, name).ratio(), name, line))
    if not found:
        return None
    _, name, line = max(found)
    return name, line


# -- placeholders ---------------------------------------------------------------------------


def _holds_ellipsis(node: ast.AST) -> bool:
    """`...` used as a value: not a statement of its own, a slice (`x[..., 0]`) or an annotation."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Subscript):
            continue
        for child in ast.iter_child_nodes(sub):
            if (isinstance(child, ast.Constant) and child.value is Ellipsis
                    and not isinstance(sub, (ast.Expr, ast.Subscript))):
                return True
    return False


def _statement_lines(node: ast.stmt) -> range:
    return range(node.lineno, (node.end_lineno or node.lineno) + 1)


# -- the page -------------------------------------------------------------------------------


def _innermost_statement(tree: ast.Module, line: int) -> int:
    """The code line where the innermost statement holding `line` starts."""
    found = line
    best = None
    for node in ast.walk(tree):
        if (isinstance(node, ast.stmt) and node.lineno <= line <= (node.end_lineno or node.lineno)
                and (best is None or node.lineno >= best.lineno)):
                best, found = node, node.lineno
    return found


def _undefined(tree: ast.Module, known: set[str]) -> list[tuple[int, str]]:
    check = pyflakes_checker.Checker(tree, builtins=set(_BUILTINS | known), withDoctest=False)
    found = {(m.lineno, m.message_args[0]) for m in check.messages
             if isinstance(m, (pyflakes_messages.UndefinedName, pyflakes_messages.UndefinedLocal))}
    return sorted(found)


def analyze(blocks: Sequence[PyBlock]) -> PageNames:
    """The names of the blocks that run (in page order) read as one session."""
    runnable = [b for b in blocks if b.runnable is not None and b.tree is not None]
    bindings = [(b, _module_bindings(b.tree)) for b in runnable]  # type: ignore[arg-type]
    known: set[str] = set()
    bound_at: dict[str, int] = {}
    unbound: list[Unbound] = []
    implied: dict[int, tuple[str, ...]] = {}
    tainted: set[str] = set()
    placeholder_lines: set[int] = set()
    for index, (block, bound) in enumerate(bindings):
        tree = block.tree
        assert tree is not None
        later = {name: b.block.page_line(line) for b, names in bindings[index + 1:] for name, line in names.items()}
        found, imports = _unbound_in(block, tree, known, later)
        unbound += found
        if imports:
            implied[block.line] = tuple(imports)
            known.update(name for name in IMPLIED_IMPORTS if IMPLIED_IMPORTS[name] in imports)
        placeholder_lines |= _placeholder_lines(block, tree, tainted)
        known.update(bound)
        for name, line in bound.items():
            bound_at.setdefault(name, block.block.page_line(line))
    return PageNames(tuple(unbound), implied, frozenset(placeholder_lines), bound_at,
                     {block.line: frozenset(bound) for block, bound in bindings})


def _unbound_in(block: PyBlock, tree: ast.Module, known: set[str],
                later: dict[str, int]) -> tuple[list[Unbound], list[str]]:
    """The names one block uses unbound, each with why (an implied import, a comprehension's
    variable used outside it, a similar name, a name bound only by a later block, or never),
    and the imports the block implies."""
    comprehensions = _comprehension_targets(tree)
    imports: list[str] = []
    unbound: list[Unbound] = []
    for line, name in _undefined(tree, known):
        page_line = block.block.page_line(line)
        if name in IMPLIED_IMPORTS:
            if IMPLIED_IMPORTS[name] not in imports:
                imports.append(IMPLIED_IMPORTS[name])
            unbound.append(Unbound(block.line, page_line, name, "implied", IMPLIED_IMPORTS[name]))
            continue
        if name in comprehensions:
            statement = block.block.page_line(_innermost_statement(tree, line))
            unbound.append(Unbound(block.line, page_line, name, "comprehension", name,
                                   block.block.page_line(comprehensions[name]), statement))
            continue
        similar = similar_binding(name, [(n, block.block.page_line(line_), node)
                                         for n, line_, node in _all_bindings(tree)])
        if similar is not None:
            unbound.append(Unbound(block.line, page_line, name, "similar", similar[0], similar[1]))
        elif name in later:
            unbound.append(Unbound(block.line, page_line, name, "later", name, later[name]))
        else:
            unbound.append(Unbound(block.line, page_line, name, "never"))
    return unbound, imports


def _placeholder_lines(block: PyBlock, tree: ast.Module, tainted: set[str]) -> set[int]:
    """Page lines of statements holding `...` or using a name such a statement bound (`tainted`
    grows with the names these statements bind, across blocks)."""
    lines: set[int] = set()
    for statement in tree.body:
        uses = {n.id for n in ast.walk(statement) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        if _holds_ellipsis(statement) or uses & tainted:
            lines.update(block.block.page_line(n) for n in _statement_lines(statement))
            tainted.update(n.id for n in ast.walk(statement) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    return lines
