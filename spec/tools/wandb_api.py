"""`python spec/tools/wandb_api.py --python VENV/bin/python [--out FILE]`: describe wandb's public API.

The docs sandbox runs documentation examples against a stand-in `wandb`
(conformance/worker/wandb_standin.py). The stand-in is only as faithful as its list of
names and signatures, so this development tool writes that list from a real release: the
installed package's source is read with `ast` (nothing of wandb is imported), so integration
modules whose framework is absent here (keras, lightning, ...) are still described. The
interpreter is asked only where wandb lives, its version and its dependencies.

The manifest holds facts (names, parameter names and kinds, defaults and annotations as
source text), never code. Its layout is described by its own "format" key.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = {
    "params": "[name, kind, default]: kind po=positional-only, pk=positional-or-keyword, vp=*args, "
              "ko=keyword-only, vk=**kwargs; default is its source text, null when there is none",
    "names": "kind class|function|module|lazy_module|value; ref names a classes/functions entry or a module; "
             "preinit: the name real wandb puts in its 'You must call wandb.init() before ...' error",
    "requires": "third-party top-level packages (not wandb's own dependencies) imported when the module loads, "
                "in import order",
    "classes": "bases are refs of other classes, or dotted names outside wandb; special: dunder methods defined; "
               "dynamic: the class defines __getattr__",
}
#: Modules described besides the homes of public classes and functions and their packages.
PUBLIC_ROOTS = ("wandb", "wandb.data_types", "wandb.apis", "wandb.apis.public", "wandb.plot",
                "wandb.integration", "wandb.sklearn")
PUBLIC_TREES = ("wandb.plot.", "wandb.integration.", "wandb.apis.public.")
INTEGRATIONS = ("wandb.integration", "wandb.sklearn")
SKIPPED_PARTS = ("vendor", "proto", "internal")
SPECIAL = ("__iter__", "__len__", "__getitem__", "__setitem__", "__contains__", "__enter__", "__exit__",
           "__call__", "__getattr__")
LAZY_CALLS = {"LazyLoader"}
PREINIT_CALLS = {"PreInitCallable", "PreInitObject"}
MAX_TEXT = 100  # longest default or annotation kept, in characters
MAX_CLASSES = 2000

PROBE = r"""
import importlib.metadata as md, importlib.util, json, re, sys
def key(name):
    return re.sub(r"[-_.]+", "-", name).lower()
spec = importlib.util.find_spec("wandb")
tops = {}
for top, names in md.packages_distributions().items():
    for name in names:
        tops.setdefault(key(name), set()).add(top)
deps, queue, seen = set(), ["wandb"], set()
while queue:  # wandb's dependencies and theirs, extras left out: always installed with it
    name = queue.pop()
    if name in seen:
        continue
    seen.add(name)
    deps |= tops.get(name, set())
    try:
        requires = md.distribution(name).requires or []
    except md.PackageNotFoundError:
        continue
    queue += [key(re.split(r"[ ;<>=!~\[(]", r, 1)[0]) for r in requires if "extra ==" not in r]
print(json.dumps({"path": list(spec.submodule_search_locations)[0] if spec else None,
                  "version": md.version("wandb") if spec else None, "python": sys.version.split()[0],
                  "stdlib": sorted(sys.stdlib_module_names), "dependencies": sorted(deps)}))
