"""Actors and their names: load, merge and save the TOML glossaries that drive highlighting.

The bundled glossary ships with the app and the user's glossary (in the data folder) is
layered on top of it. Edits made in the app are written to the user's file only, so an
update of the app never overwrites the user's work and a user edit never touches the
bundled file. A glossary with mistakes still loads: every problem is recorded with its file
and line for the user to fix, and the rest of the file is used.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import re
import tempfile
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import tomli_w

from briefreader.core.match import (
    APOSTROPHES,
    QUOTES,
    Matcher,
    Mention,
    alias_key,
    fold,
    is_case_sensitive_alias,
    is_word_char,
)

if TYPE_CHECKING:
    from briefreader.core.brief import Brief

log = logging.getLogger(__name__)

Severity = Literal["error", "warning"]
DEFAULT_KIND = "other"
KNOWN_KINDS = ("person", "organisation", "state", "militia", "place", "other")
_FIELDS = ("name", "kind", "aliases", "description", "match_case")

# Letters NFKD does not take apart, folded by hand for ids.
_ASCII_FOLD = str.maketrans(
    {"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "đ": "d",
     "Đ": "D", "ł": "l", "Ł": "L", "ı": "i", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D"}
)  # fmt: skip
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_AT_END = re.compile(r"\s*\(at end of document\)\s*$")
_ACTOR_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*(?:actor|\"actor\"|'actor')[ \t]*\]\]")
_SPACES = re.compile(r"\s+")
_POSSESSIVE = re.compile(r"(?<=\w)'s?$")
_USER_HEADER = "# briefreader user glossary: actors you added or changed in the app.\n\n"


def slugify(name: str) -> str:
    """The actor id for a name: lower case, accents folded to ASCII, other runs as "-".

    Letters without an ASCII form (Arabic, Cyrillic ...) are kept, so every name that has a
    letter or digit gets a non-empty id.
    """
    text = unicodedata.normalize("NFKD", name.translate(_ASCII_FOLD))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return "-".join(part for part in re.split(r"[\W_]+", text) if part)


def lookup_key(name: str) -> str:
    """The form under which a name is looked up: case, dots, possessive and spacing ignored."""
    text = name.strip().casefold()
    for c in APOSTROPHES:
        text = text.replace(c, "'")
    for c in QUOTES:
        text = text.replace(c, '"')
    text = text.strip(" \t\r\n\"'()[]").replace(".", "")
    text = _POSSESSIVE.sub("", text)
    return _SPACES.sub(" ", text).strip()


def _match_identity(name: str, match_case: bool) -> tuple[str, str | None]:
    """Two names with the same identity find the same text: keeping both adds nothing."""
    key = alias_key(name)
    return fold(key), key if is_case_sensitive_alias(name, match_case) else None


def _alias_defect(alias: str) -> str | None:
    """Why an alias cannot be used, or None when it can."""
    if not alias.strip():
        return "empty alias"
    if sum(1 for c in alias if is_word_char(c)) < 2:
        return f"alias {alias.strip()!r} is a single letter: too short to find reliably, ignored"
    return None


@dataclass(frozen=True, slots=True)
class Actor:
    """A person, group, state or place the briefs talk about, with every name it goes by."""

    id: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    description: str = ""
    match_case: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


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


class GlossaryError(Exception):
    """The user's glossary cannot be updated (for example, it is not valid TOML any more)."""


@dataclass(slots=True)
class _Where:
    path: Path | None
    line: int | None


@dataclass(slots=True)
class _Draft:
    """An actor being assembled from one or more files."""

    name: str
    name_where: _Where
    kind: str = DEFAULT_KIND
    description: str = ""
    match_case: bool = False
    aliases: list[tuple[str, _Where]] = field(default_factory=list)


@dataclass(slots=True)
class _UserEdit:
    """What the app changed for one actor since the user file was last written."""

    name: str
    new: bool
    kind: str | None = None
    description: str | None = None
    match_case: bool | None = None
    aliases: list[str] = field(default_factory=list)


