"""How long `docs check` takes on the real pages of upstream-docs/corpus, now and the way before.

    python .ci/bench/docs_pages.py [CORPUS_DIR] [--rounds 3] [--jobs 2] [--tree 120] [--before-path DIR]

Three ways of running the same command, side by side, taking turns (each round in another
order) so a busy machine weighs on all three alike:

- lanes: as shipped (one sandboxed server per job lane; the shipped cases from the cache);
- per-page: one sandboxed process per page (WBIMAGE_DOCS_SESSIONS=per-page), cache warm;
- before: with --before-path DIR, the suite installed in DIR (`pip install --no-deps --target
  DIR` of an older commit) first on PYTHONPATH: the old code itself. Without it, one process
  per page and the cases validated in full (an empty cache folder, so each run validates and
  then writes the cache: a little more than before).

Each figure is the best of --rounds runs, in wall-clock seconds (a sandbox's processes are not
all reaped by the command, so its CPU time would undercount them). It prints each page checked alone, all pages in one command (--jobs N),
the ratio of each to `before`, and `specdata.load()` cold (an empty cache) and warm, each in a
fresh interpreter. With --tree N, the corpus copied into a tree of N pages is checked in one
command over --jobs workers, on lanes. A measurement, not a test: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODES = ("lanes", "per-page", "before")
LOAD = ("import time; from wbimage_conformance.doccheck import specdata; t = time.perf_counter(); "
        "specdata.load(); print(time.perf_counter() - t)")


def pages_of(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*.md") if p.name != "SOURCES.md")


def check(pages: list[Path], jobs: int) -> list[str]:
    return [sys.executable, "-m", "wbimage_conformance", "docs", "check", "--jobs", str(jobs), *map(str, pages)]


def timed(command: list[str], mode: str, warm_cache: str, before_path: str | None) -> float:
    """`command` run the `mode` way (a cold cache of its own for `before`)."""
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as cold:
        env = {**os.environ, "XDG_CACHE_HOME": cold if mode == "before" else warm_cache}
        env.pop("WBIMAGE_DOCS_SESSIONS", None)
        if mode != "lanes":
            env["WBIMAGE_DOCS_SESSIONS"] = "per-page"
        if mode == "before" and before_path:
            env["PYTHONPATH"] = os.pathsep.join(p for p in (before_path, os.environ.get("PYTHONPATH")) if p)
        started = time.perf_counter()
        done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command[:6])} ... failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return elapsed


def best_of(rounds: int, command: list[str], warm: str, before_path: str | None) -> dict[str, float]:
    """Per mode, the least time over `rounds` turns."""
    seen: dict[str, list[float]] = {mode: [] for mode in MODES}
    for turn in range(rounds):
        for mode in MODES[turn % len(MODES):] + MODES[: turn % len(MODES)]:
            seen[mode].append(timed(command, mode, warm, before_path))
    return {mode: min(runs) for mode, runs in seen.items()}


def load_time(cache: str) -> float:
    done = subprocess.run([sys.executable, "-c", LOAD], env={**os.environ, "XDG_CACHE_HOME": cache},
                          capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


def tree_of(pages: list[Path], corpus: Path, count: int, into: Path) -> list[Path]:
    """`count` pages: the corpus copied again and again, each copy in a folder of its own."""
    made: list[Path] = []
    copy = 0
    while len(made) < count:
        for page in pages[: count - len(made)]:
            target = into / f"copy-{copy}" / page.relative_to(corpus)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(page, target)
            made.append(target)
        copy += 1
    return made


def row(label: str, times: dict[str, float], per: int = 1) -> str:
    cells = " ".join(f"{times[m] / per:9.2f}" for m in MODES)
    return f"{label[-58:]:58} {cells}   {times['before'] / times['lanes']:4.1f}x"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "upstream-docs" / "corpus"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--tree", type=int, default=0, metavar="N", help="also check a tree of N pages on lanes")
    parser.add_argument("--before-path", metavar="DIR", help="the old code, installed in DIR, is `before`")
    args = parser.parse_args()
    corpus = Path(args.corpus)
    pages = pages_of(corpus)
    if not pages:
        sys.exit(f"no pages under {corpus}")
    before_path = str(Path(args.before_path).resolve()) if args.before_path else None
    print(f"load average at the start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}; "
          f"before = {before_path or 'one process per page, cases validated'}\n")
    with tempfile.TemporaryDirectory(prefix="bench-warm-") as warm:
        measure(pages, corpus, args, before_path, warm)
    print(f"\nload average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


def measure(pages: list[Path], corpus: Path, args: argparse.Namespace, before_path: str | None, warm: str) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-load-") as empty:
        cold = load_time(empty)
    load_time(warm)
    warm_load = min(load_time(warm) for _ in range(3))
    print(f"specdata.load(): cold {cold:.2f} s, warm {warm_load:.3f} s ({cold / warm_load:.0f}x)\n")

    print(f"{'seconds, best of ' + str(args.rounds):58} " + " ".join(f"{m:>9}" for m in MODES) + "   before/lanes")
    alone = []
    for page in pages:
        times = best_of(args.rounds, check([page], args.jobs), warm, before_path)
        alone.append(times)
        print(row(str(page.relative_to(corpus)), times))
    mean = {m: sum(t[m] for t in alone) / len(alone) for m in MODES}
    print(row("mean of one page alone", mean))
    together = best_of(args.rounds, check(pages, args.jobs), warm, before_path)
    print(row(f"{len(pages)} pages in one command, --jobs {args.jobs}", together))
    print(row("  the same, per page", together, len(pages)))

    if args.tree:
        with tempfile.TemporaryDirectory(prefix="bench-tree-") as folder:
            tree = tree_of(pages, corpus, args.tree, Path(folder))
            seconds = timed(check(tree, args.jobs), "lanes", warm, before_path)
        print(f"\na tree of {len(tree)} pages, --jobs {args.jobs}, lanes: {seconds:.1f} s, "
              f"{seconds / len(tree):.2f} s per page")


if __name__ == "__main__":
    sys.exit(main())
