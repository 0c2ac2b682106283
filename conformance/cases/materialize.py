"""A case's `input` as the NumPy side of the caller's data, and that data as a protocol message.

The runner does this (not the worker) so that inline values and generators are read by one
interpreter and one NumPy, whatever the implementation runs under; the worker only rebuilds
tensors, PIL images and paths around the arrays it receives. Files for `path` inputs are
written by the runner too, so implementations in other languages need no image encoder.
"""

from __future__ import annotations

import io
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np

from wbimage_conformance.cases import generators, values
from wbimage_conformance.model import Case
from wbimage_conformance.worker import inputs, protocol

#: Arrays bigger than this travel as a .npy file the worker reads (Staging.array_file): inline,
#: base64 in a JSON line is encoded, escaped, parsed and decoded, about 20 ns a byte on the
#: machine of docs/performance.md (5 ms for a 100x100x3 int64 array), against about 0.3 ms
#: to write, read and delete a file of that size.
INLINE_ARRAY_LIMIT = 32 * 1024

_NUMPY_ONLY = ("str", "object", "longdouble")
_PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG", "bmp": "BMP"}


class MaterializeError(ValueError):
    """A case input that cannot be built; `path_parts` locates the field inside the case."""

    def __init__(self, field: str | list[Any], message: str) -> None:
        self.path_parts: list[Any] = _split(field) if isinstance(field, str) else list(field)
        self.message = message
        super().__init__(f"{self.field}: {message}")

    @property
    def field(self) -> str:
        return dotted(self.path_parts)


def dotted(parts: Any) -> str:
    """A data path as a case author writes it: input.items[0].of.value."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _split(field: str) -> list[Any]:
    parts: list[Any] = []
    for chunk in field.replace("]", "").split("."):
        head, *indexes = chunk.split("[")
        if head:
            parts.append(head)
        parts.extend(int(i) for i in indexes)
    return parts


@dataclass(frozen=True)
class ArrayArgument:
    """A `{$array: ...}` inside keyword arguments, built: the array, and what the worker hands
    over (`as`: the ndarray itself, the NumPy scalar of a 0-d array, or a tensor)."""

    array: np.ndarray
    as_: str
    dtype: str


@dataclass(frozen=True)
class FileArgument:
    """A `{$file: ...}` inside keyword arguments: a file the runner writes, passed as its path.
    `node` is a materialized `path` input."""

    node: dict[str, Any]


@dataclass(frozen=True)
class Materialized:
    """A case's input and call keyword arguments with every array built: a tree of plain
    dicts holding ndarrays (and, inside keyword arguments, ArrayArgument and FileArgument),
    in the shape of the protocol's input object (see spec/PROTOCOL.md)."""

    input: dict[str, Any]
    kwargs: dict[str, Any] = field(default_factory=dict)

    def kinds(self) -> frozenset[str]:
        """Every input kind the tree uses, for the implementation's capability check; tensors
        and files inside keyword arguments count as tensor and path inputs."""
        found: set[str] = set()

        def walk_arguments(value: Any) -> None:
            if isinstance(value, ArrayArgument) and value.as_ == "tensor":
                found.add("tensor")
            elif isinstance(value, FileArgument):
                found.add("path")
            elif isinstance(value, dict):
                for item in value.values():
                    walk_arguments(item)
            elif isinstance(value, list):
                for item in value:
                    walk_arguments(item)

        def walk(node: dict[str, Any]) -> None:
            found.add(node["kind"])
            if node["kind"] == "image":
                walk(node["of"])
                walk_arguments(node["kwargs"])
            elif node["kind"] == "images":
                for item in node["items"]:
                    walk(item["of"])
                    walk_arguments(item["kwargs"])

        walk(self.input)
        walk_arguments(self.kwargs)
        return frozenset(found)


def materialize(case: Case) -> Materialized:
    """Build the arrays of `case.input` and of the call's keyword arguments; raises
    MaterializeError naming the field."""
    return Materialized(_input(case.input, ["input"]), _arguments(case.call.get("kwargs") or {}, ["call", "kwargs"]))


ARGUMENT_AS = ("ndarray", "scalar", "tensor")


def _arguments(value: Any, where: list[Any]) -> Any:
    """Keyword-argument values with `{$array: spec}` and `{$file: spec}` built; everything
    else as written."""
    if isinstance(value, dict):
        if "$array" in value or "$file" in value:
            return _tagged_argument(value, where)
        return {key: _arguments(item, where + [key]) for key, item in value.items()}
    if isinstance(value, list):
        return [_arguments(item, where + [index]) for index, item in enumerate(value)]
    return value


