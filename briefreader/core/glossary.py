"""Actors and their names: load, merge and save the TOML glossaries that drive highlighting.

The bundled glossary ships with the app and the user's glossary (in the data folder) is
layered on top of it. Edits made in the app are written to the user's file only, so an
update of the app never overwrites the user's work and a user edit never touches the
bundled file. Reading a file, mistakes and all, is :mod:`briefreader.core.glossary_file`'s
job; this module merges what it reads, answers lookups and saves the user's edits.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w

from briefreader.core.atomic import write_text_atomic
from briefreader.core.glossary_file import (
    DEFAULT_KIND,
    SPACES,
    Draft,
    GlossaryProblem,
    Severity,
    Where,
    alias_defect,
    read_glossary_file,
    slugify,
)
from briefreader.core.match import (
    APOSTROPHES,
    QUOTES,
    Matcher,
    Mention,
    alias_key,
    fold,
    is_case_sensitive_alias,
)

if TYPE_CHECKING:
    from briefreader.core.brief import Brief

log = logging.getLogger(__name__)

KNOWN_KINDS = ("person", "organisation", "state", "militia", "place", "other")
_POSSESSIVE = re.compile(r"(?<=\w)'s?$")
_USER_HEADER = "# briefreader user glossary: actors you added or changed in the app.\n\n"


def lookup_key(name: str) -> str:
    """The form under which a name is looked up: case, dots, possessive and spacing ignored."""
    text = name.strip().casefold()
    for c in APOSTROPHES:
        text = text.replace(c, "'")
    for c in QUOTES:
        text = text.replace(c, '"')
    text = text.strip(" \t\r\n\"'()[]").replace(".", "")
    text = _POSSESSIVE.sub("", text)
    return SPACES.sub(" ", text).strip()


def _match_identity(name: str, match_case: bool) -> tuple[str, str | None]:
    """Two names with the same identity find the same text: keeping both adds nothing."""
    key = alias_key(name)
    return fold(key), key if is_case_sensitive_alias(name, match_case) else None


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


class GlossaryError(Exception):
    """The user's glossary cannot be updated (for example, it is not valid TOML any more)."""


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
        drafts: dict[str, Draft] = {}
        for actor in actors:
            where = Where(None, None)
            draft = drafts.setdefault(actor.id, Draft(actor.name, where))
            draft.kind, draft.description = actor.kind, actor.description
            draft.match_case = actor.match_case
            draft.aliases.extend((a, None, None) for a in actor.aliases)
        self._build(drafts)

    # -- loading -----------------------------------------------------------------------

    @classmethod
    def load(cls, paths: Sequence[Path]) -> Glossary:
        """Merge glossary files in order: later files win on fields, aliases add up.

        The first path is the bundled glossary, so its absence is reported; later ones (the
        user's glossary, extra lists) are optional and skipped quietly when missing.
        """
        glossary = cls()
        drafts: dict[str, Draft] = {}
        for index, raw_path in enumerate(paths):
            path = Path(raw_path)
            if not path.is_file():
                if index == 0:
                    glossary._problem(path, None, "glossary file not found", "warning")
                continue
            read_glossary_file(path, drafts, glossary._problem)
        glossary._build(drafts)
        return glossary

    def _problem(self, path: Path | None, line: int | None, message: str, sev: Severity) -> None:
        problem = GlossaryProblem(path, line, message, sev)
        log.info("%s", problem)  # shown to the user by the front end; logged for debugging
        self.problems.append(problem)

    def _build(self, drafts: dict[str, Draft]) -> None:
        """Turn drafts into actors; the first actor to claim a name keeps it."""
        for actor_id, draft in drafts.items():
            # A name claimed earlier leaves this actor reachable by id only (reported).
            named = draft.name_where
            self._claim(draft.name, actor_id, draft.name, named.path, named.line)
            aliases: list[str] = []
            have = {_match_identity(draft.name, draft.match_case)}
            for alias, path, line in draft.aliases:
                identity = _match_identity(alias, draft.match_case)
                if identity in have:
                    continue
                if self._claim(alias, actor_id, draft.name, path, line) is None:
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

    def _claim(
        self, alias: str, actor_id: str, actor_name: str, path: Path | str | None, line: int | None
    ) -> str | None:
        key = lookup_key(alias)
        if not key:
            return None
        owner = self._table.setdefault(key, actor_id)
        if owner == actor_id:
            return key
        other = self.actors[owner].name if owner in self.actors else owner
        self._problem(
            None if path is None else Path(path),
            line,
            f"{actor_name}: {alias!r} already names {other}; kept for {other} only",
            "warning",
        )
        return None

    # -- queries -----------------------------------------------------------------------

    def get(self, actor_id: str) -> Actor | None:
        return self.actors.get(actor_id)

    def describe(self, actor_id: str) -> tuple[str, str, str]:
        """(name, kind, description) to show for an actor id, even one no longer known.

        An index built with an older glossary can name actors since removed: they show as
        their id, of kind "other", rather than failing.
        """
        actor = self.actors.get(actor_id)
        if actor is None:
            return actor_id, DEFAULT_KIND, ""
        return actor.name, actor.kind, actor.description

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
                if alias_defect(name) is None and self._table.get(lookup_key(name)) == actor.id:
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
        name = SPACES.sub(" ", name).strip()
        actor_id = slugify(name)
        if not actor_id:
            raise ValueError("A name needs at least one letter or digit.")
        if actor_id in self.actors:
            raise ValueError(f"{self.actors[actor_id].name} is already in the glossary.")
        kind = kind.strip().lower() or DEFAULT_KIND
        names = [name]
        have = {_match_identity(name, match_case)}
        for alias in aliases:
            alias = SPACES.sub(" ", alias).strip()
            if _match_identity(alias, match_case) not in have:
                have.add(_match_identity(alias, match_case))
                names.append(alias)
        keys: dict[str, str] = {}
        for position, n in enumerate(names):
            if position and (defect := alias_defect(n)):
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
        alias = SPACES.sub(" ", alias).strip()
        if defect := alias_defect(alias):
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
        write_text_atomic(path, _USER_HEADER + tomli_w.dumps(doc))
        self._edits.clear()


__all__ = [
    "DEFAULT_KIND",
    "KNOWN_KINDS",
    "Actor",
    "Glossary",
    "GlossaryError",
    "GlossaryProblem",
    "lookup_key",
    "slugify",
]
