"""Result lists the index cannot make alone: narrowed by the user's own marks (starred,
unread, labels, notes), a saved search's new briefs first, and briefs that only the user's
notes find listed after the others.

The index knows nothing of stars, reading, labels or notes: these lists are made from the
index's own answer (every match, or a page) and the user's database, here, so that any
front end gets the same lists.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from briefreader.core.brief import Brief, BriefError
from briefreader.core.library import Library
from briefreader.core.records import Hit, SearchResults, Snippet
from briefreader.core.userdata import Note, Saved, UserData, UserDataError, normal_label
from briefreader.core.userlayer import current_hashes

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
    asked = text
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
    noted: dict[str, Note] = {}
    if note_words:
        noted = _newest_note_of_each_brief(ud, " ".join(note_words))
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
    if noted:  # found by its note alone (``note:word`` and no word of the brief's): the note
        page = [
            h
            if text.strip() and h.snippet is not None
            else replace(h, snippet=note_snippet(noted[h.id], note_words))
            for h in page
        ]
    return SearchResults(
        query=asked if mine["note"] or mine["label"] else every.query,
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
            *_news_notice(hits, first),
            *([f"only briefs with a note holding {', '.join(note_words)}"] if note_words else []),
            *([f"only briefs labelled {', '.join(labels)}"] if labels else []),
        ],
        seconds=every.seconds,
        exact=every.exact,
        partial=every.partial,
    )


def _news_notice(hits: Sequence[Hit], first: Sequence[str]) -> list[str]:
    """Says how many briefs are listed first as new (a saved search just opened)."""
    front = set(first)
    n = sum(1 for h in hits if h.id in front)
    if not n:
        return []
    return [f"{'1 new brief' if n == 1 else f'{n} new briefs'} since you last looked, first"]


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


def date_bounds(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """A saved search's ``since``/``until`` (ISO days) as short as they stay exact, both in
    the same unit: whole years as ``YYYY``, else whole months as ``YYYY-MM``, else days (a
    range's end in years or months is the last day of it, as the query language reads it)."""
    days = [
        (dt.date.fromisoformat(text), end) for text, end in ((since, False), (until, True)) if text
    ]

    def fits(unit: int) -> bool:  # 0: years, 1: months
        for day, end in days:
            after = day + dt.timedelta(days=1)
            if unit == 0 and (day.month, day.day) != ((12, 31) if end else (1, 1)):
                return False
            if unit == 1 and (after.day if end else day.day) != 1:
                return False
        return True

    unit = next((u for u in (0, 1) if fits(u)), 2)

    def short(text: str | None) -> str | None:
        return text[: (4, 7, 10)[unit]] if text else None

    return short(since), short(until)


def date_term(since: str | None, until: str | None) -> str:
    """The query term finding the briefs from ``since`` to ``until`` (ISO days, both
    included; either may be None): ``date:2019``, ``date:[2019-06 to 2020-01]``, or ""."""
    a, b = date_bounds(since, until)
    if a is None and b is None:
        return ""
    if a == b:
        return f"date:{a}"
    return f"date:[{a or ''} to {b or ''}]".replace("[ to", "[to").replace(" ]", "]")


#: Why a saved search may not hold the user's own terms: its counts come from the index.
NOT_SAVABLE = (
    "a saved search cannot hold note: or label: terms: the watchlist counts what the index "
    "finds, and the index knows nothing of your notes and labels"
)


def savable(text: str) -> bool:
    """Whether ``text`` can be saved as a search (no ``note:`` or ``label:`` term)."""
    mine = split_user_terms(text)[1]
    return not (mine["note"] or mine["label"])


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
    """How a result list is narrowed beyond the index's filters: ``only`` starred or unread
    briefs, and/or ``first`` (a saved search's new briefs) listed first (``note:`` and
    ``label:`` terms narrow it too); or only ``notes_below`` (see :func:`notes_below`)."""

    only: str = ""
    first: tuple[str, ...] = ()
    #: A plain query: briefs found by the user's notes alone follow the rest.
    notes_below: bool = False


def narrowing_for(
    text: str, *, only: str = "", first: Sequence[str] = (), has_notes: bool = True
) -> Narrowing | None:
    """How the user's own layer changes the search of ``text``: None when it does not (the
    index answers alone). Both front ends ask this, so that they list the same briefs."""
    mine = split_user_terms(text)[1]
    if only or first or mine["note"] or mine["label"]:
        return Narrowing(only, tuple(first))
    if has_notes and is_plain(text):
        return Narrowing(notes_below=True)
    return None


def user_search(
    lib: Library,
    ud: UserData,
    text: str,
    narrowing: Narrowing | None,
    *,
    offset: int = 0,
    limit: int = 60,
    sort: str = "relevance",
    facets: bool = True,
    **filters: Any,
) -> SearchResults:
    """A page of ``text``'s results as the user sees them (see :func:`narrowing_for`):
    the index's answer, narrowed by the user's marks, or followed by the briefs only the
    user's notes find. ``filters`` are :meth:`Library.search`'s."""
    if narrowing is not None and not narrowing.notes_below:
        return narrowed_search(
            lib, ud, text, only=narrowing.only, first=narrowing.first, offset=offset,
            limit=limit, sort=sort, **filters,
        )  # fmt: skip
    res = lib.search(
        text, limit=limit, offset=offset, sort=sort, facets=facets and offset == 0, **filters
    )
    if narrowing is None:
        return res
    return notes_below(lib, ud, text, res, offset, limit, **filters)


def search_with_notes(
    lib: Library,
    ud: UserData,
    text: str,
    *,
    only: str = "",
    first: Sequence[str] = (),
    offset: int = 0,
    limit: int = 60,
    sort: str = "relevance",
    facets: bool = True,
    **filters: Any,
) -> SearchResults:
    """:func:`user_search` with the narrowing :func:`narrowing_for` gives (the command
    line's ``search`` and ``export``)."""
    narrowing = narrowing_for(text, only=only, first=first, has_notes=ud.has_notes())
    return user_search(
        lib, ud, text, narrowing, offset=offset, limit=limit, sort=sort, facets=facets,
        **filters,
    )  # fmt: skip


#: A query of plain words only (no field, quote, pattern or grouping): what notes are
#: searched with when the user did not write ``note:``.
_PLAIN = re.compile(r"[\w\s'’.,-]+")
#: Words of the query language that are not words of a note.
_OPERATORS = frozenset({"AND", "OR", "NOT"})


def is_plain(text: str) -> bool:
    """Whether ``text`` is plain words (``Iran militia``): no field, phrase, operator
    (``AND``, ``-word``) or pattern, so that a note holding every word answers it."""
    if not text.strip() or _PLAIN.fullmatch(text) is None:
        return False
    return not any(w in _OPERATORS or w.startswith("-") for w in text.split())


def _newest_note_of_each_brief(ud: UserData, words: str) -> dict[str, Note]:
    """The briefs with a note (or highlight) holding every word, each with its newest."""
    noted: dict[str, Note] = {}
    for note in reversed(ud.notes(words=words)):
        noted.setdefault(note.brief_id, note)
    return noted


def _all_ids(lib: Library, text: str, **filters: Any) -> set[str]:
    res = lib.search(
        text,
        limit=max(1, lib.doc_count()),
        facets=False,
        snippets=False,
        time_limit=None,
        **filters,
    )
    return {h.id for h in res.hits}


def notes_below(
    lib: Library,
    ud: UserData,
    text: str,
    res: SearchResults,
    offset: int,
    limit: int,
    **filters: Any,
) -> SearchResults:
    """``res`` (a page of the plain query ``text`` with ``filters``) with the briefs that
    only the user's notes find (every word in a note or a highlight's quote, the brief
    itself not found by the index) listed after everything the index found: plain words find
    notes too, ranked below. A brief found by its note still has to pass ``filters``.

    The index says which briefs it finds (every match, listed without snippets), so a
    brief is never listed twice; nothing more is searched when no note holds the words.
    """
    if not is_plain(text):
        return res
    noted = _newest_note_of_each_brief(ud, text)
    if not noted:
        return res
    found = _all_ids(lib, text, **filters)
    wanted = [i for i in noted if i not in found]
    if wanted and any(filters.values()):
        passing = _all_ids(lib, "", **filters)
        wanted = [i for i in wanted if i in passing]
    if wanted:
        indexed = current_hashes(lib)  # the briefs still in the library
        wanted = [i for i in wanted if i in indexed]
    if not wanted:
        return res
    base = res.total
    page: list[Hit] = []  # only the page's briefs are read: a common word may be in many notes
    for brief_id in wanted[max(0, offset - base) : max(0, offset + limit - base)]:
        try:
            brief = lib.brief(brief_id)
        except (BriefError, OSError, RuntimeError):  # gone, unreadable, index busy
            continue
        page.append(_note_hit(lib, brief, noted[brief_id], text.split()))
    what = "1 brief" if len(wanted) == 1 else f"{len(wanted)} briefs"
    return replace(
        res,
        hits=[*res.hits, *page],
        total=base + len(wanted),
        total_all_words=res.total_all_words + len(wanted),
        notices=[*res.notices, f"{what} found by your notes alone, listed last"],
    )


def note_snippet(note: Note, words: Sequence[str]) -> Snippet:
    """A note as a result's snippet (section "note"), the words it was found by marked."""
    shown = " ".join(f"“{note.quote}” {note.body}".split()) if note.is_highlight else note.body
    shown = " ".join(shown.split())
    marks = []
    for word in dict.fromkeys(w.casefold() for w in words):
        for m in re.finditer(r"(?<!\w)" + re.escape(word), shown, re.IGNORECASE):
            marks.append((m.start(), m.end()))
    return Snippet("note", shown, tuple(_merge(sorted(marks))))


def _note_hit(lib: Library, brief: Brief, note: Note, words: Sequence[str]) -> Hit:
    """A result row for a brief found by its note: the note as its snippet."""
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
        snippet=note_snippet(note, words),
    )