def _tagged_argument(value: dict[str, Any], where: list[Any]) -> ArrayArgument | FileArgument:
    if len(value) != 1:
        raise MaterializeError(where, f"an argument tag stands alone; got keys {sorted(map(str, value))}")
    (tag, spec), = value.items()
    where = where + [tag]
    needed = "filename" if tag == "$file" else "dtype"
    if not isinstance(spec, dict) or needed not in spec:
        raise MaterializeError(where, f"needs a mapping with at least {needed!r}")
    if tag == "$file":
        return FileArgument(_input({**spec, "kind": "path"}, where))
    as_ = spec.get("as", "ndarray")
    if as_ not in ARGUMENT_AS:
        raise MaterializeError(where + ["as"], f"{as_!r} is not one of {', '.join(ARGUMENT_AS)}")
    dtype = spec["dtype"]
    if (dtype == "bfloat16" and as_ != "tensor") or (as_ == "tensor" and dtype in _NUMPY_ONLY):
        raise MaterializeError(where + ["dtype"], f"{dtype!r} cannot be handed over as {as_!r}")
    array = _array(spec, where)
    if as_ == "scalar" and array.ndim != 0:
        raise MaterializeError(where + ["value"], f"a scalar needs a single value, got shape {list(array.shape)}")
    return ArrayArgument(array, as_, dtype)


@overload
def _array(spec: dict[str, Any], where: list[Any], *, required: Literal[True] = True) -> np.ndarray: ...
@overload
def _array(spec: dict[str, Any], where: list[Any], *, required: bool) -> np.ndarray | None: ...
def _array(spec: dict[str, Any], where: list[Any], *, required: bool = True) -> np.ndarray | None:
    dtype: Any = spec.get("dtype")  # the schema says which inputs have one
    if isinstance(spec.get("values"), np.ndarray):  # built in this process (impact's samples), never in a file
        return spec["values"]
    if "value" in spec:
        try:
            array = values.array_from_value(spec["value"], dtype)
        except ValueError as exc:  # ValueSpellingError, or NumPy refusing a ragged list
            raise MaterializeError(where + ["value"], str(exc)) from None
        if "shape" in spec and list(array.shape) != list(spec["shape"]):
            raise MaterializeError(where + ["shape"], f"{spec['shape']} but the value has shape {list(array.shape)}")
        return array
    if "generate" in spec:
        gen = spec["generate"]
        made_dtype = "float32" if dtype == "bfloat16" else dtype
        try:
            array = generators.generate(gen["name"], gen["seed"], spec["shape"], made_dtype, gen.get("params"))
        except (generators.GeneratorError, ValueError, TypeError) as exc:
            raise MaterializeError(where + ["generate"], str(exc)) from None
        actual = generators.digest(array)
        if actual != spec["digest"]:
            raise MaterializeError(
                where + ["digest"],
                f"{spec['digest']} does not match what generator {gen['name']!r} makes ({actual}); "
                "the generator or its parameters changed",
            )
        return array
    if required:
        raise MaterializeError(where, "needs 'value' or 'generate'")
    return None


def _input(spec: dict[str, Any], where: list[Any]) -> dict[str, Any]:
    kind = spec["kind"]
    dtype = spec.get("dtype")
    if kind == "numpy":
        if dtype == "bfloat16":
            raise MaterializeError(where + ["dtype"], "'bfloat16' has no NumPy dtype; use it with kind 'tensor'")
        node = {
            "kind": "numpy",
            "array": _array(spec, where),
            "order": spec.get("order", "C"),
            "readonly": bool(spec.get("readonly", False)),
        }
        if dtype == "longdouble":  # the worker skips it where longdouble is float64
            node["dtype"] = dtype
        return node
    if kind == "tensor":
        if dtype in _NUMPY_ONLY:
            raise MaterializeError(where + ["dtype"], f"a tensor cannot hold dtype {dtype!r}")
        return {
            "kind": "tensor",
            "array": _array(spec, where),
            "dtype": dtype,
            "requires_grad": bool(spec.get("requires_grad", False)),
            "contiguous": bool(spec.get("contiguous", True)),
            **({"form": spec["form"]} if "form" in spec else {}),
        }
    if kind == "pil":
        if dtype in _NUMPY_ONLY or dtype == "bfloat16":
            raise MaterializeError(where + ["dtype"], f"PIL cannot be built from dtype {dtype!r}")
        node = {"kind": "pil", "array": _array(spec, where), "mode": spec["mode"]}
        for flag in ("changed_after_call", "truncated"):
            if spec.get(flag):
                node[flag] = True
        return node
    if kind == "path":
        array = _array(spec, where, required=False)
        encode_as = spec.get("encode_as", "png" if array is not None else "none")
        if encode_as != "none" and array is None:
            raise MaterializeError(where + ["encode_as"], f"{encode_as!r} needs pixels ('value' or 'generate')")
        truncated = bool(spec.get("truncated", False))
        return {
            "kind": "path",
            "filename": spec["filename"],
            "as": spec.get("as", "str"),
            "encode_as": encode_as,
            "array": array,
            "mode": spec.get("mode"),
            "text": spec.get("text"),
            "truncated": truncated,
            "encoded": None if array is None else _encoded(array, spec, encode_as, truncated, where),
        }
    if kind == "image":
        kwargs = _arguments(spec.get("kwargs") or {}, where + ["kwargs"])
        return {"kind": "image", "of": _input(spec["of"], where + ["of"]), "kwargs": kwargs}
    if kind == "images":
        items = []
        for index, item in enumerate(spec["items"]):
            if "of" not in item:
                raise MaterializeError(where + ["items", index], "needs 'of'")
            items.append({
                "of": _input(item["of"], where + ["items", index, "of"]),
                "kwargs": _arguments(item.get("kwargs") or {}, where + ["items", index, "kwargs"]),
            })
        return {"kind": "images", "items": items}
    if kind == "python":
        return {"kind": "python", "value": spec["value"]}
    raise MaterializeError(where + ["kind"], f"unknown input kind {kind!r}")


