"""The in-worker adapter protocol, and the one function that drives an adapter for a request.

An adapter is what stands between the suite and one implementation inside a worker. It has:

- `name` (str), `version` (str or None), `display` (how a reproduction names the class,
  e.g. "reference.Image"), `capabilities` (a set of protocol capability names);
- `make_image(data, kwargs)` -> the implementation's Image;
- `observe(image)` -> an `Observation` of that Image (pixels, mode, size, format, encoded,
  caption, grouping);
- `to_uint8(data)`, `guess_mode(data, kwargs)`, `all_captions(images)`, `attribute(name)`
  and `signature()` -> the plain return value (signature: a list of [name, default]);
- optionally `all_boxes(images, kwargs)` and `all_masks(images, kwargs)` -> the return value
  with each file reference read back (see run_files.py; kwargs may give run_key and step).
  An adapter without them has those cases skipped.

Adapter methods just call and return, or raise what the implementation raised; `perform`
turns that into an Observation. An adapter that wants to tell the report something (how it
had to call a method, a keyword the class lacks) issues an `AdapterNote` warning. An adapter
that cannot express a documented call in its implementation's API at all (a keyword or a
method the implementation has no counterpart for) raises `Unmappable` with the reason: the
case is reported skipped, not failed.

Worker-side: standard library and NumPy only.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from typing import Any, Callable, Dict, List, Optional

from wbimage_conformance.worker.inputs import Skip
from wbimage_conformance.worker.observation import Observation


class AdapterNote(UserWarning):
    """A remark an adapter attaches to the observation of the current request."""


class Unmappable(Skip):
    """The documented call has no counterpart in the implementation; the message says why.
    The worker reports the case skipped with that reason (also when it happens while
    building an Image that the case passes in)."""


def error_observation(exc: BaseException) -> Observation:
    cls = type(exc)
    return Observation(
        error_type=cls.__name__,
        error_bases=tuple(c.__name__ for c in cls.__mro__[1:] if c is not object),
        error_message=str(exc),
    )


def _note(warning: warnings.WarningMessage) -> str:
    if issubclass(warning.category, AdapterNote):
        return str(warning.message)
    return f"{warning.category.__name__}: {warning.message}"


def perform(adapter: Any, api: str, data: Any, kwargs: Dict[str, Any], name: Optional[str] = None,
            between: Optional[Callable[[], None]] = None) -> Observation:
    """Run one call through `adapter` and observe it. Exceptions raised by the implementation
    become the observation's error; MemoryError (a crash) and Unmappable (a skip) are left to
    the worker. `between` runs after an Image is made and before it is observed: what the
    caller does to its own data in the meantime."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if api == "Image":
                image = adapter.make_image(data, kwargs)
                if between is not None:
                    between()
                obs = adapter.observe(image)
            elif api == "to_uint8":
                obs = Observation(pixels=adapter.to_uint8(data))
            elif api == "guess_mode" and name == "on-class":
                on_class = getattr(adapter, "guess_mode_on_class", None)
                if on_class is None:
                    raise Unmappable("the adapter cannot call guess_mode on the class alone")
                obs = Observation(value=on_class(data, kwargs), has_value=True)
            elif api == "guess_mode":
                obs = Observation(value=adapter.guess_mode(data, kwargs), has_value=True)
            elif api == "all_captions":
                obs = Observation(value=adapter.all_captions(data), has_value=True)
            elif api in ("all_boxes", "all_masks"):
                method = getattr(adapter, api, None)
                if method is None:
                    raise Unmappable(f"the adapter has no {api}")
                obs = Observation(value=method(data, kwargs), has_value=True)
            elif api == "attribute":
                obs = Observation(value=adapter.attribute(name), has_value=True)
            elif api == "signature":
                obs = Observation(value=adapter.signature(), has_value=True)
            else:
                raise ValueError(f"unknown api {api!r}")
        except (MemoryError, Unmappable):
            raise
        except (Exception, SystemExit) as exc:
            obs = error_observation(exc)
    notes: List[str] = []
    for warning in caught:
        text = _note(warning)
        if text not in notes:
            notes.append(text)
    return replace(obs, notes=tuple(obs.notes) + tuple(notes)) if notes else obs
