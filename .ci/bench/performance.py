"""The performance benchmark of issue 15: prints, in one run on one machine, side by side,

1. normalization: the reference's `to_uint8`, wandb 0.28.2's pipeline core (restated below
   from its documented expressions) and the floor (one casting copy into uint8), as ratios,
   for float16/32/64 in each branch and for uint8, plus peak traced memory;
2. where the time of `Image(...)` goes for a large array and a large tensor;
3. the suite's own throughput: the runner's cases per second and per-case overhead for the
   cases whose input is a plain array small enough to travel inline (the larger ones apart, per
   MB), against the same calls in one process; the suite's own stages timed one by one; and
   the hand-over between runner and worker (pipe round trip, code run cold after a wait);
   with --baseline DIR, side by side with the package in DIR (an earlier commit), measured in
   fresh processes that take turns.

Times are CPU time of the measuring thread (or, for the runner, of both processes) and the
best of several interleaved rounds, so a machine shared with other work shifts every
contender alike; wall-clock figures are printed beside them. Nothing here asserts a time:
the figures go to docs/performance.md.

Usage: `bash .ci/bench/run` (installs like the other .ci scripts), or, in the project's
environment, `python .ci/bench/performance.py [--shape 2048,2048,3] [--rounds 7] [--only normalize|image|runner]
[--baseline DIR [--alternations 4]]`.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import select
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import PIL

from wbimage_conformance.cases import casefiles, materialize
from wbimage_conformance.reference import encoding, inputs, modes, normalize, to_uint8
from wbimage_conformance.run import compare, runner
from wbimage_conformance.run.reproduction import reproduction
from wbimage_conformance.worker import inputs as worker_inputs
from wbimage_conformance.worker import protocol
from wbimage_conformance.worker.adapters import load, perform

BRANCH_RANGES = {"unit": (0.0, 1.0), "signed": (-1.0, 1.0), "other": (-50.0, 300.0)}


# -- the contenders ------------------------------------------------------------------------


def wandb_0_28_2_core(data: np.ndarray) -> np.ndarray:
    """wandb 0.28.2's array pipeline core, restated from its documented expressions: the
    range-warning scan (is any value outside [0, 255]?), the three-branch rescale evaluated
    on the whole array, and the final cast to uint8 (a copy)."""
    _warns = np.min(data) < 0 or np.max(data) > 255  # the range-warning scan
    lo, hi = data.min(), data.max()
    if 0 <= lo and hi <= 1:
        rescaled = (data * 255).astype(np.uint8)
    elif -1 <= lo and hi <= 1:
        rescaled = (255 * 0.5 * (data + 1)).astype(np.uint8)
    else:
        rescaled = data.clip(0, 255).astype(np.uint8)
    return rescaled.astype(np.uint8)  # the final cast


def floor(data: np.ndarray, out: np.ndarray) -> None:
    """The least any conversion does: one casting copy into a uint8 array."""
    np.copyto(out, data, casting="unsafe")


# -- measuring -----------------------------------------------------------------------------


def best_times(contenders: dict[str, Callable[[], Any]], rounds: int) -> dict[str, tuple[float, float]]:
    """Per contender, the least (CPU seconds, wall seconds) over `rounds` rounds; each round
    runs every contender once, in an order that rotates from round to round."""
    names = list(contenders)
    cpu = {name: float("inf") for name in names}
    wall = {name: float("inf") for name in names}
    for round_index in range(rounds):
        for offset in range(len(names)):
            name = names[(round_index + offset) % len(names)]
            wall_start, cpu_start = time.perf_counter(), time.thread_time()
            contenders[name]()
            cpu[name] = min(cpu[name], time.thread_time() - cpu_start)
            wall[name] = min(wall[name], time.perf_counter() - wall_start)
    return {name: (cpu[name], wall[name]) for name in names}


def peak_traced(call: Callable[[], Any]) -> int:
    """Peak bytes traced by tracemalloc while `call` runs, above what was allocated before."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        call()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def table(header: list[str], rows: Iterable[list[str]]) -> str:
    rows = [header] + list(rows)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths)))
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# -- 0. the machine --------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _caches() -> str:
    found = []
    for index in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        try:
            level = (index / "level").read_text().strip()
            kind = (index / "type").read_text().strip()
            size = (index / "size").read_text().strip()
        except OSError:
            continue
        if kind != "Instruction":
            found.append(f"L{level} {size}")
    return ", ".join(found) or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return "\n".join([
        f"cpu: {_cpu_model()}, {os.cpu_count()} cores; caches per core: {_caches()}; memory {_memory()}",
        f"os: {platform.platform()}",
        f"python {platform.python_version()}, numpy {np.__version__}, pillow {PIL.__version__}",
        f"load average (1, 5, 15 min) at start: {load}",
    ])


