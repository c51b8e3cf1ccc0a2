"""What Windows and macOS do differently, checked from Linux.

The update lock through ``msvcrt`` (a fake with Windows' rules: a byte range from the current
position, a locked range refused with EACCES), brief ids and manifest keys from paths with
drive letters and backslashes, the data folder on each platform, briefs with Windows line
endings, two briefs whose names differ only in case, and how long the index's own paths get
(Windows' 260-character limit).
"""

from __future__ import annotations

import errno
import importlib.util
import os
import sys
import types
from pathlib import Path, PureWindowsPath
from typing import Any

import pytest

from briefreader import paths
from briefreader.core.briefdocs import rel_id
from briefreader.core.glossary import Glossary
from briefreader.core.index import lock as lock_module
from briefreader.core.index.manifest import ManifestEntry, read_manifest, save_manifest
from briefreader.core.library import Library

BRIEF = "Title: {title}\nDate: 2021-03-0{day}\nSource: Reuters\n\n{body}\n\nComment: {comment}\n"


# -- the update lock through msvcrt -----------------------------------------------------------


class FakeMsvcrt(types.ModuleType):
    """``msvcrt.locking`` as Windows' C runtime does it, for handles of one process standing
    in for processes: ``nbytes`` bytes from the file's current position; LK_NBLCK on a range
    another handle holds fails at once with EACCES; unlocking a range not held fails."""

    LK_UNLCK, LK_LOCK, LK_NBLCK = 0, 1, 2

    def __init__(self) -> None:
        super().__init__("msvcrt")
        #: (device, inode, start, length) -> the descriptor holding it.
        self.held: dict[tuple[int, int, int, int], int] = {}
        self.calls: list[tuple[str, int]] = []  # (operation, start)

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        st = os.fstat(fd)
        start = os.lseek(fd, 0, os.SEEK_CUR)
        key = (st.st_dev, st.st_ino, start, nbytes)
        self.calls.append(("unlock" if mode == self.LK_UNLCK else "lock", start))
        if mode == self.LK_UNLCK:
            if self.held.get(key) != fd:
                raise OSError(errno.EACCES, "Permission denied")
            del self.held[key]
            return
        overlapping = [
            k for k, owner in self.held.items()
            if k[:2] == key[:2] and k[2] < start + nbytes and start < k[2] + k[3] and owner != fd
        ]  # fmt: skip
        if overlapping:
            raise OSError(errno.EACCES, "Permission denied")
        self.held[key] = fd


@pytest.fixture
def windows_lock(monkeypatch: pytest.MonkeyPatch) -> tuple[Any, FakeMsvcrt]:
    """briefreader.core.index.lock as Windows imports it: its ``os.name == "nt"`` branch, with
    the fake ``msvcrt``."""
    fake = FakeMsvcrt()
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    monkeypatch.setattr(os, "name", "nt")
    spec = importlib.util.spec_from_file_location("briefreader_lock_nt", lock_module.__file__)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.undo()  # os.name back: only the module's import saw Windows
    return module, fake


def test_the_windows_lock_excludes_a_second_holder_until_released(
    windows_lock: tuple[Any, FakeMsvcrt], tmp_path: Path
) -> None:
    module, fake = windows_lock
    path = tmp_path / "index" / "update.lock"
    first, second = module.FileLock(path), module.FileLock(path)
    assert first.acquire(timeout=0)
    # Something in the file already (a lock file opened in append mode starts at its end):
    # the lock must still be taken on the same byte by everyone.
    path.write_text("x" * 10, "utf-8")
    assert not second.acquire(timeout=0.2)
    first.release()
    assert second.acquire(timeout=0)
    assert not first.acquire(timeout=0)
    second.release()
    assert fake.held == {}
    assert {start for _op, start in fake.calls} == {0}
    assert [op for op, _s in fake.calls if op == "unlock"] == ["unlock", "unlock"]


def test_the_windows_lock_refuses_to_be_taken_twice_by_one_holder(
    windows_lock: tuple[Any, FakeMsvcrt], tmp_path: Path
) -> None:
    module, _fake = windows_lock
    held = module.FileLock(tmp_path / "update.lock")
    assert held.acquire(timeout=0)
    with pytest.raises(RuntimeError, match="already holds"):
        held.acquire(timeout=0)
    held.release()
    held.release()  # a second release is harmless


