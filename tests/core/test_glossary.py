"""Glossary loading, merging, problem reports with lines, lookup, and safe saving."""

from __future__ import annotations

import os
import tempfile
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefreader.core.brief import Brief
from briefreader.core.glossary import (
    Actor,
    Glossary,
    GlossaryError,
    GlossaryProblem,
    lookup_key,
    slugify,
)

BUNDLED = """\
# The bundled glossary (a small one, written for these tests).

[[actor]]
name = "Iran"
kind = "state"
aliases = ["Islamic Republic of Iran", "Tehran"]
description = "Country."

[[actor]]
name = "Popular Mobilization Forces"
kind = "militia"
aliases = ["P.M.F.", "PMF", "Hashd al-Shaabi"]
description = "Iraqi umbrella of militias."

[[actor]]
name = "United States"
kind = "state"
aliases = ["US", "U.S.", "America"]

[[actor]]
name = "Islamic Revolutionary Guard Corps"
kind = "organisation"
aliases = ["IRGC"]

[[actor]]
name = "Quds Force"
kind = "organisation"
aliases = ["IRGC Quds Force"]

[[actor]]
name = "Badr Organization"
kind = "militia"
aliases = ["Badr"]
match_case = true
"""

USER = """\
[[actor]]
name = "Iran"
kind = "place"
aliases = ["Persia", "Tehran"]

[[actor]]
name = "Asa'ib Ahl al-Haq"
kind = "militia"
aliases = ["AAH", "Asaib Ahl al-Haq"]
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return write(tmp_path, "bundled.toml", BUNDLED), write(tmp_path, "user.toml", USER)


def line_of(text: str, needle: str, nth: int = 0) -> int:
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return lines[nth]


def test_slugify() -> None:
    assert slugify("Popular Mobilization Forces") == "popular-mobilization-forces"
    assert slugify("Asa'ib Ahl al-Haq") == "asa-ib-ahl-al-haq"
    assert slugify("Zürich") == "zurich"
    assert slugify("Søren Ærø") == "soren-aero"
    assert slugify("  --P.M.F.--  ") == "p-m-f"
    assert slugify("حزب الله") != ""
    assert slugify("!!!") == ""


def test_load_one_file(files: tuple[Path, Path]) -> None:
    glossary = Glossary.load([files[0]])
    assert glossary.problems == []
    iran = glossary.actors["iran"]
    assert iran == Actor(
        "iran", "Iran", "state", ("Islamic Republic of Iran", "Tehran"), "Country."
    )
    assert iran.names == ("Iran", "Islamic Republic of Iran", "Tehran")
    assert glossary.actors["badr-organization"].match_case is True
    assert glossary.actors["united-states"].kind == "state"
    assert glossary.kinds() == ["organisation", "state", "militia"]  # usual order
    assert glossary.get("nobody") is None


def test_merge_later_file_wins_fields_and_aliases_unite(files: tuple[Path, Path]) -> None:
    glossary = Glossary.load(list(files))
    assert glossary.problems == []
    iran = glossary.actors["iran"]
    assert iran.kind == "place"  # the user file says so
    assert iran.description == "Country."  # the user file does not say otherwise
    assert iran.aliases == ("Islamic Republic of Iran", "Tehran", "Persia")
    assert list(glossary.actors)[:2] == ["iran", "popular-mobilization-forces"]
    assert glossary.actors["asa-ib-ahl-al-haq"].aliases == ("AAH", "Asaib Ahl al-Haq")


def test_same_id_other_spelling_renames_and_keeps_old_as_alias(tmp_path: Path) -> None:
    first = write(tmp_path, "a.toml", '[[actor]]\nname = "TEHRAN"\n')
    second = write(tmp_path, "b.toml", '[[actor]]\nname = "Tehran"\nkind = "place"\n')
    actor = Glossary.load([first, second]).actors["tehran"]
    assert (actor.name, actor.kind, actor.aliases) == ("Tehran", "place", ("TEHRAN",))


def test_missing_files(tmp_path: Path, files: tuple[Path, Path]) -> None:
    glossary = Glossary.load([files[0], tmp_path / "nope.toml", tmp_path / "nor.toml"])
    assert glossary.problems == []
    assert "iran" in glossary.actors
    glossary = Glossary.load([tmp_path / "nope.toml", files[1]])
    assert [p.severity for p in glossary.problems] == ["warning"]
    assert glossary.problems[0].path == tmp_path / "nope.toml"
    assert "iran" in glossary.actors


def test_unparsable_toml_skips_that_file_only(tmp_path: Path, files: tuple[Path, Path]) -> None:
    bad_text = '[[actor]]\nname = "Hezbollah"\naliases = ["Party of God"\nkind = "militia"\n'
    bad = write(tmp_path, "bad.toml", bad_text)
    glossary = Glossary.load([files[0], bad])
    assert "hezbollah" not in glossary.actors
    assert "iran" in glossary.actors
    (problem,) = glossary.problems
    assert problem.severity == "error"
    assert problem.path == bad
    assert problem.line == 4
    assert str(problem).startswith(f"{bad}:4: not valid TOML")


def test_toml_error_line_matches_tomllib(tmp_path: Path) -> None:
    text = '[[actor]]\nname = "A"\n\n\n[[actor]]\nname = = "B"\n'
    with pytest.raises(tomllib.TOMLDecodeError, match="line 6"):
        tomllib.loads(text)
    glossary = Glossary.load([write(tmp_path, "g.toml", text)])
    assert [p.line for p in glossary.problems if p.severity == "error"] == [6]
    assert "a" in glossary.actors  # the entry before the mistake still loads
    text = '[[actor]]\nname = "unterminated\n'
    glossary = Glossary.load([write(tmp_path, "h.toml", text)])
    assert glossary.problems[0].line == 2


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes(b'[[actor]]\nname = "Z\xfcrich"\n')
    glossary = Glossary.load([path])
    assert glossary.actors == {}
    assert [(p.line, p.severity) for p in glossary.problems] == [(2, "error")]


PROBLEMS = """\
[[actor]]
kind = "person"
aliases = ["Nobody"]

