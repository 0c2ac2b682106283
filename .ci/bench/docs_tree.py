"""Benchmark of `docs check` on a documentation tree: how long a docs repository's whole tree takes.

Builds, in a temporary directory, a Hugo/Docusaurus tree of 4,000 pages shaped like a docs
repository: 120 pages that touch wandb.Image (copies of the real W&B pages of
../shared/upstream-docs/corpus/ placed at varied paths and locales, read at run time, plus
generated ones: en/ja/ko translations of each other) and 3,880 generated filler pages about
other things (prose, tables, Python, shell and YAML blocks that do not use wandb.Image; some
name PIL's Image, so the pre-filter's regexes run on them), plus a few pages under
`node_modules/` and `.git/` that the walk must not enter. Then it times, end to end,
`wbimage-conformance docs check TREE` (examples run, and --no-run), and the walk with the
pre-filter alone, in this process.

Nothing here asserts a time. Usage (in the project's environment):
`python .ci/bench/docs_tree.py [--pages 4000] [--image-pages 120] [--jobs N] [--keep DIR]`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from wbimage_conformance.doccheck import tree

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "upstream-docs" / "corpus"
LOCALES = ("en", "ja", "ko")
PROSE = {
    "en": "This page explains how to {topic} with the training loop you already have; the settings below are "
          "the ones most teams change first.",
    "ja": "このページでは、既存のトレーニングループで{topic}方法を説明します。以下の設定は最初に変更されることが多い項目です。",
    "ko": "이 페이지에서는 기존 학습 루프에서 {topic} 방법을 설명합니다. 아래 설정은 가장 먼저 바꾸는 항목입니다.",
}
TOPICS = ("track hyperparameters", "resume a run", "group runs", "log a table", "sweep learning rates",
          "save artifacts", "compare metrics", "write reports", "tag runs", "export data")


def _corpus_pages() -> list[tuple[str, bytes]]:
    """(path within its locale tree, bytes) of each real page; the corpus is read, never copied into the repo."""
    pages = []
    for path in sorted(CORPUS.rglob("*.md")):
        if path.name == "SOURCES.md":
            continue
        relative = path.relative_to(CORPUS).as_posix().split("/", 1)[1]  # drop <owner>__<repo>
        parts = relative.split("/")
        rest = "/".join(parts[2:]) if parts[0] == "content" else "/".join(parts[1:])
        pages.append((rest, path.read_bytes()))
    return pages


def _image_page(locale: str, number: int, rng: random.Random) -> str:
    """A guide page of our own that uses wandb.Image on arrays of a few ranges."""
    low, high = rng.choice(((0.0, 1.0), (-1.0, 1.0), (0, 255)))
    dtype = "np.uint8" if high == 255 else "np.float32"
    ident = f"guides-images-topic-{number}" if locale == "en" else f"{locale}-guides-images-topic-{number}"
    return f"""---
title: Images {number}
menu:
  default:
    identifier: {ident}
---

{PROSE[locale].format(topic="log images")}

```python
import numpy as np
import wandb

run = wandb.init(project="bench-images")
pixels = np.linspace({low}, {high}, 48, dtype=np.float64).astype({dtype}).reshape(4, 4, 3)
run.log({{"sample-{number}": wandb.Image(pixels, caption="step {number}")}})
```

{PROSE[locale].format(topic="add captions")}

