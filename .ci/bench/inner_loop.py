"""How long the inner loop takes: `--version` against one case, cold and warm validation cache.

    python .ci/bench/inner_loop.py [--rounds 7] [--case norm-unit-float32-numpy] [--sandbox auto]
                                   [--python OTHER/bin/python ...]

Each round runs, taking turns, `wbimage-conformance --version`, then `run -k CASE` with an
empty validation cache (a fresh XDG_CACHE_HOME: every case file validated, then the cache
written) and with a warm one (the cases validated before, by an earlier command). With
--python, the same three commands of another interpreter's install (the code before a
change, say) run in the same rounds, so a busy machine weighs on both alike.

The commands run with bytecode caching on (PYTHONDONTWRITEBYTECODE removed), as an installed
wheel has it; the first, untimed run of each interpreter writes the caches. Figures are wall-clock seconds, median and best of the rounds, and each one-case figure over
`--version` (the cost of starting the command at all). The machine's load average is printed
before and after: on a loaded machine only the ratios of one session compare. A measurement,
not a test: nothing here passes or fails; docs/performance.md records its output.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_S = 0.7


def environment(cache_home: str) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**kept, "XDG_CACHE_HOME": cache_home}


def timed(command: list[str], cache_home: str) -> float:
    """Wall seconds of one command; a failing command stops the benchmark (its figure would lie)."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=environment(cache_home))
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"inner_loop: {' '.join(command)} exited {done.returncode}:\n{done.stderr.strip()[-2000:]}")
    return elapsed


def sandbox_of(python: str, case: str, sandbox: str, cache_home: str) -> str:
    """The report header's sandbox line: which sandbox the one-case runs really used."""
    out = subprocess.run([python, "-m", "wbimage_conformance", "run", "-k", case, "--sandbox", sandbox],
                         capture_output=True, text=True, env=environment(cache_home)).stdout
    line = next((line for line in out.splitlines() if line.strip().startswith("sandbox ")), "sandbox  unknown")
    return " ".join(line.split()[1:])[:60]


def measure(pythons: list[str], case: str, sandbox: str, rounds: int) -> dict[tuple[str, str], list[float]]:
    figures: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="inner-loop-") as scratch:
        warm = {python: os.path.join(scratch, f"warm-{n}") for n, python in enumerate(pythons)}
        for python in pythons:
            print(f"{python}: sandbox {sandbox_of(python, case, sandbox, warm[python])}")  # also warms its cache
        for number in range(rounds):
            for python in pythons if number % 2 == 0 else reversed(pythons):
                one_case = [python, "-m", "wbimage_conformance", "run", "-k", case, "--sandbox", sandbox]
                cold = os.path.join(scratch, f"cold-{number}")
                figures.setdefault((python, "--version"), []).append(
                    timed([python, "-m", "wbimage_conformance", "--version"], warm[python]))
                figures.setdefault((python, "one case, cold cache"), []).append(timed(one_case, cold))
                figures.setdefault((python, "one case, warm cache"), []).append(timed(one_case, warm[python]))
                shutil.rmtree(cold, ignore_errors=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--case", default="norm-unit-float32-numpy")
    parser.add_argument("--sandbox", default="auto", choices=("auto", "bwrap", "none"))
    parser.add_argument("--python", action="append", default=[], help="another interpreter whose install to time too")
    args = parser.parse_args()
    pythons = [sys.executable, *args.python]
    print(f"cores {os.cpu_count()}, load average before {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    figures = measure(pythons, args.case, args.sandbox, args.rounds)
    print(f"load average after {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {args.rounds} rounds, wall seconds\n")
    print(f"{'interpreter':40} {'command':22} {'median':>7} {'best':>7} {'/ --version':>11}")
    for python in pythons:
        version = statistics.median(figures[(python, "--version")])
        for what in ("--version", "one case, cold cache", "one case, warm cache"):
            times = figures[(python, what)]
            median = statistics.median(times)
            print(f"{python[-40:]:40} {what:22} {median:7.3f} {min(times):7.3f} {median / version:11.2f}")
        warm = statistics.median(figures[(python, "one case, warm cache")])
        cold = statistics.median(figures[(python, "one case, cold cache")])
        print(f"{'':40} {'cold / warm':22} {cold / warm:7.2f}   warm {'under' if warm < TARGET_S else 'over'} "
              f"the {TARGET_S} s target on this machine now")


if __name__ == "__main__":
    main()
