"""The shards of one `docs check --shard K/N` as one docs report.

Shards must all be there, each once, cut from one selection (the same pages in the same order:
the same trees, filter and translations) and checked by one implementation with one checker in
one environment (suite version, Python, NumPy, Pillow, torch: examples' pixels depend on them);
anything else is a MergeError (exit code 2) naming the files. Pages, findings and runs go back
into the selection's order, so N merged shards read as the unsharded check.
"""

from __future__ import annotations

from collections.abc import Sequence

from wbimage_conformance.doccheck import findings
from wbimage_conformance.report.merge import MergeError

#: What must be equal for shards to merge: the report's implementation, then its environment's.
MUST_AGREE = ("suite_version", "python", "numpy", "pillow", "torch", "examples_run")


def merge(reports: Sequence[tuple[str, findings.DocsReport]]) -> findings.DocsReport:
    """One report from `(where, report)` pairs; a single unsharded report comes back as it is."""
    if not reports:
        raise MergeError("no report to merge")
    whole = [where for where, report in reports if report.shard is None]
    if whole and len(reports) == 1:
        return reports[0][1]
    if whole:
        raise MergeError(f"{whole[0]} is not a shard (no --shard): only the shards of one docs check merge")
    first_where, first = reports[0]
    assert first.shard is not None
    by_index: dict[int, str] = {}
    for where, report in reports:
        shard = report.shard
        assert shard is not None
        if shard.count != first.shard.count:
            raise MergeError(f"{where} is shard {shard.index}/{shard.count} but {first_where} is "
                             f"{first.shard.index}/{first.shard.count}: shards of one check have one N")
        if shard.selection != first.shard.selection:
            raise MergeError(f"{where} and {first_where} were cut from different selections of pages (other trees, "
                             "files or options): they are not shards of one check")
        _agree(where, report, first_where, first)
        if shard.index in by_index:
            raise MergeError(f"{where} and {by_index[shard.index]} are both shard {shard.index}/{shard.count}")
        by_index[shard.index] = where
    missing = [f"{k}/{first.shard.count}" for k in range(1, first.shard.count + 1) if k not in by_index]
    if missing:
        raise MergeError(f"shard {', '.join(missing)} missing: merge all {first.shard.count} shards of the check "
                         "(a missing one would hide its pages)")
    return _combined([report for _, report in reports], first.shard.selection)


def _agree(where: str, report: findings.DocsReport, first_where: str, first: findings.DocsReport) -> None:
    if report.implementation != first.implementation:
        raise MergeError(f"{where} checked against {report.implementation!r}, {first_where} against "
                         f"{first.implementation!r}: only shards of one implementation merge")
    for name in MUST_AGREE:
        mine, theirs = report.environment.get(name), first.environment.get(name)
        if mine != theirs:
            raise MergeError(f"{where}: {name.replace('_', ' ')} is {mine!r}, but {first_where} has {theirs!r}: "
                             "only shards checked in one environment merge")


def _combined(reports: Sequence[findings.DocsReport], selection: tuple[str, ...]) -> findings.DocsReport:
    place = {path: index for index, path in enumerate(selection)}
    pages = [page for report in reports for page in report.pages]
    seen = [page.path for page in pages]
    stray = [path for path in seen if path not in place]
    if stray:
        raise MergeError(f"page {stray[0]} is in a shard's report but not in the check's selection")
    if len(set(seen)) != len(seen):
        twice = next(path for path in seen if seen.count(path) > 1)
        raise MergeError(f"page {twice} is in two shards' reports")
    if len(seen) != len(selection):
        absent = next(path for path in selection if path not in set(seen))
        raise MergeError(f"page {absent} of the selection is in no shard's report: the reports do not cover the check")

    def order(path: str) -> int:
        return place.get(path, len(place))

    first = reports[0]
    return findings.DocsReport(
        implementation=first.implementation,
        pages=tuple(sorted(pages, key=lambda p: order(p.path))),
        findings=tuple(sorted((f for r in reports for f in r.findings), key=findings.Finding.sort_key)),
        runs=tuple(sorted((run for r in reports for run in r.runs), key=lambda run: (order(run.file), run.line))),
        duration_s=round(sum(r.duration_s for r in reports), 3),
        environment=dict(first.environment),
        skipped=first.skipped,
        walked=first.walked,
        readings=tuple(sorted((r for report in reports for r in report.readings),
                              key=lambda r: (order(r.file), r.line))),
    )
