"""Whether the index's files are what was committed: checksums, damage, Whoosh's leaks.

Whoosh writes each segment and table of contents once and never changes it, and keeps no
checksums: bytes overwritten in the middle of a segment can silently change results. Each
file's size, mtime and CRC-32 are recorded after every commit; at open a recorded file of
another size, or with another mtime and content, is damage. Only files whose mtime changed
are read, so a sound index opens with a stat per file.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import tempfile
import time
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path

from whoosh import index
from whoosh.filedb.filestore import FileStorage

from briefreader.core.index.manifest import write_json_atomic

#: The update lock's file: it stays in the folder whatever happens to the index.
LOCK_NAME = "update.lock"


def crc32(path: Path) -> int:
    crc = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
    return crc


@contextlib.contextmanager
def leaks_collected() -> Iterator[list[str]]:
    """Close, quietly, the files Whoosh leaves open when damaged index files fail to open.

    Whoosh-Reloaded 2.7.5 opens a segment's compound file (or a table of contents) and drops
    it unclosed when reading it fails; freed later, it warns (ResourceWarning) at a random
    point. The block appends to the list it gets when something failed; the exception that
    held the files is gone when the block ends, so they are freed here.
    """
    failed: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            yield failed
        finally:
            if failed:
                gc.collect()


def index_files(folder: Path) -> list[Path]:
    """Whoosh's files: tables of contents (``_MAIN_<gen>.toc``) and segment files
    (``MAIN_<segment>.<part>``: terms, postings, stored fields, columns; or one ``.seg``
    when compound)."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    return sorted(
        folder / n for n in names if n.startswith(("MAIN_", "_MAIN_")) and n != "MAIN_WRITELOCK"
    )


def live_segments(folder: Path) -> set[str]:
    """Ids of the segments the newest table of contents lists (empty if unreadable)."""
    try:
        toc = index.TOC.read(FileStorage(str(folder)), index._DEF_INDEX_NAME)
        return {seg.segment_id() for seg in toc.segments}
    except Exception:  # noqa: BLE001 - an unreadable TOC is reported by open_dir itself
        return set()


class Checksums:
    """The size, mtime and CRC-32 of each of Whoosh's files, as the last commit left them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @property
    def path(self) -> Path:
        return self.folder / "checksums.json"

    def read(self) -> dict[str, tuple[int, int, int]]:
        try:
            raw = json.loads(self.path.read_text("utf-8"))
            return {str(k): (int(v[0]), int(v[1]), int(v[2])) for k, v in raw.items()}
        except (OSError, ValueError, TypeError, IndexError, AttributeError):
            return {}

    def save(self) -> None:
        """Record every file after a commit (only new or touched ones are read)."""
        known = self.read()
        out: dict[str, list[int]] = {}
        for path in index_files(self.folder):
            st = path.stat()
            old = known.get(path.name)
            if old is not None and old[:2] == (st.st_size, st.st_mtime_ns):
                out[path.name] = list(old)  # recorded before and untouched: not read again
            else:
                out[path.name] = [st.st_size, st.st_mtime_ns, crc32(path)]
        write_json_atomic(self.path, out)

    def changed_file(self) -> str | None:
        """A recorded index file whose content is not what was committed, or None.

        A recorded file that is gone is damage only if it belongs to a segment the newest
        table of contents lists: after a kill between a commit and this record, the files of
        segments that commit merged away are legitimately gone.
        """
        live: set[str] | None = None
        for name, (size, mtime_ns, crc) in self.read().items():
            path = self.folder / name
            try:
                st = path.stat()
            except FileNotFoundError:
                if live is None:
                    live = live_segments(self.folder)
                if name.split(".", 1)[0] in live:
                    return f"{name} is missing"
                continue
            except OSError as exc:
                return f"{name} cannot be read ({exc.strerror or exc})"
            if st.st_size != size:
                return f"{name} is {st.st_size} bytes, not {size}"
            if st.st_mtime_ns != mtime_ns and crc32(path) != crc:
                return f"{name} was overwritten"
        return None


def move_aside(folder: Path) -> None:
    """Keep a damaged index for inspection, beside the folder; the lock file stays."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = Path(tempfile.mkdtemp(prefix=f"{folder.name}.damaged-{stamp}-", dir=folder.parent))
    for child in folder.iterdir():
        if child.name != LOCK_NAME:
            with contextlib.suppress(OSError):
                shutil.move(str(child), str(target / child.name))


def clear_folder(folder: Path) -> None:
    """Remove everything of an index but its lock file, before a new one is created."""
    for child in folder.iterdir():
        if child.name == LOCK_NAME:
            continue
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