"""


@dataclass(frozen=True)
class Located:
    """What the interpreter says about its wandb (nothing of wandb is imported to learn it)."""

    root: Path
    version: str
    python: str
    stdlib: frozenset[str]
    dependencies: frozenset[str]


def locate(python: str) -> Located:
    done = subprocess.run([python, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True)
    found = json.loads(done.stdout)
    if not found["path"]:
        raise SystemExit(f"{python} has no wandb installed")
    return Located(Path(found["path"]), found["version"], found["python"],
                   frozenset(found["stdlib"]), frozenset(found["dependencies"]))


def _text(node: ast.AST | None) -> str | None:
    if node is None:
        return None
    text = ast.unparse(node)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _dotted(node: ast.AST) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _is_type_checking(test: ast.expr) -> bool:
    return _dotted(test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")


@dataclass
class Binding:
    kind: str                      # def, class, import, from, assign
    node: ast.AST | None = None
    module: str = ""               # import/from: the module imported from
    name: str = ""                 # from: the name imported
    typing_only: bool = False      # under `if TYPE_CHECKING:`, or imported by a stub
    preinit: ast.AST | None = None  # a stub's def over `log = PreInitCallable(...)`: that assignment


@dataclass
class Module:
    name: str
    package: bool
    bindings: dict[str, Binding] = field(default_factory=dict)
    all: list[str] | None = None
    loads: list[str] = field(default_factory=list)  # modules imported when it loads, in order


class Source:
    """wandb's modules as parsed source, by dotted name (a .pyi stub overlays its .py)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, Module | None] = {}
        self._files: dict[str, tuple[list[Path], bool]] = {}

    def files(self, name: str) -> tuple[list[Path], bool]:
        if name not in self._files:
            self._files[name] = self._find(name)
        return self._files[name]

    def _find(self, name: str) -> tuple[list[Path], bool]:
        base = self.root.parent.joinpath(*name.split("."))
        for stem, package in ((base / "__init__", True), (base, False)):
            found = [p for p in (stem.with_suffix(".py"), stem.with_suffix(".pyi")) if p.is_file()]
            if found:
                return found, package
        return [], False

    def exists(self, name: str) -> bool:
        return bool(self.files(name)[0])

    def module(self, name: str) -> Module | None:
        if name not in self._cache:
            self._cache[name] = self._parse(name)
        return self._cache[name]

    def _parse(self, name: str) -> Module | None:
        paths, package = self.files(name)
        if not paths:
            return None
        module = Module(name, package)
        for path in paths:  # .py first, then the stub overlays it
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            _Collector(module, stub=path.suffix == ".pyi").statements(tree.body, typing_only=False, guarded=False)
        return module

    def submodules(self, name: str) -> list[str]:
        paths, package = self.files(name)
        if not package:
            return []
        folder = paths[0].parent
        found = []
        for child in sorted(folder.iterdir()):
            stem = child.name.split(".")[0]
            if stem.startswith("_") or stem in SKIPPED_PARTS:
                continue
            if (child.is_dir() and (child / "__init__.py").is_file()) or child.suffix == ".py":
                found.append(f"{name}.{stem}")
        return sorted(set(found))


