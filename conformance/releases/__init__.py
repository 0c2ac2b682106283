"""Drafting the expectations files of released implementations (wandb, trackio, swanlab).

`python -m wbimage_conformance.releases.draft` runs the suite on a release and writes its
expectations file, with a reason for every deviation taken from the rules in `rules.py`;
`collect` and `compatibility` save runs and turn them into docs/compatibility.md.
"""