def _encoded(array: np.ndarray, spec: dict[str, Any], encode_as: str, truncated: bool, where: list[Any]) -> bytes:
    """The file's bytes, made here rather than when the file is written: a combination of
    pixels, mode and format that Pillow refuses (float16 data, RGBA as JPEG, an unknown mode,
    16-bit RGB, ...) is then the case's error, named at load, never a traceback in a run. The
    field blamed is the first step that fails: the pixels (dtype and shape), the mode, the format.
    What Pillow raises varies with the combination (TypeError for a dtype, ValueError for a
    mode, OSError for a format, IndexError for a 0-d array, ...), so every Exception counts."""
    mode = spec.get("mode")
    described = f"{array.dtype.name} pixels of shape {list(array.shape)}"
    pixels_field = "dtype" if "dtype" in spec else ("value" if "value" in spec else "generate")
    try:
        picture = inputs.pil_image(array, None)
    except Exception as exc:  # noqa: BLE001 - whatever Pillow raises is the case file's error, reported
        raise MaterializeError(
            where + [pixels_field], f"Pillow cannot make a picture of {described}: {_reason(exc)}") from None
    if mode is not None and picture.mode != mode:
        try:
            picture = inputs.pil_image(array, mode)
        except Exception as exc:  # noqa: BLE001 - as above
            raise MaterializeError(where + ["mode"], f"Pillow cannot convert {described} (mode {picture.mode!r}) "
                                   f"to mode {mode!r}: {_reason(exc)}") from None
    out = io.BytesIO()
    try:
        picture.save(out, format=_PIL_FORMATS[encode_as])
    except Exception as exc:  # noqa: BLE001 - as above
        raise MaterializeError(where + ["encode_as"], f"Pillow cannot write a {picture.mode!r} picture of "
                               f"{described} as {encode_as!r}: {_reason(exc)}") from None
    data = out.getvalue()
    return data[:41] if truncated else data  # cut inside the image data: the header reads, the pixels do not


def _reason(exc: BaseException) -> str:
    """An encoder's complaint on one line, bounded (Pillow's messages can carry whole reprs)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def expected_pixels(pixels: list[Any]) -> np.ndarray:
    """Inline expected pixels as a uint8 array; whole numbers in [0, 255], not ragged."""

    def check(item: Any) -> None:
        if isinstance(item, list):
            for sub in item:
                check(sub)
        elif isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= 255:
            raise ValueError(f"pixel values are whole numbers in [0, 255], not {item!r}")

    check(pixels)
    try:
        return np.array(pixels, dtype=np.uint8)
    except ValueError as exc:
        raise ValueError(f"the pixel rows are ragged: {exc}") from None


# -- the wire form --------------------------------------------------------------------------


class Staging:
    """Where one request's files are written (path inputs, `$file` arguments, large arrays).

    Files a case names (path inputs, `$file` arguments) go into a folder of the request's own,
    made with the first of them. Arrays go into a folder that already exists, `shared`, under
    names that start with the request's: making and removing a folder costs more than the rest
    of most cases (milliseconds on some disks), writing and deleting one file far less.
    Without `shared`, arrays go into the request's folder too."""

    def __init__(self, root: str | os.PathLike[str], shared: str | os.PathLike[str] | None = None) -> None:
        self.root = os.fspath(root)
        self.shared = None if shared is None else os.fspath(shared)
        self.made = False
        self._arrays: list[Path] = []

    def folder(self, *parts: str) -> Path:
        """The folder `parts` under the root, made now (with the root)."""
        path = Path(self.root, *parts)
        path.mkdir(parents=True, exist_ok=True)
        self.made = True
        return path

    def array_file(self, name: str) -> Path:
        """Where to write an array file called `name`; removed with the rest."""
        if self.shared is None:
            return self.folder() / name
        path = Path(self.shared, f"{os.path.basename(self.root)}-{name}")
        self._arrays.append(path)
        return path

    def remove(self) -> None:
        """Delete the files and the folder, if any were written."""
        for path in self._arrays:
            path.unlink(missing_ok=True)
        self._arrays.clear()
        if self.made:
            shutil.rmtree(self.root, ignore_errors=True)
            self.made = False


