"""The saved history, packed into the package, so `history` and `bisect` answer anywhere.

The checkout's `docs/history/*.json` is the source (readable, diffable, one file per release);
the wheel carries the same files as one xz-compressed JSON object, file name -> text. The 40
releases 0.19.0 - 0.31.0 are 3.1 MB as text and pack into about 22 KB, because releases differ
in few lines and xz's window spans them all (gzip's 32 KB window does not: 630 KB). A refresh
writes the pack; a test checks that it holds exactly the files of `docs/history/`.
"""

from __future__ import annotations

import json
import lzma
from pathlib import Path

from packaging.version import Version

from wbimage_conformance.history import record

#: In a folder of its own, which the sandbox hides from implementations as it hides the cases,
#: the expectations and the checkout's saved runs (run.sandbox).
PACKED = Path(__file__).resolve().parent / "saved" / "runs.json.xz"
#: Above what the pack can hold unpacked: a damaged or hostile pack stops here, not in memory.
MAX_UNPACKED = 64 * 1024 * 1024


def pack(runs_dir: Path) -> bytes:
    """The saved runs of `runs_dir` (every `*-*.json`), packed; the same files give the same bytes."""
    texts = {path.name: path.read_text(encoding="utf-8") for path in sorted(runs_dir.glob("*-*.json"))}
    data = json.dumps(texts, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return lzma.compress(data, format=lzma.FORMAT_XZ, preset=9)


def write(runs_dir: Path, target: Path = PACKED) -> bool:
    """Pack `runs_dir` into `target` unless it already holds exactly that; whether it was written.
    Compared, not assumed: saved runs edited by hand, or by a run a refresh did not make, leave
    the pack stale though the refresh itself ran nothing."""
    from wbimage_conformance.stored import writing

    data = pack(runs_dir)
    try:
        if target.read_bytes() == data:
            return False
    except OSError:
        pass  # no pack yet, or one that cannot be read: written below
    writing.replace_bytes(target, data)
    return True


def texts(source: Path = PACKED) -> dict[str, str]:
    """file name -> text of every saved run in the pack."""
    decompressor = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
    try:
        data = decompressor.decompress(source.read_bytes(), max_length=MAX_UNPACKED)
    except lzma.LZMAError as exc:
        raise record.SavedRunError(f"{source}: not a packed history: {exc}") from None
    if not decompressor.eof:
        raise record.SavedRunError(f"{source}: unpacks to more than {MAX_UNPACKED} bytes")
    try:
        found = json.loads(data)
    except ValueError as exc:
        raise record.SavedRunError(f"{source}: not a packed history: {exc}") from None
    if not isinstance(found, dict) or not all(isinstance(v, str) for v in found.values()):
        raise record.SavedRunError(f"{source}: not a packed history: expected an object of file name -> text")
    return found


def load(implementation: str = "wandb", source: Path = PACKED) -> list[record.SavedRun]:
    """The packed runs of `implementation`, oldest release first, each checked as a saved file is."""
    runs = [record.loads(text, f"{source}:{name}") for name, text in sorted(texts(source).items())
            if name.startswith(f"{implementation}-")]
    return sorted(runs, key=lambda r: Version(r.version))


def load_runs(runs_dir: Path | None, implementation: str = "wandb") -> tuple[list[record.SavedRun], str]:
    """The saved runs of `runs_dir`, or of the pack when it is None; and where they came from."""
    if runs_dir is None:
        return load(implementation), f"the saved history packed with the suite ({PACKED.name})"
    return record.load_folder(runs_dir, implementation), str(runs_dir)
