"""A capture folder read back: the parts its processes wrote, checked and merged into one
manifest, and the one line that says what was kept and what the limits dropped.

Every part is read through the stored files' guarded reader and the manifest's JSON Schema
(`schemas/capture-manifest.schema.json`), since a capture folder may come from anyone (a CI
artifact, a colleague's laptop): a bad part stops with `file:line: field: message`, exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wbimage_conformance.errors import ConfigurationError
from wbimage_conformance.stored import Kind, load_json
from wbimage_conformance.stored.writing import replace_text

SCHEMA = "capture-manifest.schema.json"
MANIFEST = "manifest.json"
#: A part lists at most max_per_site samples per site; 64 MB holds hundreds of thousands.
CAPTURE_MANIFEST = Kind("capture manifest", max_bytes=64 * 1024 * 1024, max_depth=8)
#: Parts read at most: a process per DataLoader worker per epoch stays far below.
MAX_PARTS = 100_000
DROP_WORDS = {"count": "over --max-per-site", "bytes": "over --max-bytes-per-site",
              "total": "over --max-total-bytes", "error": "failed to record"}


class CaptureError(ConfigurationError):
    """A capture folder or command that cannot be used (exit code 2)."""


def part_files(directory: Path) -> list[Path]:
    parts = directory / "parts"
    if not parts.is_dir():
        return []
    found = sorted(parts.glob("*.json"))
    if len(found) > MAX_PARTS:
        raise CaptureError(f"{parts}: {len(found)} part files; at most {MAX_PARTS} are read")
    return found


def read(directory: Path | str) -> dict[str, Any]:
    """The capture in `directory`: its parts merged, else its saved manifest."""
    folder = Path(directory)
    parts = part_files(folder)
    if parts:
        return merge([(path, load_json(path, CAPTURE_MANIFEST, SCHEMA)) for path in parts])
    if not (folder / MANIFEST).exists():
        raise CaptureError(f"{folder}: no capture here (neither {MANIFEST} nor parts/*.json)")
    return load_json(folder / MANIFEST, CAPTURE_MANIFEST, SCHEMA)


def merge(parts: list[tuple[Path, dict[str, Any]]]) -> dict[str, Any]:
    """One manifest of the parts: each site once, its counts summed and its samples in slot order."""
    first_path, first = parts[0]
    sites: dict[str, dict[str, Any]] = {}
    processes = []
    for path, part in parts:
        if part["limits"] != first["limits"]:
            raise CaptureError(f"{path}: limits: {part['limits']} differ from {first['limits']} in {first_path} "
                               "(two captures with different limits share the folder)")
        processes.extend(part["processes"])
        for site in part["sites"]:
            _add_site(sites, site)
    for site in sites.values():
        site["samples"].sort(key=lambda sample: sample["index"])
    return {"format": first["format"], "sampling": first["sampling"], "limits": first["limits"],
            "processes": sorted(processes, key=lambda process: process["pid"]),
            "sites": sorted(sites.values(), key=lambda site: (site["file"], site["line"]))}


def _add_site(sites: dict[str, dict[str, Any]], site: dict[str, Any]) -> None:
    known = sites.get(site["site"])
    if known is None:
        sites[site["site"]] = json.loads(json.dumps(site))
        return
    known["calls"] += site["calls"]
    known["kept"] += site["kept"]
    for reason, count in site["dropped"].items():
        known["dropped"][reason] += count
    known["samples"].extend(site["samples"])
    if "last_error" in site:
        known["last_error"] = site["last_error"]


def write(directory: Path | str, manifest: dict[str, Any]) -> Path:
    """Save the merged manifest as DIR/manifest.json (whole or not at all)."""
    target = Path(directory) / MANIFEST
    replace_text(target, json.dumps(manifest, indent=1) + "\n")
    return target


def empty(limits: dict[str, int]) -> dict[str, Any]:
    """The manifest of a program that built no Image."""
    return {"format": 1, "sampling": "first", "limits": limits, "processes": [], "sites": []}


def finish(directory: Path | str, limits: dict[str, int]) -> tuple[dict[str, Any], Path]:
    """Merge the parts of a finished capture into DIR/manifest.json (an empty manifest, with
    the `limits` it ran under, when no process built an Image)."""
    manifest = read(directory) if part_files(Path(directory)) else empty(limits)
    return manifest, write(directory, manifest)


def summary(manifest: dict[str, Any], where: Path | str) -> str:
    """One line: sites, calls, samples and bytes kept, and what each limit dropped."""
    sites = manifest["sites"]
    calls = sum(site["calls"] for site in sites)
    kept = sum(site["kept"] for site in sites)
    kept_bytes = sum(sample["bytes"] for site in sites for sample in site["samples"])
    dropped = {reason: sum(site["dropped"][reason] for site in sites) for reason in DROP_WORDS}
    limits = manifest["limits"]
    said = ", ".join(f"{count} {DROP_WORDS[reason]}" for reason, count in dropped.items() if count)
    return (f"wbimage capture: {len(sites)} call site(s), {calls} call(s), {kept} sample(s) kept "
            f"({kept_bytes} bytes) in {where}; dropped {sum(dropped.values())}{': ' + said if said else ''} "
            f"(limits: first {limits['max_per_site']} per site, {limits['max_bytes_per_site']} bytes per site, "
            f"{limits['max_total_bytes']} bytes in all)")
