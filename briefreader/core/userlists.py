"""Result lists the index cannot make alone: narrowed by the user's own marks (starred,
unread, labels, notes), a saved search's new briefs first, and briefs that only the user's
notes find listed after the others.

The index knows nothing of stars, reading, labels or notes: these lists are made from the
index's own answer (every match, or a page) and the user's database, here, so that any
front end gets the same lists.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from briefreader.core.brief import Brief, BriefError
from briefreader.core.library import Library
from briefreader.core.records import Hit, SearchResults, Snippet
from briefreader.core.userdata import Note, UserData, UserDataError, normal_label

#: What a result list can be narrowed to beyond the index's own filters.
ONLY = ("", "starred", "unread")


#: Snippets are fetched for a narrowed page only when its briefs rank within this many of the
#: unnarrowed list (a second, ordinary search); deeper ones are listed without a snippet.
SNIPPET_DEPTH = 300


def narrowed_search(
    lib: Library,
    ud: UserData,
    text: str,
    *,
    only: str = "",
    first: Sequence[str] = (),
    offset: int = 0,
    limit: int = 60,
    sort: str = "relevance",
    **filters: Any,
) -> SearchResults:
    """A search whose list keeps only the starred (or unread) briefs and/or lists ``first``
    (a saved search's new briefs) before the others, in the search's order otherwise.
    ``note:word`` in ``text`` keeps the briefs with a note (or highlight) holding the word.

    The index knows nothing of stars, reading or notes, so every match is listed (without
    snippets) and narrowed here; facets count what is kept. ``filters`` are
    :meth:`Library.search`'s (actors, sources, tags, since, until, years).
    """
    if only not in ONLY:
        raise UserDataError(f"no such list: {only!r} ({', '.join(o for o in ONLY if o)})")
    text, mine = split_user_terms(text)
    note_words, labels = mine["note"], mine["label"]
    every = lib.search(
        text,
        limit=max(1, lib.doc_count()),
        sort=sort,
        facets=False,
        snippets=False,
        time_limit=None,
        **filters,
    )
    hits = every.hits
    if note_words:
        noted = {n.brief_id for n in ud.notes(words=" ".join(note_words))}
        hits = [h for h in hits if h.id in noted]
    for label in labels:
        labelled = ud.labelled(label)
        hits = [h for h in hits if h.id in labelled]
    if only == "starred":
        starred = set(ud.starred())
        hits = [h for h in hits if h.id in starred]
    elif only == "unread":
        read = ud.read_ids()
        hits = [h for h in hits if h.id not in read]
    if first:
        front = set(first)
        hits = [h for h in hits if h.id in front] + [h for h in hits if h.id not in front]
    page = hits[offset : offset + limit]
    rank = {h.id: n for n, h in enumerate(every.hits)}
    depth = max((rank[h.id] for h in page), default=-1) + 1
    if page and depth <= SNIPPET_DEPTH:
        shown = lib.search(text, limit=depth, sort=sort, facets=False, **filters)
        snippets = {h.id: h.snippet for h in shown.hits}
        page = [replace(h, snippet=snippets.get(h.id)) for h in page]
    return SearchResults(
        query=every.query,
        hits=page,
        total=len(hits),
        total_all_words=sum(1 for h in hits if h.tier == 1),
        offset=offset,
        sort=every.sort,
        facets=_facets(hits) if offset == 0 else {},
        suggestion=every.suggestion,
        notices=[
            *every.notices,
            *([f"only the {only} briefs are listed"] if only else []),
            *([f"only briefs with a note holding {', '.join(note_words)}"] if note_words else []),
            *([f"only briefs labelled {', '.join(labels)}"] if labels else []),
        ],
        seconds=every.seconds,
        exact=every.exact,
        partial=every.partial,
    )


_USER_TERM = re.compile(r'(?<![\w:])(note|label):(?:"([^"]*)"|(\S+))', re.IGNORECASE)


def split_user_terms(text: str) -> tuple[str, dict[str, list[str]]]:
    """The user's own terms out of a query, which the index does not know: ``note:word``
    (or ``note:"two words"``: briefs with a note holding the words) and ``label:name``
    (briefs carrying the label). Returns the rest of the query and {"note": words,
    "label": labels}."""
    found: dict[str, list[str]] = {"note": [], "label": []}
    for m in _USER_TERM.finditer(text):
        value = m.group(2) if m.group(2) is not None else m.group(3)
        if m.group(1).lower() == "note":
            found["note"] += value.split()
        elif value.strip():
            found["label"].append(normal_label(value))
    return " ".join(_USER_TERM.sub(" ", text).split()), found


def _facets(hits: Sequence[Hit]) -> dict[str, dict[str, int]]:
    """The facet counts of a narrowed list, shaped as the index's (most first)."""
    counts: dict[str, Counter[str]] = {k: Counter() for k in ("actors", "source", "year", "tags")}
    for h in hits:
        counts["actors"].update(h.actors)
        if h.source:
            counts["source"][h.source] += 1
        if h.date is not None:
            counts["year"][str(h.date.year)] += 1
        counts["tags"].update(h.tags)
    return {k: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))) for k, c in counts.items()}


