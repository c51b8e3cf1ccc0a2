"""A damaged index: noticed, moved aside, rebuilt, reported in plain words.

Each case damages a copy of a healthy index the way a disk, a sync tool or a person might,
then uses the library as the front ends do. Nothing may raise except the one documented
IndexDamagedError (with a plain message), and after an update the results equal a clean
index's.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from briefreader import paths
from briefreader.core import index as bix
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library

QUERIES = ("Iraq", "Iran militias", "PMF OR Badr", "")


def _seg(folder: Path, part: str = ".pst") -> Path:
    """One file of a segment: by default its postings, the largest part."""
    return next(folder.glob(f"MAIN_*{part}"))


def _toc(folder: Path) -> Path:
    return next(folder.glob("_MAIN_*.toc"))


def _truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _overwrite(path: Path, where: float, count: int = 256) -> None:
    """Flip every bit of ``count`` bytes from ``where`` (a fraction of the size) on."""
    data = bytearray(path.read_bytes())
    at = max(0, min(int(len(data) * where), len(data) - count))
    data[at : at + count] = bytes(b ^ 0xFF for b in data[at : at + count])
    path.write_bytes(bytes(data))


def _write(name: str, text: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_text(text, "utf-8")


def _set_schema(version: int) -> Callable[[Path], None]:
    return _write("meta.json", json.dumps({"schema": version}))


# Damage that opening must notice: the index is set aside and rebuilt, with a reason.
NOTICED: dict[str, Callable[[Path], None]] = {
    "segment truncated": lambda f: _truncate(_seg(f)),
    "segment cut to 10 bytes": lambda f: _truncate(_seg(f), 10 / _seg(f).stat().st_size),
    "segment header overwritten": lambda f: _overwrite(_seg(f), 0.0),
    "segment directory overwritten": lambda f: _overwrite(_seg(f), 1.0, 64),
    "segment deleted": lambda f: _seg(f).unlink(),
    # In the middle, where Whoosh itself may not notice: the recorded checksums do.
    "segment overwritten at 30%": lambda f: _overwrite(_seg(f), 0.3),
    "segment overwritten at 70%": lambda f: _overwrite(_seg(f), 0.7),
    "one byte flipped in a segment": lambda f: _overwrite(_seg(f), 0.5, 1),
    "terms file overwritten": lambda f: _overwrite(_seg(f, ".trm"), 0.5, 16),
    "stored fields truncated": lambda f: _truncate(_seg(f, "._stored.col")),
    "a column deleted": lambda f: _seg(f, ".date.col").unlink(),
    "terms file deleted": lambda f: _seg(f, ".trm").unlink(),
    "toc overwritten": lambda f: _overwrite(_toc(f), 0.1, 64),
    "toc truncated": lambda f: _truncate(_toc(f)),
    "toc deleted": lambda f: _toc(f).unlink(),
    "meta.json garbage": _write("meta.json", "{not json"),
    "meta.json a list": _write("meta.json", "[5]"),
}
# Formats: rebuilt by themselves, without keeping a copy.
SCHEMA = {
    "older schema": _set_schema(bix.SCHEMA_VERSION - 1),
    "newer schema": _set_schema(bix.SCHEMA_VERSION + 1),
}
# Damage to the side files: the index itself is sound; the update redoes what it must.
SIDE: dict[str, Callable[[Path], None]] = {
    "manifest garbage": _write("manifest.json", "[1, 2"),
    "manifest a list": _write("manifest.json", "[1, 2]"),
    "manifest wrong entries": _write("manifest.json", '{"x": 5, "y": [1]}'),
    "glossary state wrong type": _write("glossary.json", "[1]"),
    "problems wrong type": _write("problems.json", '{"a": 5}'),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten briefs of the sample corpus: enough for several segments' worth of terms."""
    folder = tmp_path_factory.mktemp("corpus")
    sample = sorted(paths.sample_corpus_dir().rglob("*.md"))
    for path in [p for p in sample if "Iraq" in p.read_text("utf-8")][:10]:
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def clean(
    tmp_path_factory: pytest.TempPathFactory, corpus: Path
) -> tuple[Path, dict[str, list[str]]]:
    """A healthy data folder over the corpus, and its answers to QUERIES."""
    data = tmp_path_factory.mktemp("clean")
    lib = _library(corpus, data)
    lib.update()
    answers = {q: _ids(lib, q) for q in QUERIES}
    lib.close()
    assert answers["Iraq"], "the corpus should answer the test queries"
    return data, answers


def _library(corpus: Path, data: Path) -> Library:
    return Library([corpus], data, Glossary.load([]))


def _ids(lib: Library, query: str) -> list[str]:
    return [h.id for h in lib.search(query, limit=100, facets=False, snippets=False).hits]


def _damaged_copy(
    clean: Path, corpus: Path, tmp_path: Path, damage: Callable[[Path], None]
) -> Path:
    data = tmp_path / "data"
    shutil.copytree(clean, data)
    folder = paths.index_dir(data, [corpus])
    damage(folder)
    return data


def _set_aside(data: Path) -> list[Path]:
    return [p for p in (data / "indexes").iterdir() if ".damaged-" in p.name]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", sorted(NOTICED) + sorted(SCHEMA))
