"""How long `docs check` takes on the real pages of upstream-docs/corpus, now and the way before.

    python .ci/bench/docs_pages.py [CORPUS_DIR] [--tree 120] [--jobs 2] [--before-path DIR]

Three ways of running the same command, side by side, each page's runs taken in turn so a
busy machine weighs on all three alike:

- lanes: as shipped (one sandboxed server per job lane; the shipped cases from the cache);
- per-page: one sandboxed process per page (WBIMAGE_DOCS_SESSIONS=per-page), cache warm;
- before: with --before-path DIR, the suite installed in DIR (e.g. `pip install --no-deps
  --target DIR` of an older commit) first on PYTHONPATH: the old code itself. Without it, one
  process per page and the cases validated in full (an empty cache folder, so each run
  validates and then writes the cache: a little more than before).

It prints the seconds of each page checked alone, of all pages in one command (--jobs N),
the ratio of each to `before`, and the time of `specdata.load()` cold (an empty cache) and
warm, each in a fresh interpreter. With --tree N, the corpus copied into a tree of N pages
is checked in one command over --jobs workers, on lanes. A measurement, not a test: nothing
here passes or fails.
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


#: Where the old code is installed (--before-path), if it is.
BEFORE_PATH: str | None = None


def timed(command: list[str], mode: str, warm_cache: str) -> float:
    """Seconds `command` takes run the `mode` way (a cold cache of its own for `before`)."""
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as cold:
        env = {**os.environ, "XDG_CACHE_HOME": cold if mode == "before" else warm_cache}
        env.pop("WBIMAGE_DOCS_SESSIONS", None)
        if mode != "lanes":
            env["WBIMAGE_DOCS_SESSIONS"] = "per-page"
        if mode == "before" and BEFORE_PATH:
            env["PYTHONPATH"] = os.pathsep.join(p for p in (BEFORE_PATH, os.environ.get("PYTHONPATH")) if p)
        started = time.perf_counter()
        done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command[:6])} ... failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return elapsed


def check(pages: list[Path], jobs: int) -> list[str]:
    return [sys.executable, "-m", "wbimage_conformance", "docs", "check", "--jobs", str(jobs), *map(str, pages)]


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


def ratio(value: float, before: float) -> str:
    return f"{before / value:5.1f}x" if value else "   -"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "upstream-docs" / "corpus"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--tree", type=int, default=0, metavar="N", help="also check a tree of N pages on lanes")
    parser.add_argument("--before-path", metavar="DIR", help="the old code, installed in DIR, is `before`")
    args = parser.parse_args()
    global BEFORE_PATH
    BEFORE_PATH = str(Path(args.before_path).resolve()) if args.before_path else None
    corpus = Path(args.corpus)
    pages = pages_of(corpus)
    if not pages:
        sys.exit(f"no pages under {corpus}")
    with tempfile.TemporaryDirectory(prefix="bench-warm-") as warm:
        measure(pages, corpus, args.jobs, args.tree, warm)
    return 0


def measure(pages: list[Path], corpus: Path, jobs: int, tree_size: int, warm: str) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-load-") as empty:
        cold = load_time(empty)
    load_time(warm)
    warm_load = min(load_time(warm) for _ in range(3))
    print(f"specdata.load(): cold {cold:.2f} s, warm {warm_load:.3f} s ({cold / warm_load:.0f}x)\n")

    print(f"{'page':60} " + " ".join(f"{m:>9}" for m in MODES) + "   lanes vs before")
    totals = dict.fromkeys(MODES, 0.0)
    for page in pages:
        times = {mode: timed(check([page], jobs), mode, warm) for mode in MODES}
        for mode, value in times.items():
            totals[mode] += value
        print(f"{str(page.relative_to(corpus))[-60:]:60} " + " ".join(f"{times[m]:9.2f}" for m in MODES)
              + f"   {ratio(times['lanes'], times['before'])}")
    print(f"{'mean of one page alone':60} " + " ".join(f"{totals[m] / len(pages):9.2f}" for m in MODES)
          + f"   {ratio(totals['lanes'], totals['before'])}")
    together = {mode: timed(check(pages, jobs), mode, warm) for mode in MODES}
    print(f"{f'{len(pages)} pages in one command, --jobs {jobs}':60} "
          + " ".join(f"{together[m]:9.2f}" for m in MODES) + f"   {ratio(together['lanes'], together['before'])}")
    print(f"{'  per page':60} " + " ".join(f"{together[m] / len(pages):9.2f}" for m in MODES))

    if tree_size:
        with tempfile.TemporaryDirectory(prefix="bench-tree-") as folder:
            tree = tree_of(pages, corpus, tree_size, Path(folder))
            seconds = timed(check(tree, jobs), "lanes", warm)
        print(f"\na tree of {len(tree)} pages, --jobs {jobs}, lanes: {seconds:.1f} s ({seconds / len(tree):.2f} s per page)")


if __name__ == "__main__":
    sys.exit(main())
