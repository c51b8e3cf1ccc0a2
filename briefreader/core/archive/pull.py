"""Briefs pulled out of a team archive into a local corpus folder, written safely.

A row's id is whatever its pusher sent, so it is only ever turned into a name, never
followed as a path: each part becomes a plain, visible file or folder name (no ``..``, no
root or drive, no dot-file or dot-folder such as ``.git``, no Windows device name, no
character a file system treats specially, none too long), and the file gets a brief
suffix. A pull writes only over files it wrote itself and that are unchanged since: the
folder's :data:`MANIFEST` records each file written, for which archive and id, with the hash
of its content. Anything else at a brief's name stays as it is and the brief gets another
name (``name (2).md``), which the report says.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from briefreader.core.atomic import write_text_atomic
from briefreader.core.parse import BRIEF_SUFFIXES
from briefreader.core.report import Problem

log = logging.getLogger(__name__)

#: The record of what pulls wrote into a folder (a dot-file: the indexer passes it by).
MANIFEST = ".briefreader-pulled.json"
#: The suffix given to a name that has none of BRIEF_SUFFIXES.
SUFFIX = ".md"
#: A longer name part is cut and given a hash of itself, so distinct parts stay distinct.
MAX_PART_BYTES = 100
SHORT_PART_BYTES = 80
#: Deeper ids keep their first folders and join the rest into one; a longer path has its
#: folders joined into one (Windows' paths stop at 260 characters).
MAX_FOLDERS = 8
MAX_PATH_BYTES = 240
#: Numbered names tried after a clash before a hash of the id is used instead.
MAX_NUMBER = 100

_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"]
    + [f"{port}{n}" for port in ("COM", "LPT") for n in [*"0123456789", "¹", "²", "³"]]
)
_SPECIAL = re.compile(r'[<>:"|?*]')
_SAVE_EVERY = 200


class PullError(Exception):
    """A row that cannot be pulled; ``reason`` says why in a user's words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class PullReport:
    """What a pull did: the files written (new or changed), the briefs already there, the
    briefs written under another name than their id's, and the rows left out (with why)."""

    written: list[Path] = field(default_factory=list)
    unchanged: int = 0
    renamed: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _short(part: str, keep_suffix: str = "", *, key: str | None = None) -> str:
    """``part`` cut to SHORT_PART_BYTES (its suffix kept), with a hash of the whole (or of
    ``key``)."""
    stem = part[: len(part) - len(keep_suffix)] if keep_suffix else part
    tag = "-" + _digest(part if key is None else key)[:12]
    room = SHORT_PART_BYTES - len(tag) - len(keep_suffix.encode("utf-8"))
    cut = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore").rstrip(" .")
    return f"{cut}{tag}{keep_suffix}"


def _plain_part(raw: str) -> str:
    """One part of an id as a plain, visible name ("" when nothing of it is left)."""
    text = unicodedata.normalize("NFC", raw)
    text = "".join(c if c.isprintable() and c != "\x7f" else "_" for c in text)
    text = _SPECIAL.sub("_", text)
    # Leading dots hide a name (or make it ".."), a leading "~" reads as a home folder;
    # Windows drops trailing dots and spaces, so "x.md." would be "x.md" there.
    text = text.lstrip(" .~").rstrip(" .")
    if not text:
        return ""
    head, dot, rest = text.partition(".")
    if head.rstrip(" ").upper() in _DEVICES:  # "CON.md", "nul": devices on Windows
        text = f"{head}_{dot}{rest}"
    return text


def _brief_suffix(name: str) -> str:
    suffix = PurePosixPath(name).suffix
    return suffix if suffix.lower() in BRIEF_SUFFIXES else ""


def name_for(brief_id: str) -> PurePosixPath:
    """The relative path a pulled brief is written at, made from its archive id.

    Both slashes separate parts (``a\\x.md`` is ``a/x.md``: the pull's record keeps two such
    ids apart); raises :class:`PullError` when nothing of the id makes a name.
    """
    parts = [p for p in (_plain_part(raw) for raw in re.split(r"[\\/]", brief_id)) if p]
    if not parts:
        raise PullError("its id makes no file name")
    folders, name = parts[:-1], parts[-1]
    if not _brief_suffix(name):
        name += SUFFIX
    if len(name.encode("utf-8")) > MAX_PART_BYTES:
        name = _short(name, _brief_suffix(name))
    if len(folders) > MAX_FOLDERS:
        folders = [*folders[: MAX_FOLDERS - 1], "_".join(folders[MAX_FOLDERS - 1 :])]
    folders = [_short(f) if len(f.encode("utf-8")) > MAX_PART_BYTES else f for f in folders]
    if sum(len(p.encode("utf-8")) + 1 for p in [*folders, name]) > MAX_PATH_BYTES:
        folders = [_short("_".join(folders))]
    return PurePosixPath(*folders, name)


def is_plain_name(rel: str) -> bool:
    """Whether ``rel`` is a relative path a pull may write (a record read back is checked)."""
    parts = rel.split("/")
    if not parts or any(p != _plain_part(p) or not p for p in parts):
        return False
    if any(len(p.encode("utf-8")) > MAX_PART_BYTES + 16 for p in parts):
        return False
    return bool(_brief_suffix(parts[-1]))


def _numbered(name: PurePosixPath, n: int) -> PurePosixPath:
    suffix = _brief_suffix(name.name)
    stem = name.name[: len(name.name) - len(suffix)]
    return name.with_name(f"{stem} ({n}){suffix}")


@dataclass(slots=True)
class _Entry:
    archive: str
    brief_id: str
    sha256: str


