"""The docs checker on the real W&B pages of ../shared/upstream-docs/corpus, held to the
judgements of docs/docs-check.md.

docs/docs-check.md lists, per page of the corpus, every error and warning the checker gives
there, each judged `true` (a real defect of the page) or `false` (the checker is wrong), with
why. This script runs `docs check` on the whole corpus at once and fails when

- an error or warning appears that the document does not list as true (a new finding, or
  one judged false), or
- a finding the document lists as true is gone (a defect the checker no longer sees).

    python .ci/docs_corpus.py CORPUS_DIR docs/docs-check.md
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

_PAGE = re.compile(r"^### `(?P<path>[^`]+)`")
_ROW = re.compile(r"^\|\s*(?P<line>\d+)\s*\|\s*(?P<severity>error|warning)\s*\|\s*(?P<check>[\w-]+)\s*\|"
                  r".*\|\s*(?P<verdict>true|false)\s*\|[^|]*\|\s*$")


def judged(document: Path) -> dict[tuple[str, int, str, str], str]:
    """(page path in the corpus, line, severity, check) -> "true" or "false", from the document."""
    out: dict[tuple[str, int, str, str], str] = {}
    page = None
    for number, text in enumerate(document.read_text(encoding="utf-8").splitlines(), start=1):
        heading = _PAGE.match(text)
        if heading:
            page = heading.group("path")
            continue
        row = _ROW.match(text)
        if row:
            if page is None:
                sys.exit(f"{document}:{number}: a finding row before any page heading")
            key = (page, int(row.group("line")), row.group("severity"), row.group("check"))
            out[key] = row.group("verdict")
    return out


def found(corpus: Path) -> tuple[set[tuple[str, int, str, str]], dict]:
    pages = sorted(str(p) for p in corpus.rglob("*.md") if p.name != "SOURCES.md")
    done = subprocess.run([sys.executable, "-m", "wbimage_conformance", "docs", "check", *pages,
                           "--format", "json"],
                          capture_output=True, text=True)
    try:
        report = json.loads(done.stdout)
    except ValueError:
        report = None
    if done.returncode not in (0, 1) or not isinstance(report, dict):
        sys.exit(f"docs check exited {done.returncode} without a report: {done.stderr.strip()[-2000:]}")
    out = set()
    for f in report["findings"]:
        if f["severity"] in ("error", "warning"):
            out.add((Path(f["file"]).resolve().relative_to(corpus.resolve()).as_posix(), f["line"], f["severity"],
                     f["check"]))
    return out, report


def main(argv: list[str]) -> int:
    corpus, document = Path(argv[0]), Path(argv[1])
    verdicts = judged(document)
    seen, report = found(corpus)
    unlisted = sorted(k for k in seen if verdicts.get(k) != "true")
    missing = sorted(k for k, v in verdicts.items() if v == "true" and k not in seen)
    for page, line, severity, check in unlisted:
        print(f"{corpus / page}:{line}: {severity} [{check}] is not listed as true in {document}")
    for page, line, severity, check in missing:
        print(f"{corpus / page}:{line}: {severity} [{check}] is listed as true in {document} but was not reported")
    summary = report["summary"]
    print(f"docs corpus: {summary['pages']} pages, {summary['errors']} errors, {summary['warnings']} warnings, "
          f"{summary['notes']} notes in {summary['duration_s']:.1f} s; {len(seen) - len(unlisted)} as judged, "
          f"{len(unlisted)} not listed as true, {len(missing)} listed but missing")
    return 1 if unlisted or missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