@dataclass(frozen=True, slots=True)
class Narrowing:
    """How the window narrows a result list beyond the index's filters: ``only`` starred or
    unread briefs, and/or ``first`` (a saved search's new briefs) listed first; or only
    ``notes_below`` (see :func:`notes_below`)."""

    only: str = ""
    first: tuple[str, ...] = ()
    #: A plain query with no filter: briefs found by the user's notes alone follow the rest.
    notes_below: bool = False


#: A query of plain words only (no field, quote, operator or pattern): what notes are
#: searched with when the user did not write ``note:``.
_PLAIN = re.compile(r"[\w\s'’.,-]+")


def is_plain(text: str) -> bool:
    return bool(text.strip()) and _PLAIN.fullmatch(text) is not None


def notes_below(
    lib: Library, ud: UserData, text: str, res: SearchResults, offset: int, limit: int
) -> SearchResults:
    """``res`` (a page of a plain query with no filter) with the briefs that only the user's
    notes find (every word in a note or a highlight's quote, none in the brief's text)
    listed after everything the index found: plain words find notes too, ranked below.

    The briefs' own words are checked with the query's hit marks, so a brief the index
    lists already is never listed twice.
    """
    if not is_plain(text):
        return res
    noted: dict[str, Note] = {}
    for note in reversed(ud.notes(words=text)):  # the newest note of each brief
        noted.setdefault(note.brief_id, note)
    extras: list[Hit] = []
    for brief_id, note in noted.items():
        try:
            brief = lib.brief(brief_id)
        except (BriefError, OSError, RuntimeError):  # gone, unreadable, index busy
            continue
        if lib.hit_spans(brief, text):
            continue  # its own words match: the index lists it
        extras.append(_note_hit(lib, brief, note, text))
    if not extras:
        return res
    base = res.total
    page = extras[max(0, offset - base) : max(0, offset + limit - base)]
    found = "1 brief" if len(extras) == 1 else f"{len(extras)} briefs"
    return replace(
        res,
        hits=[*res.hits, *page],
        total=base + len(extras),
        total_all_words=res.total_all_words + len(extras),
        notices=[*res.notices, f"{found} found by your notes alone, listed last"],
    )


def _note_hit(lib: Library, brief: Brief, note: Note, text: str) -> Hit:
    """A result row for a brief found by its note: the note as its snippet."""
    shown = " ".join(f"“{note.quote}” {note.body}".split()) if note.is_highlight else note.body
    folded = shown.casefold()
    marks = []
    for word in dict.fromkeys(text.casefold().split()):
        at = folded.find(word)
        if at >= 0:
            marks.append((at, at + len(word)))
    actors = tuple(dict.fromkeys(m.actor_id for m in lib.mentions(brief)))
    return Hit(
        key=str(brief.path),
        id=brief.id,
        title=brief.title,
        date=brief.date,
        source=brief.source or "",
        tags=brief.tags,
        actors=actors,
        score=0.0,
        snippet=Snippet("note", shown, tuple(_merge(sorted(marks)))),
    )


def _merge(marks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in marks:
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out
