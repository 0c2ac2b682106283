"""Release history: the suite run on every wandb release of a range, one saved run each.

`releases` says which releases a range such as `0.19.0..0.31.0` holds (final releases on the
package index, pre-releases left out); `venvs` makes one virtualenv per release cheaply, over a
shared base holding torch, NumPy and Pillow; `record` is a run in its saved, compact form (one
line per case: status, causes, the case's fingerprint) and its reading and writing; `collect`
runs the suite in a release's virtualenv and makes that record; `timeline` reads a folder of
saved runs as one history (pass counts per clause family, the first and last release of each
cause, the release families); `bisect` finds where a case's outcome changes; `chart` draws
the SVG and `pages` writes docs/history.md and the parts of docs/compatibility.md and
docs/findings.md that come from the history. `packed` is the saved history as the wheel carries
it; `staleness` checks that every shipped measurement states the cases it was measured on;
`refresh` runs only the cases new or changed since each saved run and `drafting` writes the
expectations files from the results.
"""
