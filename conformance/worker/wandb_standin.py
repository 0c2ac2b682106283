"""A stand-in `wandb` for documentation examples, built from a real release's public API.

Documentation examples use far more of wandb than `Image`: tables, histograms, artifacts,
`wandb.plot`, the public `Api`, framework callbacks. An example that fails only because the
sandbox lacks such a name is a false finding, and one that calls an API wrongly (a misspelt
keyword, a name wandb does not have) is a real one. So every name, class, method and
signature here comes from wandb_api.json (written from an installed release by
spec/tools/wandb_api.py): calls are bound against the real signatures, unknown names raise
UnknownAPI with the closest real name, and what only the W&B service could return is an
opaque value that refuses, with StandInLimit, anything that would need its contents.
`wandb.Image` is the implementation under test; `log` hands what is logged to a callback.
Nothing here touches the network or the file system. Standard library only: it runs in the
worker's interpreter (tests/worker/test_boundary.py).
"""

from __future__ import annotations

import ast
import builtins
import difflib
import enum
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import json
import sys
import types
from collections.abc import Mapping
from importlib import resources
from typing import Any, Callable, Dict, List, Optional, Tuple

MANIFEST = "wandb_api.json"
MAX_ORIGIN = 160  # characters of an opaque value's history kept for messages
NAME_CUTOFF = 0.8  # difflib ratio for "did you mean" on names
KEYWORD_CUTOFF = 0.6  # ... and on keywords
KINDS = {"po": inspect.Parameter.POSITIONAL_ONLY, "pk": inspect.Parameter.POSITIONAL_OR_KEYWORD,
         "vp": inspect.Parameter.VAR_POSITIONAL, "ko": inspect.Parameter.KEYWORD_ONLY,
         "vk": inspect.Parameter.VAR_KEYWORD}
OnLog = Callable[[dict, Optional[int], Optional[bool]], None]


class StandInLimit(Exception):
    """An operation on a value only the W&B service could supply (the sandbox has none)."""


class UnknownAPI(AttributeError):
    """A name the wandb release the manifest describes does not have."""

    def __init__(self, name: str, owner: str, suggestion: Optional[str], version: str) -> None:
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        super().__init__(f"{owner} has no attribute {name!r} (not in the public API of wandb {version}{hint})")
        self.name = name
        self.owner = owner
        self.suggestion = suggestion
        self.version = version


class APISignatureError(TypeError):
    """A call that does not fit the real signature."""

    def __init__(self, message: str, owner: str, keyword: Optional[str], suggestion: Optional[str]) -> None:
        super().__init__(message)
        self.owner = owner
        self.keyword = keyword
        self.suggestion = suggestion


def load_manifest() -> dict:
    """The manifest shipped beside this module."""
    return json.loads(resources.files(__package__).joinpath(MANIFEST).read_text(encoding="utf-8"))


def _closest(word: str, candidates: Any, cutoff: float) -> Optional[str]:
    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=cutoff)
    return found[0] if found else None


def _clip(origin: str) -> str:
    return origin if len(origin) <= MAX_ORIGIN else "…" + origin[-(MAX_ORIGIN - 1):]


def _short(value: Any) -> str:
    text = repr(value) if isinstance(value, (str, int, float, bool, type(None))) else "..."
    return text if len(text) <= 40 else text[:39] + "…"


# -- opaque values ---------------------------------------------------------------------------

#: Operations that need a real value, and how a message names them.
LIMITED = {
    "__iter__": "iterating over (or unpacking)", "__len__": "len() of", "__contains__": "`in` on",
    "__reversed__": "reversed() of", "__int__": "int() of", "__float__": "float() of",
    "__complex__": "complex() of", "__index__": "using as an index", "__round__": "round() of",
    "__fspath__": "using as a file path", "__lt__": "comparing", "__le__": "comparing", "__gt__": "comparing",
    "__ge__": "comparing", "__eq__": "comparing", "__ne__": "comparing", "__neg__": "arithmetic on",
    "__pos__": "arithmetic on", "__abs__": "arithmetic on", "__invert__": "arithmetic on",
    **{f"__{r}{op}__": "arithmetic on" for op in ("add", "sub", "mul", "matmul", "truediv", "floordiv", "mod",
                                                  "pow", "and", "or", "xor", "lshift", "rshift", "divmod")
       for r in ("", "r")},
}