class Glossary:
    """All actors known to the app, the table from every name to its actor, and the matcher.

    ``problems`` lists what was wrong in the files loaded; loading never raises on content.
    """

    def __init__(self, actors: Iterable[Actor] = ()) -> None:
        self.actors: dict[str, Actor] = {}
        self.problems: list[GlossaryProblem] = []
        self._table: dict[str, str] = {}  # lookup key -> actor id
        self._matcher: Matcher | None = None
        self._edits: dict[str, _UserEdit] = {}
        drafts: dict[str, _Draft] = {}
        for actor in actors:
            where = _Where(None, None)
            draft = drafts.setdefault(actor.id, _Draft(actor.name, where))
            draft.kind, draft.description = actor.kind, actor.description
            draft.match_case = actor.match_case
            draft.aliases.extend((a, where) for a in actor.aliases)
        self._build(drafts)

    # -- loading -----------------------------------------------------------------------

    @classmethod
    def load(cls, paths: Sequence[Path]) -> Glossary:
        """Merge glossary files in order: later files win on fields, aliases add up.

        The first path is the bundled glossary, so its absence is reported; later ones (the
        user's glossary, extra lists) are optional and skipped quietly when missing.
        """
        glossary = cls()
        drafts: dict[str, _Draft] = {}
        for index, raw_path in enumerate(paths):
            path = Path(raw_path)
            if not path.is_file():
                if index == 0:
                    glossary._problem(path, None, "glossary file not found", "warning")
                continue
            glossary._read_file(path, drafts)
        glossary._build(drafts)
        return glossary

    def _problem(self, path: Path | None, line: int | None, message: str, sev: Severity) -> None:
        problem = GlossaryProblem(path, line, message, sev)
        log.info("%s", problem)  # shown to the user by the front end; logged for debugging
        self.problems.append(problem)

    def _read_file(self, path: Path, drafts: dict[str, _Draft]) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            self._problem(path, None, f"cannot read the file ({exc.strerror or exc})", "error")
            return
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            bad_line = data.count(b"\n", 0, exc.start) + 1
            self._problem(path, bad_line, "not UTF-8 text; the file was skipped", "error")
            return
        lines = text.splitlines()
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            salvaged = _salvage(lines)
            if salvaged is None:
                self._problem(path, *_toml_error(str(exc), text), "error")
                return
            doc, headers, errors = salvaged
            for line_number, message in errors:
                self._problem(path, line_number, message, "error")
        else:
            headers = [i + 1 for i, text_line in enumerate(lines) if _ACTOR_HEADER.match(text_line)]
        line: int | None
        for key in doc:
            if key != "actor":
                line = _find_line(lines, 0, len(lines), [key], None)
                self._problem(path, line, f"unknown top-level entry {key!r} ignored", "warning")
        tables = doc.get("actor", [])
        if not isinstance(tables, list):
            line = _find_line(lines, 0, len(lines), ["actor"], None)
            msg = "'actor' must be a list of [[actor]] tables; nothing loaded from this file"
            self._problem(path, line, msg, "error")
            return
        for number, table in enumerate(tables):
            line = None
            end: int | None = None
            if len(headers) == len(tables):
                line = headers[number]
                if number + 1 < len(headers):
                    end = headers[number + 1] - 1
            self._read_actor(path, lines, line, end, table, drafts)

    def _read_actor(
        self,
        path: Path,
        lines: list[str],
        line: int | None,
        end: int | None,
        table: Any,
        drafts: dict[str, _Draft],
    ) -> None:
        def at(*needles: str, after: int | None = None) -> int | None:
            if line is None:
                return None
            start = (after or line) - 1
            return _find_line(lines, start, end or len(lines), list(needles), line)

        def warn(where: int | None, message: str) -> None:
            self._problem(path, where, message, "warning")

        if not isinstance(table, dict):
            self._problem(path, line, "an actor entry must be a table", "error")
            return
        name = table.get("name")
        if name is None:
            self._problem(path, line, "actor without a name; skipped", "error")
            return
        if not isinstance(name, str):
            self._problem(path, at("name"), "actor name must be a string; skipped", "error")
            return
        name = _SPACES.sub(" ", name).strip()
        actor_id = slugify(name)
        if not actor_id:
            msg = f"actor name {name!r} has no letters or digits; skipped"
            self._problem(path, at("name"), msg, "error")
            return
        if _alias_defect(name):
            msg = f"{name}: a one-letter name cannot be found reliably in text; not highlighted"
            warn(at("name"), msg)
        for key in table:
            if key not in _FIELDS:
                warn(at(key), f"{name}: unknown field {key!r} ignored")
        where = _Where(path, line)
        draft = drafts.get(actor_id)
        if draft is None:
            draft = drafts[actor_id] = _Draft(name, where)
        elif draft.name != name:
            # Same id, other spelling ("Tehran" / "TEHRAN"): the later file names the actor,
            # and the earlier spelling stays findable as an alias.
            draft.aliases.insert(0, (draft.name, draft.name_where))
            draft.name, draft.name_where = name, where

        kind = table.get("kind")
        if kind is not None:
            if isinstance(kind, str) and kind.strip():
                draft.kind = kind.strip().lower()
            else:
                warn(at("kind"), f"{name}: kind must be a non-empty string; ignored")
        description = table.get("description")
        if description is not None:
            if isinstance(description, str):
                draft.description = description.strip()
            else:
                warn(at("description"), f"{name}: description must be a string; ignored")
        match_case = table.get("match_case")
        if match_case is not None:
            if isinstance(match_case, bool):
                draft.match_case = match_case
            else:
                warn(at("match_case"), f"{name}: match_case must be true or false; ignored")
        aliases = table.get("aliases")
        if aliases is None:
            return
        if isinstance(aliases, str):
            aliases = [aliases]
            warn(at("aliases"), f"{name}: aliases should be a list of strings")
        if not isinstance(aliases, list):
            warn(at("aliases"), f"{name}: aliases must be a list of strings; ignored")
            return
        aliases_line = at("aliases")
        for alias in aliases:
            if not isinstance(alias, str):
                warn(aliases_line, f"{name}: alias {alias!r} is not a string; ignored")
                continue
            alias_line = at(*_toml_forms(alias), after=aliases_line)
            defect = _alias_defect(alias)
            if defect is not None:
                warn(alias_line, f"{name}: {defect}")
                continue
            draft.aliases.append((_SPACES.sub(" ", alias).strip(), _Where(path, alias_line)))

    def _build(self, drafts: dict[str, _Draft]) -> None:
        """Turn drafts into actors; the first actor to claim a name keeps it."""
        for actor_id, draft in drafts.items():
            # A name claimed earlier leaves this actor reachable by id only (reported).
            self._claim(draft.name, actor_id, draft.name, draft.name_where)
            aliases: list[str] = []
            have = {_match_identity(draft.name, draft.match_case)}
            for alias, where in draft.aliases:
                identity = _match_identity(alias, draft.match_case)
                if identity in have:
                    continue
                if self._claim(alias, actor_id, draft.name, where) is None:
                    continue
                have.add(identity)
                aliases.append(alias)
            self.actors[actor_id] = Actor(
                actor_id,
                draft.name,
                draft.kind,
                tuple(aliases),
                draft.description,
                draft.match_case,
            )
        self._matcher = None

    def _claim(self, alias: str, actor_id: str, actor_name: str, where: _Where) -> str | None:
        key = lookup_key(alias)
        if not key:
            return None
        owner = self._table.setdefault(key, actor_id)
        if owner == actor_id:
            return key
        other = self.actors[owner].name if owner in self.actors else owner
        self._problem(
            where.path,
            where.line,
            f"{actor_name}: {alias!r} already names {other}; kept for {other} only",
            "warning",
        )
        return None

    # -- queries -----------------------------------------------------------------------

    def get(self, actor_id: str) -> Actor | None:
        return self.actors.get(actor_id)

    def lookup(self, name: str) -> Actor | None:
        """The actor going by ``name`` (or alias), however it is capitalised or dotted."""
        actor_id = self._table.get(lookup_key(name))
        if actor_id is None:
            return self.actors.get(name)
        return self.actors.get(actor_id)

    def kinds(self) -> list[str]:
        """Kinds in use, the usual ones in their usual order first, then the rest sorted."""
        used = {a.kind for a in self.actors.values()}
        return [k for k in KNOWN_KINDS if k in used] + sorted(used.difference(KNOWN_KINDS))

    def entries(self) -> list[tuple[str, str, bool]]:
        """(alias, actor id, case sensitive) for every name the actor owns in the table."""
        out: list[tuple[str, str, bool]] = []
        for actor in self.actors.values():
            for name in actor.names:
                if _alias_defect(name) is None and self._table.get(lookup_key(name)) == actor.id:
                    out.append((name, actor.id, is_case_sensitive_alias(name, actor.match_case)))
        return out

    def matcher(self) -> Matcher:
        """The matcher for the current names; built once and kept until the glossary changes."""
        if self._matcher is None:
            self._matcher = Matcher(self.entries())
        return self._matcher

    def mentions(self, brief: Brief) -> list[Mention]:
        return self.matcher().find_in_brief(brief)

    # -- editing -----------------------------------------------------------------------

    def add_actor(
        self,
        name: str,
        kind: str = DEFAULT_KIND,
        aliases: Iterable[str] = (),
        description: str = "",
        match_case: bool = False,
    ) -> Actor:
        """Add a new actor; raises ValueError, in words for the user, when it cannot be."""
        name = _SPACES.sub(" ", name).strip()
        actor_id = slugify(name)
        if not actor_id:
            raise ValueError("A name needs at least one letter or digit.")
        if actor_id in self.actors:
            raise ValueError(f"{self.actors[actor_id].name} is already in the glossary.")
        kind = kind.strip().lower() or DEFAULT_KIND
        names = [name]
        have = {_match_identity(name, match_case)}
        for alias in aliases:
            alias = _SPACES.sub(" ", alias).strip()
            if _match_identity(alias, match_case) not in have:
                have.add(_match_identity(alias, match_case))
                names.append(alias)
        keys: dict[str, str] = {}
        for position, n in enumerate(names):
            if position and (defect := _alias_defect(n)):
                raise ValueError(defect[0].upper() + defect[1:] + ".")
            key = lookup_key(n)
            owner = self._table.get(key)
            if owner is not None:
                raise ValueError(f"{n!r} already names {self.actors[owner].name}.")
            keys[key] = n
        for key in keys:
            self._table[key] = actor_id
        actor = Actor(actor_id, name, kind, tuple(names[1:]), description.strip(), match_case)
        self.actors[actor_id] = actor
        self._edits[actor_id] = _UserEdit(
            name, True, kind, actor.description, match_case, list(actor.aliases)
        )
        self._matcher = None
        return actor

    def add_alias(self, actor_id: str, alias: str) -> Actor:
        """Give an actor one more name; KeyError for an unknown actor, ValueError if unusable."""
        actor = self.actors[actor_id]
        alias = _SPACES.sub(" ", alias).strip()
        if defect := _alias_defect(alias):
            raise ValueError(defect[0].upper() + defect[1:] + ".")
        key = lookup_key(alias)
        owner = self._table.get(key)
        if owner is not None and owner != actor_id:
            raise ValueError(f"{alias!r} already names {self.actors[owner].name}.")
        identity = _match_identity(alias, actor.match_case)
        if identity in {_match_identity(n, actor.match_case) for n in actor.names}:
            return actor
        self._table[key] = actor_id
        actor = replace(actor, aliases=(*actor.aliases, alias))
        self.actors[actor_id] = actor
        self._edit(actor).aliases.append(alias)
        self._matcher = None
        return actor

    def update_actor(
        self,
        actor_id: str,
        *,
        kind: str | None = None,
        description: str | None = None,
        match_case: bool | None = None,
    ) -> Actor:
        """Change an actor's kind, description or case rule; saved to the user's file."""
        actor = self.actors[actor_id]
        edit = self._edit(actor)
        if kind is not None:
            edit.kind = kind.strip().lower() or DEFAULT_KIND
            actor = replace(actor, kind=edit.kind)
        if description is not None:
            edit.description = description.strip()
            actor = replace(actor, description=edit.description)
        if match_case is not None:
            edit.match_case = match_case
            actor = replace(actor, match_case=match_case)
            self._matcher = None
        self.actors[actor_id] = actor
        return actor

    def _edit(self, actor: Actor) -> _UserEdit:
        edit = self._edits.get(actor.id)
        if edit is None:
            edit = self._edits[actor.id] = _UserEdit(actor.name, False)
        return edit

    @property
    def unsaved(self) -> bool:
        """True when the app changed something not yet written to the user's glossary."""
        return bool(self._edits)

    def save_user(self, path: Path) -> None:
        """Write the app's changes into the user's glossary file, atomically.

        The file is read again and updated rather than regenerated, so what the user wrote
        by hand (and what came from the bundled glossary) stays where it belongs. Comments
        are not kept: TOML readers drop them. Raises GlossaryError when the file on disk is
        not valid TOML any more, rather than overwriting the user's work.
        """
        path = Path(path)
        if not self._edits:
            return
        doc: dict[str, Any] = {}
        if path.exists():
            try:
                doc = tomllib.loads(path.read_text(encoding="utf-8-sig"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise GlossaryError(f"{path} is not a valid glossary file: {exc}") from exc
        tables = doc.setdefault("actor", [])
        if not isinstance(tables, list):
            raise GlossaryError(f"{path}: 'actor' is not a list of [[actor]] tables.")
        for actor_id, edit in self._edits.items():
            table = next(
                (
                    t
                    for t in tables
                    if isinstance(t, dict)
                    and isinstance(t.get("name"), str)
                    and slugify(t["name"]) == actor_id
                ),
                None,
            )
            if table is None:
                table = {"name": edit.name}
                tables.append(table)
            if edit.kind is not None:
                table["kind"] = edit.kind
            if edit.aliases:
                old = table.get("aliases")
                merged = [a for a in old if isinstance(a, str)] if isinstance(old, list) else []
                have = {alias_key(a) for a in merged}
                merged.extend(a for a in edit.aliases if alias_key(a) not in have)
                table["aliases"] = merged
            if edit.description:
                table["description"] = edit.description
            elif edit.description is not None and not edit.new:
                table["description"] = ""
            if edit.match_case is not None and (edit.match_case or "match_case" in table):
                table["match_case"] = edit.match_case
        write_atomic(path, _USER_HEADER + tomli_w.dumps(doc))
        self._edits.clear()


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that a crash leaves either the old or the new file.

    Temp file in the same folder (so the rename stays on one file system), flushed and
    fsynced before ``os.replace``; the temp file is removed if anything fails.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if hasattr(os, "O_DIRECTORY"):
        # Make the rename itself durable; not possible (nor needed) on Windows.
        with contextlib.suppress(OSError):
            dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


def _salvage(lines: list[str]) -> tuple[dict[str, Any], list[int], list[tuple[int, str]]] | None:
    """Read a glossary with a TOML mistake one ``[[actor]]`` entry at a time.

    A typo in one hand-edited entry then costs that entry, not the whole file. Returns the
    document made of the entries that parse, their header lines, and a (line, message) per
    entry (or preamble) skipped; None when the file has no ``[[actor]]`` header to cut at.
    """
    starts = [i for i, line in enumerate(lines) if _ACTOR_HEADER.match(line)]
    if not starts:
        return None
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
            what = "this [[actor]] entry" if first in starts else "the lines before it"
            message = message.replace("; file skipped", f"; {what} was skipped")
            errors.append(((line or 1) + first, message))
            continue
        if first in starts:
            entries = part.get("actor")
            if isinstance(entries, list):
                tables.extend(entries)
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


def _toml_forms(value: str) -> list[str]:
    """How a string may be written in TOML source: basic, literal, and escaped basic."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return [f'"{value}"', f"'{value}'", f'"{escaped}"', f'"""{value}"""', f"'''{value}'''"]


def _find_line(
    lines: list[str], start: int, end: int, needles: list[str], default: int | None
) -> int | None:
    """1-based number of the first line in lines[start:end] holding one of ``needles``.

    A bare key is looked for as ``key =``; anything else as written.
    """
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
