"""The user's layer joined to the library: notes against current briefs, saved searches'
new counts, exports of a result list.

:mod:`briefreader.core.userdata` only stores; what needs the index (which briefs exist now,
their hashes, a saved search's results) is here, so that both front ends share one answer.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from briefreader.core.library import Library
from briefreader.core.records import Hit
from briefreader.core.userdata import Note, Saved, UserData, UserDataError, note_state


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
    new: list[str]  # ids, in the search's order


def _search_args(saved: Saved) -> dict[str, Any]:
    f = saved.filters
    return {
        "actors": tuple(f.get("actors", ())),
        "sources": tuple(f.get("sources", ())),
        "tags": tuple(f.get("tags", ())),
        "since": _date(f.get("since")),
        "until": _date(f.get("until")),
    }


def _date(text: str | None) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(text) if text else None


def matching_ids(lib: Library, saved: Saved) -> list[str]:
    """Every brief the saved search (or watched actor) finds now, with no limit."""
    limit = max(1, lib.doc_count())
    if saved.kind == "actor":
        res = lib.search(
            "", actors=[saved.query], limit=limit, facets=False, snippets=False, time_limit=None
        )
    else:
        res = lib.search(
            saved.query,
            limit=limit,
            sort=saved.sort,
            facets=False,
            snippets=False,
            time_limit=None,
            **_search_args(saved),
        )
    return list(dict.fromkeys(h.id for h in res.hits))


def status(lib: Library, ud: UserData, saved: Saved) -> SavedStatus:
    ids = matching_ids(lib, saved)
    return SavedStatus(saved, len(ids), ud.arrived_after(saved.seen_mark, ids))


def statuses(lib: Library, ud: UserData, kind: str | None = None) -> list[SavedStatus]:
    """Every saved search / watched actor with its total and what is new since last seen."""
    sync_arrivals(lib, ud)
    return [status(lib, ud, s) for s in ud.saved_all(kind)]


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