class _Collector:
    """Fills a Module from top-level statements: what each name is bound to, what is imported."""

    def __init__(self, module: Module, stub: bool) -> None:
        self.module = module
        self.stub = stub

    def absolute(self, level: int, target: str | None) -> str:
        if not level:
            return target or ""
        parts = self.module.name.split(".")
        base = parts if self.module.package else parts[:-1]
        base = base[: len(base) - (level - 1)]
        return ".".join([*base, target] if target else base)

    def bind(self, name: str, binding: Binding) -> None:
        """Later bindings win, except that a stub adds signatures and keeps what runs: a
        `PreInitCallable` stays known under the stub's def, a value under a bare annotation."""
        old = self.module.bindings.get(name)
        if self.stub and old is not None and old.kind == "assign":
            if binding.kind == "def" and _special_call(old.node):
                binding.preinit = old.node
            elif binding.kind == "assign" and (getattr(binding.node, "value", None) is None or _special_call(old.node)):
                return
        if binding.typing_only and old is not None and not old.typing_only:
            return
        self.module.bindings[name] = binding

    def statements(self, body: list[ast.stmt], typing_only: bool, guarded: bool) -> None:
        for stmt in body:
            self.statement(stmt, typing_only, guarded)

    def statement(self, stmt: ast.stmt, typing_only: bool, guarded: bool) -> None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.bind(stmt.name, Binding("def", stmt, typing_only=typing_only))
        elif isinstance(stmt, ast.ClassDef):
            self.bind(stmt.name, Binding("class", stmt, typing_only=typing_only))
        elif isinstance(stmt, ast.Import):
            self.imports(stmt, typing_only, guarded)
        elif isinstance(stmt, ast.ImportFrom):
            self.import_from(stmt, typing_only, guarded)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            self.assign(stmt, typing_only)
        elif isinstance(stmt, ast.If):
            checking = _is_type_checking(stmt.test)
            self.statements(stmt.body, typing_only or checking, guarded or not checking)
            self.statements(stmt.orelse, typing_only, True)
        elif isinstance(stmt, ast.Try):
            self.statements(stmt.body, typing_only, True)
            for handler in stmt.handlers:
                self.statements(handler.body, typing_only, True)

    def imported(self, name: str, binding: Binding) -> None:
        """A stub's imports declare types for checkers; at run time only the .py's exist."""
        binding.typing_only = binding.typing_only or self.stub
        self.bind(name, binding)

    def note_import(self, module: str, typing_only: bool, guarded: bool) -> None:
        """Only unconditional imports: one under try/if may fail without failing the module."""
        if not (typing_only or guarded or self.stub or module in self.module.loads):
            self.module.loads.append(module)

    def imports(self, stmt: ast.Import, typing_only: bool, guarded: bool) -> None:
        for alias in stmt.names:
            self.note_import(alias.name, typing_only, guarded)
            if alias.asname:
                self.imported(alias.asname, Binding("import", module=alias.name, typing_only=typing_only))
            else:
                top = alias.name.split(".")[0]
                self.imported(top, Binding("import", module=top, typing_only=typing_only))

    def import_from(self, stmt: ast.ImportFrom, typing_only: bool, guarded: bool) -> None:
        source = self.absolute(stmt.level, stmt.module)
        self.note_import(source, typing_only, guarded)
        for alias in stmt.names:
            if alias.name == "*":
                continue
            if source.split(".")[0] == "wandb":
                self.note_import(f"{source}.{alias.name}", typing_only, guarded)
            self.imported(alias.asname or alias.name,
                          Binding("from", module=source, name=alias.name, typing_only=typing_only))

    def assign(self, stmt: ast.Assign | ast.AnnAssign, typing_only: bool) -> None:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        for target in targets:
            if not isinstance(target, ast.Name):
                continue
            if target.id == "__all__" and stmt.value is not None:
                with contextlib.suppress(ValueError):
                    self.module.all = list(ast.literal_eval(stmt.value))
                continue
            self.bind(target.id, Binding("assign", stmt, typing_only=typing_only))


def _special_call(node: ast.AST | None) -> str | None:
    """The callee's last name when an assignment is `X = PreInitCallable(...)` and the like."""
    value = getattr(node, "value", None)
    if isinstance(value, ast.Call):
        name = (_dotted(value.func) or "").split(".")[-1]
        if name in LAZY_CALLS | PREINIT_CALLS:
            return name
    return None


@dataclass(frozen=True)
class Target:
    """What a name resolves to: a class or function (by ref), a module, or a plain value."""

    kind: str               # class, function, module, value, external
    ref: str = ""
    node: ast.AST | None = None
    module: str = ""        # the module whose namespace `node` is read in


class Resolver:
    """Follows imports and aliases through wandb's source to where a name is defined."""

    def __init__(self, source: Source) -> None:
        self.source = source

    def name(self, module: str, name: str, depth: int = 0, typing: bool = False) -> Target:
        info = self.source.module(module)
        if depth > 30 or info is None:
            return Target("external", f"{module}.{name}")
        binding = info.bindings.get(name)
        if binding is None or (binding.typing_only and not typing):
            sub = f"{module}.{name}"
            return Target("module", sub) if self.source.exists(sub) else Target("external", sub)
        return self.binding(module, name, binding, depth, typing)

    def binding(self, module: str, name: str, binding: Binding, depth: int, typing: bool) -> Target:
        if binding.kind == "def":
            return Target("function", f"{module}.{name}", binding.node, module)
        if binding.kind == "class":
            return Target("class", f"{module}.{name}", binding.node, module)
        if binding.kind == "import":
            return self.module_target(binding.module)
        if binding.kind == "from":
            if binding.module.split(".")[0] != "wandb":
                return Target("external", f"{binding.module}.{binding.name}")
            if self.source.exists(f"{binding.module}.{binding.name}") and not self._binds(binding.module, binding.name):
                return Target("module", f"{binding.module}.{binding.name}")
            return self.name(binding.module, binding.name, depth + 1, typing)
        value = getattr(binding.node, "value", None)
        if isinstance(value, (ast.Name, ast.Attribute)):
            return self.expression(module, value, depth + 1, typing)
        return Target("value", f"{module}.{name}", binding.node, module)

    def _binds(self, module: str, name: str) -> bool:
        info = self.source.module(module)
        return info is not None and name in info.bindings

    def module_target(self, module: str) -> Target:
        if module.split(".", maxsplit=1)[0] == "wandb" and self.source.exists(module):
            return Target("module", module)
        return Target("external", module)

    def expression(self, module: str, node: ast.AST, depth: int = 0, typing: bool = False) -> Target:
        """A dotted expression read in `module`: `wandb_sdk.init`, `Run.log`, `public.Run`."""
        dotted = _dotted(node)
        if dotted is None:
            return Target("external", "")
        head, *rest = dotted.split(".")
        target = self.name(module, head, depth, typing)
        if target.kind == "external" and head in BUILTINS:
            target = Target("external", f"builtins.{head}")
        for part in rest:
            if target.kind == "module":
                target = self.name(target.ref, part, depth + 1, typing)
            elif target.kind == "class":
                target = Target("member", f"{target.ref}.{part}")
            else:
                target = Target("external", f"{target.ref}.{part}")
        return target


