"""The gallery page's record of its last `--verify` run (impact/gallery_page.py): every gallery
sample run by real releases and compared with their family's model, written into the page
between markers that name the outcomes it checked, so `--check` keeps the record without
running a release, and drops it as soon as the models give other outcomes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from wbimage_conformance.errors import ConfigurationError
from wbimage_conformance.impact import engine, models, samples
from wbimage_conformance.impact.real import RealSide

ENVIRONMENT_MARK = "<!-- impact-gallery: environment -->"
VERIFIED_BEGIN = re.compile(r"<!-- impact-gallery: verified, outcomes ([0-9a-f]{16}) -->\n")
VERIFIED_END = "<!-- impact-gallery: end -->\n"
COMMAND = "python -m wbimage_conformance.impact.gallery_page"


class VerifyError(ConfigurationError):
    """A release cannot be run for `--verify` (exit code 2): its virtualenv is missing or runs another release."""


@dataclass(frozen=True)
class Verified:
    """One release's real outcomes against its model's, from a `--verify` run."""

    version: str
    environment: dict[str, object]
    check: engine.Verification


def unverified(outcomes: str) -> str:
    return (f"<!-- impact-gallery: verified, outcomes {outcomes} -->\n"
            f"Not verified: no `--verify` run has compared these outcomes with the real releases "
            f"(`{COMMAND} --verify`).\n{VERIFIED_END}")


def verified_block(outcomes: str, found: Sequence[Verified], left_out: Sequence[str]) -> str:
    lines = [f"<!-- impact-gallery: verified, outcomes {outcomes} -->",
             ("Verified with `--verify`: every gallery sample was also run by each column's release and by the "
              "first and last release of each family, each in its own virtualenv (`wandb@DIR/wandb-X/bin/python`, "
              "through the worker, as `impact --verify` runs it), and its outcome (the exception's type, or the "
              "mode and every pixel) compared with its family's model:"), "",
             "| release | family | Python | NumPy | Pillow | torch | torchvision | outcomes agreeing |",
             "|---" * 8 + "|"]
    for item in found:
        env, check = item.environment, item.check
        versions = " | ".join(str(env.get(key) or "-") for key in ("python", "numpy", "pillow", "torch", "torchvision"))
        unanswered = f" ({check.unanswered} unanswered)" if check.unanswered else ""
        family = models.family_of(item.version)
        lines.append(f"| wandb {item.version} | {family.name if family else '-'} | {versions} | "
                     f"{check.checked - len(check.disagreements)} of {check.checked}{unanswered} |")
    agree = sum(i.check.checked - len(i.check.disagreements) for i in found)
    total = sum(i.check.checked + i.check.unanswered for i in found)
    lines += ["", f"In all, {agree} of {total} outcomes agree."]
    if left_out:
        lines[-1] += f" Not run, for want of a virtualenv on the machine that verified: {', '.join(left_out)}."
    for item in found:
        lines += [f"- wandb {item.version}, {d.sample}: the model gives {d.model}, the release {d.real}"
                  for d in item.check.disagreements]
    return "\n".join(lines) + "\n" + VERIFIED_END


def kept_parts(page: str, outcomes: str) -> tuple[str | None, str]:
    """The page's environment line and its `--verify` record: the record only if it is about
    these outcomes, else a note that they are not verified."""
    environment = None
    if ENVIRONMENT_MARK in page:
        environment = page.split(ENVIRONMENT_MARK + "\n", 1)[-1].split("\n", 1)[0]
    begin = VERIFIED_BEGIN.search(page)
    end = page.find(VERIFIED_END, begin.end()) if begin else -1
    if begin is None or end < 0 or begin.group(1) != outcomes:
        return environment, unverified(outcomes)
    return environment, page[begin.start():end + len(VERIFIED_END)]


def _venv_python(venvs: Path, version: str) -> Path:
    python = venvs / f"wandb-{version}" / "bin" / "python"
    if not python.exists():
        raise VerifyError(f"{python}: missing: --verify runs wandb {version} from its virtualenv "
                               f"(the history's commands make it: wbimage-conformance history --releases {version} "
                               f"--venvs {venvs})")
    return python


def releases_to_verify(columns: Sequence[str]) -> list[tuple[str, bool]]:
    """(version, required): each representative, which `--verify` needs, and the first and last
    release of each family, run where their virtualenv is there (one stands for all only if the
    ends agree too)."""
    wanted = dict.fromkeys(columns, True)
    for family in models.FAMILIES:
        for version in (family.first, family.last):
            wanted.setdefault(version, False)
    return sorted(wanted.items(), key=lambda item: tuple(int(part) for part in item[0].split(".")))


def verify(folder: Path, columns: Sequence[str], venvs: Path,
           say: Callable[[str], None]) -> tuple[list[Verified], list[str]]:
    """Every gallery sample through each release's real implementation and its model; and the
    releases left out for want of a virtualenv."""
    found, left_out = [], []
    every = samples.read([folder])
    for version, required in releases_to_verify(columns):
        python = venvs / f"wandb-{version}" / "bin" / "python"
        if not required and not python.exists():
            left_out.append(version)
            continue
        say(f"wandb {version}: {len(every)} samples through the real release")
        found.append(_verified(every, version, _venv_python(venvs, version)))
    return found, left_out


def _verified(every: list[samples.Sample], version: str, python: Path) -> Verified:
    model = models.release_model(version)
    assert model is not None, f"{version} has no release model"
    real = RealSide(f"wandb@{python}")
    impact = engine.compute(every, engine.Side(version, model, real), engine.Side("spec", models.SpecModel()),
                            verify_per_site=-1)
    if real.name != f"wandb {version}":
        raise VerifyError(f"{real.impl}: runs {real.name}, not wandb {version}")
    (check,) = impact.verification
    return Verified(version, real.env, check)
