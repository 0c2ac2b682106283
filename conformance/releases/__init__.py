"""Drafting the expectations files of released implementations (wandb, trackio, swanlab).

`python -m wbimage_conformance.releases.draft` runs the suite on a release and writes its
expectations file, with a reason for every deviation taken from the rules in `rules.py`;
`collect` saves runs, which `wbimage-conformance matrix --from-saved` (or `matrix --save-results`)
turns into docs/compatibility.md.
"""
