"""Loading a glossary stays linear in its aliases and keys.

An actor of 50,000 aliases took 32 s to load: each alias's line was searched for from the
aliases' first line. The problems' lines are compared with the search per needle on random
files, and the lines of Python run are counted as the file doubles.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workcount import (  # same folder: pytest puts it on the path
    grows_linearly,
)

from briefreader.core import glossary_file
from briefreader.core.glossary import Glossary


def _find_line_by_loop(
    lines: list[str], start: int, end: int, needles: list[str], default: int | None
) -> int | None:
    """The rule glossary files were read by: every line, every needle's pattern."""
    patterns = []
    for needle in needles:
        if re.fullmatch(r"[A-Za-z0-9_-]+", needle):
            patterns.append(re.compile(rf"^\s*(?:{re.escape(needle)}\s*=|\[+\s*{needle}\b)"))
        else:
            patterns.append(re.compile(re.escape(needle)))
    for i in range(start, min(end, len(lines))):
        if any(p.search(lines[i]) for p in patterns):
            return i + 1
    return default


class _LineFinderByLoop:
    """glossary_file._LineFinder's answers, found the old way."""

    def __init__(self, lines: list[str], start: int, end: int, needles: Iterable[str]) -> None:
        self.where = (lines, start, end)
        self.needles = set(needles)

    def asked(self, needles: Iterable[str]) -> bool:
        return self.needles.issuperset(needles)

    def first(self, needles: Iterable[str], default: int | None) -> int | None:
        return _find_line_by_loop(*self.where, list(needles), default)


_TOML_LINES = [
    "[[actor]]",
    "  [[ actor ]]",
    "[actor-x]",
    "[actors]",
    "[ name.x ]",
    'name = "Iran"',
    'name = "Iraq"',
    "name = 'Persia'",
    'aliases = ["Persia", "Iran", "H"]',
    "aliases = [",
    '  "Persia",',
    "  'Iraq',",
    '  "Tehran", "Iran",',
    '  "H",',
    '  "",',
    "  4,",
    "]",
    'kind = "militia"',
    "kind = 3",
    "  kind= 3",
    'alias = "x"',
    "names = 1",
    "name-x = 1",
    '"quoted key" = 1',
    "description = 4",
    'match_case = "yes"',
    "version = 2",
    '"" = 1',
    "# aliases = and name = in a comment",
]


@given(st.lists(st.sampled_from(_TOML_LINES), max_size=25))
@settings(max_examples=300, deadline=None)
def test_a_glossarys_problems_are_placed_on_the_lines_they_were(
    tmp_path_factory: Any, picked: list[str]
) -> None:
    path = tmp_path_factory.mktemp("g") / "g.toml"
    path.write_text("\n".join(picked) + "\n", "utf-8")
    found = Glossary.load([path]).problems
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(glossary_file, "_LineFinder", _LineFinderByLoop)
        expected = Glossary.load([path]).problems
    assert found == expected


@given(
    st.lists(st.sampled_from(_TOML_LINES + ["x-y = 1", "[a-b-c]", "[[a-]]"]), max_size=20),
    st.lists(
        st.sampled_from(
            [
                "name",
                "aliases",
                "actor",
                "a",
                "a-",
                "a-b",
                "x-y",
                '"Iran"',
                "'Iraq'",
                "quoted key",
                "",
                "Ira",
                '"H",',
                "e]",
            ]
        ),
        max_size=6,
    ),
    st.integers(0, 6),
    st.integers(0, 25),
)
@settings(max_examples=400, deadline=None)
def test_a_line_finder_answers_as_the_search_per_needle(
    lines: list[str], needles: list[str], start: int, end: int
) -> None:
    finder = glossary_file._LineFinder(lines, start, end, needles)
    for needle in needles:
        assert finder.first([needle], -1) == _find_line_by_loop(lines, start, end, [needle], -1)
    assert finder.first(needles, None) == _find_line_by_loop(lines, start, end, needles, None)


def _glossary_of(tmp: Path, text: str) -> Callable[[], object]:
    path = tmp / f"g{len(text)}.toml"
    path.write_text(text, "utf-8")
    return lambda: Glossary.load([path])


def test_loading_a_glossary_grows_with_its_aliases(tmp_path: Path) -> None:
    """An actor with 50,000 aliases took 32 s to load: each alias's line was searched for
    from the aliases' first line (a pass over the entry per alias)."""

    def one_a_line(n: int) -> Callable[[], object]:
        aliases = "".join(f'  "Alias Number {i}",\n' for i in range(n))
        return _glossary_of(tmp_path, f'[[actor]]\nname = "Big"\naliases = [\n{aliases}]\n')

    assert grows_linearly(one_a_line, 400) < 2.4


def test_unknown_keys_are_placed_in_one_pass(tmp_path: Path) -> None:
    """Each unknown key, at the top or in an entry, was searched for from its start."""

    def top(n: int) -> Callable[[], object]:
        keys = "".join(f"key{i} = {i}\n" for i in range(n))
        return _glossary_of(tmp_path, keys + '[[actor]]\nname = "Big"\n')

    def fields(n: int) -> Callable[[], object]:
        keys = "".join(f"field{i} = {i}\n" for i in range(n))
        return _glossary_of(tmp_path, '[[actor]]\nname = "Big"\n' + keys)

    assert grows_linearly(top, 400) < 2.4
    assert grows_linearly(fields, 400) < 2.4


def test_a_name_spelt_by_turns_keeps_its_spellings_in_order(tmp_path: Path) -> None:
    """Each new spelling of a name goes in front of the aliases: a deque now, since a list
    moved every alias along for each of thousands of entries."""
    spellings = ["Tehran", "TEHRAN", "tehran", "Tehran", "TeHRAN"]
    text = "".join(
        f'[[actor]]\nname = "{s}"\naliases = ["T{i}"]\n' for i, s in enumerate(spellings)
    )
    path = tmp_path / "g.toml"
    path.write_text(text, "utf-8")
    actor = Glossary.load([path]).actors["tehran"]
    assert actor.name == "TeHRAN"
    # The spellings before it, newest first (those finding the same text as the name left
    # out), then the aliases in the file's order: as when they were kept in a list.
    assert actor.aliases == ("TEHRAN", "T0", "T1", "T2", "T3", "T4")


def _toml_forms_all(value: str) -> list[str]:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return [f'"{value}"', f"'{value}'", f'"{escaped}"', f'"""{value}"""', f"'''{value}'''"]


@given(
    st.lists(st.text(alphabet="ab\"'\\ ,[]=", max_size=14), max_size=8),
    st.text(alphabet="ab\"'\\", max_size=4),
)
@settings(max_examples=500, deadline=None)
def test_an_alias_is_placed_as_with_its_triple_quoted_forms(lines: list[str], alias: str) -> None:
    """A triple-quoted form holds the basic or the literal one: leaving it out of the
    forms looked for never moves an alias's line; and quoted forms found between quotes
    are where the search per needle finds them."""
    forms = glossary_file._toml_forms(alias)
    expected = _find_line_by_loop(lines, 0, len(lines), _toml_forms_all(alias), None)
    assert _find_line_by_loop(lines, 0, len(lines), forms, None) == expected
    finder = glossary_file._LineFinder(lines, 0, len(lines), forms)
    assert finder.first(forms, None) == expected
    for form in forms:
        assert finder.first([form], None) == _find_line_by_loop(lines, 0, len(lines), [form], None)
