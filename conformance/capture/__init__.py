"""Capture: what a project really passes to wandb.Image, kept as samples per call site.

`python -m wbimage_conformance.capture DIR -- COMMAND` (launch, manifest) runs a program
unchanged with the agent (agent/, loaded by boot/sitecustomize.py) in each of its
interpreters; the pytest option `--wbimage-capture DIR` starts the same agent in the test
session; `gallery` writes a capture of the reported pain as data. The folder is what the
upgrade-impact check reads. Nothing is sent anywhere: samples stay in the folder.
"""
