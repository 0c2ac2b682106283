"""Write docs/compatibility.md: the matrix of the reference, the six wandb releases (Pillow 13,
and Pillow 12 for 0.19.8 and 0.20.x), trackio and swanlab.

    python -m wbimage_conformance.releases.compatibility [--history docs/history] NAME=RESULTS.pkl ... > docs/compatibility.md

With `--history`, the page starts with the release families from the saved release history
(history.pages), as `wbimage-conformance history --pages docs` writes them. Each NAME is a shipped expectations file (its reasons give the headlines) and RESULTS.pkl the
raw results collect saved for it; `reference=...` has none. The same table comes from
`wbimage-conformance matrix --impl ... --impl ...`; this script only saves running every
implementation again after they have been collected for the expectations.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

from wbimage_conformance.commands import matrix
from wbimage_conformance.history import pages, record
from wbimage_conformance.history.timeline import History
from wbimage_conformance.run import expectations as expectation_files


def main(argv: list[str]) -> int:
    history_dir = None
    if argv[:1] == ["--history"]:
        history_dir, argv = Path(argv[1]), argv[2:]
    columns = []
    for item in argv:
        name, _, path = item.partition("=")
        data = pickle.loads(Path(path).read_bytes())
        shipped = expectation_files.SHIPPED_DIR / f"{name}.yaml"
        expected = expectation_files.load(shipped) if shipped.is_file() else None
        columns.append(matrix.Column(data["impl"], data["environment"], tuple(data["results"]), expected))
    page = matrix.to_markdown(matrix.build(columns))
    if history_dir is not None:
        history = History.of(record.load_folder(history_dir))
        page = pages.rewrite_section(page, pages.FAMILIES_BEGIN, pages.FAMILIES_END, pages.families_section(history))
    sys.stdout.write(page)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
