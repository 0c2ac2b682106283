"""The JSON-lines protocol between the runner and an implementation (spec/PROTOCOL.md).

Every implementation, the suite's own Python workers included, is a subprocess that reads one
JSON object per line on stdin and writes one per line on stdout. Keeping a single protocol
means a crash, a hang or a foreign language are all handled the same way by the runner.

This module is imported inside workers, possibly under another interpreter (an old wandb's
virtualenv), so it needs only the standard library and NumPy, and stays Python 3.9-compatible.
"""

from __future__ import annotations

import base64
import io
import json
import math
import re
import threading
from dataclasses import dataclass, fields
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np

from wbimage_conformance.worker.observation import Observation

PROTOCOL_VERSION = 1
SUPPORTED_VERSIONS = (1,)

#: Input kinds an implementation may accept; declared in its handshake.
INPUT_KINDS = ("numpy", "tensor", "pil", "path", "image", "images", "python")
APIS = ("Image", "to_uint8", "guess_mode", "all_captions", "all_boxes", "all_masks", "attribute", "signature")

#: Outcomes of a request.
OBSERVED, SKIPPED, SETUP_ERROR, CRASHED = "observed", "skipped", "setup-error", "crashed"


class ProtocolError(ValueError):
    """A message that does not follow the protocol."""


# -- arrays ---------------------------------------------------------------------------------


def encode_array(array: np.ndarray) -> Dict[str, Any]:
    """An ndarray as `{"npy": base64}`; object arrays (which .npy can hold only by pickling)
    as `{"object": nested values, "shape": [...]}`."""
    if array.dtype.hasobject:
        return {"object": [encode_value(v) for v in array.ravel().tolist()], "shape": list(array.shape)}
    return {"npy": base64.b64encode(npy_bytes(array)).decode("ascii")}


# numpy.load parses the .npy header with ast.literal_eval, and CPython 3.11's AST
# constructor is not safe to enter from two threads at once (python/cpython#106905): the
# runner decodes replies in threads with --jobs > 1, so loads take turns.
_NPY_LOAD_LOCK = threading.Lock()


def decode_array(wire: Dict[str, Any], files: bool = True) -> np.ndarray:
    """The inverse of encode_array; also reads `{"npy_path": path}` (a .npy file the runner
    staged) where `files` allows it: in requests, never in an implementation's replies."""
    if "npy" in wire:
        return npy_array(base64.b64decode(wire["npy"]))
    if "npy_path" in wire and not files:
        raise ProtocolError("a reply may not name a file ('npy_path'); arrays travel inline")
    if "npy_path" in wire:
        with _NPY_LOAD_LOCK:
            return np.load(wire["npy_path"], allow_pickle=False)
    if "object" in wire:
        shape = tuple(wire["shape"])
        items = [decode_value(v, files=files) for v in wire["object"]]
        array = np.empty(len(items), dtype=object)
        for index, item in enumerate(items):
            array[index] = item
        return array.reshape(shape)
    raise ProtocolError(f"an array needs one of 'npy', 'npy_path', 'object'; got keys {sorted(wire)}")


# -- .npy without numpy.save and numpy.load ---------------------------------------------------
#
# Every request and every answer carries arrays, most of them a few bytes. numpy.save and
# numpy.load spend far longer on the format's header (building it, and parsing it back with
# ast.literal_eval under the lock above) than on the data, so the header of a plain dtype is
# written and read here, in exactly the form numpy.save writes (format 1.0); anything else
# goes through numpy.

_NPY_MAGIC = b"\x93NUMPY\x01\x00"
_NPY_ALIGN = 64
_NPY_GROWTH_DIGITS = 21
_NPY_HEADER = re.compile(
    rb"\{'descr': '([^']+)', 'fortran_order': (True|False), 'shape': \(((?:\d+(?:, \d+)*,?)?)\), \} *\n"
)


def npy_bytes(array: np.ndarray) -> bytes:
    """The bytes numpy.save writes for `array` (no pickling)."""
    dtype = array.dtype
    if dtype.names is not None or dtype.subdtype is not None or dtype.hasobject:
        return _saved(array)
    fortran = bool(array.flags.f_contiguous and not array.flags.c_contiguous)
    shape = tuple(array.shape)
    header = f"{{'descr': {dtype.str!r}, 'fortran_order': {fortran!r}, 'shape': {shape!r}, }}"
    if shape:  # numpy leaves room for the growing axis's length to be rewritten in place
        header += " " * (_NPY_GROWTH_DIGITS - len(repr(shape[-1 if fortran else 0])))
    if len(header) + 1 + len(_NPY_MAGIC) + 2 >= 1 << 16:  # needs format 2.0
        return _saved(array)
    padding = _NPY_ALIGN - (len(_NPY_MAGIC) + 2 + len(header) + 1) % _NPY_ALIGN
    header += " " * padding + "\n"
    prefix = _NPY_MAGIC + len(header).to_bytes(2, "little") + header.encode("latin1")
    return prefix + array.tobytes(order="F" if fortran else "C")


