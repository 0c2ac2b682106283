"""--shard K/N: a partition of the selection by expected cost, the same on every machine and
Python, each shard in selection order."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from wbimage_conformance.errors import UsageError
from wbimage_conformance.model import Case
from wbimage_conformance.run import shard

import shipped_cases


def case(case_id: str, input: dict, file: str = "cases.yaml") -> Case:
    return Case(id=case_id, title=case_id, clauses=("norm.unit",), level="required", input=input,
                call={"api": "Image"}, expect={}, allowed=(), file=file)


SMALL = {"kind": "numpy", "dtype": "uint8", "value": [[1, 2, 3]]}
BIG = {"kind": "numpy", "dtype": "float32", "generate": {"name": "uniform", "seed": 1}, "shape": [256, 256, 3]}
MID = {"kind": "numpy", "dtype": "float32", "generate": {"name": "uniform", "seed": 1}, "shape": [256, 256]}


@pytest.mark.parametrize("text, index, count", [("1/1", 1, 1), ("2/3", 2, 3), (" 3 / 3 ", 3, 3)])
def test_k_of_n_is_read(text, index, count):
    assert shard.ShardSpec.parse(text) == shard.ShardSpec(index, count)


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "3", "a/b", "-1/2", "1/2/3"])
def test_a_shard_outside_1_to_n_is_a_usage_error(text):
    with pytest.raises(UsageError, match=r"--shard"):
        shard.ShardSpec.parse(text)


def test_cost_is_calls_plus_input_elements():
    assert shard.expected_cost(case("small", SMALL)) == 4                      # one call, 3 elements
    assert shard.expected_cost(case("big", BIG)) == 4 + 196608 // 16384        # 16
    assert shard.expected_cost(case("mid", MID)) == 4 + 65536 // 16384         # 8
    images = {"kind": "images", "items": [{"of": SMALL}, {"of": SMALL}, {"of": BIG}]}
    assert shard.expected_cost(case("boxes", images)) == 3 * 4 + 196608 // 16384


def test_heaviest_first_to_the_lightest_shard_worked_by_hand():
    # costs a=16 b=4 c=4 d=4 e=4 f=8; by decreasing cost (ties by id): a f b c d e
    # a->1 (16,0)  f->2 (16,8)  b->2 (16,12)  c->2 (16,16)  d->1, the tie going to shard 1 (20,16)  e->2 (20,20)
    cases = [case("a", BIG), case("b", SMALL), case("c", SMALL), case("d", SMALL), case("e", SMALL), case("f", MID)]
    parts = shard.partition(cases, 2)
    assert [[c.id for c in part] for part in parts] == [["a", "d"], ["b", "c", "e", "f"]]
    assert shard.select(cases, shard.ShardSpec(2, 2)) == parts[1]


def test_not_by_file_a_heavy_file_is_spread_over_the_shards():
    heavy = [case(f"heavy-{i}", BIG, "heavy.yaml") for i in range(4)]
    light = [case(f"light-{i}", SMALL, "light.yaml") for i in range(16)]
    parts = shard.partition(heavy + light, 4)
    assert [sum(c.file == "heavy.yaml" for c in part) for part in parts] == [1, 1, 1, 1]
    assert [len(part) for part in parts] == [5, 5, 5, 5]


@pytest.fixture(scope="module")
def shipped() -> list[Case]:
    return list(shipped_cases.case_set().cases)


@pytest.mark.parametrize("count", [1, 2, 3, 5, 8])
def test_the_shards_of_the_shipped_cases_partition_them_in_order_and_balance_cost(shipped, count):
    parts = shard.partition(shipped, count)
    assert sorted(c.id for part in parts for c in part) == sorted(c.id for c in shipped)
    position = {c.id: i for i, c in enumerate(shipped)}
    for part in parts:
        assert [position[c.id] for c in part] == sorted(position[c.id] for c in part)
    loads = [sum(shard.expected_cost(c) for c in part) for part in parts]
    assert max(loads) - min(loads) <= max(shard.expected_cost(c) for c in shipped)


def test_more_shards_than_cases_leaves_some_empty():
    cases = [case("a", SMALL), case("b", SMALL)]
    assert [[c.id for c in part] for part in shard.partition(cases, 3)] == [["a"], ["b"], []]


SCRIPT = """
import json
from wbimage_conformance.cases import casefiles
from wbimage_conformance.run import shard
cases = casefiles.load_case_set().cases
print(json.dumps([[c.id for c in part] for part in shard.partition(cases, 3)]))
"""


def test_the_same_shards_in_other_processes_whatever_the_hash_seed(shipped):
    here = [[c.id for c in part] for part in shard.partition(shipped, 3)]
    for seed in ("0", "4242"):
        done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        assert json.loads(done.stdout) == here
