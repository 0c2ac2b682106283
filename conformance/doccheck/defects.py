"""Mistakes in a page's code that show without running it.

- a name the page defines under a similar name, or a comprehension whose `for` was lost
  (names.py finds them across the page's blocks);
- a dict literal with the same key twice: Python keeps the last value and drops the others
  without a word, so the example shows data it never passes;
- an annotated image thrown away: `mask_img = wandb.Image(img, masks=...)` whose result is
  never used while `img` itself is used afterwards (logged, added to a table), so what the
  page says it logs is not what it logs.

Each is an error at the line where the mistake is written.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

from wbimage_conformance.doccheck import findings
from wbimage_conformance.doccheck.classify import ClassifiedPage, PyBlock, image_calls
from wbimage_conformance.doccheck.names import PageNames


def _name_findings(page: ClassifiedPage, names: PageNames) -> list[findings.Finding]:
    """One error per line for a similar name; one per statement for a lost comprehension."""
    out = []
    reported: set[tuple[int, str]] = set()
    for unbound in names.unbound:
        if unbound.reason == "similar" and (unbound.line, unbound.name) not in reported:
            reported.add((unbound.line, unbound.name))
            out.append(findings.error("example", page.path, unbound.line, "names",
                               f"`{unbound.name}` is not defined on this page; did you mean `{unbound.other}` "
                               f"(defined at line {unbound.other_line})?"))
    statements: dict[tuple[int, int], list] = {}
    for unbound in names.unbound:
        if unbound.reason == "comprehension":
            statements.setdefault((unbound.block, unbound.statement), []).append(unbound)
    for items in statements.values():
        leaked = list(dict.fromkeys(u.name for u in items))
        shown = ", ".join(f"`{n}`" for n in leaked)
        out.append(findings.error("example", page.path, min(u.line for u in items), "names",
                           f"{shown} {'is' if len(leaked) == 1 else 'are'} bound only inside the comprehension at "
                           f"line {min(u.other_line for u in items)}, not here: this looks like a comprehension whose "
                           "`for` clause was lost"))
    return out


def _key(node: ast.expr | None) -> object:
    if isinstance(node, ast.Constant):
        return (type(node.value).__name__, node.value)
    return None


def duplicate_keys(block: PyBlock) -> list[list[tuple[int, str, int]]]:
    """For every dict literal that writes a constant key twice: (code line of the repeat, the
    key, code line of its first occurrence), one list per literal."""
    found = []
    for node in ast.walk(block.tree) if block.tree is not None else ():
        if not isinstance(node, ast.Dict):
            continue
        seen: dict[object, int] = {}
        repeats = []
        for key in node.keys:
            marker = _key(key)
            if marker is None or key is None:
                continue
            if marker in seen:
                repeats.append((key.lineno, repr(key.value), seen[marker]))  # type: ignore[attr-defined]
            else:
                seen[marker] = key.lineno
        if repeats:
            found.append(repeats)
    return found


def _duplicate_findings(page: ClassifiedPage, blocks: Sequence[PyBlock]) -> list[findings.Finding]:
    out = []
    for block in blocks:
        for repeats in duplicate_keys(block):
            keys = ", ".join(dict.fromkeys(k for _, k, _ in repeats))
            line, _, first = repeats[0]
            out.append(findings.error("example", page.path, block.block.page_line(line), "dict literal",
                               f"duplicate key(s) {keys} in one dict literal (first written at line "
                               f"{block.block.page_line(first)}, repeated here): Python keeps only the last value of "
                               "each, so the example silently drops the others"))
    return out


def _discarded_images(page: ClassifiedPage, blocks: Sequence[PyBlock]) -> list[findings.Finding]:
    """`x = wandb.Image(y, ...)` with `x` never read again and `y` read after it, in the same scope."""
    out = []
    for block in blocks:
        if block.tree is None:
            continue
        calls = {id(c) for c in image_calls(block.tree)}
        functions = [n for n in ast.walk(block.tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for scope in [block.tree, *functions]:
            out += [_discarded_finding(page, block, node, made, source, use)
                    for node, made, source, use in _discarded_in(scope, calls)]
    return out


def _discarded_in(scope: ast.AST, calls: set[int]) -> list[tuple[ast.Assign, str, str, ast.Name]]:
    """(assignment, name made, name of its source, the later read of the source) in one scope."""
    nodes = list(_scope_nodes(scope))
    loads = sorted((n for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)),
                   key=lambda n: (n.lineno, n.col_offset))
    read = {n.id for n in loads}
    found = []
    for node in nodes:
        image_of = _image_of_a_name(node, calls)
        if image_of is None or image_of[0] in read:
            continue
        made, source = image_of
        after = node.end_lineno or node.lineno
        use = next((n for n in loads if n.id == source and n.lineno > after), None)
        if use is not None:
            found.append((node, made, source, use))
    return found


def _image_of_a_name(node: ast.AST, calls: set[int]) -> tuple[str, str] | None:
    """(x, y) for a statement `x = wandb.Image(y, ...)`; None for anything else."""
    if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
        return None
    value = node.value
    if isinstance(value, ast.Call) and id(value) in calls and value.args and isinstance(value.args[0], ast.Name):
        return node.targets[0].id, value.args[0].id
    return None


def _discarded_finding(page: ClassifiedPage, block: PyBlock, node: ast.Assign, made: str, source: str,
                       use: ast.Name) -> findings.Finding:
    return findings.error("example", page.path, block.block.page_line(use.lineno), "names",
                          f"`{made}` (the wandb.Image made from `{source}` at line "
                          f"{block.block.page_line(node.lineno)}) is never used, and `{source}` is used "
                          f"here instead: did you mean `{made}`?")


def _scope_nodes(scope: ast.AST):
    """The nodes of one function or module scope, not those of nested functions or classes."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))


def check(page: ClassifiedPage, names: PageNames, blocks: Sequence[PyBlock]) -> list[findings.Finding]:
    return _name_findings(page, names) + _duplicate_findings(page, blocks) + _discarded_images(page, blocks)