def _builtin_names() -> frozenset[str]:
    import builtins

    return frozenset(dir(builtins))


BUILTINS = _builtin_names()


class Describer:
    """Turns resolved targets into the manifest's entries, collecting the classes they name."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.resolver = Resolver(source)
        self.classes: dict[str, dict[str, Any]] = {}
        self.functions: dict[str, dict[str, Any]] = {}
        self.homes: dict[str, str] = {}
        self._pending: list[str] = []
        self._class_nodes: dict[str, tuple[ast.ClassDef, str]] = {}

    # -- expressions and annotations --------------------------------------------------------

    def ref(self, module: str, node: ast.AST | None) -> str | None:
        """The ref of a class or function an expression names, or a dotted external name."""
        if node is None:
            return None
        target = self.resolver.expression(module, node, typing=True)
        if target.kind == "class":
            self.want_class(target)
        return target.ref or None

    def returns_class(self, module: str, annotation: ast.AST | None) -> str | None:
        """The class a return annotation names when it names exactly one (not Optional)."""
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return None
        if not isinstance(annotation, (ast.Name, ast.Attribute)):
            return None
        target = self.resolver.expression(module, annotation, typing=True)
        if target.kind != "class":
            return None
        self.want_class(target)
        return target.ref

    def params(self, args: ast.arguments, drop_first: bool) -> list[list[str | None]]:
        positional = [*args.posonlyargs, *args.args]
        defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        out: list[list[str | None]] = []
        for index, (arg, default) in enumerate(zip(positional, defaults, strict=True)):
            kind = "po" if index < len(args.posonlyargs) else "pk"
            out.append([arg.arg, kind, _text(default)])
        if args.vararg:
            out.append([args.vararg.arg, "vp", None])
        for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            out.append([arg.arg, "ko", _text(default)])
        if args.kwarg:
            out.append([args.kwarg.arg, "vk", None])
        return out[1:] if drop_first and positional else out

    def function(self, module: str, node: ast.FunctionDef | ast.AsyncFunctionDef, drop_first: bool) -> dict[str, Any]:
        entry: dict[str, Any] = {"params": self.params(node.args, drop_first)}
        if node.returns is not None:
            entry["returns"] = _text(node.returns)
            cls = self.returns_class(module, node.returns)
            if cls:
                entry["returns_class"] = cls
        return entry

    # -- classes ----------------------------------------------------------------------------

    def want_class(self, target: Target) -> None:
        if target.ref not in self._class_nodes and isinstance(target.node, ast.ClassDef):
            self._class_nodes[target.ref] = (target.node, target.module)
            self._pending.append(target.ref)

    def drain(self) -> None:
        while self._pending and len(self.classes) < MAX_CLASSES:
            ref = self._pending.pop(0)
            node, module = self._class_nodes[ref]
            self.classes[ref] = self.describe_class(node, module)

    def describe_class(self, node: ast.ClassDef, module: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"module": module, "name": node.name,
                                 "bases": [b for b in (self.ref(module, _generic(base)) for base in node.bases) if b]}
        methods, attributes, special = self.members(node, module)
        init = _own_def(node, "__init__")
        if init is not None:
            entry["init"] = self.params(init.args, drop_first=True)
        elif self._is_record(node, entry["bases"]):
            entry["init"] = self.fields(node, dataclass=_decorated(node, "dataclass"))
        if methods:
            entry["methods"] = methods
        if attributes:
            entry["attributes"] = attributes
        if special:
            entry["special"] = special
        if "__getattr__" in special:
            entry["dynamic"] = True
        return entry

    def members(self, node: ast.ClassDef, module: str) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
        methods: dict[str, Any] = {}
        attributes: dict[str, Any] = {}
        special: list[str] = []
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if stmt.name in SPECIAL and stmt.name not in special:
                    special.append(stmt.name)
                if stmt.name == "__init__":
                    attributes.update({n: None for n in _self_attributes(stmt) if n not in attributes})
                elif _public(stmt.name):
                    self.method(methods, stmt, module)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name) and _public(target.id):
                        attributes[target.id] = _text(stmt.value)
        for name in methods:
            attributes.pop(name, None)
        return methods, attributes, special

    def method(self, methods: dict[str, Any], node: ast.FunctionDef | ast.AsyncFunctionDef, module: str) -> None:
        decorators = {(_dotted(d) or "").split(".")[-1] for d in node.decorator_list}
        if "setter" in decorators or "deleter" in decorators:
            if node.name in methods:
                methods[node.name]["setter"] = True
            return
        if "overload" in decorators and node.name in methods:
            return  # the first overload stands for the rest until the implementation replaces it
        kind = next((k for k in ("classmethod", "staticmethod", "property") if k in decorators), "method")
        if "cached_property" in decorators:
            kind = "property"
        entry = self.function(module, node, drop_first=kind != "staticmethod")
        if kind != "method":
            entry["kind"] = kind
        if kind == "property":
            entry.pop("params")
        methods[node.name] = entry

    def _is_record(self, node: ast.ClassDef, bases: list[str]) -> bool:
        """A dataclass or pydantic model: its fields are its constructor's parameters."""
        return _decorated(node, "dataclass") or any(b.startswith("pydantic.") for b in bases)

    def fields(self, node: ast.ClassDef, dataclass: bool) -> list[list[str | None]]:
        out = []
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and _public(stmt.target.id) \
                    and "ClassVar" not in ast.unparse(stmt.annotation):
                out.append([stmt.target.id, "pk" if dataclass else "ko", _text(stmt.value)])
        return out

    # -- modules ----------------------------------------------------------------------------

    def public_names(self, info: Module, reexports: bool) -> list[str]:
        """__all__ and every public top-level binding of wandb's own (not re-exported stdlib
        or third-party names), so `wandb.login`, absent from wandb's runtime __all__, is there.
        Without `reexports` (a module described as the home of a public class), only its
        __all__ or else its own definitions."""
        names = list(info.all or [])
        for name, binding in info.bindings.items():
            if not _public(name) or binding.typing_only or name in names or (info.all is not None and not reexports):
                continue
            imported = binding.kind in ("import", "from")
            if imported and (not reexports or binding.module.split(".")[0] != "wandb"):
                continue
            names.append(name)
        return names

    def describe_name(self, info: Module, name: str) -> dict[str, Any] | None:
        binding = info.bindings.get(name)
        assigned = binding.preinit if binding is not None and binding.preinit is not None else \
            binding.node if binding is not None and binding.kind == "assign" else None
        special = _special_call(assigned)
        if special in LAZY_CALLS:
            call = binding.node.value  # type: ignore[union-attr]
            target = call.args[2] if len(call.args) > 2 else None
            return {"kind": "lazy_module", "ref": getattr(target, "value", "")}
        target = self.resolver.name(info.name, name, typing=True)  # __all__ may name a stub's import
        entry = self.describe_target(info, name, target)
        if special in PREINIT_CALLS and entry is not None:
            entry.update(self.preinit(info, assigned))
        return entry

    def describe_target(self, info: Module, name: str, target: Target) -> dict[str, Any] | None:
        if target.kind == "module":
            if target.ref == info.name or info.name.startswith(target.ref + "."):
                return None  # `import wandb` inside wandb: the package itself, not an API
            return {"kind": "module", "ref": target.ref}
        if target.kind == "class":
            self.want_class(target)
            self.home(target.ref, f"{info.name}.{name}")
            return {"kind": "class", "ref": target.ref}
        if target.kind == "function":
            if target.ref not in self.functions:
                self.functions[target.ref] = self.function(target.module, target.node, drop_first=False)  # type: ignore[arg-type]
            self.home(target.ref, f"{info.name}.{name}")
            return {"kind": "function", "ref": target.ref}
        if target.kind == "value":
            return self.value(target)
        return {"kind": "value"}  # re-exported from outside wandb, or not found statically

    def value(self, target: Target) -> dict[str, Any]:
        node = target.node
        entry: dict[str, Any] = {"kind": "value"}
        value = getattr(node, "value", None)
        if value is not None:
            entry["value"] = _text(value)
            if isinstance(value, ast.Call):
                cls = self.returns_class(target.module, value.func)
                if cls:
                    entry["instance_of"] = cls
        annotation = getattr(node, "annotation", None)
        if annotation is not None:
            entry["annotation"] = _text(annotation)
        return entry

    def preinit(self, info: Module, assigned: ast.AST) -> dict[str, Any]:
        """`log = PreInitCallable("wandb.log", Run.log)`: raises before init, then the run's
        method; `config = PreInitObject("wandb.config", Config)`: raises before init."""
        call = assigned.value  # type: ignore[attr-defined]
        shown = call.args[0].value if call.args and isinstance(call.args[0], ast.Constant) else ""
        destination = call.args[1] if len(call.args) > 1 else None
        target = self.resolver.expression(info.name, destination) if destination is not None else Target("external")
        entry: dict[str, Any] = {"preinit": shown}
        if target.kind == "member":
            entry["run_method"] = target.ref.rpartition(".")[2]
        elif target.kind == "class":
            self.want_class(target)
            entry["instance_of"] = target.ref
        return entry

    def home(self, ref: str, public: str) -> None:
        """The shortest public dotted name of a class or function, for messages."""
        old = self.homes.get(ref)
        if old is None or (public.count("."), len(public)) < (old.count("."), len(old)):
            self.homes[ref] = public


