"""Which pages of documentation trees `docs check` reads: the walk, the pre-filter, translations.

A docs repository is thousands of Markdown pages, most about other things, and whatever else
its authors keep there (symbolic links into other checkouts, `node_modules`, `.git`, sockets
and FIFOs of a dev server). The walk visits directories in a stable order, never leaves the
tree, and opens only regular files of a page's size (page_file.py): each entry is known from
its `lstat` before it is opened, and the open itself refuses links and does not block, in
case the entry changed in between.

Symbolic links: a page that is a link to a regular file inside the tree (a translation that
points at its original, a page shared by two sections) is checked under the link's own path,
with the target's bytes; a link that leads out of the tree, to something that is not a
regular file, or nowhere, is listed and not followed, and so is a link to a directory (its
pages inside the tree are walked where they are; outside, they are not the tree's), so
links cannot make the walk loop.

Pages found in a directory are checked when the pre-filter finds the Image surface in their
bytes; a page that passes brings its translations (the same path under the tree's other locale
roots) even if they do not pass, so translations are always compared. Files named on the
command line are always checked, unless the caller asks for them to be filtered too.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from wbimage_conformance.doccheck import prefilter, sections
from wbimage_conformance.doccheck.findings import SkippedPage as Skipped
from wbimage_conformance.doccheck.page_file import PageError, read_bytes

PAGE_SUFFIXES = (".md", ".mdx", ".markdown")
#: Directories that hold no documentation of their own (besides hidden ones).
PRUNED = frozenset({"node_modules"})
LINK = "a symbolic link to a directory: not followed"
LINK_OUT = "a symbolic link that does not lead to a page inside the tree: not followed"
NOT_REGULAR = "not a regular file: not opened"


@dataclass(frozen=True)
class Selection:
    """What to check, in order (files as given, then tree pages by path), with each page's
    bytes as read; what was left out and why; how many page-named entries the walk met."""

    pages: tuple[tuple[str, bytes], ...]
    skipped: tuple[Skipped, ...]
    walked: int


def is_page(name: str) -> bool:
    return name.lower().endswith(PAGE_SUFFIXES)


def walk(root: str) -> tuple[list[str], list[Skipped]]:
    """Pages under `root` (links to pages inside it included), sorted by their path's parts,
    and the page-named entries that are not pages (other links, FIFOs, devices) or directories
    that could not be read."""
    inside = os.path.realpath(root)
    pages: list[str] = []
    skipped: list[Skipped] = []
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError as exc:
            skipped.append(Skipped(folder, f"cannot be read: {exc.strerror or exc}"))
            continue
        for entry in listed:
            if entry.is_symlink():
                if is_page(entry.name) and link_target(entry.path, inside) is not None:
                    pages.append(entry.path)
                elif is_page(entry.name) or _is_dir_link(entry.path):
                    skipped.append(Skipped(entry.path, LINK if _is_dir_link(entry.path) else LINK_OUT))
            elif entry.is_dir(follow_symlinks=False):
                if not entry.name.startswith(".") and entry.name not in PRUNED:
                    pending.append(entry.path)
            elif is_page(entry.name):
                if entry.is_file(follow_symlinks=False):
                    pages.append(entry.path)
                else:
                    skipped.append(Skipped(entry.path, NOT_REGULAR))
    return sorted(pages, key=_order), sorted(skipped, key=lambda s: _order(s.path))


def _is_dir_link(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except OSError:
        return False


def _order(path: str) -> tuple[str, ...]:
    return Path(path).parts


def link_target(path: str, inside: str) -> str | None:
    """Where the link `path` leads, when that is a regular file under the real path `inside`."""
    target = os.path.realpath(path)
    if os.path.commonpath([target, inside]) != inside or not _is_regular(target):
        return None
    return target


def read_walked(path: str, root: str) -> bytes:
    """A page the walk of `root` found: a link is read through its target inside the tree,
    opened without following links (it may have changed since the walk)."""
    if not os.path.islink(path):
        return read_bytes(path)
    target = link_target(path, os.path.realpath(root))
    if target is None:
        raise PageError(f"{path}: {LINK_OUT}")
    return read_bytes(target)


def translations(path: str) -> list[str]:
    """The same page under the tree's other locale roots, where it exists as a regular file:
    `content/<other>/X` for `content/<locale>/X` (Hugo); `docs/X` and
    `i18n/<other>/docusaurus-plugin-content-docs/current/X` (Docusaurus)."""
    position = sections.tree_position(path)
    if position is None:
        return []
    roots: list[str] = []
    if position.layout == "hugo":
        roots = [position.base + locale + "/" for locale in _locale_dirs(position.base or ".")]
    else:
        default = "docs/" if position.version == "current" else f"versioned_docs/{position.version}/"
        roots.append(position.base + default)
        i18n = position.base + "i18n/"
        roots += [f"{i18n}{locale}/docusaurus-plugin-content-docs/{position.version}/"
                  for locale in _locale_dirs(i18n)]
    mine = os.path.normpath(path)
    found = []
    for root in roots:
        candidate = root + position.rest
        if os.path.normpath(candidate) != mine and _is_regular(candidate):
            found.append(candidate)
    return found


def _locale_dirs(folder: str) -> list[str]:
    try:
        with os.scandir(folder) as entries:
            return sorted(e.name for e in entries if e.is_dir(follow_symlinks=False)
                          and sections.looks_like_locale(e.name))
    except OSError:
        return []


def _is_regular(path: str) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


Progress = Callable[[int, int, str], None]


def select(directories: Sequence[str], files: Sequence[str], *, with_translations: bool = False,
           filter_files: bool = False, progress: Progress | None = None) -> Selection:
    """The pages to check and the pages left out (see the module's docstring).

    Every page of a directory is read once, its bytes given to the pre-filter; `progress` is
    told (done, total, path) as the pages are read."""
    chosen: dict[str, tuple[str, bytes]] = {}
    skipped: list[Skipped] = []
    passed: list[str] = []

    def take(path: str, data: bytes) -> None:
        chosen.setdefault(os.path.normpath(path), (path, data))

    given: list[str] = []
    for path in files:
        data = read_bytes(path, follow=True)
        if filter_files and prefilter.evidence(data, path) is None:
            skipped.append(Skipped(path, prefilter.NOT_IMAGE))
            continue
        take(path, data)
        given.append(path)
    walked: list[tuple[str, str]] = []
    seen = 0
    for directory in directories:
        pages, odd = walk(directory)
        walked += [(page, directory) for page in pages]
        skipped += odd
        seen += len(pages) + len(odd)
    for done, (path, root) in enumerate(walked, 1):
        if progress is not None:
            progress(done, len(walked), path)
        if os.path.normpath(path) in chosen:
            continue
        try:
            data = read_walked(path, root)
        except PageError as exc:
            skipped.append(_left_out(path, exc))
            continue
        if prefilter.evidence(data, path) is None:
            skipped.append(Skipped(path, prefilter.NOT_IMAGE))
        else:
            take(path, data)
            passed.append(path)
    for page in passed + (given if with_translations else []):
        for other in translations(page):
            if os.path.normpath(other) not in chosen:
                try:
                    take(other, read_bytes(other))
                except PageError as exc:
                    skipped.append(_left_out(other, exc))
    left_out = [s for s in skipped if os.path.normpath(s.path) not in chosen]
    first = dict.fromkeys(os.path.normpath(p) for p in given)  # in the order given
    found = sorted((v for k, v in chosen.items() if k not in first), key=lambda item: _order(item[0]))
    return Selection(tuple([chosen[key] for key in first] + found), tuple(_unique(left_out)), seen)


def _left_out(path: str, exc: PageError) -> Skipped:
    return Skipped(path, str(exc).removeprefix(f"{path}: "))


def _unique(items: list[Skipped]) -> list[Skipped]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = os.path.normpath(item.path)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
