"""One line of Python that repeats a case's call, for the report of a failure.

It is built from the case as written (inline values or the generator call), so a reader can
paste it after `import numpy as np, torch, PIL.Image, tempfile, wbimage_conformance.cases.generators,
reference` and the implementation's import, and see the same result.
"""

from __future__ import annotations

import math
from typing import Any

from wbimage_conformance.cases import values
from wbimage_conformance.model import Case

_ORDER = {
    "F": "np.asfortranarray({})",
    "reversed-view": "np.ascontiguousarray({}[::-1])[::-1]",
}
_PATH_FORMS = {
    "pathlib": "pathlib.Path({})",
    "bytes": "os.fsencode({})",
    "bytes-pathlike": "BytesPath(os.fsencode({}))",  # an os.PathLike whose __fspath__ returns bytes
    "file-object": "io.BytesIO(open({}, 'rb').read())",
}


def reproduction(case: Case, image: str = "Image") -> str:
    """`image` is how the implementation's class is spelled, e.g. "reference.Image"."""
    call = case.call
    api = call["api"]
    files: list[str] = []
    data = _input(case.input, image, files)
    if api == "Image":
        line = f"{image}({_args(data, call.get('kwargs'), files)})"
    elif api == "to_uint8":
        line = f"{image}.to_uint8({data})"
    elif api == "guess_mode":
        line = f"{image}.guess_mode({_args(data, call.get('kwargs'), files)})"
    elif api == "all_captions":
        line = f"{image}.all_captions({data})"
    elif api in ("all_boxes", "all_masks"):
        kwargs = call.get("kwargs") or {}
        run_key, step = kwargs.get("run_key", "key"), kwargs.get("step", 0)
        line = f"{image}.{api}({data}, reference.RunStub(tempfile.mkdtemp()), {run_key!r}, {step!r})"
    elif api == "attribute":
        line = f"{image}.{call.get('name')}"
    elif api == "signature":
        line = f"inspect.signature({image})"
    else:
        line = f"{image}  # unknown api {api!r}"
    return line + ("  # " + "; ".join(files) if files else "")


def _args(first: str, kwargs: dict[str, Any] | None, files: list[str] | None = None) -> str:
    parts = [first] + [f"{k}={_literal(v, files)}" for k, v in (kwargs or {}).items()]
    return ", ".join(parts)


def _literal(value: Any, files: list[str] | None = None) -> str:
    """A value as Python; in keyword arguments `{$array: ...}` becomes the array, scalar or
    tensor expression and `{$file: ...}` the file's name (what it holds goes to `files`)."""
    if isinstance(value, float):
        if math.isnan(value):
            return "float('nan')"
        if math.isinf(value):
            return "float('inf')" if value > 0 else "float('-inf')"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v, files) for v in value) + "]"
    if isinstance(value, dict) and len(value) == 1 and "$array" in value:
        spec = value["$array"]
        text = _array(spec)
        if spec.get("as") == "scalar":
            return f"{text}[()]"
        return f"torch.from_numpy({text})" if spec.get("as") == "tensor" else text
    if isinstance(value, dict) and len(value) == 1 and "$file" in value:
        return _input({**value["$file"], "kind": "path"}, "", files if files is not None else [])
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(k, files)}: {_literal(v, files)}" for k, v in value.items()) + "}"
    return repr(value)


def _floats(value: Any) -> Any:
    """Inline values as the float64s values.py reads them (hex and 'nan' spelled as Python)."""
    if isinstance(value, list):
        return [_floats(v) for v in value]
    return values.parse_float(value)


def _array(spec: dict[str, Any]) -> str:
    dtype = spec.get("dtype", "float64")
    numpy_dtype = "float32" if dtype == "bfloat16" else dtype
    if "generate" in spec:
        gen = spec["generate"]
        params = gen.get("params")
        extra = f", {_literal(params)}" if params else ""
        return (f"wbimage_conformance.cases.generators.generate({gen['name']!r}, {gen['seed']}, "
                f"{list(spec['shape'])}, {numpy_dtype!r}{extra})")
    value = spec.get("value")
    if numpy_dtype in values.FLOAT_DTYPES or numpy_dtype.startswith("complex"):
        value = _floats(value)
    return f"np.array({_literal(value)}, dtype=np.{numpy_dtype if numpy_dtype != 'str' else 'str_'})"


def _input(spec: dict[str, Any], image: str, files: list[str]) -> str:
    """The input as an expression; what path inputs' files hold is appended to `files`."""
    kind = spec["kind"]
    if kind == "numpy":
        text = _array(spec)
        order = spec.get("order", "C")
        if order in _ORDER:
            text = _ORDER[order].format(text)
        if spec.get("readonly"):
            text = f"np.lib.stride_tricks.as_strided({text}, writeable=False)"
        return text
    if kind == "tensor":
        text = f"torch.from_numpy({_array(spec)})"
        if spec.get("dtype") == "bfloat16":
            text += ".to(torch.bfloat16)"
        if spec.get("contiguous") is False:
            text += ".transpose(0, -1).contiguous().transpose(0, -1)"
        if spec.get("requires_grad"):
            text += ".requires_grad_()"
        if spec.get("form") == "sparse":
            text += ".to_sparse()"
        elif spec.get("form") == "meta":
            text += ".to('meta')"
        return text
    if kind == "pil":
        text = f"PIL.Image.fromarray({_array(spec)}).convert({spec['mode']!r})"
        if spec.get("truncated"):
            text = f"PIL.Image.open(io.BytesIO(<the PNG bytes of {text}, first 41 only>))"
        if spec.get("changed_after_call"):
            text += "  # then inverted in place by the caller, before the Image is read"
        return text
    if kind == "path":
        encode_as = spec.get("encode_as", "png" if ("value" in spec or "generate" in spec) else "none")
        path = repr(spec["filename"])
        path = _PATH_FORMS.get(spec.get("as", "str"), "{}").format(path)
        if encode_as == "none":
            what = "text " + repr(spec["text"]) if spec.get("text") is not None else "a file that does not exist"
        else:
            what = f"{encode_as.upper()} of {_array(spec)}" + (", cut to its first 41 bytes" if spec.get("truncated") else "")
        files.append(f"{spec['filename']}: {what}")
        return path
    if kind == "image":
        return f"{image}({_args(_input(spec['of'], image, files), spec.get('kwargs'), files)})"
    if kind == "images":
        items = [f"{image}({_args(_input(i['of'], image, files), i.get('kwargs'), files)})" for i in spec["items"]]
        return "[" + ", ".join(items) + "]"
    return _literal(spec.get("value"))