class Puller:
    """Writes pulled briefs into one folder, keeping its :data:`MANIFEST` up to date.

    Use it as a context manager: the record is saved at the end (and every few hundred
    files, so that a pull that is killed is recognised by the next one).
    """

    def __init__(self, folder: Path, archive: str, report: PullReport) -> None:
        self.root = Path(folder).resolve()
        self.archive = archive
        self.report = report
        self.files: dict[str, _Entry] = {}  # relative path -> what wrote it
        self._load()
        self._owner = {f.casefold(): f for f in self.files}
        self._mine = {(e.archive, e.brief_id): f for f, e in self.files.items()}
        self._unsaved = 0

    def __enter__(self) -> Puller:
        return self

    def __exit__(self, *exc: object) -> None:
        self.save()

    # -- the record ----------------------------------------------------------------------

    def _load(self) -> None:
        path = self.root / MANIFEST
        try:
            data = json.loads(path.read_text("utf-8"))
            files = data["files"]
            for rel, entry in files.items():
                if is_plain_name(rel):
                    self.files[rel] = _Entry(
                        str(entry["archive"]), str(entry["id"]), str(entry["sha256"])
                    )
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            # Nothing is then known as the pull's own: a clash gets a new name, nothing is lost.
            log.warning("%s cannot be read (%s): treated as empty", path, exc)

    def save(self) -> None:
        if not self._unsaved and (self.root / MANIFEST).exists():
            return
        files = {
            rel: {"archive": e.archive, "id": e.brief_id, "sha256": e.sha256}
            for rel, e in sorted(self.files.items())
        }
        text = json.dumps({"version": 1, "files": files}, ensure_ascii=False, indent=1)
        write_text_atomic(self.root / MANIFEST, text + "\n")
        self._unsaved = 0

    def _record(self, rel: str, brief_id: str, digest: str) -> None:
        old = self._mine.pop((self.archive, brief_id), None)
        if old is not None and old != rel:
            self.files.pop(old, None)
            self._owner.pop(old.casefold(), None)
        self.files[rel] = _Entry(self.archive, brief_id, digest)
        self._owner[rel.casefold()] = rel
        self._mine[(self.archive, brief_id)] = rel
        self._unsaved += 1
        if self._unsaved >= _SAVE_EVERY:
            self.save()

    # -- the files -----------------------------------------------------------------------

    def _content(self, path: Path, size: int) -> bytes | None:
        """The bytes of the regular file at ``path`` when it has ``size`` of them."""
        try:
            st = path.lstat()
        except OSError:
            return None
        if not path.is_file() or path.is_symlink() or st.st_size != size:
            return None
        try:
            return path.read_bytes()
        except OSError:
            return None

    def _usable_folder(self, rel: PurePosixPath) -> bool:
        """Whether ``rel``'s folders are real folders under the root (or not there yet)."""
        here = self.root
        for part in rel.parts[:-1]:
            here = here / part
            if not os.path.lexists(here):
                return True
            if here.is_symlink() or not here.is_dir():
                return False
        return True

    def _free(self, rel: PurePosixPath, data: bytes) -> bool:
        """Whether the pull may write ``rel``: no other brief's, and nothing there or a
        copy of exactly this brief (left by a pull that was stopped)."""
        if str(rel).casefold() in self._owner or not self._usable_folder(rel):
            return False
        path = self.root / rel
        if not os.path.lexists(path):
            return True
        return self._content(path, len(data)) == data

    def _choose(self, brief_id: str, name: PurePosixPath, data: bytes) -> PurePosixPath:
        tries = [name, *(_numbered(name, n) for n in range(2, MAX_NUMBER + 1))]
        flat = PurePosixPath(name.name)
        if flat != name:  # a folder of the id is a file or a link here
            tries += [flat, *(_numbered(flat, n) for n in range(2, MAX_NUMBER + 1))]
        tries.append(PurePosixPath(_short(flat.name, _brief_suffix(flat.name), key=brief_id)))
        for rel in tries:
            if self._free(rel, data):
                return rel
        raise PullError(f"no free name for it in {self.root}")

    def put(self, brief_id: str, text: str) -> None:
        """Write one brief (its archive id, its text), or count it as already there."""
        name = name_for(brief_id)
        data = text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        rel: PurePosixPath | None = None
        why = ""
        known = self._mine.get((self.archive, brief_id))
        if known is not None:
            path = self.root / known
            if not os.path.lexists(path) or self._sha_of(path) == self.files[known].sha256:
                rel = PurePosixPath(known)
            else:  # changed here since it was pulled: the file is the user's now
                del self.files[known], self._owner[known.casefold()]
                del self._mine[(self.archive, brief_id)]
                self._unsaved += 1
                why = f"{known} was changed here since it was pulled and is left as it is"
        if rel is None:
            rel = self._choose(brief_id, name, data)
            if rel != name and not why:
                why = f"{name} is not a file this pull wrote, and is left as it is"
        path = self.root / rel
        if self._content(path, len(data)) == data:
            self.report.unchanged += 1
        else:
            write_text_atomic(path, text)
            self.report.written.append(path)
        if why:
            self.report.renamed.append(Problem(brief_id, f"{why}: written as {rel}", "renamed"))
        if self.files.get(str(rel)) != _Entry(self.archive, brief_id, digest):
            self._record(str(rel), brief_id, digest)

    def _sha_of(self, path: Path) -> str | None:
        """The content hash of the regular file at ``path`` (None for anything else)."""
        if path.is_symlink() or not path.is_file():
            return None
        try:
            return hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return None