def _saved(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def npy_array(raw: bytes) -> np.ndarray:
    """The array in .npy bytes: a new writable array, shaped as numpy.load shapes it."""
    parsed = _parse_npy(raw)
    if parsed is None:
        _check_npy_size(raw)
        with _NPY_LOAD_LOCK:
            return np.load(io.BytesIO(raw), allow_pickle=False)
    dtype, fortran, shape, offset = parsed
    array = np.frombuffer(raw, dtype=dtype, count=math.prod(shape), offset=offset).copy()
    if fortran:
        return array.reshape(shape[::-1]).transpose()
    array.shape = shape  # in place, as numpy.load does: the array still owns its memory
    return array


def _check_npy_size(raw: bytes) -> None:
    """Refuse .npy bytes whose header claims more data than they hold, before numpy.load
    allocates what the header claims (a few bytes could otherwise ask for terabytes)."""
    stream = io.BytesIO(raw)
    try:
        from numpy.lib import format as npy_format

        version = npy_format.read_magic(stream)
        read_header = npy_format.read_array_header_1_0 if version == (1, 0) else npy_format.read_array_header_2_0
        shape, _, dtype = read_header(stream)
    except Exception as exc:  # noqa: BLE001 - any malformed header is the sender's error
        raise ProtocolError(f"not a .npy array: {exc}") from None
    if not dtype.hasobject and math.prod(shape) * dtype.itemsize > len(raw) - stream.tell():
        raise ProtocolError(f"a .npy header claims {math.prod(shape)} elements of {dtype}; the bytes hold fewer")


def _parse_npy(raw: bytes) -> Optional[Tuple[np.dtype, bool, Tuple[int, ...], int]]:
    """dtype, Fortran order, shape and data offset of .npy bytes in numpy.save's own form;
    None for anything else (numpy.load then reads it, or says what is wrong)."""
    if raw[: len(_NPY_MAGIC)] != _NPY_MAGIC or len(raw) < len(_NPY_MAGIC) + 2:
        return None
    start = len(_NPY_MAGIC) + 2
    offset = start + int.from_bytes(raw[len(_NPY_MAGIC):start], "little")
    header = raw[start:offset]
    parsed = _NPY_HEADERS.get(header)
    if parsed is None:
        parsed = _parse_npy_header(header)
        if len(header) <= _NPY_HEADER_CACHE_KEY_BYTES:
            if len(_NPY_HEADERS) >= _NPY_HEADER_CACHE_SIZE:
                _NPY_HEADERS.clear()
            _NPY_HEADERS[header] = parsed
    if not parsed:
        return None
    dtype, fortran, shape = parsed
    if len(raw) - offset != math.prod(shape) * dtype.itemsize:
        return None
    return dtype, fortran, shape, offset


# Parsed headers by their bytes: most arrays of a run share a few dtypes and shapes, and
# parsing (a regular expression, a dtype from its string) costs more than a small array's data.
_NPY_HEADERS: Dict[bytes, Any] = {}
_NPY_HEADER_CACHE_SIZE = 1024
_NPY_HEADER_CACHE_KEY_BYTES = 256


def _parse_npy_header(header: bytes) -> Any:
    """(dtype, Fortran order, shape) of a header in numpy.save's own form, or False."""
    match = _NPY_HEADER.fullmatch(header)
    if match is None:
        return False
    try:
        dtype = np.dtype(match.group(1).decode("latin1"))
    except (TypeError, ValueError):
        return False
    if dtype.hasobject or dtype.itemsize == 0:
        return False
    shape = tuple(int(n) for n in match.group(3).split(b",") if n.strip())
    return dtype, match.group(2) == b"True", shape


# -- values ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Opaque:
    """A returned object JSON cannot carry as itself (a NumPy scalar, a class, `inspect._empty`).

    It compares equal to nothing but an identical Opaque, so `numpy.int64(65500)` never
    passes for the plain `int` a case expects, while the report can still show it."""

    type: str
    repr: str
    value: Any = None

    def __repr__(self) -> str:
        return self.repr


def _type_name(obj: Any) -> str:
    cls = type(obj)
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


def safe_repr(obj: Any, limit: int = 300) -> str:
    try:
        text = repr(obj)
    except Exception as exc:  # noqa: BLE001 - a broken __repr__ is the implementation's problem, not ours
        text = f"<{_type_name(obj)}: repr failed: {type(exc).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def encode_value(obj: Any) -> Any:
    """Any Python value as JSON data. Plain JSON types stay as they are; everything else is
    a one-key tagged object: $float (nan, inf, -inf), $bytes, $ndarray, $dict (non-string or
    $-prefixed keys), $object (anything else, by type name and repr). Tuples become lists."""
    if obj is None or type(obj) in (bool, str, int):
        return obj
    if type(obj) is float:
        return obj if math.isfinite(obj) else {"$float": repr(obj)}
    if type(obj) in (list, tuple):
        return [encode_value(v) for v in obj]
    if type(obj) is dict:
        if all(type(k) is str and not k.startswith("$") for k in obj):
            return {k: encode_value(v) for k, v in obj.items()}
        return {"$dict": [[encode_value(k), encode_value(v)] for k, v in obj.items()]}
    if type(obj) is bytes:
        return {"$bytes": base64.b64encode(obj).decode("ascii")}
    if isinstance(obj, np.ndarray):
        return {"$ndarray": encode_array(obj)}
    plain = None
    if isinstance(obj, np.generic):
        try:
            plain = encode_value(obj.item())
        except Exception:  # noqa: BLE001 - a scalar whose value cannot be sent is sent by its repr alone
            plain = None
    return {"$object": {"type": _type_name(obj), "repr": safe_repr(obj), "value": plain}}


def decode_value(data: Any, tags: Optional[Dict[str, Callable[[Any], Any]]] = None, files: bool = True) -> Any:
    """The inverse of encode_value ($object decodes to an Opaque). `tags` maps further
    one-member tags to the function that decodes their member (the worker's `$array`);
    `files` as for decode_array."""
    if isinstance(data, list):
        return [decode_value(v, tags, files) for v in data]
    if not isinstance(data, dict):
        return data
    if len(data) == 1:
        (key, inner), = data.items()
        if key == "$float":
            return float(inner)
        if key == "$bytes":
            return base64.b64decode(inner)
        if key == "$ndarray":
            return decode_array(inner, files)
        if key == "$dict":
            return {_hashable(decode_value(k, tags, files)): decode_value(v, tags, files) for k, v in inner}
        if key == "$object":
            return Opaque(inner["type"], inner["repr"], decode_value(inner.get("value"), files=files))
        if tags and key in tags:
            return tags[key](inner)
    return {k: decode_value(v, tags, files) for k, v in data.items()}


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


# -- observations ---------------------------------------------------------------------------


def encode_observation(obs: Observation) -> Dict[str, Any]:
    """An Observation as the `observation` member of a result message."""
    wire: Dict[str, Any] = {}
    for name in ("pixels", "mode", "size", "format", "encoded", "caption", "grouping", "value"):
        wire[name] = encode_value(getattr(obs, name))
    wire["has_value"] = bool(obs.has_value)
    wire["error"] = (
        None
        if obs.error_type is None
        else {"type": obs.error_type, "bases": list(obs.error_bases), "message": obs.error_message or ""}
    )
    wire["input_mutated"] = bool(obs.input_mutated)
    wire["notes"] = [str(n) for n in obs.notes]
    return wire


_OBSERVATION_FIELDS = frozenset(f.name for f in fields(Observation))


def decode_observation(wire: Dict[str, Any]) -> Observation:
    """The inverse of encode_observation; absent members take the Observation defaults, so a
    minimal implementation may send only what it has."""
    unknown = set(wire) - _OBSERVATION_FIELDS - {"error"}
    if unknown:
        raise ProtocolError(f"unknown observation members {sorted(unknown)}")
    values: Dict[str, Any] = {}
    for name in ("pixels", "mode", "size", "format", "encoded", "caption", "grouping", "value"):
        if name in wire:
            values[name] = decode_value(wire[name], files=False)
    if isinstance(values.get("size"), list):
        values["size"] = tuple(values["size"])
    values["has_value"] = bool(wire.get("has_value", "value" in wire))
    error = wire.get("error")
    if error is not None:
        if not isinstance(error, dict) or not isinstance(error.get("type"), str):
            raise ProtocolError(f"'error' must be an object with a string 'type', not {safe_repr(error, 80)}")
        values["error_type"] = error["type"]
        values["error_bases"] = tuple(str(b) for b in _list_member(error, "bases"))
        values["error_message"] = str(error.get("message", ""))
    values["input_mutated"] = bool(wire.get("input_mutated", False))
    values["notes"] = tuple(str(n) for n in _list_member(wire, "notes"))
    return Observation(**values)


def _list_member(wire: Dict[str, Any], name: str) -> List[Any]:
    value = wire.get(name, [])
    if not isinstance(value, list):
        raise ProtocolError(f"'{name}' must be a list, not {safe_repr(value, 80)}")
    return value


# -- messages -------------------------------------------------------------------------------


_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False, ensure_ascii=False)