def limit(operation: str, origin: str) -> StandInLimit:
    return StandInLimit(f"{LIMITED.get(operation, operation)} {origin} needs a value only the W&B service "
                        "could supply; the docs sandbox's stand-in wandb has none")


def _limited(operation: str) -> Callable[..., Any]:
    def refuse(self: Any, *_args: Any) -> Any:
        raise limit(operation, _origin(self))

    refuse.__name__ = operation
    return refuse


class Opaque:
    """A value only the service could give (a download, a fetched run, an artifact's entry):
    it can be passed along, called and looked into, never used as data."""

    __slots__ = ("_standin_origin",)
    _standin_origin: str

    def __init__(self, origin: str) -> None:
        object.__setattr__(self, "_standin_origin", _clip(origin))

    def __getattr__(self, name: str) -> Opaque:
        if name.startswith("__"):
            raise AttributeError(name)
        return Opaque(f"{self._standin_origin}.{name}")

    def __setattr__(self, name: str, value: Any) -> None:
        """Accepted and dropped: what the example sets would only be sent to the service."""

    def __call__(self, *_args: Any, **_kwargs: Any) -> Opaque:
        return Opaque(f"{self._standin_origin}(...)")

    def __getitem__(self, key: Any) -> Opaque:
        return Opaque(f"{self._standin_origin}[{_short(key)}]")

    def __setitem__(self, key: Any, value: Any) -> None:
        """Accepted and dropped, like attributes."""

    def __enter__(self) -> Opaque:
        return self

    def __exit__(self, *_exc: Any) -> None:
        return None

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"<wandb stand-in: {self._standin_origin}, a value only the W&B service could supply>"

    __str__ = __repr__
    __hash__ = object.__hash__

    def __format__(self, spec: str) -> str:
        if spec:
            raise limit(f"formatting with {spec!r}", self._standin_origin)
        return repr(self)


for _operation in LIMITED:
    setattr(Opaque, _operation, _limited(_operation))


def _origin(obj: Any) -> str:
    if isinstance(obj, Opaque):
        return obj._standin_origin
    found = getattr(obj, "__dict__", {}).get("_standin_origin")
    return found or f"{getattr(type(obj), '_standin_home', type(obj).__name__)}(...)"


# -- instances of wandb's classes ------------------------------------------------------------


class StandInType(type):
    """The metaclass of stand-in classes: an unknown class attribute is an UnknownAPI."""

    def __getattr__(cls, name: str) -> Any:
        if name.startswith(("__", "_standin")) or not any("_standin_api" in k.__dict__ for k in cls.__mro__):
            raise AttributeError(name)
        raise cls._standin_api.unknown(name, cls._standin_home, cls._standin_names())


class StandInObject(metaclass=StandInType):
    """Base of every stand-in class: keeps how it was made, answers known instance
    attributes with opaque values and unknown ones with UnknownAPI."""

    _standin_api: StandIn
    _standin_home = "wandb"
    _standin_ref = ""

    def __init__(self, *_args: Any, **_kwargs: Any) -> None:
        self.__dict__["_standin_origin"] = f"{self._standin_home}(...)"

    def __getattr__(self, name: str) -> Any:
        if name.startswith(("__", "_standin")):
            raise AttributeError(name)
        cls = type(self)
        if cls._standin_open() or name in cls._standin_names():
            return Opaque(f"{_origin(self)}.{name}")
        raise cls._standin_api.unknown(name, cls._standin_home, cls._standin_names())

    def __repr__(self) -> str:
        return f"<wandb stand-in {self._standin_home} object from {_origin(self)}>"

    @classmethod
    def _standin_names(cls) -> List[str]:
        names: List[str] = []
        for klass in cls.__mro__:
            desc = cls._standin_api.classes.get(getattr(klass, "_standin_ref", ""), {})
            names += [*desc.get("methods", ()), *desc.get("attributes", ())]
        return names

    @classmethod
    def _standin_open(cls) -> bool:
        """A class that defines __getattr__, or whose bases are outside wandb (a framework's
        callback), may have attributes the manifest cannot list."""
        api = cls._standin_api
        for klass in cls.__mro__:
            desc = api.classes.get(getattr(klass, "_standin_ref", ""), {})
            if desc.get("dynamic") or any(not _known_base(b, api.classes) for b in desc.get("bases", ())):
                return True
        return False


