"""The synthetic corpus generator: benchmarks only mean something if it is repeatable and
its files look like the briefs the parser expects."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

SYNTH_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "synth.py"
MARKERS = ("Comment:", "**Comment:**", "## Comment")
TXT_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})_[a-z0-9-]+\.txt$")
DATE_LINE = re.compile(r"^Date: (\d{4})-(\d{2})-(\d{2})$")


def _load_synth() -> ModuleType:
    # benchmarks/ is not an installed package, so load it by path whatever sys.path holds.
    spec = importlib.util.spec_from_file_location("briefreader_bench_synth", SYNTH_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


synth = _load_synth()


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _split(text: str) -> tuple[str, str | None]:
    """(article, comment or None) by the first comment marker at the start of a line."""
    match = re.search(r"^(?:Comment:|\*\*Comment:\*\*|## Comment)", text, re.M)
    if match is None:
        return text, None
    return text[: match.start()], text[match.end() :]


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    first = synth.generate(tmp_path / "a", 30, seed=7)
    second = synth.generate(tmp_path / "b", 30, seed=7)
    other = synth.generate(tmp_path / "c", 30, seed=8)
    assert len(first) == len(second) == 30
    snap_a, snap_b = _snapshot(tmp_path / "a"), _snapshot(tmp_path / "b")
    assert snap_a == snap_b
    assert snap_a != _snapshot(tmp_path / "c")
    assert [p.relative_to(tmp_path / "a") for p in first] == [
        p.relative_to(tmp_path / "b") for p in second
    ]
    assert len(other) == 30


def test_files_have_the_shape_of_briefs(tmp_path: Path) -> None:
    paths = synth.generate(tmp_path, 60, seed=3)
    assert len(paths) == 60
    assert sorted(paths) == sorted(p for p in tmp_path.rglob("*") if p.is_file())
    md = [p for p in paths if p.suffix == ".md"]
    txt = [p for p in paths if p.suffix == ".txt"]
    assert len(md) + len(txt) == 60
    assert 0.6 <= len(md) / 60 <= 0.95

    with_comment = 0
    for path in paths:
        text = path.read_text(encoding="utf-8")
        year, month = path.relative_to(tmp_path).parts[:2]
        if path.suffix == ".md":
            lines = text.split("\n")
            assert lines[0].startswith("Title: ") and len(lines[0]) > len("Title: ")
            date = DATE_LINE.match(lines[1])
            assert date, lines[1]
            assert lines[2].startswith("Source: ")
            assert lines[3].startswith("Tags: ")
            assert 1 <= len(lines[3][len("Tags: ") :].split(", ")) <= 4
            assert lines[4] == ""
            body = text.split("\n\n", 1)[1]
        else:
            date = TXT_NAME.match(path.name)
            assert date, path.name
            assert not text.startswith("Title:")
            body = text
        assert (year, month) == date.group(1, 2)
        assert dt.date(*map(int, date.groups())) >= dt.date(2015, 1, 1)

        article, comment = _split(body)
        assert 300 <= len(article.split()) <= 1600
        if comment is not None:
            with_comment += 1
            assert 80 <= len(comment.split()) <= 450
    assert with_comment >= 0.8 * len(paths)


def test_no_folder_exceeds_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(synth, "MAX_PER_FOLDER", 5)
    monkeypatch.setattr(synth, "LAST_DAY", dt.date(2015, 1, 31))  # one crowded month
    paths = synth.generate(tmp_path, 23, seed=2)
    folders = {p.parent for p in paths}
    assert len(folders) == 5
    assert all(sum(p.parent == f for p in paths) <= 5 for f in folders)
    assert all(p.relative_to(tmp_path).parts[:2] == ("2015", "01") for p in paths)


def test_actors_come_from_the_glossary(tmp_path: Path) -> None:
    glossary = tmp_path / "glossary.toml"
    glossary.write_text(
        '[[actor]]\nname = "Zorblax Quintar"\naliases = ["Quintar"]\n\n'
        '[[actor]]\nname = "Order of Vell"\naliases = ["OoV", "the Order"]\n',
        encoding="utf-8",
    )
    paths = synth.generate(tmp_path / "out", 10, seed=4, glossary=glossary)
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert "Quintar" in text or "Order of Vell" in text or "OoV" in text
        assert "Khamenei" not in text


@pytest.mark.parametrize("content", [None, "this is [[ not toml", '[[actor]]\nkind = "x"\n'])
def test_unreadable_glossary_falls_back_to_builtin(tmp_path: Path, content: str | None) -> None:
    glossary = tmp_path / "glossary.toml"
    if content is not None:
        glossary.write_text(content, encoding="utf-8")
    assert synth.load_actors(glossary) == synth.BUILTIN_ACTORS
    assert len(synth.BUILTIN_ACTORS) >= 40


def test_command_line_prints_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert synth.main([str(tmp_path), "--count", "5", "--seed", "9"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("5 files, ")
    assert " MB " in out
    assert len(list(tmp_path.rglob("*.*"))) == 5
