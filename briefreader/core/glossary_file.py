"""Reading glossary files as people write them: mistakes and all, with file and line.

A glossary with mistakes still loads: every problem is handed to the caller with its file
and line for the user to fix, and the rest of the file is used. :mod:`glossary` merges what
is read here into a :class:`~briefreader.core.glossary.Glossary`.
"""

from __future__ import annotations

import bisect
import itertools
import re
import tomllib
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import ahocorasick

from briefreader.core.match import is_word_char

Severity = Literal["error", "warning"]
DEFAULT_KIND = "other"
FIELDS = ("name", "kind", "aliases", "description", "match_case")
#: Reports one problem: (file, line, message, severity).
ProblemSink = Callable[[Path | None, int | None, str, Severity], None]

# Letters NFKD does not take apart, folded by hand for ids.
_ASCII_FOLD = str.maketrans(
    {"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "đ": "d",
     "Đ": "D", "ł": "l", "Ł": "L", "ı": "i", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D"}
)  # fmt: skip
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_AT_END = re.compile(r"\s*\(at end of document\)\s*$")
_ACTOR_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*(?:actor|\"actor\"|'actor')[ \t]*\]\]")
SPACES = re.compile(r"\s+")


def slugify(name: str) -> str:
    """The actor id for a name: lower case, accents folded to ASCII, other runs as "-".

    Letters without an ASCII form (Arabic, Cyrillic ...) are kept, so every name that has a
    letter or digit gets a non-empty id.
    """
    text = unicodedata.normalize("NFKD", name.translate(_ASCII_FOLD))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return "-".join(part for part in re.split(r"[\W_]+", text) if part)


def alias_defect(alias: str) -> str | None:
    """Why an alias cannot be used, or None when it can."""
    if not alias.strip():
        return "empty alias"
    letters = 0
    for c in alias:  # two are enough: not every letter of 100,000 aliases looked at
        if is_word_char(c):
            letters += 1
            if letters == 2:
                return None
    return f"alias {alias.strip()!r} is a single letter: too short to find reliably, ignored"


@dataclass(frozen=True, slots=True)
class GlossaryProblem:
    """Something wrong in a glossary file, in words and with a place the user can go to."""

    path: Path | None
    line: int | None
    message: str
    severity: Severity = "warning"

    def __str__(self) -> str:
        where = str(self.path) if self.path is not None else "<glossary>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"


@dataclass(slots=True)
class Where:
    """Where a name was written, for the problem a clash of names reports."""

    path: Path | None
    line: int | None


@dataclass(slots=True)
class Draft:
    """An actor being assembled from one or more files."""

    name: str
    name_where: Where
    kind: str = DEFAULT_KIND
    description: str = ""
    match_case: bool = False
    #: (alias, its file as text, its line). Plain tuples of text and numbers, which the
    #: garbage collector stops following once it has seen them (an object per alias was
    #: walked again at each of its full passes: 0.5 s of a 100,000-alias load). A deque:
    #: each new spelling of the name goes in front (a list moved every alias along for each
    #: of thousands of entries spelling one name by turns).
    aliases: deque[tuple[str, str | None, int | None]] = field(default_factory=deque)


def read_glossary_file(path: Path, drafts: dict[str, Draft], problem: ProblemSink) -> None:
    """Add the actors of one file to ``drafts``; report each mistake through ``problem``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        problem(path, None, f"cannot read the file ({exc.strerror or exc})", "error")
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = data.count(b"\n", 0, exc.start) + 1
        problem(path, bad_line, "not UTF-8 text; the file was skipped", "error")
        return
    lines = text.splitlines()
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        salvaged = _salvage(lines)
        if salvaged is None:
            problem(path, *_toml_error(str(exc), text), "error")
            return
        doc, headers, errors = salvaged
        for line_number, message in errors:
            problem(path, line_number, message, "error")
    else:
        headers = [i + 1 for i, text_line in enumerate(lines) if _ACTOR_HEADER.match(text_line)]
    line: int | None
    top = _LineFinder(lines, 0, len(lines), [*doc, "actor"])
    for key in doc:
        if key != "actor":
            line = top.first([key], None)
            problem(path, line, f"unknown top-level entry {key!r} ignored", "warning")
    tables = doc.get("actor", [])
    if not isinstance(tables, list):
        line = top.first(["actor"], None)
        msg = "'actor' must be a list of [[actor]] tables; nothing loaded from this file"
        problem(path, line, msg, "error")
        return
    for number, table in enumerate(tables):
        line = None
        end: int | None = None
        if len(headers) == len(tables):
            line = headers[number]
            if number + 1 < len(headers):
                end = headers[number + 1] - 1
        _ActorEntry(path, lines, line, end, problem).read(table, drafts)


class _ActorEntry:
    """One ``[[actor]]`` table of a file, read field by field; lines [line, end] hold it."""

    def __init__(
        self,
        path: Path,
        lines: list[str],
        line: int | None,
        end: int | None,
        problem: ProblemSink,
    ) -> None:
        self.path, self.lines, self.line, self.end = path, lines, line, end
        self._problem = problem
        #: The table's keys, looked for together at the first question about one of them.
        self._keys: list[str] = list(FIELDS)
        self._found: _LineFinder | None = None

    def at(self, *needles: str) -> int | None:
        """The line of the entry that holds one of ``needles`` (the entry's first if none)."""
        if self.line is None:
            return None
        if self._found is None or not self._found.asked(needles):
            keys = [*self._keys, *needles]
            self._found = _LineFinder(self.lines, self.line - 1, self._end(), keys)
        return self._found.first(needles, self.line)

    def _end(self) -> int:
        return self.end or len(self.lines)

    def warn(self, where: int | None, message: str) -> None:
        self._problem(self.path, where, message, "warning")

    def error(self, where: int | None, message: str) -> None:
        self._problem(self.path, where, message, "error")

    def read(self, table: Any, drafts: dict[str, Draft]) -> None:
        if not isinstance(table, dict):
            self.error(self.line, "an actor entry must be a table")
            return
        self._keys = [*FIELDS, *table]
        name = self._name(table)
        if name is None:
            return
        for key in table:
            if key not in FIELDS:
                self.warn(self.at(key), f"{name}: unknown field {key!r} ignored")
        where = Where(self.path, self.line)
        actor_id = slugify(name)
        draft = drafts.get(actor_id)
        if draft is None:
            draft = drafts[actor_id] = Draft(name, where)
        elif draft.name != name:
            # Same id, other spelling ("Tehran" / "TEHRAN"): the later file names the actor,
            # and the earlier spelling stays findable as an alias.
            earlier = draft.name_where
            path_text = None if earlier.path is None else str(earlier.path)
            draft.aliases.insert(0, (draft.name, path_text, earlier.line))
            draft.name, draft.name_where = name, where
        self._fields(name, table, draft)
        self._aliases(name, table.get("aliases"), draft)

    def _name(self, table: dict[str, Any]) -> str | None:
        """The entry's name, spacing tidied; None (reported) when the entry must be skipped."""
        name = table.get("name")
        if name is None:
            self.error(self.line, "actor without a name; skipped")
            return None
        if not isinstance(name, str):
            self.error(self.at("name"), "actor name must be a string; skipped")
            return None
        name = SPACES.sub(" ", name).strip()
        if not slugify(name):
            self.error(self.at("name"), f"actor name {name!r} has no letters or digits; skipped")
            return None
        if alias_defect(name):
            msg = f"{name}: a one-letter name cannot be found reliably in text; not highlighted"
            self.warn(self.at("name"), msg)
        return name

    def _fields(self, name: str, table: dict[str, Any], draft: Draft) -> None:
        """kind, description and match_case: a wrong type is reported and ignored."""
        kind = table.get("kind")
        if kind is not None:
            if isinstance(kind, str) and kind.strip():
                draft.kind = kind.strip().lower()
            else:
                self.warn(self.at("kind"), f"{name}: kind must be a non-empty string; ignored")
        description = table.get("description")
        if description is not None:
            if isinstance(description, str):
                draft.description = description.strip()
            else:
                msg = f"{name}: description must be a string; ignored"
                self.warn(self.at("description"), msg)
        match_case = table.get("match_case")
        if match_case is not None:
            if isinstance(match_case, bool):
                draft.match_case = match_case
            else:
                msg = f"{name}: match_case must be true or false; ignored"
                self.warn(self.at("match_case"), msg)

    def _aliases(self, name: str, aliases: Any, draft: Draft) -> None:
        if aliases is None:
            return
        if isinstance(aliases, str):
            aliases = [aliases]
            self.warn(self.at("aliases"), f"{name}: aliases should be a list of strings")
        if not isinstance(aliases, list):
            self.warn(self.at("aliases"), f"{name}: aliases must be a list of strings; ignored")
            return
        aliases_line = self.at("aliases")
        # Every alias's line from one pass over the entry (a search from the aliases' line
        # per alias took 45 s for 12,000 aliases written one a line).
        written: _LineFinder | None = None
        path_text = str(self.path)
        forms = [_toml_forms(a) if isinstance(a, str) else () for a in aliases]
        if self.line is not None and aliases_line is not None:
            every = [form for some in forms for form in some]
            written = _LineFinder(self.lines, aliases_line - 1, self._end(), every)
        for alias, its_forms in zip(aliases, forms, strict=True):
            if not isinstance(alias, str):
                self.warn(aliases_line, f"{name}: alias {alias!r} is not a string; ignored")
                continue
            alias_line = written.first(its_forms, self.line) if written else None
            defect = alias_defect(alias)
            if defect is not None:
                self.warn(alias_line, f"{name}: {defect}")
                continue
            draft.aliases.append((SPACES.sub(" ", alias).strip(), path_text, alias_line))


def _salvage(lines: list[str]) -> tuple[dict[str, Any], list[int], list[tuple[int, str]]] | None:
    """Read a glossary with a TOML mistake one ``[[actor]]`` entry at a time.

    A typo in one hand-edited entry then costs that entry, not the whole file. Returns the
    document made of the entries that parse, their header lines, and a (line, message) per
    entry (or preamble) skipped; None when the file has no ``[[actor]]`` header to cut at.
    """
    starts = [i for i, line in enumerate(lines) if _ACTOR_HEADER.match(line)]
    if not starts:
        return None
    entries = set(starts)
    doc: dict[str, Any] = {}
    tables: list[Any] = []
    headers: list[int] = []
    errors: list[tuple[int, str]] = []
    bounds = [0, *starts, len(lines)]
    for first, end in itertools.pairwise(bounds):
        if first == end:
            continue
        chunk = "\n".join(lines[first:end]) + "\n"
        try:
            part = tomllib.loads(chunk)
        except tomllib.TOMLDecodeError as exc:
            line, message = _toml_error(str(exc), chunk)
            what = "this [[actor]] entry" if first in entries else "the lines before it"
            message = message.replace("; file skipped", f"; {what} was skipped")
            errors.append(((line or 1) + first, message))
            continue
        if first in entries:
            found = part.get("actor")
            if isinstance(found, list):
                tables.extend(found)
                headers.append(first + 1)
        else:
            doc.update(part)
    doc["actor"] = tables
    return doc, headers, errors


def _toml_error(message: str, text: str) -> tuple[int | None, str]:
    """(line, message) from a tomllib error, whose position sits in the message text."""
    m = _TOML_POSITION.search(message)
    if m:
        detail = message[: m.start()]
        return int(m.group(1)), f"not valid TOML ({detail}, column {m.group(2)}); file skipped"
    m = _TOML_AT_END.search(message)
    if m:
        detail = message[: m.start()]
        return max(1, len(text.splitlines())), f"not valid TOML ({detail}); file skipped"
    return None, f"not valid TOML ({message}); file skipped"


def _toml_forms(value: str) -> tuple[str, ...]:
    """How a string may be written in TOML source: basic, literal, and escaped basic (a
    multi-line string written on one line holds the basic or the literal form)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return (f'"{value}"', f"'{value}'", f'"{escaped}"')


#: A key a line may assign or open a table with, written bare: looked for as ``key =`` or
#: ``[key``; anything else is looked for as written.
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ASSIGNS = re.compile(r"\s*([A-Za-z0-9_-]+)\s*=")
_OPENS = re.compile(r"\s*\[+\s*")
_BOUNDARY = re.compile(r"\b")
_END = ""  # in the trie of bare keys: the key ending at this node


class _LineFinder:
    """The first line of ``lines[start:end]`` holding each of ``needles``, every needle looked
    for in one pass (a search per needle was a pass over the entry per alias or key).

    A bare key counts on a line that assigns it (``key =``) or opens a table with it
    (``[key`` ending at a word boundary); anything else counts wherever it is written in a
    line.
    """

    def __init__(self, lines: Sequence[str], start: int, end: int, needles: Iterable[str]) -> None:
        self._needles = needles if isinstance(needles, list) else list(needles)
        self._asked: set[str] | None = None
        #: 1-based line of each needle found, but the quoted ones (see ``_between``).
        self._lines: dict[str, int] = {}
        #: Per quote mark, the first line (0-based) of each piece between two of them.
        self._between: dict[str, dict[str, int]] = {}
        end = min(end, len(lines))
        keys: set[str] = set()
        other: list[str] = []
        for needle in self._needles:
            q = needle[:1]
            if q in ('"', "'"):
                if len(needle) >= 2 and needle[-1] == q and needle.find(q, 1, -1) < 0:
                    self._between.setdefault(q, {})
                    continue
            elif _BARE_KEY.fullmatch(needle):
                keys.add(needle)
                continue
            if not needle:
                if start < end:
                    self._found("", start)
            elif "\n" not in needle:  # a line never holds a newline
                other.append(needle)
        if keys:
            self._find_keys(lines, start, end, keys)
        if self._between:
            self._find_between(lines, start, end)
        if other:
            self._find_by_automaton(lines, start, end, other)

    def _found(self, needle: str, index: int) -> None:
        self._lines.setdefault(needle, index + 1)

    def _find_keys(self, lines: Sequence[str], start: int, end: int, keys: set[str]) -> None:
        trie: dict[str, Any] = {}
        for key in keys:
            node = trie
            for c in key:
                node = node.setdefault(c, {})
            node[_END] = key
        for i in range(start, end):
            line = lines[i]
            m = _ASSIGNS.match(line)
            if m is not None and m.group(1) in keys:
                self._found(m.group(1), i)
            m = _OPENS.match(line)
            if m is None:
                continue
            node = trie
            for j in range(m.end(), len(line)):  # the keys the table name starts with
                child = node.get(line[j])
                if child is None:
                    break
                node = child
                ends = node.get(_END)
                if ends is not None and _BOUNDARY.match(line, j + 1):
                    self._found(ends, i)

    def _find_between(self, lines: Sequence[str], start: int, end: int) -> None:
        """A quoted string holding no quote of its kind ("Name", 'Name') stands between two
        quotes next to each other in a line: each line's pieces between quotes are kept,
        and such a needle is a piece looked up (no automaton of every alias's forms)."""
        for i in range(start, end):
            line = lines[i]
            for q, first in self._between.items():
                if q in line:
                    for piece in line.split(q)[1:-1]:
                        first.setdefault(piece, i)

    def _find_by_automaton(
        self, lines: Sequence[str], start: int, end: int, needles: list[str]
    ) -> None:
        automaton = ahocorasick.Automaton()
        for needle in needles:
            automaton.add_word(needle, needle)
        automaton.make_automaton()
        chunk = lines[start:end]
        offsets = list(itertools.accumulate((len(line) + 1 for line in chunk), initial=0))
        for last, needle in automaton.iter("\n".join(chunk)):
            if needle not in self._lines:  # matches come in order: the first is the earliest
                self._found(needle, start + bisect.bisect_right(offsets, last) - 1)

    def asked(self, needles: Iterable[str]) -> bool:
        """Whether every one of ``needles`` was looked for."""
        if self._asked is None:
            self._asked = set(self._needles)
        return self._asked.issuperset(needles)

    def first(self, needles: Iterable[str], default: int | None) -> int | None:
        """1-based number of the first line holding one of ``needles`` (all of them asked)."""
        best: int | None = None
        for needle in needles:
            line = self._lines.get(needle)
            q = needle[:1]
            if line is None and q in self._between and len(needle) >= 2 and needle[-1] == q:
                index = self._between[q].get(needle[1:-1]) if needle.find(q, 1, -1) < 0 else None
                line = None if index is None else index + 1
            if line is not None and (best is None or line < best):
                best = line
        return default if best is None else best
