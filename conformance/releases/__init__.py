"""The release rules and explanations behind the shipped expectations files (wandb, trackio, swanlab).

`rules` are the causes measured on each release; `explain` words a deviation with the first rule
that reproduces it. `wbimage-conformance refresh` drafts the files with them
(history.drafting); `compatibility` writes docs/compatibility.md.
"""
