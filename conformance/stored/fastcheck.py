"""A fast yes/no check compiled from a JSON Schema, so valid files skip the slow validator.

jsonschema resolves every `$ref` and builds a validator object per value it descends into:
checking the 40 saved history runs (30,000 rows) took seconds, against 0.1 s to parse them.
Most files are valid, so `compile_schema` turns a schema into nested closures answering only
"valid or not" for the keywords the suite's schemas use; a file they pass is valid, and
one they refuse goes to jsonschema for its best error and its path. A schema using any other
keyword compiles to None, and then jsonschema alone decides: the fast check never accepts
what jsonschema would refuse. Types and formats are those of stored.schemas: numbers are
finite, integers are ints (not whole floats, not booleans), formats are asserted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Check = Callable[[Any], bool]
#: Keywords that say nothing about validity.
_ANNOTATIONS = frozenset(["$schema", "$id", "title", "description", "contentEncoding", "$defs", "default",
                          "examples", "$comment"])
_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "number": lambda v: isinstance(v, int) and not isinstance(v, bool) or isinstance(v, float) and math.isfinite(v),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
}


class _Unsupported(Exception):
    pass


def _same(a: Any, b: Any) -> bool:
    """JSON equality as jsonschema's enum and const use it: true and 1 differ."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (list, dict)):
        return False
    return type(a) is type(b) and a == b or (_TYPES["number"](a) and _TYPES["number"](b) and a == b)


def compile_schema(schema: dict[str, Any], formats: Mapping[str, Check] | None = None) -> Check | None:
    """A predicate that is True exactly for the data `schema` accepts, or None when the
    schema uses a keyword (or a format outside `formats`) this module does not implement."""
    definitions = schema.get("$defs", {})
    compiled: dict[str, Check] = {}
    compiling: set[str] = set()

    def by_reference(name: str) -> Check:
        """The definition's own check (inlined), or a late-bound one inside a recursive definition."""
        if name in compiled:
            return compiled[name]
        if name in compiling or name not in definitions:
            if name not in definitions:
                raise _Unsupported(name)
            return lambda value: compiled[name](value)
        compiling.add(name)
        compiled[name] = _compile(definitions[name], context)
        return compiled[name]

    context = _Context(by_reference, dict(formats or {}))
    try:
        return _compile(schema, context)
    except _Unsupported:
        return None


@dataclass(frozen=True)
class _Context:
    """What compiling one schema needs besides the subschema at hand."""

    reference: Callable[[str], Check]     # a definition's check, by name
    formats: dict[str, Check]


def _is_annotation(key: str) -> bool:
    return key in _ANNOTATIONS or key.startswith("x-")


def _compile(schema: Any, ref: _Context) -> Check:
    if schema is True or schema == {}:
        return lambda value: True
    if not isinstance(schema, dict):
        raise _Unsupported(repr(schema))
    checks = [_keyword(key, argument, schema, ref) for key, argument in schema.items() if not _is_annotation(key)]
    return _plain_first(schema, _all([c for c in checks if c is not None]))


def _plain_first(schema: dict[str, Any], general: Check) -> Check:
    """For a bounded string or integer schema, the common case (a plain str or int) in one
    step, anything else by the general check; the answers are the same, only faster."""
    keys = {key for key in schema if not _is_annotation(key)}
    types = schema.get("type")
    types = [types] if isinstance(types, str) else types or []
    if "string" in types and keys <= {"type", "minLength", "maxLength"}:
        shortest, longest = schema.get("minLength", 0), schema.get("maxLength", float("inf"))
        return lambda value: shortest <= len(value) <= longest if type(value) is str else general(value)
    if "integer" in types and keys <= {"type", "minimum", "maximum"}:
        lowest, highest = schema.get("minimum", float("-inf")), schema.get("maximum", float("inf"))
        return lambda value: lowest <= value <= highest if type(value) is int else general(value)
    return general


def _all(checks: list[Check]) -> Check:
    if not checks:
        return lambda value: True
    if len(checks) == 1:
        return checks[0]
    first, rest = checks[0], _all(checks[1:])
    return lambda value: first(value) and rest(value)


def _keyword(key: str, argument: Any, schema: dict[str, Any], ref: _Context) -> Check | None:
    if key in _SIMPLE:
        return _SIMPLE[key](argument)
    if key in _STRUCTURAL:
        return _STRUCTURAL[key](key, argument, schema, ref)
    raise _Unsupported(key)


def _format(key: str, argument: Any, schema: dict[str, Any], ref: _Context) -> Check:
    if argument not in ref.formats:
        raise _Unsupported(argument)
    return ref.formats[argument]


def _reference(key: str, argument: Any, schema: dict[str, Any], ref: _Context) -> Check:
    if not isinstance(argument, str) or not argument.startswith("#/$defs/"):
        raise _Unsupported(argument)
    return ref.reference(argument[len("#/$defs/"):])


