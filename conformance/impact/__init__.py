"""Upgrade impact: what moving from one wandb release (or implementation) to another does to
the images a project logs, sample by sample and call site by call site.

samples (what was captured) -> models or real (each side's pixels) -> compare (what changed,
how badly, why) -> text, html, json and markdown reports.
"""
