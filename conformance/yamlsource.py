"""YAML read safely and with line numbers: the one loader for case files, expectations files
and the front matter of documentation pages.

Why one module: every YAML the suite reads comes from someone else (a pull request, a docs
repository), and every error about it must point at a line. Safe loading only (no Python
objects), duplicate keys refused instead of PyYAML's silent last-wins, and the node tree kept
so that a data path (`cases[3].expect.pixels`) turns back into a line number.

Limits, because the text may be hostile: a file is at most MAX_FILE_BYTES; before any value is
built, the node tree is walked once (without recursion) and refused when it nests deeper than
MAX_DEPTH, expands to more than MAX_NODES values once aliases are followed (an alias bomb, or
an alias inside itself), holds a scalar longer than MAX_SCALAR_CHARS or an integer longer than
MAX_INT_DIGITS digits, or uses a mapping or sequence as a mapping key. Every refusal names the
line. Time and memory are then bounded by the file's size.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml

#: libyaml's safe loader when PyYAML was built with it (several times faster), else the pure one;
#: both construct only plain data, never objects named by tags.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 500_000
MAX_SCALAR_CHARS = 100_000
#: 40 digits hold every 128-bit integer; the spec's values need at most 20 (uint64).
MAX_INT_DIGITS = 40
_INT_TAG = "tag:yaml.org,2002:int"
#: libyaml composes nodes recursively in C: far past this nesting it overflows the C stack (a
#: segfault, not an exception), so a text whose nesting could exceed it is refused unparsed.
MAX_NESTING_BOUND = 1000
#: Quoted scalars and comments, where brackets are text: each only where a token can start
#: (a quote or `#` inside a plain scalar such as `don't` or `a#b` is text itself).
_QUOTED = re.compile(r"""(?<![^\s\[{,])(?:"[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\n]*(?:''[^'\n]*)*'|#[^\n]*)""")
_INDENT = re.compile(r"^[ ]*", re.MULTILINE)
_COMPACT_RUN = re.compile(r"(?:[-?:][ \t]+){%d}" % MAX_NESTING_BOUND)


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


def _check_tree(root: yaml.Node) -> None:
    """One pass over the tree as it expands (aliases followed): the limits of the module
    docstring, and duplicate keys, which PyYAML would otherwise resolve silently, last wins."""
    budget = MAX_NODES
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        line = node.start_mark.line + 1
        budget -= 1
        if budget < 0:
            raise YamlSourceError(f"more than {MAX_NODES} values once aliases are expanded "
                                  "(an alias used too often, or inside itself)", line)
        if depth > MAX_DEPTH:
            raise YamlSourceError(f"nested deeper than {MAX_DEPTH} levels", line)
        if isinstance(node, yaml.ScalarNode):
            if len(node.value) > MAX_SCALAR_CHARS:
                raise YamlSourceError(f"a value of {len(node.value)} characters; at most {MAX_SCALAR_CHARS}", line)
            if node.tag == _INT_TAG and sum(c.isdigit() for c in node.value) > MAX_INT_DIGITS:
                raise YamlSourceError(f"an integer of {sum(c.isdigit() for c in node.value)} digits; "
                                      f"at most {MAX_INT_DIGITS}", line)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                key_line = key.start_mark.line + 1
                if not isinstance(key, yaml.ScalarNode):
                    kind = "mapping" if isinstance(key, yaml.MappingNode) else "sequence"
                    raise YamlSourceError(f"a {kind} used as a mapping key; keys are plain values", key_line)
                if key.value in seen:
                    raise YamlSourceError(f"key {key.value!r} appears twice (first at line {seen[key.value]})", key_line)
                seen[key.value] = key_line
            stack.extend(pair for key, value in reversed(node.value) for pair in ((value, depth + 1), (key, depth + 1)))


def _describe(exc: yaml.YAMLError) -> YamlSourceError:
    mark = getattr(exc, "problem_mark", None)
    start = getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    if start is not None and context:
        where = f" (at line {mark.line + 1})" if mark is not None and mark.line != start.line else ""
        return YamlSourceError(f"not valid YAML: {context}: {problem}{where}", start.line + 1)
    return YamlSourceError(f"not valid YAML: {problem}", mark.line + 1 if mark is not None else None)


def _nesting_bound(text: str) -> int:
    """An upper bound of the nesting of `text`, in linear time and without parsing: the
    deepest flow brackets outside quoted scalars and comments, plus the widest indentation
    (each block level is indented further), plus more than MAX_NESTING_BOUND when one line
    holds that many block indicators in a row (`- - - ...`). Brackets are found by byte value
    (`[` 91, `{` 123, `]` 93, `}` 125) in one vectorized pass."""
    skeleton = _QUOTED.sub("", text)
    codes = np.frombuffer(skeleton.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    steps = ((codes == 91) | (codes == 123)).astype(np.int64) - ((codes == 93) | (codes == 125)).astype(np.int64)
    levels = np.cumsum(steps) if steps.size else np.zeros(1, dtype=np.int64)
    deepest = int(levels.max()) - min(int(levels.min()), 0)
    indent = max((len(m) for m in _INDENT.findall(skeleton)), default=0)
    compact = MAX_NESTING_BOUND + 1 if _COMPACT_RUN.search(skeleton) else 0
    return deepest + indent + compact


def parse(text: str) -> tuple[Any, Located]:
    """The one document in `text` as plain data, with its node tree. An empty document is None."""
    if _nesting_bound(text) > MAX_NESTING_BOUND:
        raise YamlSourceError(f"nested deeper than {MAX_DEPTH} levels (or indented past {MAX_NESTING_BOUND} columns)")
    loader = _SAFE_LOADER(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, Located(None)
        _check_tree(root)
        data = loader.construct_document(root)
    except yaml.YAMLError as exc:
        raise _describe(exc) from None
    except YamlSourceError:
        raise
    except (ValueError, TypeError, OverflowError) as exc:  # a scalar its tag cannot read (a 13th month)
        raise YamlSourceError(f"a value cannot be read: {exc}") from None
    finally:
        loader.dispose()
    return data, Located(root)


class YamlFileError(ValueError):
    """A file that cannot be read or parsed; the message starts with `path:line:`."""


def read_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[Any, Located]:
    """The one document of a regular UTF-8 file of at most `max_bytes`, as `parse` gives it;
    every error names the file."""
    try:
        if not path.exists():
            raise YamlFileError(f"{path}: cannot read: no such file")
        if not path.is_file():
            raise YamlFileError(f"{path}: not a regular file")
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
        if len(raw) > max_bytes:
            raise YamlFileError(f"{path}: larger than {max_bytes} bytes, the limit for a YAML file")
        text = raw.decode("utf-8")
    except OSError as exc:
        raise YamlFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise YamlFileError(f"{path}: not UTF-8 (byte {exc.start})") from None
    try:
        return parse(text)
    except YamlSourceError as exc:
        raise YamlFileError(f"{path}:{exc.line}: {exc.message}" if exc.line else f"{path}: {exc.message}") from None
