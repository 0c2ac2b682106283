"""How long an upgrade impact takes on a large capture: the issue's target is 1,000 samples of
256x256x3 between two releases (the release models) in under 30 s on 2 cores.

    python .ci/bench/impact.py [--samples 1000] [--side 256] [--from 0.28.2] [--to 0.31.0]
                               [--rounds 2] [--venvs DIR] [--verify-per-site 5] [--seed 28]
                               [--mix mixed|float32|uint8]

A capture folder is written first (not timed) through the capture recorder, as a project's
capture would be: four call sites, the samples alternating float32 images in [0, 1] and uint8
images, drawn from the seed. Then, taking turns in this process, the floor (every sample
loaded and cast with one NumPy `astype(np.uint8)`, the least any comparison must do) and the
impact itself (`engine.compute` with both releases' models), each keeping its best round; the
ratio of the two is what the impact costs over merely reading the samples. With release
virtualenvs in DIR/wandb-X, an impact with `--verify` on the given number of samples per site
is timed once too. A measurement, not a test: docs/performance.md, "Upgrade impact", records
its output.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import PIL

from wbimage_conformance.capture import manifest
from wbimage_conformance.capture.agent import Limits, Recorder
from wbimage_conformance.capture.agent.record import Site
from wbimage_conformance.impact import engine, models, samples
from wbimage_conformance.impact.real import RealSide

TARGET_S = 30.0
SITES = tuple(Site(f"bench/{name}.py", line, name) for name, line in
              (("log_inputs", 12), ("log_predictions", 40), ("log_augmented", 77), ("log_targets", 103)))


MIXES = ("mixed", "float32", "uint8")


def image(rng: np.random.Generator, side: int, number: int, mix: str) -> np.ndarray:
    """A float32 image in [0, 1] or a uint8 one (mixed: alternating, float32 first): a gradient plus noise."""
    ramp = np.linspace(0.0, 1.0, side, dtype=np.float32)[None, :, None]
    unit = np.clip(ramp * 0.8 + rng.random((side, side, 3), dtype=np.float32) * 0.2, 0.0, 1.0)
    as_float = mix == "float32" or (mix == "mixed" and number % 2 == 0)
    return unit if as_float else (unit * 255).astype(np.uint8)


def write_capture(folder: Path, count: int, side: int, seed: int, mix: str = "mixed") -> Path:
    rng = np.random.default_rng(seed)
    limits = Limits(max_per_site=count, max_bytes_per_site=1 << 40, max_total_bytes=1 << 40)
    recorder = Recorder(str(folder), limits, process={"pid": 0, "python": "bench"})
    for number in range(count):
        pixel = {"mode": None, "normalize": True, "file_type": None}
        recorder.record(SITES[number % len(SITES)], image(rng, side, number, mix), pixel, [], given=[])
    recorder.close()
    manifest.finish(folder, limits.as_json())
    return folder


def floor(chosen: list[samples.Sample]) -> None:
    for sample in chosen:
        sample.load().astype(np.uint8)


def seconds(work: Callable[[], object]) -> tuple[float, float, object]:
    """Wall and CPU seconds of one call, and what it returned."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def side(version: str, venvs: Path | None) -> engine.Side:
    """A release's model (with its real release where DIR/wandb-X exists), or the spec."""
    if version == "spec":
        return engine.Side(version, models.SpecModel())
    model = models.release_model(version)
    if model is None:
        sys.exit(f"impact bench: wandb {version} has no release model")
    python = venvs / f"wandb-{version}" / "bin" / "python" if venvs else None
    real = RealSide(f"wandb@{python}") if python and python.exists() else None
    return engine.Side(version, model, real)