def dumps(message: Dict[str, Any]) -> bytes:
    """One message as one line of strict JSON (no NaN), UTF-8, ending in a newline."""
    return (_ENCODER.encode(message) + "\n").encode("utf-8")


def loads(line: bytes) -> Dict[str, Any]:
    """One line as a message; anything but a JSON object with a string `type` is an error."""
    try:
        message = json.loads(line.decode("utf-8"))
    except RecursionError:
        raise ProtocolError(f"a JSON line nested too deeply: {line[:120].decode('utf-8', 'replace')!r}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        shown = line[:120].decode("utf-8", "replace")
        raise ProtocolError(f"not a JSON line ({exc}): {shown!r}") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise ProtocolError(f"a message must be a JSON object with a string 'type': {str(message)[:120]!r}")
    return message


def hello_request(suite_version: str) -> Dict[str, Any]:
    return {"type": "hello", "protocol": list(SUPPORTED_VERSIONS), "suite": suite_version}


def hello_reply(
    name: str,
    version: Optional[str],
    capabilities: List[str],
    environment: Dict[str, Optional[str]],
    display: Optional[str] = None,
) -> Dict[str, Any]:
    implementation: Dict[str, Any] = {"name": name, "version": version}
    if display:
        implementation["class"] = display
    return {
        "type": "hello",
        "protocol": PROTOCOL_VERSION,
        "implementation": implementation,
        "capabilities": list(capabilities),
        "environment": environment,
    }


def run_request(case_id: str, call: Dict[str, Any], wire_input: Dict[str, Any]) -> Dict[str, Any]:
    return {"type": "run", "id": case_id, "call": call, "input": wire_input}


def result_reply(case_id: str, outcome: str, observation: Optional[Observation] = None,
                 reason: str = "") -> Dict[str, Any]:
    message: Dict[str, Any] = {"type": "result", "id": case_id, "outcome": outcome}
    if observation is not None:
        message["observation"] = encode_observation(observation)
    if reason:
        message["reason"] = reason
    return message


@dataclass(frozen=True)
class Handshake:
    """What an implementation said about itself when it started."""

    name: str
    version: Optional[str]
    display: Optional[str]
    capabilities: frozenset
    environment: Dict[str, Optional[str]]


def parse_hello_reply(message: Dict[str, Any]) -> Handshake:
    """Check a handshake reply; an `error` member means the implementation could not start."""
    if message.get("type") != "hello":
        raise ProtocolError(f"expected a 'hello' reply first, got type {message.get('type')!r}")
    if "error" in message:
        raise ProtocolError(f"the implementation could not start: {message['error']}")
    if message.get("protocol") not in SUPPORTED_VERSIONS:
        raise ProtocolError(
            f"the implementation speaks protocol version {message.get('protocol')!r}; "
            f"this suite speaks {list(SUPPORTED_VERSIONS)}"
        )
    impl = message.get("implementation")
    if not isinstance(impl, dict) or not isinstance(impl.get("name"), str):
        raise ProtocolError("the hello reply needs implementation.name")
    capabilities, environment = message.get("capabilities", []), message.get("environment") or {}
    if not isinstance(capabilities, list) or not all(isinstance(c, str) for c in capabilities):
        raise ProtocolError(f"hello: capabilities must be a list of strings, not {str(capabilities)[:80]!r}")
    if not isinstance(environment, dict) or not all(v is None or isinstance(v, str) for v in environment.values()):
        raise ProtocolError(f"hello: environment must map names to version strings, not {str(environment)[:80]!r}")
    if not all(impl.get(k) is None or isinstance(impl.get(k), str) for k in ("version", "class")):
        raise ProtocolError("hello: implementation.version and implementation.class must be strings")
    version = impl.get("version")
    return Handshake(
        name=impl["name"],
        version=None if version is None else str(version),
        display=impl.get("class"),
        capabilities=frozenset(capabilities),
        environment={str(k): v for k, v in environment.items()},
    )
