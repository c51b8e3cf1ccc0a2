"""The user's layer joined to the library: notes against current briefs, saved searches'
and watched actors' new counts. Lists narrowed by the user's marks are in
:mod:`briefreader.core.userlists`, exports in :mod:`briefreader.core.userexport`.

:mod:`briefreader.core.userdata` only stores; what needs the index (which briefs exist now,
their hashes, a saved search's results) is here, so that both front ends share one answer.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefreader.core.atomic import write_text_atomic
from briefreader.core.brief import BriefError
from briefreader.core.library import Library
from briefreader.core.records import SearchResults
from briefreader.core.userdata import (
    CHANGED,
    Note,
    Saved,
    UserData,
    UserDataError,
    note_state,
)

log = logging.getLogger(__name__)


def current_hashes(lib: Library) -> dict[str, str]:
    """Each indexed brief's id and content hash, from the index's manifest (no index read)."""
    return {entry.id: entry.sha256 for entry in lib.index.read_manifest().values()}


def sync_arrivals(lib: Library, ud: UserData) -> int:
    """Stamp the briefs that arrived in the index since the last look; the latest stamp."""
    return ud.record_arrivals(current_hashes(lib))


@dataclass(frozen=True, slots=True)
class SavedStatus:
    saved: Saved
    total: int
    new: list[str]  # ids of the briefs that arrived since it was last seen


def search_args(saved: Saved) -> dict[str, Any]:
    """A saved search's filters as the library's search takes them (the one reading of them)."""
    f = saved.filters
    return {
        "actors": tuple(f.get("actors", ())),
        "sources": tuple(f.get("sources", ())),
        "tags": tuple(f.get("tags", ())),
        "since": _date(f.get("since")),
        "until": _date(f.get("until")),
        "years": tuple(int(y) for y in f.get("years", ())),
    }


def _date(text: str | None) -> Any:
    return dt.date.fromisoformat(text) if text else None


def _run(
    lib: Library, saved: Saved, limit: int, *, offset: int = 0, sort: str | None = None
) -> SearchResults:
    if saved.kind == "actor":
        return lib.search(
            "",
            actors=[saved.query],
            limit=limit,
            offset=offset,
            sort=sort or "newest",
            facets=False,
            snippets=False,
            time_limit=None,
        )
    return lib.search(
        saved.query,
        limit=limit,
        offset=offset,
        sort=sort or saved.sort,
        facets=False,
        snippets=False,
        time_limit=None,
        **search_args(saved),
    )


def matching_ids(lib: Library, saved: Saved) -> list[str]:
    """Every brief the saved search (or watched actor) finds now, with no limit."""
    res = _run(lib, saved, max(1, lib.doc_count()))
    return list(dict.fromkeys(h.id for h in res.hits))


#: Past this many briefs arrived since the oldest mark, the new counts list every match of
#: each search instead of reading each arrival's date first (a first look after a big import).
MAX_ARRIVALS_READ = 5_000


@dataclass(frozen=True, slots=True)
class _Arrival:
    seq: int
    date: dt.date | None
    actors: frozenset[str] = frozenset()


def _arrivals(lib: Library, ud: UserData, mark: int) -> dict[str, _Arrival] | None:
    """The briefs stamped after ``mark`` that the index holds, with their dates and actors
    (from the index's stored fields); None when there are too many to read."""
    stamps = ud.arrivals_after(mark)
    if len(stamps) > MAX_ARRIVALS_READ:
        return None
    out: dict[str, _Arrival] = {}
    for brief_id, stored in lib.stored_of(list(stamps)).items():
        value = stored.get("date")
        date = value.date() if isinstance(value, dt.datetime) else None
        actors = frozenset(a for a in str(stored.get("actors") or "").split(",") if a)
        out[brief_id] = _Arrival(stamps[brief_id], date, actors)
    return out


#: A total not counted yet (:func:`statuses` with ``totals`` False).
UNCOUNTED = -1


def _news(
    lib: Library,
    ud: UserData,
    saved: Saved,
    latest: int | None,
    arrivals: dict[str, _Arrival] | None,
) -> tuple[list[str], int | None]:
    """The briefs new to ``saved``, and its total when finding them counted it anyway.

    ``latest`` (the newest arrival stamp): when the search was marked seen at it, nothing
    can be new and nothing is searched. ``arrivals`` (the briefs stamped after its mark,
    dated) lets it look for those only: a watched actor in their actor lists, a search among
    its newest matches; without them, or with an undated one, every match is listed."""
    if latest is not None and saved.seen_mark >= latest:
        return [], None
    if arrivals is not None:
        mine = {i: a.date for i, a in arrivals.items() if a.seq > saved.seen_mark}
        if not mine:
            return [], None
        if saved.kind == "actor":  # the index's own actor list of each arrival says it
            named = [i for i in mine if saved.query in arrivals[i].actors]
            return sorted(named, key=lambda i: (mine[i] or dt.date.min, i), reverse=True), None
        found = lib.found_among(saved.query, list(mine), **search_args(saved))
        return sorted(found, key=lambda i: (mine[i] or dt.date.min, i), reverse=True), None
    ids = matching_ids(lib, saved)
    return ud.arrived_after(saved.seen_mark, ids), len(ids)


def status(
    lib: Library,
    ud: UserData,
    saved: Saved,
    latest: int | None = None,
    arrivals: dict[str, _Arrival] | None = None,
) -> SavedStatus:
    """Its total (the index counts every match without listing them) and its new briefs
    (see :func:`_news`)."""
    new, total = _news(lib, ud, saved, latest, arrivals)
    if total is None:
        total = _run(lib, saved, 1, sort="newest").total
    return SavedStatus(saved, total, new)


@dataclass(slots=True)
class StatusCache:
    """What a front end keeps between two looks at its watchlist (see :func:`statuses`):
    new briefs by search, mark, arrivals and index files; totals by search and index files;
    and the index files the arrivals were last stamped for."""

    news: dict[tuple[Any, ...], list[str]] = field(default_factory=dict)
    totals: dict[tuple[Any, ...], int] = field(default_factory=dict)
    synced: tuple[tuple[int, int], int] | None = None


def statuses(
    lib: Library,
    ud: UserData,
    kind: str | None = None,
    cache: StatusCache | None = None,
    *,
    totals: bool = True,
) -> list[SavedStatus]:
    """Every saved search / watched actor with its total and what is new since last seen.

    ``cache`` (kept by the caller, such as the window between two openings of its
    watchlist) remembers the answers for the same searches, marks and index files: a second
    look at an unchanged index reads neither the manifest nor the index. ``totals`` False
    leaves the totals not known yet as :data:`UNCOUNTED` (a search each): the window shows
    the new counts first and the totals a moment later.
    """
    cache = cache if cache is not None else StatusCache()
    stamp = _index_stamp(lib)
    if cache.synced is None:
        cache.synced = _last_sync(ud)
    if cache.synced is not None and cache.synced[0] == stamp:
        latest = cache.synced[1]  # no brief can have arrived: the index files are the same
    else:
        lib.doc_count()  # opens the index
        latest = sync_arrivals(lib, ud)
        cache.synced = (stamp, latest)
        _keep_sync(ud, stamp, latest)
    saved = ud.saved_all(kind)
    todo = [s for s in saved if _key(s, latest, stamp) not in cache.news]
    marks = [s.seen_mark for s in todo if s.seen_mark < latest]
    arrivals: dict[str, _Arrival] | None = {}
    if marks:
        arrivals = _arrivals(lib, ud, min(marks))
    out = []
    for s in saved:
        news_key, total_key = _key(s, latest, stamp), _key(s, None, stamp)
        new = cache.news.get(news_key)
        if new is None:
            new, counted = _news(lib, ud, s, latest, arrivals)
            cache.news[news_key] = new
            if counted is not None:
                cache.totals[total_key] = counted
        total = cache.totals.get(total_key)
        if total is None and totals:
            # A total is the same in any order: "newest" skips the feedback step's re-ranking.
            total = cache.totals[total_key] = _run(lib, s, 1, sort="newest").total
        out.append(SavedStatus(s, UNCOUNTED if total is None else total, list(new)))
    return out


#: Beside the user database: the index files its arrivals were last stamped for, so that
#: a first look after a start does not read the whole manifest again (27 MB at 100,000
#: briefs) when no update came since. A cache only: checked against the database.
SYNC_FILE = "watchlist-sync.json"


def _last_sync(ud: UserData) -> tuple[tuple[int, int], int] | None:
    """The index stamp and newest arrival of the last stamping, if the database still
    agrees (its newest stamp is that one: not restored or stamped by another since)."""
    try:
        data = json.loads((Path(ud.path).parent / SYNC_FILE).read_text("utf-8"))
        stamp = (int(data["stamp"][0]), int(data["stamp"][1]))
        latest = int(data["latest"])
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    return (stamp, latest) if ud.latest_arrival() == latest else None


def _keep_sync(ud: UserData, stamp: tuple[int, int], latest: int) -> None:
    try:
        write_text_atomic(
            Path(ud.path).parent / SYNC_FILE,
            json.dumps({"stamp": list(stamp), "latest": latest}),
        )
    except OSError as exc:  # a cache only: the next look reads the manifest again
        log.warning("watchlist stamp not kept: %s", exc)


def _index_stamp(lib: Library) -> tuple[int, int]:
    """Changes whenever the index is written (its manifest is rewritten with each update)."""
    try:
        st = lib.index.manifest_path.stat()
    except OSError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)


