"""Exports of the user's layer: a result list with the user's notes as CSV, Markdown or
JSON (what a colleague needs without briefreader), and a brief with its highlights and notes
as Markdown."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from briefreader.core.brief import Brief
from briefreader.core.library import Library
from briefreader.core.records import Hit
from briefreader.core.safetext import (
    csv_row,
    json_text,
    markdown_cell,
    markdown_code,
    markdown_source,
    markdown_text,
)
from briefreader.core.userdata import (
    CHANGED,
    CURRENT,
    MISSING,
    Note,
    Saved,
    UserData,
    UserDataError,
)
from briefreader.core.userlayer import search_args as saved_search_args
from briefreader.core.userlists import narrowed_search, search_with_notes

_STATE_LINES = {
    CHANGED: "*The brief changed since this note; the text it was written on is quoted.*",
    MISSING: "*The brief is no longer in the library.*",
}


def brief_markdown(brief: Brief, notes: Sequence[Note]) -> str:
    """The brief with its highlights marked (``==text==``) and its notes after it, as one
    Markdown file for a colleague or a report. Highlights made on an older version of the
    brief are not marked in this one: they are listed with the text they were made on.
    No HTML of the brief's or the notes' reaches the file as mark-up."""
    current = [
        n for n in notes if n.is_highlight and n.sha256 == brief.sha256 and n.start is not None
    ]
    marks = sorted((n.start or 0, n.end or 0) for n in current)
    lines = [f"# {markdown_text(brief.title)}", ""]
    meta = [x for x in (brief.date.isoformat() if brief.date else None, brief.source) if x]
    meta = [markdown_text(x) for x in meta]
    meta.append(markdown_code(brief.id))
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
            lines.append(f"- > {markdown_text(quote)}")
            if n.body:
                lines.append(f"  {markdown_text(n.body)}")
        else:
            lines.append(f"- {markdown_text(n.body)}")
        if state == CHANGED:
            lines.append(f"  {_STATE_LINES[CHANGED]}")
        lines.append(f"  <small>{markdown_text(n.updated)}</small>")
    return "\n".join(lines).rstrip() + "\n"


def _marked(body: str, start: int, marks: list[tuple[int, int]]) -> str:
    """``body`` (at ``start`` in the brief) with the marks inside it wrapped in ``==``, each
    piece through :func:`markdown_source`."""
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
    return "".join(markdown_source(piece) if piece != "==" else piece for piece in out)


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


def saved_hits(lib: Library, ud: UserData, saved: Saved) -> list[Hit]:
    """Every brief a saved search (or watched actor) finds now, in its order, with snippets:
    what opening it in the window lists (a watched actor's briefs newest first)."""
    everything = max(1, lib.doc_count())
    if saved.kind == "actor":
        return lib.search(
            "", actors=[saved.query], limit=everything, sort="newest", facets=False
        ).hits
    return search_with_notes(
        lib, ud, saved.query, limit=everything, sort=saved.sort, facets=False,
        **saved_search_args(saved),
    ).hits  # fmt: skip


def starred_hits(lib: Library, ud: UserData) -> list[Hit]:
    """Every starred brief the library holds, newest first (the list "★ Starred only"
    gives for an empty search box)."""
    everything = max(1, lib.doc_count())
    return narrowed_search(lib, ud, "", only="starred", limit=everything, sort="newest").hits


def saved_export(lib: Library, ud: UserData, name: str, fmt: str) -> tuple[str, int]:
    """What a saved search (or watched actor) finds now, as an export; and how many briefs
    (the window's watchlist menu and ``export --saved NAME``)."""
    saved = ud.saved(name)
    hits = saved_hits(lib, ud, saved)
    if saved.kind == "actor":
        query, title = "", f"Briefs naming {saved.name}"
    else:
        query, title = saved.query, f"Saved search “{saved.name}”: {saved.query}"
    return render_export(export_rows(lib, ud, hits), fmt, query, title), len(hits)


def starred_export(lib: Library, ud: UserData, fmt: str) -> tuple[str, int]:
    """Every starred brief, newest first, as an export; and how many."""
    hits = starred_hits(lib, ud)
    return render_export(export_rows(lib, ud, hits), fmt, "", "Starred briefs"), len(hits)


def render_export(
    rows: list[dict[str, Any]], fmt: str, query: str = "", title: str | None = None
) -> str:
    """Rows as CSV (lists joined with "; "), a Markdown table, or JSON. ``title`` heads the
    Markdown (default: the query's results). A cell a spreadsheet would take for a formula
    is written as text; HTML in the Markdown is shown, never rendered."""
    if fmt == "json":
        return json_text({"query": query, "hits": rows}) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow(csv_row(_cell(r[c]) for c in COLUMNS))
        return out.getvalue()
    if fmt == "md":
        heading = title if title is not None else (f"Results for “{query}”" if query else "")
        lines = [f"# {markdown_text(' '.join(heading.split()))}", ""] if heading else []
        lines += ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        for r in rows:
            cells = [markdown_cell(_cell(r[c])) for c in COLUMNS]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"
    raise UserDataError(f"no such format: {fmt!r} ({', '.join(FORMATS)})")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)