```python
grey = np.full((8, 8), {high}, dtype={dtype})
run.log({{"grey-{number}": wandb.Image(grey)}})
run.finish()
```
"""


def _filler_page(locale: str, section: int, number: int, rng: random.Random) -> str:
    topic = TOPICS[(section + number) % len(TOPICS)]
    blocks = [PROSE[locale].format(topic=topic)]
    for part in range(rng.randint(2, 5)):
        blocks.append(f"## Step {part + 1}\n\n" + PROSE[locale].format(topic=TOPICS[part % len(TOPICS)]) * rng.randint(1, 4))
        kind = rng.choice(("python", "python", "bash", "yaml", "table"))
        if kind == "python":
            blocks.append(f"""```python
import wandb

config = {{"lr": {rng.choice((0.1, 0.01, 0.001))}, "epochs": {rng.randint(1, 20)}}}
with wandb.init(project="bench-{section}", config=config) as run:
    for epoch in range(config["epochs"]):
        run.log({{"loss": 1.0 / (epoch + 1), "epoch": epoch}})
```""")
        elif kind == "bash":
            blocks.append(f"```bash\npip install wandb\nwandb login\npython train.py --epochs {rng.randint(1, 9)}\n```")
        elif kind == "yaml":
            blocks.append(f"```yaml\nprogram: train.py\nmethod: bayes\nparameters:\n  lr:\n    max: 0.{rng.randint(1, 9)}\n```")
        else:
            blocks.append("| setting | default |\n| --- | --- |\n| `project` | none |\n| `mode` | online |")
    if number % 7 == 0:
        blocks.append("```python\nfrom PIL import Image\nthumbnail = Image.open('plot.png').resize((64, 64))\n```")
    ident = f"filler-{section}-{number}" if locale == "en" else f"{locale}-filler-{section}-{number}"
    front = f"---\ntitle: {topic.capitalize()} ({section}.{number})\nmenu:\n  default:\n    identifier: {ident}\n---\n\n"
    return front + "\n\n".join(blocks) + "\n"


def build(target: Path, pages: int, image_pages: int, seed: int = 15) -> dict[str, int]:
    """The tree; returns how many pages of each kind it holds."""
    rng = random.Random(seed)
    real = _corpus_pages()
    if not real:
        raise SystemExit(f"no corpus pages in {CORPUS}")
    written = {"real copies": 0, "generated image pages": 0, "filler": 0}

    def write(relative: str, content: bytes | str) -> None:
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)

    copies = image_pages // 2
    for index in range(copies):
        rest, data = real[index % len(real)]
        round_ = index // len(real)
        locale = LOCALES[(index + round_) % len(LOCALES)]
        if round_ % 3 == 2:  # some in a Docusaurus tree
            base = "docusaurus/docs" if locale == "en" else f"docusaurus/i18n/{locale}/docusaurus-plugin-content-docs/current"
        else:
            base = f"content/{locale}"
        write(f"{base}/archive/r{round_}/{rest}", data)
        written["real copies"] += 1
    generated = image_pages - copies
    for index in range(generated):
        locale, number = LOCALES[index % len(LOCALES)], index // len(LOCALES)
        write(f"content/{locale}/guides/images/topic-{number}.md", _image_page(locale, number, rng))
        written["generated image pages"] += 1
    for index in range(pages - image_pages):
        locale = LOCALES[index % len(LOCALES)]
        section, number = divmod(index // len(LOCALES), 40)
        write(f"content/{locale}/guides/section-{section}/page-{number}.md", _filler_page(locale, section, number, rng))
        written["filler"] += 1
    for hidden in ("node_modules/some-theme/README.md", ".git/info/notes.md"):
        write(hidden, _image_page("en", 0, rng))
    return written


def _check(tree_dir: Path, extra: list[str]) -> tuple[float, dict]:
    command = [sys.executable, "-m", "wbimage_conformance", "docs", "check", str(tree_dir), "--format", "json", *extra]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=tree_dir)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"docs check failed ({done.returncode}): {done.stderr.strip()}")
    return seconds, json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=4000)
    parser.add_argument("--image-pages", type=int, default=120)
    parser.add_argument("--jobs", type=int, default=None, help="passed to docs check --jobs")
    parser.add_argument("--keep", metavar="DIR", help="build the tree here and keep it")
    args = parser.parse_args(argv)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="wbimage-docs-tree-"))
    try:
        started = time.perf_counter()
        written = build(folder, args.pages, args.image_pages)
        print(f"tree: {folder} ({', '.join(f'{n} {kind}' for kind, n in written.items())}) "
              f"built in {time.perf_counter() - started:.1f} s; {os.cpu_count()} cores")
        started = time.perf_counter()
        selection = tree.select([str(folder)], [])
        walk_seconds = time.perf_counter() - started
        print(f"walk + pre-filter alone: {selection.walked} pages walked, {len(selection.skipped)} skipped, "
              f"{len(selection.pages)} selected in {walk_seconds:.2f} s")
        jobs = ["--jobs", str(args.jobs)] if args.jobs else []
        for label, extra in (("static checks only (--no-run)", ["--no-run"]), ("end to end", [])):
            seconds, report = _check(folder, extra + jobs)
            summary = report["summary"]
            print(f"docs check {label}: {summary['walked']} walked, {summary['skipped']} skipped, "
                  f"{summary['pages']} checked, {summary['examples_run']} blocks run, "
                  f"{summary['errors']} errors; {seconds:.1f} s wall ({summary['duration_s']:.1f} s inside)")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