def _known_base(base: str, classes: dict) -> bool:
    return base in classes or base.split(".", maxsplit=1)[0] in (
        "builtins", "abc", "typing", "enum", "typing_extensions")


def _literal(text: Optional[str]) -> Tuple[bool, Any]:
    if text is None:
        return False, None
    try:
        return True, ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False, None


class _Default:
    """A parameter's default as the manifest writes it (its source text)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def signature(params: List[list]) -> inspect.Signature:
    """The real signature, or `(*args, **kwargs)` when the manifest's cannot be rebuilt."""
    try:
        return inspect.Signature([
            inspect.Parameter(name, KINDS[kind], default=inspect.Parameter.empty if text is None else _Default(text))
            for name, kind, text in params])
    except (ValueError, KeyError):
        return inspect.Signature([inspect.Parameter("args", KINDS["vp"]), inspect.Parameter("kwargs", KINDS["vk"])])


class Callee:
    """A function or method of the manifest: its owner's name for messages and its
    signature, rebuilt on first call."""

    def __init__(self, owner: str, params: List[list]) -> None:
        self.owner = owner
        self.params = params
        self._signature: Optional[inspect.Signature] = None

    def bind(self, args: tuple, kwargs: dict) -> Dict[str, Any]:
        if self._signature is None:
            self._signature = signature(self.params)
        parameters = self._signature.parameters.values()
        if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
            named = [p.name for p in parameters if p.kind in (KINDS["pk"], KINDS["ko"])]
            for keyword in kwargs:
                if keyword not in named:
                    suggestion = _closest(keyword, named, KEYWORD_CUTOFF)
                    hint = f"; did you mean {suggestion!r}?" if suggestion else ""
                    raise APISignatureError(f"{self.owner}() got an unexpected keyword argument {keyword!r}{hint}",
                                            self.owner, keyword, suggestion)
        try:
            return dict(self._signature.bind(*args, **kwargs).arguments)
        except TypeError as exc:
            raise APISignatureError(f"{self.owner}(): {exc}", self.owner, None, None) from None


# -- modules ---------------------------------------------------------------------------------


class StandInModule(types.ModuleType):
    """A wandb module: names are made from the manifest on first use."""

    _standin_api: StandIn

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        return self._standin_api.module_attribute(self, name)


class LazyModule(types.ModuleType):
    """`wandb.keras` and the like: real wandb imports the target on first attribute use."""

    def __init__(self, local: str, target: str, parent: types.ModuleType) -> None:
        super().__init__(local)
        self._standin_target = target
        self._standin_parent = parent

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        module = importlib.import_module(self._standin_target)
        sys.modules[self.__name__] = module
        setattr(self._standin_parent, self.__name__.rpartition(".")[2], module)
        return getattr(module, name)


class PreInit:
    """`wandb.config` before `wandb.init()`: real wandb raises wandb.Error on any use."""

    def __init__(self, shown: str, error: type) -> None:
        object.__setattr__(self, "_shown", shown)
        object.__setattr__(self, "_error", error)

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        raise self._error(f"You must call wandb.init() before {self._shown}.{key}")

    def __setattr__(self, key: str, value: Any) -> None:
        raise self._error(f"You must call wandb.init() before {self._shown}.{key}")

    def __getitem__(self, key: Any) -> Any:
        raise self._error(f"You must call wandb.init() before {self._shown}[{key!r}]")

    def __setitem__(self, key: Any, value: Any) -> None:
        raise self._error(f"You must call wandb.init() before {self._shown}[{key!r}]")


class AttrDict(dict):
    """`run.config` and `run.summary`: a dict with attribute access and wandb's update."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(f"{type(self)!r} object has no attribute {key!r}") from None

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value

    def update(self, d: Any = None, allow_val_change: Optional[bool] = None) -> None:  # type: ignore[override]
        super().update(_config_dict(d))

    def setdefaults(self, d: Any) -> None:
        for key, value in _config_dict(d).items():
            self.setdefault(key, value)

    def as_dict(self) -> dict:
        return dict(self)


def _config_dict(value: Any) -> dict:
    """What wandb's parse_config takes: a mapping, or an object's attributes (argparse)."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return dict(value)
    return dict(vars(value)) if hasattr(value, "__dict__") else {}