def _property_names(key: str, argument: Any, schema: dict[str, Any], ref: _Context) -> Check:
    names = _compile(argument, ref)
    return lambda value: not isinstance(value, dict) or all(names(name) for name in value)


def _object(key: str, argument: Any, schema: dict[str, Any], ref: _Context) -> Check | None:
    """`properties` with its `additionalProperties`, or `additionalProperties` alone."""
    if key == "properties":
        return _properties(argument, schema.get("additionalProperties", True), ref)
    return None if "properties" in schema else _properties({}, argument, ref)


def _array(key: str, argument: Any, schema: dict[str, Any], ref: _Context) -> Check | None:
    """`items` and `prefixItems`, compiled once for both."""
    return _items(schema, ref) if key == "items" or "items" not in schema else None


def _combination(key: str, argument: Any, ref: _Context) -> Check:
    """`not`, `anyOf` or `oneOf` over compiled subschemas."""
    if key == "not":
        inner = _compile(argument, ref)
        return lambda value: not inner(value)
    options = [_compile(sub, ref) for sub in argument]
    if key == "anyOf":
        return lambda value: any(option(value) for option in options)
    return lambda value: sum(1 for option in options if option(value)) == 1


def _properties(named: dict[str, Any], other: Any, ref: _Context) -> Check:
    checks = {name: _compile(sub, ref) for name, sub in named.items()}
    rest = None if other is True else (lambda value: False) if other is False else _compile(other, ref)

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for key, item in value.items():
            known = checks.get(key)
            if known is not None:
                if not known(item):
                    return False
            elif rest is not None and not rest(item):
                return False
        return True
    return check


def _items(schema: dict[str, Any], ref: _Context) -> Check:
    prefix = [_compile(sub, ref) for sub in schema.get("prefixItems", ())]
    rest_schema = schema.get("items", True)
    rest = None if rest_schema is True else _compile(rest_schema, ref)

    def check(value: Any) -> bool:
        if not isinstance(value, list):
            return True
        for item, item_check in zip(value, prefix):
            if not item_check(item):
                return False
        if rest is not None:
            for item in value[len(prefix):] if prefix else value:
                if not rest(item):
                    return False
        return True
    return check


def _type(argument: Any) -> Check:
    names = [argument] if isinstance(argument, str) else list(argument)
    tests = [_TYPES[name] for name in names]
    if len(tests) == 1:
        return tests[0]
    return lambda value: any(test(value) for test in tests)


def _enum(options: list[Any]) -> Check:
    if any(isinstance(option, (list, dict)) for option in options):
        raise _Unsupported("enum of containers")
    if all(isinstance(option, str) for option in options):
        strings = frozenset(options)
        return lambda value: isinstance(value, str) and value in strings
    return lambda value: any(_same(value, option) for option in options)


def _bound(compare: Callable[[Any, Any], bool], kind: str) -> Callable[[Any], Check]:
    applies = _TYPES["number"] if kind == "number" else _TYPES[kind]
    measure = (lambda v: v) if kind == "number" else len

    def make(limit: Any) -> Check:
        return lambda value: not applies(value) or compare(measure(value), limit)
    return make


def _required(names: list[str]) -> Check:
    return lambda value: not isinstance(value, dict) or all(name in value for name in names)


def _pattern(expression: str) -> Check:
    compiled = re.compile(expression)
    return lambda value: not isinstance(value, str) or compiled.search(value) is not None


_STRUCTURAL: dict[str, Callable[[str, Any, dict[str, Any], _Context], Check | None]] = {
    "format": _format,
    "$ref": _reference,
    "not": lambda key, argument, schema, ref: _combination(key, argument, ref),
    "anyOf": lambda key, argument, schema, ref: _combination(key, argument, ref),
    "oneOf": lambda key, argument, schema, ref: _combination(key, argument, ref),
    "propertyNames": _property_names,
    "properties": _object,
    "additionalProperties": _object,
    "items": _array,
    "prefixItems": _array,
}

_SIMPLE: dict[str, Callable[[Any], Check]] = {
    "type": _type,
    "enum": _enum,
    "const": lambda expected: _enum([expected]),
    "required": _required,
    "pattern": _pattern,
    "minimum": _bound(lambda v, limit: v >= limit, "number"),
    "maximum": _bound(lambda v, limit: v <= limit, "number"),
    "minLength": _bound(lambda v, limit: v >= limit, "string"),
    "maxLength": _bound(lambda v, limit: v <= limit, "string"),
    "exclusiveMinimum": _bound(lambda v, limit: v > limit, "number"),
    "exclusiveMaximum": _bound(lambda v, limit: v < limit, "number"),
    "minProperties": _bound(lambda v, limit: v >= limit, "object"),
    "maxProperties": _bound(lambda v, limit: v <= limit, "object"),
    "minItems": _bound(lambda v, limit: v >= limit, "array"),
    "maxItems": _bound(lambda v, limit: v <= limit, "array"),
}
