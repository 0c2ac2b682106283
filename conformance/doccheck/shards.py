"""`docs check --shard K/N`: the selected pages cut into N parts for N CI jobs.

Translations are compared with each other, so pages that translate each other (one group of
`consistency.groups`) go to one shard together: a group is the unit. The jobs cannot talk to
each other, so each cuts as the others do, from the selection alone: groups in selection
order, costs in integers, no `hash()`, no set order.

Cost: a page's time is its session, one block after another, so a group costs the Python
blocks of its pages (plus one per page, for reading and the static checks). Assignment is
greedy longest-first, as for the cases (run.shard): groups by decreasing cost (ties by their
first page's place in the selection), each to the shard with the least cost so far (ties to the
lowest index). Inside a shard the pages keep their selection order.
"""

from __future__ import annotations

from collections.abc import Sequence

from wbimage_conformance.doccheck import consistency
from wbimage_conformance.doccheck.classify import ClassifiedPage
from wbimage_conformance.run.shard import ShardSpec

__all__ = ["ShardSpec", "cost", "partition", "select", "translation_groups"]


def cost(page: ClassifiedPage) -> int:
    return 1 + len(page.blocks)


def translation_groups(pages: Sequence[ClassifiedPage]) -> list[list[int]]:
    """Every page's index in exactly one group: its translations', or its own; in selection order."""
    linked = consistency.link_translations(pages)
    index_of = {id(page): index for index, page in enumerate(linked)}
    groups = [sorted(index_of[id(page)] for page in group) for group in consistency.groups(linked)]
    grouped = {index for group in groups for index in group}
    groups += [[index] for index in range(len(pages)) if index not in grouped]
    return sorted(groups)


def partition(pages: Sequence[ClassifiedPage], count: int) -> list[list[int]]:
    """Indices of `pages` cut into `count` shards of about equal cost, translations together."""
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    groups = translation_groups(pages)
    costs = [sum(cost(pages[i]) for i in group) for group in groups]
    loads = [0] * count
    shards: list[list[int]] = [[] for _ in range(count)]
    for position in sorted(range(len(groups)), key=lambda g: (-costs[g], groups[g][0])):
        lightest = min(range(count), key=lambda shard: (loads[shard], shard))
        loads[lightest] += costs[position]
        shards[lightest] += groups[position]
    return [sorted(shard) for shard in shards]


def select(pages: Sequence[ClassifiedPage], spec: ShardSpec) -> list[ClassifiedPage]:
    """The pages of shard `spec.index` of `spec.count`, in selection order."""
    return [pages[i] for i in partition(pages, spec.count)[spec.index - 1]]