# -- the stand-in ----------------------------------------------------------------------------


class StandIn(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """The stand-in `wandb` package: its modules, classes and functions, made on first use."""

    def __init__(self, image_class: type, on_log: OnLog, manifest: dict,
                 companions: Optional[Dict[str, type]] = None) -> None:
        self.image_class = image_class
        self.companions = dict(companions or {})
        self.on_log = on_log
        self.version = str(manifest.get("wandb_version"))
        self.modules: Dict[str, dict] = manifest["modules"]
        self.classes: Dict[str, dict] = manifest["classes"]
        self.functions: Dict[str, dict] = manifest["functions"]
        self.homes: Dict[str, str] = manifest.get("homes", {})
        top = self.modules["wandb"]["names"]
        self.refs = {name: entry.get("ref") for name, entry in top.items()}
        self.run: Any = None
        self._classes: Dict[str, type] = {}
        self._saved: Dict[str, Any] = {}
        self.module = self.make_module("wandb")

    # -- import machinery --

    def install(self, keep_loaded: bool = False) -> None:
        """sys.modules["wandb"] is the stand-in, and `import wandb.x` finds its modules.
        `keep_loaded`: the implementation under test is a real wandb, whose code imports its
        own submodules as it runs; those already loaded stay real."""
        self._saved = {n: m for n, m in sys.modules.items() if n == "wandb" or n.startswith("wandb.")}
        for name in self._saved:
            if name == "wandb" or not keep_loaded:
                del sys.modules[name]
        sys.modules["wandb"] = self.module
        sys.meta_path.insert(0, self)

    def uninstall(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        for name in [n for n in sys.modules if n == "wandb" or n.startswith("wandb.")]:
            del sys.modules[name]
        sys.modules.update(self._saved)

    def find_spec(self, fullname: str, path: Any = None,
                  target: Any = None) -> Optional[importlib.machinery.ModuleSpec]:
        if fullname != "wandb" and not fullname.startswith("wandb."):
            return None
        if fullname not in self.modules:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return importlib.machinery.ModuleSpec(fullname, self, is_package=self.modules[fullname]["package"])

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return self.module if spec.name == "wandb" else self.make_module(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: names are made on first use."""

    def make_module(self, name: str) -> StandInModule:
        """The module, or the ModuleNotFoundError the real import raises when a framework it
        imports at load (tensorflow, lightning, ...) is not installed here."""
        entry = self.modules[name]
        for package in entry.get("requires", ()):
            if package not in sys.modules and importlib.util.find_spec(package) is None:
                raise ModuleNotFoundError(f"No module named {package!r}", name=package)
        module = StandInModule(name, f"Stand-in for {name} (wandb {self.version}), for documentation examples.")
        module._standin_api = self
        module.__spec__ = importlib.machinery.ModuleSpec(name, self, is_package=entry["package"])
        module.__loader__ = self
        if entry["package"]:
            module.__path__ = []
        if "all" in entry:
            module.__all__ = list(entry["all"])  # type: ignore[attr-defined]
        if name == "wandb":
            module.__version__ = self.version  # type: ignore[attr-defined]
        return module

    def unknown(self, name: str, owner: str, candidates: Any) -> UnknownAPI:
        return UnknownAPI(name, owner, _closest(name, candidates, NAME_CUTOFF), self.version)

    def module_attribute(self, module: types.ModuleType, name: str) -> Any:
        names = self.modules[module.__name__]["names"]
        if name not in names:
            submodule = f"{module.__name__}.{name}"
            if submodule in self.modules:
                return importlib.import_module(submodule)
            prefix = module.__name__ + "."
            children = [m[len(prefix):] for m in self.modules if m.startswith(prefix) and "." not in m[len(prefix):]]
            raise self.unknown(name, module.__name__, [*names, *children])
        value = self.value(module, name, names[name])
        setattr(module, name, value)
        return value

    def value(self, module: types.ModuleType, name: str, entry: dict) -> Any:
        shown = f"{module.__name__}.{name}"
        if "run_method" in entry:
            return self.preinit_callable(entry) if self.run is None else getattr(self.run, entry["run_method"])
        if "preinit" in entry:
            return PreInit(entry["preinit"], self.error_class()) if self.run is None else getattr(self.run, name)
        kind, ref = entry["kind"], entry.get("ref", "")
        if kind == "class" and ref in self.classes:
            return self.stand_in_class(ref)
        if kind == "function" and ref in self.functions:
            return self.function(ref, shown)
        if kind == "module" and ref in self.modules:
            return importlib.import_module(ref)
        if kind == "lazy_module" and ref in self.modules:
            return LazyModule(shown, ref, module)
        if entry.get("instance_of") in self.classes:
            return self.instance(entry["instance_of"], shown)
        known, literal = _literal(entry.get("value"))
        return literal if known else Opaque(shown)

    # -- functions --

    def function(self, ref: str, shown: str) -> Callable[..., Any]:
        desc = self.functions[ref]
        callee = Callee(self.homes.get(ref, shown), desc["params"])
        behaviour = {self.refs.get("init"): self._init, self.refs.get("finish"): self._finish,
                     self.refs.get("login"): lambda _arguments: True}.get(ref)

        def call(*args: Any, **kwargs: Any) -> Any:
            arguments = callee.bind(args, kwargs)
            return behaviour(arguments) if behaviour else self.result(desc, f"{callee.owner}(...)")

        call.__name__ = call.__qualname__ = ref.rpartition(".")[2]
        call.__module__ = ref.rpartition(".")[0]
        return call

    def preinit_callable(self, entry: dict) -> Callable[..., Any]:
        error = self.error_class()

        def preinit(*_args: Any, **_kwargs: Any) -> Any:
            raise error(f"You must call wandb.init() before {entry['preinit']}()")

        preinit.__name__ = entry["preinit"]
        return preinit

    def error_class(self) -> type:
        ref = self.refs.get("Error")
        return self.stand_in_class(ref) if ref in self.classes else RuntimeError

    def result(self, desc: dict, origin: str) -> Any:
        """What a call returns: an instance of the annotated class, None, or an opaque value."""
        cls = desc.get("returns_class")
        if cls in self.classes:
            return self.instance(cls, origin)
        return None if desc.get("returns") == "None" else Opaque(origin)

    def instance(self, ref: str, origin: str) -> Any:
        """An object of a wandb class made by the service (not by its constructor)."""
        cls = self.stand_in_class(ref)
        if cls is self.image_class or not issubclass(cls, StandInObject):
            return Opaque(origin)
        obj = cls.__new__(cls)
        obj.__dict__["_standin_origin"] = _clip(origin)
        return obj

    # -- classes --

    def stand_in_class(self, ref: str) -> type:
        if ref == self.refs.get("Image"):
            return self.image_class
        for name, cls in self.companions.items():
            if ref == self.refs.get(name):
                return cls
        if ref not in self._classes:
            self._classes[ref] = self.make_class(ref)
        return self._classes[ref]

    def make_class(self, ref: str) -> type:
        desc = self.classes[ref]
        home = self.homes.get(ref, ref)
        members = {n: v for n, (ok, v) in ((n, _literal(t)) for n, t in desc.get("attributes", {}).items()) if ok}
        if members and any(b.startswith("enum.") for b in desc["bases"]):
            return enum.Enum(desc["name"], members, module=desc["module"])  # type: ignore[return-value]
        bases = [self.stand_in_class(b) for b in desc["bases"] if b in self.classes]
        bases = [b for b in bases if isinstance(b, StandInType)]
        bases += [getattr(builtins, b[9:]) for b in desc["bases"] if b.startswith("builtins.")
                  and isinstance(getattr(builtins, b[9:], None), type)
                  and issubclass(getattr(builtins, b[9:]), BaseException)]
        if not any(issubclass(b, StandInObject) for b in bases):
            bases.append(StandInObject)
        namespace: Dict[str, Any] = {"__module__": desc["module"], "__qualname__": desc["name"], "_standin_ref": ref,
                                     "_standin_home": home, "_standin_api": self,
                                     "__doc__": f"Stand-in for {home} (wandb {self.version})."}
        if "init" in desc:
            namespace["__init__"] = self.constructor(ref, home, desc["init"])
        for name, method in desc.get("methods", {}).items():
            namespace[name] = self.member(ref, home, name, method)
        for name, text in desc.get("attributes", {}).items():
            known, literal = _literal(text)
            if known and name not in namespace:
                namespace[name] = literal
        for special in desc.get("special", ()):
            if special in SPECIALS:
                namespace[special] = self.special(ref, special)
        return StandInType(desc["name"], tuple(_mro_order(bases)), namespace)

    def behaviour(self, ref: str, name: str) -> Optional[Callable[..., Any]]:
        """What a few classes do for real (Table's rows, the run's log), keyed by their
        public name so a manifest of another release finds them too."""
        for public, table in (("Table", TABLE), ("Run", RUN)):
            if self.refs.get(public) == ref and name in table:
                return table[name]
        return None

    def constructor(self, ref: str, home: str, params: List[list]) -> Callable[..., None]:
        callee = Callee(home, params)
        behaviour = self.behaviour(ref, "__init__")

        def __init__(obj: Any, *args: Any, **kwargs: Any) -> None:
            arguments = callee.bind(args, kwargs)
            if isinstance(obj, BaseException):
                BaseException.__init__(obj, *args)
            obj.__dict__["_standin_origin"] = f"{home}(...)"
            obj.__dict__["_standin_args"] = arguments
            if behaviour:
                behaviour(self, obj, arguments)

        return __init__

    def special(self, ref: str, name: str) -> Callable[..., Any]:
        behaviour = self.behaviour(ref, name)
        if behaviour is None:
            return SPECIALS[name]
        return lambda obj, *args: behaviour(self, obj, {"args": args})

    def member(self, ref: str, home: str, name: str, desc: dict) -> Any:
        kind = desc.get("kind", "method")
        behaviour = self.behaviour(ref, name)
        if kind == "property":
            def getter(obj: Any) -> Any:
                if f"_standin_set_{name}" in obj.__dict__:
                    return obj.__dict__[f"_standin_set_{name}"]
                return behaviour(self, obj, {}) if behaviour else self.result(desc, f"{_origin(obj)}.{name}")

            def setter(obj: Any, value: Any) -> None:
                obj.__dict__[f"_standin_set_{name}"] = value

            return property(getter, setter if desc.get("setter") else None)
        callee = Callee(f"{home}.{name}", desc.get("params", []))

        def method(obj: Any, *args: Any, **kwargs: Any) -> Any:
            arguments = callee.bind(args, kwargs)
            if behaviour:
                return behaviour(self, obj, arguments)
            owner = obj._standin_home if isinstance(obj, type) else _origin(obj)  # type: ignore[attr-defined]  # set on every class it makes
            return self.result(desc, f"{owner}.{name}(...)")

        method.__name__ = name
        if kind == "staticmethod":
            return staticmethod(lambda *args, **kwargs: method(self.stand_in_class(ref), *args, **kwargs))
        return classmethod(method) if kind == "classmethod" else method

    # -- the run --

    def _init(self, arguments: Dict[str, Any]) -> Any:
        if self.run is not None:
            self.run.finish()
        run = self.instance(self.refs["Run"], "run") if self.refs.get("Run") in self.classes else Opaque("run")
        run.__dict__.update(_standin_config=AttrDict(_config_dict(arguments.get("config"))),
                            summary=AttrDict(), _standin_finished=False)
        self.run = run
        self._set_globals(run)
        return run

    def start_run(self) -> Any:
        """A run as if the reader had called wandb.init() before the page's code: pages log,
        read wandb.run and use run.config on a run they started off the page."""
        return self._init({})

    def _finish(self, _arguments: Dict[str, Any]) -> None:
        if self.run is not None:
            self.run.finish()

    def _set_globals(self, run: Any) -> None:
        """What wandb.init() and run.finish() change in the wandb module (sdk/lib/module.py)."""
        for name, entry in self.modules["wandb"]["names"].items():
            if name == "run" or "preinit" in entry or "run_method" in entry:
                self.module.__dict__.pop(name, None)
        self.module.__dict__["run"] = run

    def finished(self, run: Any) -> None:
        if self.run is run:
            self.run = None
            self._set_globals(None)


def _mro_order(bases: List[type]) -> List[type]:
    """Bases without one that another already derives from (a consistent MRO)."""
    return [b for b in bases if not any(o is not b and issubclass(o, b) for o in bases)]


# -- what a few classes do -------------------------------------------------------------------


SPECIALS: Dict[str, Callable[..., Any]] = {
    "__iter__": _limited("__iter__"),
    "__len__": _limited("__len__"),
    "__contains__": _limited("__contains__"),
    "__getitem__": lambda obj, key: Opaque(f"{_origin(obj)}[{_short(key)}]"),
    "__setitem__": lambda obj, key, value: None,
    "__call__": lambda obj, *args, **kwargs: Opaque(f"{_origin(obj)}(...)"),
    "__enter__": lambda obj: obj,
    "__exit__": lambda obj, *exc: None,
}


def _is_frame(value: Any) -> bool:
    return hasattr(value, "columns") and hasattr(value, "itertuples")


def _table_init(api: StandIn, table: Any, arguments: Dict[str, Any]) -> None:
    """wandb's defaults: columns Input/Output/Expected, rows from data, rows or a DataFrame."""
    frame = arguments.get("dataframe")
    frame = arguments.get("data") if frame is None and _is_frame(arguments.get("data")) else frame
    columns = arguments.get("columns")
    rows: Any
    if frame is not None:
        columns, rows = list(frame.columns), [list(r) for r in frame.itertuples(index=False)]
    else:
        rows = arguments.get("data") if arguments.get("data") is not None else arguments.get("rows") or []
    table.columns = list(columns) if columns is not None else ["Input", "Output", "Expected"]
    table.data = []
    for row in rows:
        _table_add_data(api, table, {"data": tuple(row)})


def _table_add_data(_api: StandIn, table: Any, arguments: Dict[str, Any]) -> None:
    data = arguments.get("data", arguments.get("row", ()))
    if len(data) != len(table.columns):
        raise ValueError(f"This table expects {len(table.columns)} columns: {table.columns}, found {len(data)}")
    table.data.append(list(data))


def _table_add_column(_api: StandIn, table: Any, arguments: Dict[str, Any]) -> None:
    name, data = arguments["name"], list(arguments["data"])
    assert isinstance(name, str) and name not in table.columns
    assert not table.columns or len(data) == len(table.data), f"Expected length {len(table.data)}, found {len(data)}"
    if not table.columns:
        table.data = [[] for _ in data]
    for row, value in zip(table.data, data):
        row.append(value)
    table.columns.append(name)


def _table_get_column(_api: StandIn, table: Any, arguments: Dict[str, Any]) -> Any:
    name, convert_to = arguments["name"], arguments.get("convert_to")
    assert name in table.columns
    assert convert_to is None or convert_to == "numpy"
    column = [row[table.columns.index(name)] for row in table.data]
    return importlib.import_module("numpy").array(column) if convert_to == "numpy" else column


TABLE = {"__init__": _table_init, "add_data": _table_add_data, "add_row": _table_add_data,
         "add_column": _table_add_column, "get_column": _table_get_column}


def _run_log(api: StandIn, run: Any, arguments: Dict[str, Any]) -> None:
    data = arguments.get("data")
    if not isinstance(data, Mapping):
        raise TypeError("wandb.log must be passed a dictionary")
    if any(not isinstance(key, str) for key in data):
        raise TypeError("Key values passed to `wandb.log` must be strings.")
    api.on_log(dict(data), arguments.get("step"), arguments.get("commit"))


def _run_finish(api: StandIn, run: Any, _arguments: Dict[str, Any]) -> None:
    run.__dict__["_standin_finished"] = True
    api.finished(run)


def _run_config(_api: StandIn, run: Any, _arguments: Dict[str, Any]) -> AttrDict:
    return run.__dict__.setdefault("_standin_config", AttrDict())


RUN = {"log": _run_log, "finish": _run_finish, "config": _run_config, "__exit__": _run_finish}


def build(image_class: type, on_log: OnLog, manifest: Optional[dict] = None,
          companions: Optional[Dict[str, type]] = None) -> StandIn:
    """The stand-in wandb around `image_class`; `on_log(data, step, commit)` gets each log.
    `companions` are the implementation's own classes that go with its Image (BoundingBoxes2D,
    ImageMask, Classes): wandb.X is then theirs, so what a page builds with them reaches the
    Image under test as the implementation expects."""
    return StandIn(image_class, on_log, load_manifest() if manifest is None else manifest, companions)