def _key(s: Saved, latest: int | None, stamp: tuple[int, int]) -> tuple[Any, ...]:
    """A search's answers are the same for the same definition, index files and (for its
    news) mark and newest arrival; ``latest`` None: the key of its total."""
    filters = json.dumps(s.filters, sort_keys=True)
    mark = None if latest is None else s.seen_mark
    return (s.name, s.kind, s.query, filters, s.sort, mark, latest, stamp)


def add_saved(
    lib: Library,
    ud: UserData,
    name: str,
    query: str,
    filters: dict[str, Any],
    sort: str = "relevance",
) -> Saved:
    """Save a search; what it finds today counts as seen."""
    mark = sync_arrivals(lib, ud)
    return ud.add_saved(name, query, filters=filters, sort=sort, seen_mark=mark)


def watch(lib: Library, ud: UserData, name: str) -> Saved:
    """Watch an actor by any of its names; the briefs naming it today count as seen."""
    actor = lib.glossary.lookup(name) or lib.glossary.get(name)
    if actor is None:
        raise UserDataError(f"no actor named {name!r} in the glossary")
    mark = sync_arrivals(lib, ud)
    return ud.add_saved(actor.name, actor.id, kind="actor", seen_mark=mark)


def mark_seen(lib: Library, ud: UserData, name: str) -> Saved:
    ud.saved(name)  # a clear error before any work
    return ud.mark_seen(name, sync_arrivals(lib, ud))


def notes_with_state(lib: Library, ud: UserData, words: str = "") -> list[tuple[Note, str]]:
    hashes = current_hashes(lib)
    return [(n, note_state(n, hashes)) for n in ud.notes(words=words)]


@dataclass(frozen=True, slots=True)
class NoteRow:
    """A note as a list shows it: its state against the library, its brief's title, and
    (for a brief that changed) the text it was written on."""

    note: Note
    state: str
    title: str
    old_text: str | None = None


def note_rows(lib: Library, ud: UserData, words: str = "") -> list[NoteRow]:
    """Every note (with ``words``), newest first, ready to list."""
    titles: dict[str, str] = {}
    rows = []
    for note, state in reversed(notes_with_state(lib, ud, words)):
        if note.brief_id not in titles:
            try:
                titles[note.brief_id] = lib.brief(note.brief_id).title
            except (BriefError, OSError, RuntimeError):  # gone, unreadable, index busy
                titles[note.brief_id] = note.brief_id
        old = ud.snapshot(note.sha256) if state == CHANGED else None
        rows.append(NoteRow(note, state, titles[note.brief_id], old))
    return rows
