"""YAML read safely and with line numbers: the one loader for case files, expectations files
and the front matter of documentation pages.

Why one module: every YAML the suite reads comes from someone else (a pull request, a docs
repository), and every error about it must point at a line. Safe loading only (no Python
objects), duplicate keys refused instead of PyYAML's silent last-wins, and the node tree kept
so that a data path (`cases[3].expect.pixels`) turns back into a line number.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

#: libyaml's safe loader when PyYAML was built with it (several times faster), else the pure one;
#: both construct only plain data, never objects named by tags.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlSourceError(ValueError):
    """A document that cannot be read; `line` is 1-based within the text given, or None."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class Located:
    """The node tree of one document, to turn a data path into a line number."""

    def __init__(self, root: yaml.Node | None) -> None:
        self.root = root

    def node_at(self, path: Sequence[Any]) -> yaml.Node | None:
        """The deepest node along `path` (the root when nothing of it matches)."""
        node = self.root
        for part in path:
            if isinstance(node, yaml.MappingNode):
                nxt = next((v for k, v in node.value if k.value == part), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                nxt = node.value[part]
            else:
                nxt = None
            if nxt is None:
                break
            node = nxt
        return node

    def line_at(self, path: Sequence[Any]) -> int:
        node = self.node_at(path)
        return node.start_mark.line + 1 if node is not None else 1

    def key_line(self, path: Sequence[Any], key: str) -> int:
        """The line of `key` in the mapping at `path`, else of that mapping itself."""
        node = self.node_at(path)
        if isinstance(node, yaml.MappingNode):
            for k, _ in node.value:
                if k.value == key:
                    return k.start_mark.line + 1
        return node.start_mark.line + 1 if node is not None else 1

    def key_lines(self) -> dict[str, int]:
        """Every mapping key reachable through mappings, as a dotted path -> its line."""
        out: dict[str, int] = {}

        def walk(node: Any, prefix: str) -> None:
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    dotted = f"{prefix}.{key.value}" if prefix else str(key.value)
                    out[dotted] = key.start_mark.line + 1
                    walk(value, dotted)

        walk(self.root, "")
        return out


def _refuse_duplicate_keys(node: yaml.Node) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key, value in node.value:
            line = key.start_mark.line + 1
            if key.value in seen:
                raise YamlSourceError(f"key {key.value!r} appears twice (first at line {seen[key.value]})", line)
            seen[key.value] = line
            _refuse_duplicate_keys(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _refuse_duplicate_keys(item)


def _describe(exc: yaml.YAMLError) -> YamlSourceError:
    mark = getattr(exc, "problem_mark", None)
    start = getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    if start is not None and context:
        where = f" (at line {mark.line + 1})" if mark is not None and mark.line != start.line else ""
        return YamlSourceError(f"not valid YAML: {context}: {problem}{where}", start.line + 1)
    return YamlSourceError(f"not valid YAML: {problem}", mark.line + 1 if mark is not None else None)


def parse(text: str) -> tuple[Any, Located]:
    """The one document in `text` as plain data, with its node tree. An empty document is None."""
    loader = _SAFE_LOADER(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, Located(None)
        _refuse_duplicate_keys(root)
        data = loader.construct_document(root)
    except yaml.YAMLError as exc:
        raise _describe(exc) from None
    finally:
        loader.dispose()
    return data, Located(root)


class YamlFileError(ValueError):
    """A file that cannot be read or parsed; the message starts with `path:line:`."""


def read_file(path: Path) -> tuple[Any, Located]:
    """The one document of a UTF-8 file, as `parse` gives it; every error names the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlFileError(f"{path}: cannot read: {exc}") from None
    try:
        return parse(text)
    except YamlSourceError as exc:
        raise YamlFileError(f"{path}:{exc.line}: {exc.message}" if exc.line else f"{path}: {exc.message}") from None