# -- 1. normalization ------------------------------------------------------------------------


def benchmark_inputs(shape: tuple[int, ...]) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(15)
    made = {}
    for dtype in ("float16", "float32", "float64"):
        for branch, (lo, hi) in BRANCH_RANGES.items():
            made[f"{dtype} {branch}"] = (rng.random(shape, dtype=np.float32) * (hi - lo) + lo).astype(dtype)
    made["uint8"] = rng.integers(0, 256, shape, dtype=np.uint8)
    return made


def normalization(shape: tuple[int, ...], rounds: int) -> str:
    rows = []
    for name, data in benchmark_inputs(shape).items():
        out = np.empty(data.shape, np.uint8)
        same = np.array_equal(to_uint8(data), wandb_0_28_2_core(data))
        times = best_times({
            "reference": lambda: to_uint8(data),
            "core": lambda: wandb_0_28_2_core(data),
            "floor": lambda: floor(data, out),
        }, rounds)
        (ref, ref_wall), (core, _), (least, least_wall) = times["reference"], times["core"], times["floor"]
        peak = peak_traced(lambda: to_uint8(data)) / out.nbytes
        core_peak = peak_traced(lambda: wandb_0_28_2_core(data)) / out.nbytes
        rows.append([
            name, f"{ref * 1e3:.2f}", f"{core * 1e3:.2f}", f"{least * 1e3:.2f}",
            f"{ref / least:.2f}", f"{ref_wall / least_wall:.2f}", f"{ref / core:.2f}",
            f"{peak:.2f}", f"{core_peak:.2f}", "yes" if same else "NO",
        ])
    header = ["input", "reference ms", "0.28.2 core ms", "floor ms", "ref/floor", "(wall)",
              "ref/core", "ref peak", "core peak", "same bytes"]
    return (
        f"shape {shape}, best of {rounds} interleaved rounds, CPU time; peak = tracemalloc peak / output bytes\n"
        f"targets: ref/floor <= 3, ref/core <= 0.5, ref peak <= 1.25\n\n" + table(header, rows)
    )


# -- 2. Image(...) end to end -----------------------------------------------------------------