def compare_rounds(chosen: list[samples.Sample], before: str, after: str, rounds: int) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {}
    floor(chosen)  # untimed: the files are in the page cache for both
    for number in range(rounds):
        order = ("floor", "impact") if number % 2 == 0 else ("impact", "floor")
        for what in order:
            if what == "floor":
                wall, cpu, _ = seconds(lambda: floor(chosen))
            else:
                wall, cpu, result = seconds(lambda: engine.compute(chosen, side(before, None), side(after, None)))
                assert isinstance(result, engine.Impact)
                figures.setdefault("degraded", []).append(result.count("degraded"))
            figures.setdefault(f"{what} wall", []).append(wall)
            figures.setdefault(f"{what} cpu", []).append(cpu)
    return figures


def verify(chosen: list[samples.Sample], before: str, after: str, venvs: Path, per_site: int) -> None:
    if per_site <= 0:
        return
    sides = side(before, venvs), side(after, venvs)
    missing = [s.given for s in sides if s.real is None and s.given != "spec"]
    if missing:
        print(f"\n--verify not timed: no virtualenv for wandb {', '.join(missing)} in {venvs}")
        return
    wall, cpu, result = seconds(lambda: engine.compute(chosen, *sides, verify_per_site=per_site))
    assert isinstance(result, engine.Impact)
    print(f"\n--verify, {per_site} samples per site ({len(SITES)} sites) run by the real releases:")
    for check in result.verification:
        print(f"  {check.side}: {check.checked} checked, {len(check.disagreements)} disagree, "
              f"{check.unanswered} unanswered")
    print(f"  wall {wall:.2f} s, CPU of this process {cpu:.2f} s (the workers' CPU is not counted)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--side", type=int, default=256)
    parser.add_argument("--from", dest="before", default="0.28.2")
    parser.add_argument("--to", dest="after", default="0.31.0")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=28)
    parser.add_argument("--mix", choices=MIXES, default="mixed", help="the samples' dtypes (default mixed)")
    parser.add_argument("--venvs", type=Path, default=Path.home() / ".cache" / "wbimage-conformance-venvs")
    parser.add_argument("--verify-per-site", type=int, default=5)
    args = parser.parse_args()
    print(f"cores {os.cpu_count()}; python {platform.python_version()}, numpy {np.__version__}, "
          f"pillow {PIL.__version__}; load average before {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="bench-impact-") as scratch:
        wall, _, _ = seconds(lambda: write_capture(Path(scratch), args.samples, args.side, args.seed, args.mix))
        chosen = samples.read([scratch])
        size = sum(s.path.stat().st_size for s in chosen if s.path) / 1e6
        print(f"capture: {len(chosen)} samples of {args.side}x{args.side}x3 ({args.mix}: float32 in [0,1], uint8), "
              f"{len(SITES)} sites, {size:.0f} MB, written in {wall:.1f} s (not timed below)")
        figures = compare_rounds(chosen, args.before, args.after, args.rounds)
        report(figures, args)
        verify(chosen, args.before, args.after, args.venvs, args.verify_per_site)
    print(f"load average after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def report(figures: dict[str, list[float]], args: argparse.Namespace) -> None:
    print(f"\nwandb {args.before} -> {args.after} (release models), best of {args.rounds} rounds, taking turns "
          f"with the floor; {int(figures['degraded'][0])} samples degraded")
    print(f"{'':34} {'wall s':>8} {'CPU s':>8}")
    for what, label in (("floor", "floor (load + one astype)"), ("impact", "impact (engine.compute)")):
        print(f"{label:34} {min(figures[what + ' wall']):8.2f} {min(figures[what + ' cpu']):8.2f}")
    ratio = min(figures["impact wall"]) / min(figures["floor wall"])
    cpu_ratio = min(figures["impact cpu"]) / min(figures["floor cpu"])
    best = min(figures["impact wall"])
    print(f"{'impact / floor':34} {ratio:8.1f} {cpu_ratio:8.1f}")
    print(f"per sample: {1000 * best / args.samples:.1f} ms; {'under' if best < TARGET_S else 'over'} the "
          f"{TARGET_S:.0f} s target for {args.samples} samples on this machine now")


if __name__ == "__main__":
    main()
