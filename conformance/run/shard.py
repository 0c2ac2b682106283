"""`--shard K/N`: the selected cases cut into N parts of about equal expected cost.

CI runs the parts as N jobs of a matrix, and `wbimage-conformance report` merges their JSON
reports back into one run. The jobs cannot talk to each other, so each must cut exactly as the
others do: the cut depends only on the selection (case ids and what each case asks for) and is
computed in integers. No `hash()` (salted per process), no floats, no set order: the same
selection gives the same shards on every machine and every Python.

Cost, not files: cases differ in cost, and whole files differ far more (in the shipped cases,
one file holds a sixth of the run's time). Measured on the reference (the shipped cases, one
worker, two runs, medians): an `Image` call on a small input takes about 8 ms, one on ~200,000
input elements about 32 ms, and `all_boxes` / `all_masks`, which write a file per image, about
20-28 ms. So a case costs CALL_COST per image it makes plus one unit per ELEMENTS_PER_UNIT
input elements (a unit is about 2 ms there).

Assignment is greedy longest-first: cases by decreasing cost (ties by id), each to the shard
with the least cost so far (ties to the lowest index), so no shard's expected cost exceeds
another's by more than one case's. Inside a shard the cases keep their selection order.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wbimage_conformance.errors import UsageError
from wbimage_conformance.model import Case
from wbimage_conformance.run import limits

CALL_COST = 4
ELEMENTS_PER_UNIT = 16384

_SPEC = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


@dataclass(frozen=True)
class ShardSpec:
    """Shard `index` of `count`, counted from 1 as CI matrices write it."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> ShardSpec:
        match = _SPEC.fullmatch(text) if len(text) <= 2 * limits.MAX_NUMBER_CHARS else None
        if not match:
            raise UsageError(f"--shard {text[:limits.MAX_NUMBER_CHARS]!r}: expected K/N, such as 2/3")
        try:
            index, count = limits.check_shards(match.group(1), match.group(2))
        except ValueError:
            raise UsageError(f"--shard {text!r}: K must be between 1 and N, and N between 1 and "
                             f"{limits.MAX_SHARDS}") from None
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def _elements(node: Any) -> int:
    """Input elements a case's input describes: a generator's shape, or an inline value's leaves."""
    if isinstance(node, dict):
        shape = node.get("shape")
        if isinstance(shape, list) and all(isinstance(n, int) for n in shape):
            return math.prod(shape)
        return sum(_leaves(v) if key == "value" else _elements(v) for key, v in node.items())
    if isinstance(node, list):
        return sum(_elements(item) for item in node)
    return 0


def _leaves(value: Any) -> int:
    if isinstance(value, list):
        return sum(_leaves(item) for item in value)
    return 1


def expected_cost(case: Case) -> int:
    """The case's expected cost in units of about 2 ms of the reference's time."""
    images = 1
    if case.input.get("kind") == "images":
        images = max(1, len(case.input.get("items") or ()))
    return CALL_COST * images + _elements(case.input) // ELEMENTS_PER_UNIT


def partition(cases: Sequence[Case], count: int) -> list[list[Case]]:
    """`cases` cut into `count` shards of about equal expected cost, each in selection order."""
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    costs = [expected_cost(case) for case in cases]
    order = sorted(range(len(cases)), key=lambda i: (-costs[i], cases[i].id))
    loads = [0] * count
    owner: dict[int, int] = {}
    for position in order:
        lightest = min(range(count), key=lambda shard: (loads[shard], shard))
        owner[position] = lightest
        loads[lightest] += costs[position]
    shards: list[list[Case]] = [[] for _ in range(count)]
    for position, case in enumerate(cases):
        shards[owner[position]].append(case)
    return shards


def select(cases: Sequence[Case], spec: ShardSpec) -> list[Case]:
    """The cases of shard `spec.index` of `spec.count`."""
    return partition(cases, spec.count)[spec.index - 1]