def _merge(marks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in marks:
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def saved_summary(saved: Saved, *, long: bool = False) -> list[str]:
    """What a saved search is, in a few words: its query, filters and order ("“PMF” ·
    Reuters · 2019 · newest first"); a watched actor says so. ``long``: labelled, one
    line each (a tooltip)."""
    if saved.kind == "actor":
        return ["Watched actor: its briefs, newest first" if long else "watched actor"]
    f = saved.filters
    since, until = date_bounds(f.get("since"), f.get("until"))
    dates = []
    if since or until:
        if since == until:
            dates.append(str(since))
        else:
            dates.append(f"{since or '…'} – {until or '…'}")
    dates += [str(y) for y in f.get("years", [])]
    parts = [
        ("Search", f"“{saved.query}”" if saved.query else "every brief"),
        ("Actors", ", ".join(f.get("actors", []))),
        ("Sources", ", ".join(f.get("sources", []))),
        ("Tags", ", ".join(f"#{t}" for t in f.get("tags", []))),
        ("Dates", ", ".join(dates)),
        ("Order", SORT_WORDS.get(saved.sort, saved.sort)),
    ]
    if long:
        return [f"{label}: {value}" for label, value in parts if value]
    if saved.sort == "relevance":  # the usual order goes without saying in a short line
        parts = parts[:-1]
    return [value for _label, value in parts if value]


#: How a saved search's order is said.
SORT_WORDS = {"relevance": "best first", "newest": "newest first", "oldest": "oldest first"}
