"""Finding the files of a corpus folder: what is read, and a reason for everything that is not.

A corpus folder is the user's, but what lies in it is not always theirs: a symbolic link can
lead anywhere on the disk (a home folder, a key file, a network share), a pipe blocks whoever
opens it, a sub-folder may be unreadable. The walk therefore stays inside the folder: a link
whose target lies outside it is not followed unless the user allows it
(``follow_outside_links`` in ``preferences.json``), a file reached by two paths is read once,
and every entry it passes over for a reason the user could act on is reported, never
skipped in silence. Hidden files and folders (a leading dot) are the system's and editors'
business and are passed over without a word.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

#: What the walk calls for each entry it does not yield: (path, one-line reason).
SkipFn = Callable[[Path, str], None]

OUTSIDE_LINK = (
    "a link to a place outside the corpus folder: not followed (allow it with "
    '"follow_outside_links": true in preferences.json)'
)


@dataclass(frozen=True, slots=True)
class _Found:
    path: Path
    key: tuple[int, int] | str  # (device, inode) of the file reached, else its real path
    via_link: bool  # reached through a symbolic link somewhere on the way


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _inside(real: str, root_real: str) -> bool:
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def walk_corpus(
    root: Path,
    suffixes: Collection[str],
    *,
    skipped: SkipFn | None = None,
    outside_links: bool = False,
    others: Callable[[Path], None] | None = None,
    folder_is_part: Callable[[Path], bool] | None = None,
    by_content: Callable[[Path], bool] | None = None,
) -> Iterator[Path]:
    """Every file under ``root`` with one of ``suffixes`` (lower case), or for which
    ``by_content`` says True (a mailbox without a suffix), in sorted order.

    Reports through ``skipped`` what it passes over: links leading out of the folder (unless
    ``outside_links``), pipes, sockets and devices, unreadable folders, files reached twice
    (the one reached without a link is kept) and broken links. A folder is entered once,
    however many links lead to it, so a link loop cannot make the walk endless. A regular
    file with another suffix goes to ``others`` (if given); a folder for which
    ``folder_is_part`` says True (a saved web page's ``_files`` folder) is not entered.
    """

    def skip(path: Path, reason: str) -> None:
        log.info("%s: %s", path, reason)
        if skipped is not None:
            skipped(path, reason)

    try:
        root_real = os.path.realpath(root)
    except OSError:
        return
    wanted = {s.lower() for s in suffixes}
    visited: dict[str, Path] = {}
    found: list[_Found] = []

    def shown(path: Path) -> str:
        try:
            return path.relative_to(root).as_posix() or "."
        except ValueError:
            return str(path)

    def walk(folder: Path, via_link: bool) -> None:
        try:
            real = os.path.realpath(folder)
        except OSError:
            return
        if real in visited:
            skip(folder, f"the same folder as {shown(visited[real])}: read once")
            return
        visited[real] = folder
        try:
            with os.scandir(folder) as entries:
                items = sorted(entries, key=lambda entry: entry.name)
        except OSError as exc:
            why = exc.strerror or exc
            skip(folder, f"cannot list this folder ({why}): its briefs are not read")
            return
        for entry in items:
            if entry.name.startswith("."):
                continue
            child = folder / entry.name
            try:
                is_link = entry.is_symlink()
                if is_link:
                    target = os.path.realpath(child)
                    if not os.path.exists(target):
                        if os.path.splitext(entry.name)[1].lower() in wanted:
                            skip(child, "a broken link (its target does not exist)")
                        continue
                    if not outside_links and not _inside(target, root_real):
                        skip(child, OUTSIDE_LINK)
                        continue
                st = child.stat()  # follows the link: what the entry leads to
                if stat.S_ISDIR(st.st_mode):
                    if folder_is_part is None or not folder_is_part(child):
                        walk(child, via_link or is_link)
                elif stat.S_ISREG(st.st_mode):
                    if child.suffix.lower() in wanted or (
                        by_content is not None and by_content(child)
                    ):
                        key = (st.st_dev, st.st_ino) if st.st_ino else os.path.realpath(child)
                        found.append(_Found(child, key, via_link or is_link))
                    elif others is not None:
                        others(child)
                else:
                    skip(child, f"{_kind(st.st_mode)}, not a file: not read")
            except OSError as exc:
                skip(child, f"cannot read ({exc.strerror or exc})")

    walk(Path(root), False)
    # A file reached twice (two links, or a link and its target) is read once, by the path
    # that needs no link when there is one, else by the first in sorted order.
    chosen: dict[tuple[int, int] | str, _Found] = {}
    for item in found:
        first = chosen.get(item.key)
        if first is None or (first.via_link and not item.via_link):
            chosen[item.key] = item
    keep = {id(c) for c in chosen.values()}
    for item in found:
        if id(item) in keep:
            yield item.path
        else:
            skip(item.path, f"the same file as {shown(chosen[item.key].path)}: read once")


#: A saved page's suffixes (web pages and web archives), and the folders browsers save its
#: images and scripts in: "Name_files" (most), localised names.
_PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".mhtml", ".mht")
_SAVED_FOLDER_TAILS = ("_files", ".files", "-Dateien", "_fichiers", "_archivos", "-bestanden")


def is_saved_page_folder(folder: Path) -> bool:
    """Whether ``folder`` is the ``NAME_files`` folder a browser saves beside ``NAME.html``
    (its images, scripts and frames belong to the page, which is read once, on its own)."""
    name = folder.name
    for tail in _SAVED_FOLDER_TAILS:
        if name.endswith(tail) and len(name) > len(tail):
            stem = name[: -len(tail)]
            if any((folder.parent / (stem + s)).is_file() for s in _PAGE_SUFFIXES):
                return True
    return False