def to_wire(materialized: Materialized, staging: Staging | Path) -> dict[str, Any]:
    """The protocol's input object; files for path inputs (and very large arrays) are written
    under `staging`, which must live as long as the request."""
    return _wire(materialized.input, _as_staging(staging), (), [0])


def kwargs_to_wire(materialized: Materialized, staging: Staging | Path) -> Any:
    """The call's keyword arguments as a protocol value; `$file` files are written under
    `staging`/kwargs, apart from the input's files."""
    return _wire_arguments(materialized.kwargs, _as_staging(staging), ("kwargs",), [0])


def _as_staging(staging: Staging | Path) -> Staging:
    return staging if isinstance(staging, Staging) else Staging(staging)


Under = tuple[str, ...]


def _wire_arguments(value: Any, staging: Staging, under: Under, counter: list[int]) -> Any:
    """Keyword arguments as a protocol value: an ArrayArgument as `$ndarray` (as=ndarray) or
    `{"$array": {"as", "dtype", "array"}}`, a FileArgument as the path of the file written."""
    if isinstance(value, ArrayArgument):
        if value.as_ == "ndarray":
            return {"$ndarray": protocol.encode_array(value.array)}
        return {"$array": {"as": value.as_, "dtype": value.dtype, "array": protocol.encode_array(value.array)}}
    if isinstance(value, FileArgument):
        return _wire(value.node, staging, under, counter)["path"]
    if isinstance(value, dict):
        if all(type(k) is str and not k.startswith("$") for k in value):
            return {k: _wire_arguments(v, staging, under, counter) for k, v in value.items()}
        return {"$dict": [[protocol.encode_value(k), _wire_arguments(v, staging, under, counter)]
                          for k, v in value.items()]}
    if isinstance(value, list):
        return [_wire_arguments(v, staging, under, counter) for v in value]
    return protocol.encode_value(value)


def _wire_array(array: np.ndarray, staging: Staging, under: Under, counter: list[int]) -> dict[str, Any]:
    if array.nbytes > INLINE_ARRAY_LIMIT and not array.dtype.hasobject:
        counter[0] += 1
        target = staging.array_file("-".join(under + (f"array-{counter[0]}.npy",)))
        np.save(target, array, allow_pickle=False)
        return {"npy_path": str(target)}
    return protocol.encode_array(array)


def _wire(node: dict[str, Any], staging: Staging, under: Under, counter: list[int]) -> dict[str, Any]:
    kind = node["kind"]
    if kind in ("numpy", "tensor", "pil"):
        out = {k: v for k, v in node.items() if k != "array"}
        out["array"] = _wire_array(node["array"], staging, under, counter)
        return out
    if kind == "path":
        counter[0] += 1
        target = staging.folder(*under, f"file-{counter[0]}") / node["filename"]
        write_file(node, target)
        return {"kind": "path", "path": str(target), "as": node["as"]}
    if kind == "image":
        return {"kind": "image", "of": _wire(node["of"], staging, under, counter),
                "kwargs": _wire_arguments(node["kwargs"], staging, under, counter)}
    if kind == "images":
        return {
            "kind": "images",
            "items": [
                {"of": _wire(i["of"], staging, under, counter),
                 "kwargs": _wire_arguments(i["kwargs"], staging, under, counter)}
                for i in node["items"]
            ],
        }
    return {"kind": "python", "value": protocol.encode_value(node["value"])}


def write_file(node: dict[str, Any], target: Path) -> None:
    """Write a path input's file: the pixels encoded by materialize, raw text, or nothing (a
    missing file)."""
    if node.get("encoded") is not None:
        target.write_bytes(node["encoded"])
    elif node.get("text") is not None:
        target.write_text(node["text"], encoding="utf-8")
