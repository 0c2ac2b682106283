"""Wrapping wandb.Image in the user's process, without changing the user's code.

The class itself is left in place (so `isinstance`, subclasses and wandb's own type checks see
exactly what they saw before): only its `__init__` is replaced by one that records the input
and then calls the original `__init__` with the same arguments, whose result and exceptions
are the call's. The wrap happens when wandb's image module is imported (an import hook on
`sys.meta_path`), or at once if it already is, so any wandb release that defines
`wandb.Image`, 0.19 to 0.31, is captured the same way.

A call site is the first frame, walking out from the constructor, that belongs neither to
wandb nor to this agent: the user's `file:line`, also when wandb builds an Image on the user's
behalf. Only `mode`, `normalize` and `file_type` are recorded by value: they are all that
decide the pixels. Captions, groupings, classes, boxes and masks can hold private text (names,
labels, file names) and never change the pixels, so only their presence is recorded.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from typing import TYPE_CHECKING, Any, cast

from . import describe
from .record import Recorder, Site

if TYPE_CHECKING:
    import inspect
    from types import FrameType

#: The modules that define or export the Image class across releases.
WATCHED = ("wandb", "wandb.sdk.data_types.image", "wandb.data_types")
#: The arguments recorded by value (they decide the pixels).
PIXEL_ARGUMENTS = ("mode", "normalize", "file_type")
_ORIGINAL = "__wbimage_capture_original_init__"
_AGENT_PACKAGE = __name__.rpartition(".")[0]
_state = threading.local()


class _Reporting:
    """Where the wrapped constructors report: a recorder, or None (they only call the original)."""

    recorder: Recorder | None = None


_sites: dict[tuple[Any, int], Site] = {}


def _is_ours_or_wandbs(frame: Any) -> bool:
    name = frame.f_globals.get("__name__", "") or ""
    return name == "wandb" or name.startswith(("wandb.", _AGENT_PACKAGE))


def call_site() -> Site:
    """The user's frame that (directly or through wandb) built the Image."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and _is_ours_or_wandbs(frame):
        frame = frame.f_back
    if frame is None:
        return Site("<wandb>", 0, "<module>")
    where = (frame.f_code, frame.f_lineno)
    site = _sites.get(where)
    if site is None:  # a Site hashes its key for its folder name: made once per line
        site = _sites.setdefault(where, Site(frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name))
    return site


def _arguments(signature: inspect.Signature, args: tuple, kwargs: dict[str, Any]) -> dict[str, Any] | None:
    """The arguments the call gave, by name, or None when they do not fit (the original then
    raises, as it would have)."""
    import inspect

    try:
        bound = signature.bind(None, *args, **kwargs)
    except TypeError:
        return None
    named = dict(bound.arguments)
    for name, parameter in signature.parameters.items():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            named.update(named.pop(name, {}))
    return named


def _pixel_arguments(signature: inspect.Signature, given: dict[str, Any]) -> dict[str, Any]:
    """mode, normalize and file_type as the release sees them: given, else its default."""
    import inspect

    values = {}
    for name in PIXEL_ARGUMENTS:
        parameter = signature.parameters.get(name)
        if name in given:
            values[name] = describe.simple(given[name])
        elif parameter is not None and parameter.default is not inspect.Parameter.empty:
            values[name] = describe.simple(parameter.default)
    return values


def _record(recorder: Recorder, signature: inspect.Signature, args: tuple, kwargs: dict[str, Any]) -> None:
    site = call_site()
    if recorder.counted_if_full(site):
        return
    named = _arguments(signature, args, kwargs)
    if named is None:
        return
    parameters = list(signature.parameters)
    named.pop(parameters[0], None)
    value = named.pop(parameters[1], None) if len(parameters) > 1 else None
    others: list[str] = sorted(name for name in named if name not in PIXEL_ARGUMENTS)
    given = [name for name in PIXEL_ARGUMENTS if name in named]
    recorder.record(site, value, _pixel_arguments(signature, named), others, given)


def wrap(cls: Any) -> None:
    """Make every construction of `cls` report its input to the current recorder first (once
    per class)."""
    import inspect  # here, not at the top: every interpreter of the program loads this module

    if not isinstance(cls, type) or _ORIGINAL in cls.__dict__:
        return
    target: Any = cls  # its __init__ is replaced on purpose: the class stays the class
    original = target.__init__
    signature = inspect.signature(original)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> Any:
        recorder = _Reporting.recorder
        if recorder is None or getattr(_state, "inside", False):  # an Image built while another is: the
            return original(self, *args, **kwargs)                   # outer one is the user's call
        _state.inside = True
        try:
            # never let capture change what the program sees (the recorder counts its own
            # failures; this is a frame or a signature that could not be read)
            with contextlib.suppress(Exception):
                _record(recorder, signature, args, kwargs)
            return original(self, *args, **kwargs)
        finally:
            _state.inside = False

    __init__.__wrapped__ = original  # type: ignore[attr-defined]
    __init__.__doc__ = original.__doc__
    setattr(target, _ORIGINAL, original)
    target.__init__ = __init__


def wrap_loaded() -> None:
    """Wrap the Image class of every watched module already imported."""
    for name in WATCHED:
        module = sys.modules.get(name)
        image = getattr(module, "Image", None) if module is not None else None
        if image is not None:
            wrap(image)


class _WrappingLoader:
    """Loads a watched module with its own loader, then wraps its Image class."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._loader.exec_module(module)
        wrap_loaded()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


class WandbWatcher:
    """Finds the watched modules through the other finders and hands back a wrapping loader."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name not in WATCHED:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = cast(Any, _WrappingLoader(spec.loader))
                return spec
        return None


def install(recorder: Recorder | None) -> None:
    """Report to `recorder` from now on (None: stop reporting); wrap wandb.Image now if it is
    imported, else when it is."""
    _Reporting.recorder = recorder
    if not any(isinstance(finder, WandbWatcher) for finder in sys.meta_path):
        sys.meta_path.insert(0, WandbWatcher())
    wrap_loaded()