def test_damage_is_noticed_set_aside_and_rebuilt(
    clean: tuple[Path, dict[str, list[str]]], corpus: Path, tmp_path: Path, case: str
) -> None:
    data = _damaged_copy(clean[0], corpus, tmp_path, {**NOTICED, **SCHEMA}[case])
    lib = _library(corpus, data)
    # A search first (the window searches while it indexes): no traceback, a notice instead.
    first = lib.search("Iraq")
    assert first.hits == []
    assert any("rebuilt" in n and "incomplete" in n for n in first.notices), first.notices
    report = lib.update()
    assert report.rebuilt_reason, case
    assert "rebuilt" in report.rebuilt_reason
    if case in SCHEMA:
        assert "format" in report.rebuilt_reason
        assert _set_aside(data) == []
    else:
        assert len(_set_aside(data)) == 1, "the damaged files are kept for inspection"
    assert {q: _ids(lib, q) for q in QUERIES} == clean[1]
    assert lib.search("Iraq").notices == []
    lib.close()
    # Reported once: the next start finds a sound index and says nothing.
    again = _library(corpus, data)
    assert again.update().rebuilt_reason is None
    again.close()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", sorted(SIDE))
def test_damaged_side_files_cost_a_recheck_not_a_crash(
    clean: tuple[Path, dict[str, list[str]]], corpus: Path, tmp_path: Path, case: str
) -> None:
    data = _damaged_copy(clean[0], corpus, tmp_path, SIDE[case])
    lib = _library(corpus, data)
    assert {q: _ids(lib, q) for q in QUERIES} == clean[1]
    report = lib.update()
    assert report.skipped == []
    assert {q: _ids(lib, q) for q in QUERIES} == clean[1]
    assert lib.doc_count() == report.indexed
    lib.close()


def test_damage_found_while_searching_is_said_plainly_and_rebuilt(
    clean: tuple[Path, dict[str, list[str]]],
    corpus: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Damage no check at open can see (a bit flipped with the file's mtime kept) shows as
    a decoding error while reading: one plain error, then the next update rebuilds."""
    import struct

    data = _damaged_copy(clean[0], corpus, tmp_path, lambda _f: None)
    lib = _library(corpus, data)
    real = bix.search

    def broken(*_a: object, **_k: object) -> None:
        raise struct.error("unpack requires a buffer of 4 bytes")

    monkeypatch.setattr(bix, "search", broken)
    with pytest.raises(bix.IndexDamagedError) as caught:
        lib.search("Iraq")
    assert str(caught.value) == "The index is damaged; it will be rebuilt at the next update."
    monkeypatch.setattr(bix, "search", real)
    report = lib.update()
    assert report.rebuilt_reason and "a search found it damaged" in report.rebuilt_reason
    assert len(_set_aside(data)) == 1
    assert {q: _ids(lib, q) for q in QUERIES} == clean[1]
    lib.close()


def test_a_bug_is_not_mistaken_for_damage(
    clean: tuple[Path, dict[str, list[str]]],
    corpus: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = _damaged_copy(clean[0], corpus, tmp_path, lambda _f: None)
    lib = _library(corpus, data)

    def buggy(*_a: object, **_k: object) -> None:
        raise TypeError("a bug in briefreader")

    monkeypatch.setattr(bix, "search", buggy)
    with pytest.raises(TypeError):
        lib.search("Iraq")
    assert not lib.index.damage_path.exists()
    lib.close()


def test_a_reader_never_rebuilds(
    clean: tuple[Path, dict[str, list[str]]], corpus: Path, tmp_path: Path
) -> None:
    """A read-only instance (searching while another one indexes) reports, never rewrites."""
    data = _damaged_copy(clean[0], corpus, tmp_path, NOTICED["toc truncated"])
    lib = _library(corpus, data)
    with pytest.raises(bix.IndexDamagedError):
        lib.reader()
    assert _set_aside(data) == []
    lib.close()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("command", ["index", "search"])
def test_command_line_says_why_it_rebuilt(
    clean: tuple[Path, dict[str, list[str]]], corpus: Path, tmp_path: Path, command: str
) -> None:
    import os
    import subprocess
    import sys

    data = _damaged_copy(clean[0], corpus, tmp_path, NOTICED["toc truncated"])
    env = dict(os.environ, BRIEFREADER_DATA_DIR=str(data))
    (data / "cli.json").write_text(json.dumps({"corpora": [str(corpus)]}), "utf-8")
    args = ["index", str(corpus)] if command == "index" else ["search", "Iraq"]
    proc = subprocess.run(
        [sys.executable, "-m", "briefreader", "--data-dir", str(data), *args],
        capture_output=True, text=True, env=env, timeout=50, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    said = proc.stdout if command == "index" else proc.stderr
    assert said.startswith("The index could not be used: its files were damaged; it was set")
    assert "Traceback" not in proc.stderr
    if command == "search":
        # The rebuilt index answers as the healthy one did (the first ten, the CLI's page).
        expected = clean[1]["Iraq"][:10]
        assert f"{len(expected)} of {len(clean[1]['Iraq'])} briefs" in proc.stdout
        assert all(brief_id in proc.stdout for brief_id in expected)
