"""Candidate actors are kept beside the index until the index or the glossary changes."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from briefreader.core.glossary import Glossary
from briefreader.core.library import Library

#: The module (``briefreader.core.index.candidates`` the name is its function).
candidates_module = importlib.import_module("briefreader.core.index.candidates")

BRIEF = "Title: Note {n}\nDate: 2019-01-{n:02d}\n\nKataib Sayyid al-Shuhada marched in Basra.\n"


def _library(tmp_path: Path, n: int = 4) -> Library:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    for i in range(1, n + 1):
        (corpus / f"{i}.md").write_text(BRIEF.format(n=i), "utf-8")
    g = tmp_path / "g.toml"
    g.write_text('[[actor]]\nname = "Iran"\nkind = "state"\n', "utf-8")
    lib = Library([corpus], tmp_path / "data", Glossary.load([g]))
    lib.update()
    return lib


def test_kept_until_the_index_or_the_glossary_changes(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    lib = _library(tmp_path)
    counted = {"n": 0}
    real = candidates_module._count

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        counted["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(candidates_module, "_count", counting)
    first = lib.local.candidates()
    assert "Kataib Sayyid al-Shuhada" in {c.name for c in first}
    assert (lib.index.folder / candidates_module.CACHE_FILE).is_file()
    assert lib.local.candidates() == first and counted["n"] == 1
    # Another min_briefs, another count.
    lib.local.candidates(min_briefs=4)
    assert counted["n"] == 2
    # The glossary learns the name: counted again, and the name is gone.
    actor = lib.glossary.add_actor("Kataib Sayyid al-Shuhada", "militia")
    lib.update()
    again = lib.local.candidates()
    assert counted["n"] == 3 and actor.name not in {c.name for c in again}
    # The index changes (a brief more): counted again.
    (tmp_path / "corpus" / "9.md").write_text(BRIEF.format(n=9).replace("Kataib", "Asaib"), "utf-8")
    lib.update()
    lib.local.candidates()
    assert counted["n"] == 4
    lib.close()


def test_a_damaged_cache_is_counted_again(tmp_path: Path) -> None:
    lib = _library(tmp_path)
    first = lib.local.candidates()
    path = lib.index.folder / candidates_module.CACHE_FILE
    path.write_text("{not json", "utf-8")
    assert lib.local.candidates() == first
    assert json.loads(path.read_text("utf-8"))["found"]
    lib.close()


def test_the_last_count_is_offered_while_stale(tmp_path: Path) -> None:
    lib = _library(tmp_path)
    assert lib.local.last_candidates() is None
    first = lib.local.candidates()
    assert lib.local.last_candidates() == (first, True)
    assert lib.local.last_candidates(min_briefs=5) is None
    (tmp_path / "corpus" / "9.md").write_text(BRIEF.format(n=9), "utf-8")
    lib.update()
    assert lib.local.last_candidates() == (first, False)
    lib.close()


def _segment_ids(lib: Library) -> set[str]:
    ev = lib.index.evaluator()
    return {str(leaf.reader().segment().segment_id()) for leaf, _seg in ev.leaves}


def test_indexing_reads_each_new_segment_once(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    scans = {"n": 0}
    real = candidates_module._scan

    def scanning(*args, **kwargs):  # type: ignore[no-untyped-def]
        scans["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(candidates_module, "_scan", scanning)
    lib = _library(tmp_path, n=6)
    seen = _segment_ids(lib)
    # Indexing read each segment's names: asking for the candidates reads none again.
    assert scans["n"] == len(seen) >= 1
    scans["n"] = 0
    lib.local.candidates()
    assert scans["n"] == 0
    corpus = tmp_path / "corpus"
    (corpus / "9.md").write_text(BRIEF.format(n=9), "utf-8")
    (corpus / "1.md").unlink()
    (corpus / "2.md").unlink()
    lib.update()
    assert scans["n"] == len(_segment_ids(lib) - seen) >= 1
    scans["n"] = 0
    kept = {c.name: c for c in lib.local.candidates()}
    assert scans["n"] == 0
    # The same as a count from nothing: the deleted briefs are gone from it.
    for path in lib.index.folder.glob("candidates*.json"):
        path.unlink()
    fresh = {c.name: c for c in lib.local.candidates()}
    assert scans["n"] == len(_segment_ids(lib))
    assert kept == fresh
    assert fresh["Kataib Sayyid al-Shuhada"].briefs == 5
    lib.close()


def test_forked_readers_keep_what_one_process_keeps(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lib = _library(tmp_path, n=3)
    for n in range(4, 9):  # one segment per update
        text = BRIEF.format(n=n).replace("Basra", f"Basra with Abu Ali{n}")
        (corpus / f"{n}.md").write_text(text, "utf-8")
        lib.update()
    assert len(_segment_ids(lib)) >= 2
    key = lib.local.glossary_key()
    folder = lib.index.folder

    def kept() -> dict[str, str]:
        return {p.name: p.read_text("utf-8") for p in sorted(folder.glob("candidates-*.json"))}

    one = kept()
    assert set(one) == {f"candidates-{s}.json" for s in _segment_ids(lib)}
    for path in folder.glob("candidates-*.json"):
        path.unlink()
    finder = lib.local.name_finder()
    read = candidates_module.prepare_candidates(lib.index, finder, key, procs=2)
    assert read == len(one)
    assert kept() == one
    # All kept: nothing read again.
    assert candidates_module.prepare_candidates(lib.index, finder, key, procs=2) == 0
    # A stop asked for before the readers finish: no partial file is left.
    for path in folder.glob("candidates-*.json"):
        path.unlink()
    assert (
        candidates_module.prepare_candidates(
            lib.index, lib.local.name_finder(), key, procs=2, cancel=lambda: True
        )
        == 0
    )
    assert not list(folder.glob("*.tmp")) and not list(folder.glob(".candidates*"))
    lib.close()


def test_a_word_joined_by_hyphens_counts_by_its_parts(tmp_path: Path) -> None:
    """ "State-run" opening sentences is no name when "state" and "run" are written in lower
    case (the index's tokens split it there); a name whose part never is stays one."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = (
        "State-run television said Asa'ib Ahl al-Haq had left the city.\n\n"
        "The state budget was cut, and the run on the banks went on. "
        "Officials in the state said little.\n"
    )
    for i in range(1, 4):
        (corpus / f"{i}.md").write_text(f"Title: Note {i}\nDate: 2019-01-0{i}\n\n{body}", "utf-8")
    lib = Library([corpus], tmp_path / "data", Glossary.load([]))
    lib.update()
    try:
        found = {c.name: c.briefs for c in lib.local.candidates(min_briefs=3)}
        assert found.get("Asa'ib Ahl al-Haq") == 3
        assert "State-run" not in found
        lower = {"state", "run", "on"}
        written = candidates_module._written_lower
        assert written("state-run", lower) and written("state", lower)
        assert not written("iran-backed", lower) and not written("-", lower)
        assert written("run’on", lower) and not written("asa'ib", lower)
    finally:
        lib.close()