[[actor]]
name = "Hezbollah"
kind = 3
aliases = [
    "Party of God",
    "",
    "H",
    4,
    "Hizballah",
]
alias = "typo"
match_case = "yes"

[[actor]]
name = "Lebanese Hezbollah"
aliases = ["Hizballah", "Hezbollah Lebanon"]
description = ["not", "a", "string"]

[[actor]]
name = 7

[[actor]]
name = "Amal"
aliases = "Amal Movement"
"""


def test_problems_carry_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "problems.toml", PROBLEMS)
    glossary = Glossary.load([path])
    found = {(p.line, p.severity) for p in glossary.problems}
    messages = {p.line: p.message for p in glossary.problems}

    def line(needle: str, nth: int = 0) -> int:
        return line_of(PROBLEMS, needle, nth)

    assert (line("[[actor]]"), "error") in found  # no name
    assert "without a name" in messages[line("[[actor]]")]
    assert (line("kind = 3"), "warning") in found
    assert (line('    "",'), "warning") in found  # empty alias
    assert "empty alias" in messages[line('    "",')]
    assert (line('    "H",'), "warning") in found  # one letter
    assert "single letter" in messages[line('    "H",')]
    assert (line("aliases = [", 1), "warning") in found  # 4 is not a string
    assert (line("alias = "), "warning") in found  # unknown field
    assert (line("match_case = "), "warning") in found
    assert (line("description = "), "warning") in found
    assert (line("name = 7"), "error") in found
    assert (line('aliases = "Amal'), "warning") in found
    # "Hizballah" is claimed by Hezbollah first; the later claim is dropped and reported.
    dup_line = line('aliases = ["Hizballah"')
    assert (dup_line, "warning") in found
    assert "already names Hezbollah" in messages[dup_line]

    hezbollah = glossary.actors["hezbollah"]
    assert hezbollah.aliases == ("Party of God", "Hizballah")
    assert hezbollah.kind == "other"
    assert hezbollah.match_case is False
    assert glossary.actors["lebanese-hezbollah"].aliases == ("Hezbollah Lebanon",)
    assert glossary.actors["lebanese-hezbollah"].description == ""
    assert glossary.actors["amal"].aliases == ("Amal Movement",)
    assert glossary.lookup("Hizballah") == hezbollah
    assert set(glossary.actors) == {"hezbollah", "lebanese-hezbollah", "amal"}
    for problem in glossary.problems:
        assert str(problem).startswith(f"{path}:{problem.line}: ")


def test_duplicate_across_files_reports_the_later_file(tmp_path: Path) -> None:
    first = write(tmp_path, "a.toml", '[[actor]]\nname = "Iran"\naliases = ["Persia"]\n')
    second_text = '[[actor]]\nname = "Persian Empire"\naliases = [\n  "Persia",\n]\n'
    second = write(tmp_path, "b.toml", second_text)
    glossary = Glossary.load([first, second])
    (problem,) = glossary.problems
    assert (problem.path, problem.line, problem.severity) == (second, 4, "warning")
    assert glossary.actors["persian-empire"].aliases == ()
    assert glossary.lookup("persia") == glossary.actors["iran"]


def test_other_top_level_content(tmp_path: Path) -> None:
    path = write(tmp_path, "g.toml", 'version = 2\nactor = "Iran"\n')
    glossary = Glossary.load([path])
    assert [(p.line, p.severity) for p in glossary.problems] == [(1, "warning"), (2, "error")]
    assert glossary.actors == {}


def test_problem_str() -> None:
    assert str(GlossaryProblem(Path("g.toml"), 3, "bad")) == "g.toml:3: bad"
    assert str(GlossaryProblem(Path("g.toml"), None, "bad", "error")) == "g.toml: bad"


def test_lookup_is_forgiving(files: tuple[Path, Path]) -> None:
    glossary = Glossary.load(list(files))
    pmf = glossary.actors["popular-mobilization-forces"]
    for name in ("P.M.F.", "P.M.F", "pmf", "P.M.F.’s", "p.m.f.'s", "PMF’"):
        assert glossary.lookup(name) == pmf, name
    assert glossary.lookup("popular  mobilization\nforces") == pmf
    assert glossary.lookup("Iran’s") == glossary.actors["iran"]
    assert glossary.lookup("TEHRAN") == glossary.actors["iran"]
    assert glossary.lookup("Asa’ib Ahl al-Haq") == glossary.actors["asa-ib-ahl-al-haq"]
    assert glossary.lookup("popular-mobilization-forces") == pmf  # by id
    assert glossary.lookup("Hezbollah") is None
    assert glossary.lookup("") is None
    assert lookup_key(" “P.M.F.’s”  ") == "pmf"


def test_matcher_is_cached_and_follows_edits(files: tuple[Path, Path]) -> None:
    glossary = Glossary.load(list(files))
    matcher = glossary.matcher()
    assert glossary.matcher() is matcher
    text = "Persia’s US-backed rivals told us the IRGC Quds Force and badr men met Badr."
    found = [(m.actor_id, m.text) for m in matcher.find(text)]
    assert found == [
        ("iran", "Persia"),
        ("united-states", "US"),
        ("quds-force", "IRGC Quds Force"),
        ("badr-organization", "Badr"),
    ]
    glossary.add_alias("quds-force", "Sepah Qods")
    assert glossary.matcher() is not matcher
    assert [m.text for m in glossary.matcher().find("the Sepah Qods unit")] == ["Sepah Qods"]


def test_mentions_in_brief(files: tuple[Path, Path]) -> None:
    glossary = Glossary.load(list(files))
    article = "Tehran-backed Popular Mobilization Forces (P.M.F.) in Iraq.\n\n"
    comment = "Comment: the P.M.F.’s units."
    text = "Title\n\n" + article + comment
    brief = Brief(
        id="b.txt",
        path=Path("b.txt"),
        text=text,
        title="Title",
        date=None,
        source=None,
        author=None,
        tags=(),
        article=article,
        article_start=text.index(article),
        comment=comment,
        comment_start=text.index(comment),
        sha256="",
    )
    found = glossary.mentions(brief)
    assert [(m.actor_id, m.text, m.section) for m in found] == [
        ("iran", "Tehran", "article"),
        ("popular-mobilization-forces", "Popular Mobilization Forces", "article"),
        ("popular-mobilization-forces", "P.M.F.", "article"),
        ("popular-mobilization-forces", "P.M.F.", "comment"),
    ]
    assert all(text[m.start : m.end] == m.text for m in found)


def test_glossary_from_actor_objects() -> None:
    glossary = Glossary(
        [
            Actor("iran", "Iran", "state", ("Persia",)),
            Actor("persian-empire", "Persian Empire", "state", ("Persia", "Achaemenids")),
        ]
    )
    assert glossary.actors["persian-empire"].aliases == ("Achaemenids",)
    assert [p.path for p in glossary.problems] == [None]


def test_edit_errors(files: tuple[Path, Path]) -> None:
    glossary = Glossary.load(list(files))
    with pytest.raises(KeyError):
        glossary.add_alias("nobody", "Someone")
    with pytest.raises(ValueError, match="already names Popular Mobilization Forces"):
        glossary.add_alias("iran", "p.m.f")
    with pytest.raises(ValueError, match="single letter"):
        glossary.add_alias("iran", "I.")
    with pytest.raises(ValueError, match="mpty"):
        glossary.add_alias("iran", "  ")
    with pytest.raises(ValueError, match="already in the glossary"):
        glossary.add_actor("IRAN", "state")
    with pytest.raises(ValueError, match="already names Iran"):
        glossary.add_actor("Persian Empire", "state", aliases=["Persia"])
    with pytest.raises(ValueError, match="letter or digit"):
        glossary.add_actor("...", "other")
    assert "persian-empire" not in glossary.actors
    assert not glossary.unsaved
    # Adding a name the actor already has changes nothing.
    assert glossary.add_alias("iran", "persia") == glossary.actors["iran"]
    assert not glossary.unsaved


def test_user_edits_round_trip_to_user_file_only(files: tuple[Path, Path]) -> None:
    bundled, user = files
    bundled_before = bundled.read_bytes()
    glossary = Glossary.load([bundled, user])
    glossary.add_alias("popular-mobilization-forces", "al-Hashd al-Shaabi")
    glossary.add_alias("iran", "Iranian regime")
    glossary.add_actor(
        "Kata'ib Hezbollah", "militia", aliases=["KH", "Hezbollah Brigades"], description="Iraqi."
    )
    glossary.update_actor("united-states", description="Country.")
    assert glossary.unsaved
    glossary.save_user(user)
    assert not glossary.unsaved
    assert bundled.read_bytes() == bundled_before

    saved = tomllib.loads(user.read_text(encoding="utf-8"))
    tables = {t["name"]: t for t in saved["actor"]}
    # What the user file had stays; edits are added; bundled-only data is not copied in.
    assert tables["Iran"] == {
        "name": "Iran",
        "kind": "place",
        "aliases": ["Persia", "Tehran", "Iranian regime"],
    }
    assert tables["Asa'ib Ahl al-Haq"]["aliases"] == ["AAH", "Asaib Ahl al-Haq"]
    assert tables["Popular Mobilization Forces"] == {
        "name": "Popular Mobilization Forces",
        "aliases": ["al-Hashd al-Shaabi"],
    }
    assert tables["United States"] == {"name": "United States", "description": "Country."}
    assert tables["Kata'ib Hezbollah"] == {
        "name": "Kata'ib Hezbollah",
        "kind": "militia",
        "aliases": ["KH", "Hezbollah Brigades"],
        "description": "Iraqi.",
    }

    again = Glossary.load([bundled, user])
    assert again.problems == []
    assert again.actors == glossary.actors
    assert again.actors["popular-mobilization-forces"].kind == "militia"
    assert again.lookup("KH") == again.actors["kata-ib-hezbollah"]
    assert list(user.parent.glob(".*tmp")) == []


def test_save_user_creates_missing_file(tmp_path: Path, files: tuple[Path, Path]) -> None:
    glossary = Glossary.load([files[0], tmp_path / "data" / "glossary.toml"])
    glossary.add_alias("iran", "Persia")
    target = tmp_path / "data" / "glossary.toml"
    glossary.save_user(target)
    reloaded = Glossary.load([files[0], target])
    assert reloaded.actors["iran"].aliases[-1] == "Persia"


def test_failed_write_keeps_the_old_file(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    bundled, user = files
    before = user.read_bytes()
    glossary = Glossary.load([bundled, user])
    glossary.add_alias("iran", "Iranian regime")

    def crash(src: object, dst: object) -> None:
        raise OSError("simulated power cut")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="power cut"):
        glossary.save_user(user)
    assert user.read_bytes() == before
    assert {p.name for p in user.parent.iterdir()} == {"bundled.toml", "user.toml"}  # no temp
    assert glossary.unsaved  # nothing lost: saving again later still writes the edit
    monkeypatch.undo()
    glossary.save_user(user)
    assert Glossary.load([bundled, user]).actors["iran"].aliases[-1] == "Iranian regime"


def test_save_refuses_to_overwrite_broken_user_file(files: tuple[Path, Path]) -> None:
    bundled, user = files
    glossary = Glossary.load([bundled, user])
    glossary.add_alias("iran", "Persian state")
    user.write_text('[[actor]\nname = "half-edited', encoding="utf-8")
    with pytest.raises(GlossaryError):
        glossary.save_user(user)
    assert user.read_text(encoding="utf-8") == '[[actor]\nname = "half-edited'


TOML_BITS = [
    "[[actor]]\n",
    "[actor]\n",
    'name = "Iran"\n',
    "name = 3\n",
    'aliases = ["P.M.F.", "", "X", 1]\n',
    "aliases = [\n",
    "]\n",
    'kind = "state"\n',
    "match_case = true\n",
    'description = """\n',
    "actor = 1\n",
    '"',
    "=",
    "\n",
]


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.lists(st.sampled_from(TOML_BITS)).map("".join)))
def test_property_load_never_raises(content: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "g.toml"
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
        glossary = Glossary.load([path, path])
        for problem in glossary.problems:
            assert problem.line is None or problem.line >= 1
            assert str(problem)
        for actor in glossary.actors.values():
            assert actor.id == slugify(actor.name)
        glossary.matcher().find(content)