def _public(name: str) -> bool:
    return not name.startswith("_")


def _generic(base: ast.expr) -> ast.expr:
    """`SizedPaginator["Run"]` as a base is SizedPaginator."""
    return base.value if isinstance(base, ast.Subscript) else base


def _own_def(node: ast.ClassDef, name: str) -> ast.FunctionDef | None:
    return next((s for s in node.body if isinstance(s, ast.FunctionDef) and s.name == name), None)


def _decorated(node: ast.ClassDef, name: str) -> bool:
    return any(name in ast.unparse(d) for d in node.decorator_list)


def _self_attributes(init: ast.FunctionDef) -> Iterator[str]:
    for stmt in ast.walk(init):
        targets = (stmt.targets if isinstance(stmt, ast.Assign)
                   else [stmt.target] if isinstance(stmt, ast.AnnAssign) else [])
        for target in targets:
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                    and target.value.id == "self" and _public(target.attr):
                yield target.attr


class Manifest:
    """Walks the public modules and assembles the JSON document."""

    def __init__(self, located: Located) -> None:
        self.located = located
        self.source = Source(located.root)
        self.describer = Describer(self.source)
        self.modules: dict[str, dict[str, Any]] = {}
        self._requires: dict[str, list[str]] = {}

    def public_modules(self) -> list[str]:
        found: list[str] = []
        queue = [m for m in PUBLIC_ROOTS if self.source.exists(m)]
        while queue:
            name = queue.pop(0)
            if name in found:
                continue
            found.append(name)
            queue.extend(s for s in self.source.submodules(name) if s.startswith(PUBLIC_TREES))
        return found

    def build(self, command: str) -> dict[str, Any]:
        public = self.public_modules()
        for name in public:
            if not name.startswith(INTEGRATIONS):
                self.describe_module(name, reexports=True)
        defining = self.homes_of_definitions([m for m in PUBLIC_ROOTS if m in self.modules])
        for name in public:
            self.describe_module(name, reexports=True)
        for name in defining:
            self.describe_module(name, reexports=False)
        self.describer.drain()
        return {
            "format": FORMAT,
            "wandb_version": self.located.version,
            "python": self.located.python,
            "generated_by": command,
            "modules": dict(sorted(self.modules.items())),
            "classes": dict(sorted(self.describer.classes.items())),
            "functions": dict(sorted(self.describer.functions.items())),
            "homes": dict(sorted(self.describer.homes.items())),
        }

    def describe_module(self, name: str, reexports: bool) -> None:
        info = self.source.module(name)
        if info is None or name in self.modules:
            return
        names = {}
        for public in self.describer.public_names(info, reexports):
            entry = self.describer.describe_name(info, public)
            if entry is not None:
                names[public] = entry
        module: dict[str, Any] = {"package": info.package, "names": names}
        if info.all is not None:
            module["all"] = [n for n in info.all if n in names]
        requires = self.requires(name)
        if requires:
            module["requires"] = requires
        self.modules[name] = module

    def homes_of_definitions(self, facades: list[str]) -> list[str]:
        """The modules that define what the facades (wandb, wandb.plot, ...) publish, and their
        packages, so `from wandb.sdk.data_types.image import Image` resolves too (helpers that
        a submodule happens to import do not count)."""
        refs = {entry["ref"] for name in facades for entry in self.modules[name]["names"].values()
                if entry["kind"] in ("class", "function")}
        found: list[str] = []
        for module in sorted({ref.rpartition(".")[0] for ref in refs}):
            parts = module.split(".")
            for end in range(2, len(parts) + 1):
                parent = ".".join(parts[:end])
                if parent not in found and not any(p.startswith("_") or p in SKIPPED_PARTS for p in parts[1:end]):
                    found.append(parent)
        return found

    def requires(self, name: str) -> list[str]:
        """Third-party packages that loading `name` imports: its own, its packages', and those
        of the wandb modules it imports, in import order."""
        if name not in self._requires:
            self._requires[name] = self._closure(name, set())
        return self._requires[name]

    def _closure(self, name: str, seen: set[str]) -> list[str]:
        if name in seen:
            return []
        seen.add(name)
        out: list[str] = []
        parts = name.split(".")
        chain = [".".join(parts[:end]) for end in range(1, len(parts))]
        info = self.source.module(name)
        for dependency in [*chain, *(info.loads if info else [])]:
            if dependency.split(".")[0] == "wandb":
                found = self._closure(self._nearest_module(dependency), seen)
            else:
                found = [dependency.split(".")[0]] if self._third_party(dependency.split(".")[0]) else []
            out.extend(p for p in found if p not in out)
        return out

    def _nearest_module(self, name: str) -> str:
        """`from wandb.a.b import C` imports module wandb.a.b, or wandb.a when b is a name."""
        while name and not self.source.exists(name):
            name = name.rpartition(".")[0]
        return name or "wandb"

    def _third_party(self, package: str) -> bool:
        return (package not in self.located.stdlib and package not in self.located.dependencies
                and package not in ("wandb", "__future__"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python spec/tools/wandb_api.py", description=__doc__.splitlines()[0])
    parser.add_argument("--python", required=True, help="an interpreter with a real wandb installed")
    parser.add_argument("--out", default="conformance/worker/wandb_api.json")
    args = parser.parse_args(argv)
    command = "python spec/tools/wandb_api.py --python " + shlex.quote(args.python) + " --out " + shlex.quote(args.out)
    manifest = Manifest(locate(args.python)).build(command)
    text = json.dumps(manifest, indent=None, separators=(",", ":"), ensure_ascii=False, sort_keys=False)
    Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(f"{args.out}: wandb {manifest['wandb_version']}, {len(manifest['modules'])} modules, "
          f"{len(manifest['classes'])} classes, {len(manifest['functions'])} functions, "
          f"{len(text.encode()) // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
