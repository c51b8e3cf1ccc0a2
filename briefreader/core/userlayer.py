"""The user's layer joined to the library: notes against current briefs, saved searches'
new counts, exports of a result list.

:mod:`briefreader.core.userdata` only stores; what needs the index (which briefs exist now,
their hashes, a saved search's results) is here, so that both front ends share one answer.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from briefreader.core.brief import Brief, BriefError
from briefreader.core.index import ManifestEntry
from briefreader.core.library import Library
from briefreader.core.records import Hit, SearchResults, Snippet
from briefreader.core.userdata import (
    CHANGED,
    CURRENT,
    MISSING,
    Note,
    Saved,
    UserData,
    UserDataError,
    normal_label,
    note_state,
)


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


def _search_args(saved: Saved) -> dict[str, Any]:
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
        **_search_args(saved),
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


def _arrivals(
    lib: Library, ud: UserData, mark: int, manifest: dict[str, ManifestEntry]
) -> dict[str, _Arrival] | None:
    """The briefs stamped after ``mark`` that the index holds, with their dates (from the
    index's stored fields); None when there are too many to read."""
    stamps = ud.arrivals_after(mark)
    if len(stamps) > MAX_ARRIVALS_READ:
        return None
    out: dict[str, _Arrival] = {}
    for key, entry in manifest.items():
        seq = stamps.get(entry.id)
        if seq is None:
            continue
        stored = lib.index.stored(key) or {}
        value = stored.get("date")
        date = value.date() if isinstance(value, dt.datetime) else None
        actors = frozenset(a for a in str(stored.get("actors") or "").split(",") if a)
        out[entry.id] = _Arrival(seq, date, actors)
    return out


def _new_newest_first(lib: Library, saved: Saved, arrived: dict[str, dt.date]) -> list[str]:
    """Which arrived briefs the search finds, walking its matches newest first only as deep
    as the oldest arrival's date: a morning's briefs are the newest, so a page as long as
    the arrivals usually answers, however many briefs the search finds in all."""
    oldest = min(arrived.values())
    found: list[str] = []
    offset, limit = 0, len(arrived) + 5
    while True:
        res = _run(lib, saved, limit, offset=offset, sort="newest")
        found += [h.id for h in res.hits if h.id in arrived]
        last = res.hits[-1] if res.hits else None
        offset += len(res.hits)
        if (
            len(found) == len(arrived)
            or last is None
            or last.date is None  # undated briefs are listed last: no dated one follows
            or last.date < oldest
            or offset >= res.total
        ):
            return found
        limit *= 4


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
        dated = {i: d for i, d in mine.items() if d is not None}
        if len(dated) == len(mine):
            return _new_newest_first(lib, saved, dated), None
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
    return SavedStatus(saved, _run(lib, saved, 1).total if total is None else total, new)


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
    manifest: dict[str, ManifestEntry] | None = None
    if cache.synced is not None and cache.synced[0] == stamp:
        latest = cache.synced[1]  # no brief can have arrived: the index files are the same
    else:
        lib.doc_count()  # opens the index (its stored fields are read below)
        manifest = lib.index.read_manifest()
        latest = ud.record_arrivals(entry.id for entry in manifest.values())
        cache.synced = (stamp, latest)
    saved = ud.saved_all(kind)
    todo = [s for s in saved if _key(s, latest, stamp) not in cache.news]
    marks = [s.seen_mark for s in todo if s.seen_mark < latest]
    arrivals: dict[str, _Arrival] | None = {}
    if marks:
        if manifest is None:
            lib.doc_count()
            manifest = lib.index.read_manifest()
        arrivals = _arrivals(lib, ud, min(marks), manifest)
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
            total = cache.totals[total_key] = _run(lib, s, 1).total
        out.append(SavedStatus(s, UNCOUNTED if total is None else total, list(new)))
    return out


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


# -- result lists narrowed by the user's own marks ---------------------------------------

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


# -- a brief with its notes ---------------------------------------------------------------

_STATE_LINES = {
    CHANGED: "*The brief changed since this note; the text it was written on is quoted.*",
    MISSING: "*The brief is no longer in the library.*",
}


def brief_markdown(brief: Brief, notes: Sequence[Note]) -> str:
    """The brief with its highlights marked (``==text==``) and its notes after it, as one
    Markdown file for a colleague or a report. Highlights made on an older version of the
    brief are not marked in this one: they are listed with the text they were made on."""
    current = [
        n for n in notes if n.is_highlight and n.sha256 == brief.sha256 and n.start is not None
    ]
    marks = sorted((n.start or 0, n.end or 0) for n in current)
    lines = [f"# {brief.title}", ""]
    meta = [x for x in (brief.date.isoformat() if brief.date else None, brief.source) if x]
    meta.append(f"`{brief.id}`")
    lines += [" · ".join(meta), ""]
    for section, start, body in brief.sections():
        lines += [f"## {'Article' if section == 'article' else 'Analyst comment'}", ""]
        lines += [_marked(body, start, marks).strip(), ""]
    if notes:
        lines += ["## Notes", ""]
    for n in notes:
        state = CURRENT if n.sha256 == brief.sha256 else CHANGED
        if n.is_highlight:
            quote = " ".join((n.quote or "").split())
            lines.append(f"- > {quote}")
            if n.body:
                lines.append(f"  {n.body}")
        else:
            lines.append(f"- {n.body}")
        if state == CHANGED:
            lines.append(f"  {_STATE_LINES[CHANGED]}")
        lines.append(f"  <small>{n.updated}</small>")
    return "\n".join(lines).rstrip() + "\n"


def _marked(body: str, start: int, marks: list[tuple[int, int]]) -> str:
    """``body`` (at ``start`` in the brief) with the marks inside it wrapped in ``==``."""
    out, pos = [], 0
    for a, b in marks:
        a, b = max(a - start, pos), min(b - start, len(body))
        if a >= b:
            continue
        inner = body[a:b]
        lead = len(inner) - len(inner.lstrip())
        trail = len(inner.rstrip())
        out += [body[pos:a], inner[:lead], "==", inner[lead:trail], "==", inner[trail:]]
        pos = b
    out.append(body[pos:])
    return "".join(out)


# -- export --------------------------------------------------------------------------------

FORMATS = ("csv", "md", "json")
COLUMNS = ("title", "date", "source", "id", "actors", "snippet", "notes")


def export_rows(lib: Library, ud: UserData, hits: list[Hit]) -> list[dict[str, Any]]:
    """One plain row per hit: what a colleague needs without briefreader."""
    rows = []
    for hit in hits:
        rows.append(
            {
                "title": hit.title,
                "date": hit.date.isoformat() if hit.date else None,
                "source": hit.source or None,
                "id": hit.id,
                "actors": [lib.glossary.describe(a)[0] for a in hit.actors],
                "snippet": hit.snippet.text if hit.snippet else "",
                "notes": [n.body for n in ud.notes(hit.id) if n.body],
            }
        )
    return rows


def render_export(rows: list[dict[str, Any]], fmt: str, query: str = "") -> str:
    """Rows as CSV (lists joined with "; "), a Markdown table, or JSON."""
    if fmt == "json":
        return json.dumps({"query": query, "hits": rows}, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow([_cell(r[c]) for c in COLUMNS])
        return out.getvalue()
    if fmt == "md":
        lines = [f"# Results for “{query}”", ""] if query else []
        lines += ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        for r in rows:
            cells = [_cell(r[c]).replace("|", "\\|").replace("\n", " ") for c in COLUMNS]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"
    raise UserDataError(f"no such format: {fmt!r} ({', '.join(FORMATS)})")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


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