def image_stages(shape: tuple[int, ...], rounds: int) -> str:
    """Each stage of the array/tensor pipeline of `reference.Image`, timed on its own."""
    import torch

    rng = np.random.default_rng(15)
    array = rng.random(shape, dtype=np.float32)
    tensor = torch.from_numpy(np.ascontiguousarray(np.moveaxis(array, -1, 0)))
    rows = []
    for label, data in (("array (H, W, C)", array), ("tensor (C, H, W)", tensor)):
        checked = inputs.image_array(data)
        mode = modes.guess_mode(data)
        pixels = normalize.normalize_array(checked, order="C")
        image = modes.pixels_to_pil(pixels, mode)
        stages = {
            "validate + mode": lambda: (inputs.image_array(data), modes.guess_mode(data)),
            "normalize (into C order)": lambda: normalize.normalize_array(checked, order="C"),
            "normalize in input layout + copy to C (old path)": lambda: np.ascontiguousarray(normalize.normalize_array(checked)),
            "to PIL": lambda: modes.pixels_to_pil(pixels, mode),
        }
        for file_type in ("png", "jpg", "bmp"):
            stages[f"encode {file_type}"] = lambda file_type=file_type: encoding.encode(image, file_type)
        times = best_times(stages, max(1, rounds // 2))
        for stage, (cpu, wall) in times.items():
            rows.append([label, stage, f"{cpu * 1e3:.1f}", f"{wall * 1e3:.1f}"])
    return f"shape {shape} float32 in [0, 1], best of {max(1, rounds // 2)} rounds\n\n" + table(
        ["input", "stage", "CPU ms", "wall ms"], rows)


# -- 3. the runner -----------------------------------------------------------------------------


def _process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process and every live descendant (Linux /proc), or None:
    under a sandbox the runner's child is bwrap, and the worker a few processes below it."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        children = [int(c) for task in Path(f"/proc/{pid}/task").iterdir()
                    for c in (task / "children").read_text().split()]
    except (OSError, IndexError, ValueError):
        return None
    return total + sum(_process_cpu(child) or 0.0 for child in children)


def _in_process_seconds(cases: list[Any], rounds: int) -> float:
    """The same calls in this process on prebuilt inputs: what an implementation costs."""
    adapter = load("reference")
    built = []
    staging = materialize.Staging(Path(os.environ.get("TMPDIR", "/tmp")) / f"wbimage-bench-{os.getpid()}")
    try:
        for case in cases:
            made = materialize.materialize(case)
            data = worker_inputs.build(materialize.to_wire(made, staging), adapter.make_image)
            kwargs = worker_inputs.decode_arguments(materialize.kwargs_to_wire(made, staging))
            built.append((case, data, kwargs))
    finally:
        staging.remove()
    least = float("inf")
    for _ in range(rounds):
        start = time.thread_time()
        for case, data, kwargs in built:
            perform(adapter, case.call["api"], data, kwargs, case.call.get("name"))
        least = min(least, time.thread_time() - start)
    return least / len(cases)


def _input_bytes(case: Any) -> int:
    """The bytes of every array in a case's built input and keyword arguments."""
    def walk(node: Any) -> int:
        if isinstance(node, np.ndarray):
            return node.nbytes
        if isinstance(node, dict):
            return sum(walk(v) for v in node.values())
        if isinstance(node, (list, tuple)):
            return sum(walk(v) for v in node)
        if hasattr(node, "__dataclass_fields__"):
            return sum(walk(getattr(node, name)) for name in node.__dataclass_fields__)
        return 0
    return walk(materialize.materialize(case))


@functools.lru_cache(maxsize=1)  # three sections ask; sizing them materializes every case
def plain_array_cases() -> tuple[list[Any], list[Any]]:
    """The cases whose input is a plain array, split by size: those that travel inline in the
    request (what the per-case overhead is about) and the larger ones (block-walk and
    size-limit inputs, up to 4 MiB, whose cost is moving their bytes)."""
    sized = [(case, _input_bytes(case)) for case in casefiles.load_cases() if case.input["kind"] == "numpy"]
    return ([case for case, size in sized if size <= INLINE_BYTES],
            [case for case, size in sized if size > INLINE_BYTES])


#: Inputs up to this size travel inline in a request (materialize.INLINE_ARRAY_LIMIT today;
#: fixed here so that a baseline with another limit measures the same cases).
INLINE_BYTES = 32 * 1024


def _timed_runs(session: Any, cases: list[Any], rounds: int, repeat: int) -> dict[str, float]:
    """Best per-case wall time and CPU time (runner, and worker with its sandbox around it)
    over `rounds` rounds, each running `cases` `repeat` times (CPU of other processes is
    counted in clock ticks, so a round must be long)."""
    worker = session._idle.queue[0]  # the one worker of a one-job session
    pid = worker.proc.pid if worker is not None and worker.proc is not None else None
    wall = own = theirs = both = float("inf")
    count = len(cases) * repeat
    for _ in range(rounds):
        worker_cpu, own_cpu, start = _process_cpu(pid) if pid else None, time.process_time(), time.perf_counter()
        for _ in range(repeat):
            session.run(cases)
        wall = min(wall, (time.perf_counter() - start) / count)
        own_seconds = (time.process_time() - own_cpu) / count
        own = min(own, own_seconds)
        worker_after = _process_cpu(pid) if pid else None
        if worker_cpu is not None and worker_after is not None:
            theirs = min(theirs, (worker_after - worker_cpu) / count)
            both = min(both, own_seconds + (worker_after - worker_cpu) / count)
    return {"wall": wall, "runner_cpu": own, "worker_cpu": theirs, "cpu": both}


def runner_figures(rounds: int) -> dict[str, float]:
    """Per plain-array case: the in-process call, and the runner's wall time and CPU time
    (its own and its worker's, best of `rounds` runs each), for the inline inputs and the
    larger ones apart; the whole suite's wall time once."""
    small, large = plain_array_cases()
    figures: dict[str, float] = {"plain": len(small), "large": len(large),
                                 "large_mb": sum(_input_bytes(case) for case in large) / 1e6}
    figures["call"] = _in_process_seconds(small, rounds)
    figures["large_call"] = _in_process_seconds(large, rounds)
    with runner.Session("reference", jobs=1) as session:
        session.run(small + large)  # warm: imports, float16 tables, first-use allocations
        figures.update(_timed_runs(session, small, rounds, repeat=3))
        figures.update({f"large_{k}": v for k, v in _timed_runs(session, large, rounds, repeat=1).items()})
        everything = casefiles.load_cases()
        start = time.perf_counter()
        session.run(everything)
        figures["whole"] = time.perf_counter() - start
        figures["all"] = len(everything)
    return figures


def _figure_rows(figures: dict[str, float]) -> list[tuple[str, str]]:
    call, wall, cpu = figures["call"], figures["wall"], figures["cpu"]
    rows = [
        ("inline plain-array cases", f"{figures['plain']:.0f}"),
        ("in-process call, per case", f"{call * 1e6:.0f} us"),
        ("runner, per case (wall)", f"{wall * 1e3:.3f} ms  ({1 / wall:.0f} cases/s)"),
        ("per-case overhead (wall - call)", f"{(wall - call) * 1e3:.3f} ms"),
    ]
    if cpu != float("inf"):
        rows += [
            ("runner CPU, per case", f"{figures['runner_cpu'] * 1e3:.3f} ms"),
            ("worker CPU, per case", f"{figures['worker_cpu'] * 1e3:.3f} ms"),
            ("runner + worker CPU, per case", f"{cpu * 1e3:.3f} ms"),
            ("per-case overhead (CPU - call)", f"{(cpu - call) * 1e3:.3f} ms"),
        ]
    if figures.get("large"):
        large_wall, large_call = figures["large_wall"], figures["large_call"]
        rows += [
            (f"larger plain-array cases ({figures['large_mb']:.1f} MB of input)", f"{figures['large']:.0f}"),
            ("  in-process call, per case", f"{large_call * 1e3:.2f} ms"),
            ("  runner, per case (wall)", f"{large_wall * 1e3:.2f} ms"),
            ("  overhead per MB of input (wall)",
             f"{(large_wall - large_call) * figures['large'] / figures['large_mb'] * 1e3:.2f} ms"),
        ]
    rows.append((f"whole suite, {figures['all']:.0f} cases, one job (wall)", f"{figures['whole']:.2f} s"))
    return rows


def _figures_in_child(rounds: int, pythonpath: str | None) -> dict[str, float]:
    """runner_figures() in a fresh interpreter; with `pythonpath`, of the package found there."""
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    done = subprocess.run([sys.executable, __file__, "--runner-figures", "--rounds", str(rounds)],
                          env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def runner_side_by_side(rounds: int, baseline: str, alternations: int) -> str:
    """This checkout's figures and the baseline's, each the best over `alternations` fresh
    processes that take turns, so a change in the machine's load hits both alike."""
    best: dict[str, dict[str, float]] = {}
    for turn in range(alternations):
        order = (("this", None), ("baseline", baseline))
        for label, pythonpath in order if turn % 2 == 0 else order[::-1]:
            figures = _figures_in_child(rounds, pythonpath)
            kept = best.setdefault(label, figures)
            for key, value in figures.items():
                kept[key] = min(kept[key], value)
    this, base = dict(_figure_rows(best["this"])), dict(_figure_rows(best["baseline"]))
    rows = [[name, base.get(name, ""), value] for name, value in this.items()]
    return (f"one job; best of {alternations} alternating processes per side, each the best of {rounds} runs; "
            f"baseline: the package in {baseline}\n\n" + table(["", "baseline", "this checkout"], rows))


def suite_stages(rounds: int) -> str:
    """Where a plain-array case's time goes, stage by stage, each timed over all those cases in
    this process (warm caches, no process switches: a lower bound for each stage)."""
    plain, _ = plain_array_cases()
    adapter = load("reference")
    staging = materialize.Staging(Path(tempfile.mkdtemp(prefix="wbimage-bench-")))

    def request_line(case: Any, built: materialize.Materialized) -> bytes:
        call = {"api": case.call["api"], "kwargs": materialize.kwargs_to_wire(built, staging)}
        return protocol.dumps(protocol.run_request(case.id, call, materialize.to_wire(built, staging)))

    try:
        made = [materialize.materialize(case) for case in plain]
        lines = [request_line(case, m) for case, m in zip(plain, made)]
        requests = [protocol.loads(line) for line in lines]
        built = [(worker_inputs.build(r["input"], adapter.make_image), worker_inputs.decode_arguments(r["call"]["kwargs"]))
                 for r in requests]
        observed = [perform(adapter, case.call["api"], data, kwargs, case.call.get("name"))
                    for case, (data, kwargs) in zip(plain, built)]
        replies = [protocol.dumps(protocol.result_reply(case.id, protocol.OBSERVED, o)) for case, o in zip(plain, observed)]
        decoded = [protocol.decode_observation(protocol.loads(reply)["observation"]) for reply in replies]
        stages = {
            ("runner", "case input built (materialize)"): lambda: [materialize.materialize(case) for case in plain],
            ("runner", "request: wire form + JSON"): lambda: [request_line(case, m) for case, m in zip(plain, made)],
            ("worker", "request JSON read"): lambda: [protocol.loads(line) for line in lines],
            ("worker", "caller's data built"): lambda: [
                (worker_inputs.build(r["input"], adapter.make_image), worker_inputs.decode_arguments(r["call"]["kwargs"]))
                for r in requests],
            ("worker", "mutation snapshots (4)"): lambda: [
                (worker_inputs.snapshot(d), worker_inputs.snapshot(k), worker_inputs.snapshot(d), worker_inputs.snapshot(k))
                for d, k in built],
            ("worker", "the call itself"): lambda: [perform(adapter, case.call["api"], d, k, case.call.get("name"))
                                                    for case, (d, k) in zip(plain, built)],
            ("worker", "reply encoded + JSON"): lambda: [protocol.dumps(protocol.result_reply(case.id, protocol.OBSERVED, o))
                                                         for case, o in zip(plain, observed)],
            ("runner", "reply JSON read + observation decoded"): lambda: [
                protocol.decode_observation(protocol.loads(reply)["observation"]) for reply in replies],
            ("runner", "comparison"): lambda: [compare.compare(case, o) for case, o in zip(plain, decoded)],
            ("runner", "reproduction line"): lambda: [reproduction(case, "reference.Image") for case in plain],
        }
        times = best_times(stages, rounds)
    finally:
        staging.remove()
    rows = [[side, stage, f"{times[(side, stage)][0] / len(plain) * 1e6:.1f}"] for side, stage in stages]
    return (f"CPU per inline plain-array case, best of {rounds} rounds; the process round trip (two pipe writes, two "
            f"wake-ups) is not in this table\n\n" + table(["side", "stage", "us"], rows))


def _round_trip(mine: int, theirs: int, count: int = 2000) -> float:
    """Wall seconds for a 1 KB line to go to a forked echo process and back through pipes,
    this process held to core `mine` and the echo to core `theirs`."""
    there, back = os.pipe(), os.pipe()
    child = os.fork()
    if child == 0:  # the echo: what a worker does with a request, minus the work
        os.sched_setaffinity(0, {theirs})
        for _ in range(count):
            os.write(back[1], os.read(there[0], 4096))
        os._exit(0)
    before = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {mine})
        line = b"x" * 1023 + b"\n"
        start = time.perf_counter()
        for _ in range(count):
            os.write(there[1], line)
            select.select([back[0]], [], [], 5)
            os.read(back[0], 4096)
        return (time.perf_counter() - start) / count
    finally:
        os.sched_setaffinity(0, before)
        os.waitpid(child, 0)
        for fd in (*there, *back):
            os.close(fd)


def handoff_costs(rounds: int) -> str:
    """What no stage table shows: a process that waits for another pays a pipe round trip, and
    the code it runs next runs slower (its core idled meanwhile). Both measured here."""
    rows = []
    cores = sorted(os.sched_getaffinity(0))
    placements = [("one core", cores[0], cores[0])] + ([("two cores", cores[0], cores[1])] if len(cores) > 1 else [])
    for label, mine, theirs in placements:
        rows.append([f"pipe round trip of a 1 KB line, {label} (wall)",
                     f"{min(_round_trip(mine, theirs) for _ in range(rounds)) * 1e6:.0f} us"])
    plain, _ = plain_array_cases()
    reading, writing = os.pipe()

    def stages(pause: float) -> float:
        """CPU of materialize + reproduction per case, with `pause` seconds of waiting between cases."""
        spent = 0.0
        for case in plain:
            if pause:
                select.select([reading], [], [], pause)
            start = time.thread_time()
            materialize.materialize(case)
            reproduction(case, "reference.Image")
            spent += time.thread_time() - start
        return spent / len(plain)

    try:
        warm = min(stages(0.0) for _ in range(rounds))
        for pause in (0.00002, 0.0002):
            cold = min(stages(pause) for _ in range(rounds))
            rows.append([f"runner stages after a {pause * 1e6:.0f} us wait / back to back (CPU)", f"{cold / warm:.2f}x"])
    finally:
        os.close(reading)
        os.close(writing)
    return "the hand-over between runner and worker, best of each\n\n" + table(["", "figure"], rows)


def runner_throughput(rounds: int, baseline: str | None, alternations: int) -> str:
    if baseline:
        figures = runner_side_by_side(rounds, baseline, alternations)
    else:
        figures = f"one job, best of {rounds} rounds (each the inline plain-array cases 3 times)\n\n" + table(
            ["", "figure"], [list(row) for row in _figure_rows(runner_figures(rounds))])
    return figures + "\n\n" + suite_stages(rounds) + "\n\n" + handoff_costs(rounds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", default="2048,2048,3", help="normalization input shape (default 2048,2048,3)")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds; the best counts (default 7)")
    parser.add_argument("--only", choices=("normalize", "image", "runner"), help="one section only")
    parser.add_argument("--baseline", metavar="DIR",
                        help="section 3 side by side with the package importable from DIR (e.g. an earlier commit "
                             "installed with `pip install --no-deps --target DIR CHECKOUT`)")
    parser.add_argument("--alternations", type=int, default=4,
                        help="with --baseline: processes per side, taking turns (default 4)")
    parser.add_argument("--runner-figures", action="store_true", help=argparse.SUPPRESS)  # a --baseline child
    args = parser.parse_args(argv)
    if args.runner_figures:
        print(json.dumps(runner_figures(args.rounds)))
        return 0
    shape = tuple(int(n) for n in args.shape.split(","))
    sections = {
        "normalize": ("1. normalization: reference vs wandb 0.28.2 core vs floor", lambda: normalization(shape, args.rounds)),
        "image": ("2. Image(...) end to end, by stage", lambda: image_stages(shape, args.rounds)),
        "runner": ("3. the suite's own throughput", lambda: runner_throughput(args.rounds, args.baseline, args.alternations)),
    }
    print("== machine\n" + machine() + "\n")
    for key, (title, section) in sections.items():
        if args.only in (None, key):
            print(f"== {title}\n{section()}\n")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    print(f"load average (1, 5, 15 min) at end: {load}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