def test_another_locking_error_is_not_taken_for_a_busy_index(
    windows_lock: tuple[Any, FakeMsvcrt], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module, fake = windows_lock

    def broken(_fd: int, _mode: int, _n: int) -> None:
        raise OSError(errno.EBADF, "Bad file descriptor")

    monkeypatch.setattr(fake, "locking", broken)
    lock = module.FileLock(tmp_path / "update.lock")
    with pytest.raises(OSError) as caught:
        lock.acquire(timeout=0)
    assert caught.value.errno == errno.EBADF
    # The file was let go: nothing leaks, and the lock can be tried again.
    monkeypatch.undo()
    assert lock.acquire(timeout=0)
    lock.release()


# -- paths with drive letters and backslashes ------------------------------------------------


@pytest.mark.parametrize(
    ("path", "root", "expected"),
    [
        (r"C:\Briefs\2021\03\basra.md", r"C:\Briefs", "2021/03/basra.md"),
        (r"c:\briefs\2021\Basra.md", r"C:\Briefs", "2021/Basra.md"),  # Windows ignores case
        (r"\\server\share\briefs\a.md", r"\\server\share\briefs", "a.md"),
        (r"D:\elsewhere\a.md", r"C:\Briefs", "a.md"),  # another drive: the name
    ],
)
def test_an_id_from_a_windows_path_has_forward_slashes(path: str, root: str, expected: str) -> None:
    assert rel_id(PureWindowsPath(path), PureWindowsPath(root)) == expected  # type: ignore[arg-type]


def test_a_manifest_keyed_by_windows_paths_reads_back_as_written(tmp_path: Path) -> None:
    manifest = {
        r"C:\Users\analyst\Briefs\2021\basra.md": ManifestEntry(10, 1, "ab" * 32, "2021/basra.md"),
        r"\\server\share\briefs\digest.txt": ManifestEntry(
            20, 2, "cd" * 32, "digest.txt", ("two items",), 2
        ),
        "C:\\Briefs\\caf\u00e9 \u201cq\u201d.md": ManifestEntry(30, 3, "ef" * 32, "caf\u00e9.md"),
    }
    path = tmp_path / "manifest.json"
    save_manifest(path, manifest)
    assert read_manifest(path) == manifest


# -- the data folder ---------------------------------------------------------------------------


def test_the_data_folder_on_each_platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(paths.DATA_DIR_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setattr(sys, "platform", "win32")
    # Local, not Roaming: an index of gigabytes must not travel with a roaming profile.
    assert paths.data_dir() == tmp_path / "local" / "briefreader"
    monkeypatch.delenv("LOCALAPPDATA")
    assert paths.data_dir() == tmp_path / "home" / "AppData" / "Local" / "briefreader"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert paths.data_dir() == tmp_path / "home" / "Library" / "Application Support" / "briefreader"
    monkeypatch.setattr(sys, "platform", "linux")
    assert paths.data_dir() == tmp_path / "home" / ".local" / "share" / "briefreader"
    # The user's choice wins everywhere, and the folder is made.
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path / "chosen"))
    assert paths.data_dir() == tmp_path / "chosen" and (tmp_path / "chosen").is_dir()


# -- line endings, names that differ only in case, path lengths --------------------------------


def _corpus(root: Path, newline: str) -> Path:
    root.mkdir(parents=True)
    for day, (title, body, comment) in enumerate(
        [
            ("Basra port reopened", "The port of Basra reopened after the strike.", "Calm."),
            ("Militias disarm", "The PMF said its units would disarm in Basra.", "Unlikely."),
        ],
        start=1,
    ):
        text = BRIEF.format(title=title, day=day, body=body, comment=comment)
        (root / f"2021-03-0{day}_brief.md").write_bytes(text.replace("\n", newline).encode())
    return root


def _answers(lib: Library) -> list[tuple[str, str, str, list[str]]]:
    out = []
    for query in ("basra", "disarm", "calm"):
        for hit in lib.search(query, limit=10).hits:
            brief = lib.brief(hit.id)
            out.append((query, hit.id, brief.text, [hit.snippet]))
    return out


def test_briefs_with_windows_line_endings_index_as_unix_ones_do(tmp_path: Path) -> None:
    got = {}
    for name, newline in (("unix", "\n"), ("windows", "\r\n")):
        root = _corpus(tmp_path / name, newline)
        lib = Library([root], tmp_path / f"data-{name}", Glossary.load([]))
        try:
            report = lib.update()
            assert report.added == 2 and not report.skipped and not report.problems
            got[name] = _answers(lib)
        finally:
            lib.close()
    assert got["windows"] == got["unix"] and len(got["unix"]) >= 3
    assert all("\r" not in text for _q, _id, text, _s in got["windows"])


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="needs a case-sensitive folder")
def test_two_briefs_whose_names_differ_only_in_case_stay_two(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "Basra.md").write_text(
        BRIEF.format(
            title="Basra upper", day=1, body="Upper case file about Basra.", comment="One."
        ),
        "utf-8",
    )
    (root / "basra.md").write_text(
        BRIEF.format(
            title="Basra lower", day=2, body="Lower case file about Basra.", comment="Two."
        ),
        "utf-8",
    )
    lib = Library([root], tmp_path / "data", Glossary.load([]))
    try:
        assert lib.update().added == 2
        hits = {h.id: h.title for h in lib.search("basra", limit=10).hits}
        assert hits == {"Basra.md": "Basra upper", "basra.md": "Basra lower"}
        assert lib.brief("Basra.md").title == "Basra upper"
        assert lib.brief("basra.md").title == "Basra lower"
        # Renamed to one of them only (as a copy to a case-insensitive disk would leave it):
        (root / "basra.md").unlink()
        again = lib.update()
        assert again.removed == 1
        assert [h.id for h in lib.search("basra", limit=10).hits] == ["Basra.md"]
    finally:
        lib.close()


def test_the_index_paths_leave_room_under_windows_260_character_limit(tmp_path: Path) -> None:
    """Whatever the index writes below the data folder (segments, term files, candidate
    counts, temporary files while writing) is short, so that a data folder of up to ~150
    characters (C:\\Users\\<a long name>\\AppData\\Local\\briefreader) stays under 260."""
    root = _corpus(tmp_path / "corpus", "\n")
    data = tmp_path / "data"
    lib = Library([root], data, Glossary.load([]))
    try:
        lib.update()
        lib.local.candidates()
    finally:
        lib.close()
    longest = max((str(p.relative_to(data)) for p in data.rglob("*")), key=len)
    assert len(longest) <= 100, longest
