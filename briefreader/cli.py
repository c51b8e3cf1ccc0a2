"""Command line front end: index, search, show, actors, glossary, the user's notes and saved
searches; no command opens the app.

Output for people goes to stdout, errors to stderr as one plain line with a non-zero exit
code. ``--json`` output is a stable interface documented in the README. Everything printed
goes through :func:`briefreader.core.safetext.say` (or, JSON, :func:`json_text`): a brief's
title holding ``ESC [2J`` is shown as ``\\x1b[2J``, never obeyed by the terminal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from briefreader import __version__, archive_cli
from briefreader.core.archive.errors import ArchiveError
from briefreader.core.brief import Brief, BriefError, provenance_line
from briefreader.core.briefdocs import briefs_of_file, readable_suffixes, rel_id
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library, UpdateReport
from briefreader.core.match import Mention
from briefreader.core.records import (
    SORTS,
    Hit,
    IndexBusyError,
    IndexDamagedError,
    SearchResults,
    Snippet,
)
from briefreader.core.safetext import json_text, say, terminal_text
from briefreader.core.userdata import CHANGED, Note, UserData, UserDataError
from briefreader.core.wording import counted

log = logging.getLogger("briefreader.cli")


class CliError(Exception):
    """An error to print as one line on stderr (exit code 1)."""


# -- the library ---------------------------------------------------------------------------


def _open_library(args: argparse.Namespace, corpora: Sequence[str] | None = None) -> Library:
    """The library on ``corpora``, else on the folders either front end remembered last."""
    if archive_cli.wants_archive(args):  # --archive URL: the team archive (issue 17)
        return archive_cli.open_library(args, corpora)
    chosen: list[Path] | None = None
    if corpora:
        chosen = [Path(c).expanduser().resolve() for c in corpora]
        for c in chosen:
            if not c.is_dir():
                raise CliError(f"corpus folder not found: {c}")
    lib = Library.open(
        chosen, data_dir=args.data_dir, glossary_files=[Path(g) for g in args.glossary]
    )
    for problem in lib.glossary.problems:
        say(f"glossary: {problem}", file=sys.stderr)
    return lib


def _ensure_indexed(lib: Library, args: argparse.Namespace) -> None:
    """Build the index on first use, so that ``search`` works out of the box."""
    if archive_cli.wants_archive(args):  # a team archive is filled by pushes only
        return
    if lib.index.exists() and lib.doc_count() > 0:
        return
    report = lib.update(progress=_progress_bar(args))
    if not args.quiet:
        say(report.summary(), file=sys.stderr)


# -- output helpers ------------------------------------------------------------------------


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _mention_json(glossary: Glossary, brief: Brief, m: Mention) -> dict[str, Any]:
    name, kind, _description = glossary.describe(m.actor_id)
    return {
        "actor": name,
        "actor_id": m.actor_id,
        "kind": kind,
        "section": m.section,
        "start": m.start,
        "end": m.end,
        "text": brief.text[m.start : m.end],
    }


def _hit_json(lib: Library, hit: Hit) -> dict[str, Any]:
    actors = []
    for actor_id in hit.actors:
        name, kind, _description = lib.glossary.describe(actor_id)
        actors.append({"id": actor_id, "name": name, "kind": kind})
    snippet = None
    if hit.snippet is not None:
        snippet = {
            "section": hit.snippet.section,
            "text": hit.snippet.text,
            "highlights": [list(m) for m in hit.snippet.marks],
            "html": hit.snippet.to_html(),
        }
    return {
        "id": hit.id,
        "path": hit.key,
        "title": hit.title,
        "date": _date(hit.date),
        "source": hit.source or None,
        "tags": list(hit.tags),
        "actors": actors,
        "score": round(hit.score, 4),
        "all_words": hit.tier == 1,
        "snippet": snippet,
        "copies": list(hit.copies),
    }


def _results_json(lib: Library, res: SearchResults) -> dict[str, Any]:
    return {
        "query": res.query,
        "total": res.total,
        "total_all_words": res.total_all_words,
        "offset": res.offset,
        "sort": res.sort,
        "hits": [_hit_json(lib, h) for h in res.hits],
        "facets": res.facets,
        "suggestion": res.suggestion,
        "notices": res.notices,
        "seconds": round(res.seconds, 4),
        "folded": res.folded,
    }


def _print_json(data: Any) -> None:
    sys.stdout.write(json_text(data) + "\n")


def _snippet_line(snippet: Snippet, tty: bool) -> str:
    """The snippet for the terminal, its hits in bold (``[...]`` when not a terminal); the
    text's own control characters escaped, the bold ones kept."""
    bold, reset = ("\x1b[1m", "\x1b[0m") if tty else ("[", "]")
    text, out, pos = snippet.text, [], 0
    for start, end in snippet.marks:
        out += [terminal_text(text[pos:start]), bold, terminal_text(text[start:end]), reset]
        pos = end
    out.append(terminal_text(text[pos:]))
    return "".join(out)


def _progress_bar(args: argparse.Namespace) -> Any:
    if args.quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar: dict[str, Any] = {}

    def progress(done: int, total: int, _path: str) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, unit="brief", file=sys.stderr, leave=False)
        bar["bar"].update(1)
        if done >= total:
            bar.pop("bar").close()

    return progress


def _stop_cleanly_on_term() -> None:
    """On SIGTERM (the window closing) stop Whoosh's writer processes too, then unwind.

    The bulk writer's worker processes wait on a queue forever once their parent is gone;
    they are ended here, and SystemExit lets the writer cancel and the lock be released.
    """
    import signal

    def stop(_signum: int, _frame: Any) -> None:
        import multiprocessing

        for child in multiprocessing.active_children():
            child.terminate()
        raise SystemExit(143)

    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, stop)


def _progress_json() -> Any:
    """One JSON object a line on stdout, at most ten a second: the window's indexer child."""
    state = {"last": 0.0}

    def progress(done: int, total: int, _path: str) -> None:
        now = time.monotonic()
        if done >= total or now - state["last"] >= 0.1:
            state["last"] = now
            say(json.dumps({"done": done, "total": total}), flush=True)

    return progress


# -- commands ------------------------------------------------------------------------------


def cmd_index(args: argparse.Namespace) -> int:
    lib = _open_library(args, args.corpus)
    if args.rebuild:
        lib.rebuild()
    if args.progress_json:
        _stop_cleanly_on_term()
    progress = _progress_json() if args.progress_json else _progress_bar(args)
    report: UpdateReport = lib.update(progress=progress)
    lib.remember_corpora()
    if args.json or args.progress_json:
        data = {
            "corpora": [str(c) for c in lib.corpora],
            "index": str(lib.index.folder),
            **report.to_json(),
        }
        if args.progress_json:
            say(json.dumps({"report": data}), flush=True)
        else:
            _print_json(data)
        return 0
    say(report.summary())  # says first why the index was rebuilt, if it was
    for p in report.skipped:
        say(f"  skipped {p}")
    for p in report.warnings:
        say(f"  warning {p}")
    return 0


def _parse_date(text: str | None, *, end: bool = False) -> dt.date | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as the first (or, with ``end``, last) day."""
    if not text:
        return None
    parts = text.split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else (12 if end else 1)
        if len(parts) > 2:
            day = int(parts[2])
        elif end:
            day = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
        else:
            day = 1
        return dt.date(year, month, day)
    except (ValueError, IndexError) as exc:
        raise CliError(f"not a date: {text!r} (use YYYY, YYYY-MM or YYYY-MM-DD)") from exc


def _date_arg(text: str) -> str:
    """argparse type: a date checked while parsing, so a bad one is a usage error (exit 2)."""
    try:
        _parse_date(text)
    except CliError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return text


def _year_arg(text: str) -> int:
    """argparse type: a year of four digits (``--year``)."""
    if not (len(text) == 4 and text.isdigit()):
        raise argparse.ArgumentTypeError(f"not a year: {text!r} (use YYYY)")
    return int(text)


def _count_arg(text: str) -> int:
    """argparse type: a whole number of at least 1 (``--limit``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _search_filters(args: argparse.Namespace) -> dict[str, Any]:
    """``--actor``, ``--source``, ``--tag``, ``--since``, ``--until`` (and ``--year`` where
    the command has it) as :meth:`Library.search` takes them."""
    return {
        "actors": args.actor,
        "sources": args.source,
        "tags": args.tag,
        "since": _parse_date(args.since),
        "until": _parse_date(args.until, end=True),
        "years": getattr(args, "year", None) or (),
    }


def _user_search(
    lib: Library, args: argparse.Namespace, query: str, *, limit: int, facets: bool = True
) -> SearchResults:
    """``search`` and ``export``: the index's answer with the user's notes in it, as the
    window lists it (``note:word``, ``label:name``, and briefs only a note finds, last).
    A team archive's briefs are not the local notes' briefs: it answers alone."""
    from briefreader.core.userdata import DB_NAME
    from briefreader.core.userlists import savable, search_with_notes

    filters = _search_filters(args)
    no_notes = not (lib.data_dir / DB_NAME).exists() and savable(query)  # never made one
    if archive_cli.wants_archive(args) or no_notes:
        return lib.search(query, limit=limit, sort=args.sort, facets=facets, **filters)

    with _open_userdata(lib) as ud:
        return search_with_notes(
            lib, ud, query, limit=limit, sort=args.sort, facets=facets, **filters
        )


def cmd_search(args: argparse.Namespace) -> int:
    query = " ".join(args.query)
    if not query.strip():
        args.usage_error("the query is empty: give the words to search for")
    lib = _open_library(args)
    _ensure_indexed(lib, args)
    res = _user_search(lib, args, query, limit=args.limit)
    if args.json:
        _print_json(_results_json(lib, res))
        return 0
    tty = sys.stdout.isatty()
    for notice in res.notices:
        say(f"note: {notice}")
    if not res.hits:
        say(f"No briefs match “{query}”.")
        if res.suggestion:
            say(f"Did you mean: {res.suggestion}")
        return 0
    say(
        f"{len(res.hits)} of {counted(res.total, 'brief')} ({res.total_all_words} with all the"
        f" words) in {res.seconds * 1000:.0f} ms"
        + (f"; {counted(res.folded, 'copy', 'copies')} listed under another place"
           if res.folded else "")
    )
    for n, hit in enumerate(res.hits, 1):
        date = _date(hit.date) or "no date"
        say(f"\n{n}. {hit.title}")
        say(f"   {hit.id} · {date} · {hit.source or 'no source'}")
        if hit.snippet:
            section = terminal_text(hit.snippet.section)
            sys.stdout.write(f"   [{section}] {_snippet_line(hit.snippet, tty)}\n")
        if hit.actors:
            names = [lib.glossary.describe(a)[0] for a in hit.actors[:6]]
            say(f"   actors: {', '.join(names)}")
        if hit.copies:
            say(f"   also in: {', '.join(hit.copies)}")
    return 0


def _provenance_json(brief: Brief) -> dict[str, Any]:
    """Where a brief came from: its file, its place in it, its first page, its format."""
    return {
        "file": brief.source_file_id,
        "item": brief.item,
        "page": brief.page,
        "pages": (
            [brief.page, brief.page + len(brief.page_breaks)] if brief.page is not None else None
        ),
        "format": brief.format,
        "parent": brief.parent,
    }


def cmd_show(args: argparse.Namespace) -> int:
    lib = _open_library(args)
    path = Path(args.ref).expanduser()
    if not path.is_file():
        _ensure_indexed(lib, args)
    brief = lib.brief(args.ref)
    mentions = lib.mentions(brief)
    if args.json:
        _print_json(
            {
                "id": brief.id,
                "path": str(brief.path),
                "title": brief.title,
                "date": _date(brief.date),
                "source": brief.source,
                "author": brief.author,
                "tags": list(brief.tags),
                "metadata": brief.metadata,
                "encoding": brief.encoding,
                "sha256": brief.sha256,
                "warnings": list(brief.warnings),
                "article": brief.article,
                "article_start": brief.article_start,
                "comment": brief.comment,
                "comment_start": brief.comment_start,
                "mentions": [_mention_json(lib.glossary, brief, m) for m in mentions],
                "provenance": _provenance_json(brief),
                "copies": list(lib.copies_of(brief.id)),
            }
        )
        return 0
    say(brief.title)
    meta = " · ".join(x for x in (_date(brief.date), brief.source, ", ".join(brief.tags)) if x)
    if meta:
        say(meta)
    if provenance_line(brief):
        say(f"from {provenance_line(brief)}")
    copies = lib.copies_of(brief.id)
    if copies:
        say(f"the same article is also in: {', '.join(copies)}")
    for w in brief.warnings:
        say(f"warning: {w}")
    say("\nARTICLE\n")
    say(brief.article)
    say("\nANALYST COMMENT\n")
    say(brief.comment if brief.comment is not None else "(this brief has no analyst comment)")
    counts: dict[str, int] = {}
    for m in mentions:
        counts[m.actor_id] = counts.get(m.actor_id, 0) + 1
    if counts:
        say("\nACTORS\n")
        for actor_id, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            name, kind, _description = lib.glossary.describe(actor_id)
            say(f"  {name} ({kind}): {n}")
    return 0


def cmd_actors(args: argparse.Namespace) -> int:
    lib = _open_library(args)
    path = Path(args.path).expanduser()
    if not path.is_file():
        raise CliError(f"no such file: {args.path}")
    suffixes = readable_suffixes()
    if path.suffix.lower() not in suffixes:
        raise CliError(f"not a brief: {args.path} (briefreader reads {', '.join(suffixes)})")
    real = path.resolve()
    briefs, _warnings = briefs_of_file(real, rel_id(real, real.parent))
    rows = []
    for brief in briefs:  # a digest: every item's mentions, each with its brief's id
        for m in lib.mentions(brief):
            row = _mention_json(lib.glossary, brief, m)
            if len(briefs) > 1:
                row["brief"] = brief.id
            rows.append(row)
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        say("no actor mentions found")
    for r in rows:
        span = f"{r['start']:>6}-{r['end']:<6}"
        say(f"{span} {r['section']:<8} {r['kind']:<13} {r['actor']}  “{r['text']}”")
    return 0


def cmd_glossary(args: argparse.Namespace) -> int:
    lib = _open_library(args)
    _ensure_indexed(lib, args)
    counts = lib.actor_counts()
    actors = sorted(lib.glossary.actors.values(), key=lambda a: (a.kind, a.name.lower()))
    if args.json:
        _print_json(
            [
                {
                    "id": a.id,
                    "name": a.name,
                    "kind": a.kind,
                    "aliases": list(a.aliases),
                    "description": a.description,
                    "match_case": a.match_case,
                    "briefs": counts.get(a.id, 0),
                }
                for a in actors
            ]
        )
        return 0
    kind = None
    for a in actors:
        if a.kind != kind:
            kind = a.kind
            say(f"\n{kind.upper()}")
        aliases = f" ({', '.join(a.aliases)})" if a.aliases else ""
        say(f"  {a.name}{aliases}: {counts.get(a.id, 0)} briefs")
    return 0


# -- the user's own layer ------------------------------------------------------------------


def _open_userdata(lib: Library) -> UserData:
    """The user's database; a damaged or too-new one was moved aside: say so on stderr."""
    ud = UserData.open(lib.data_dir)
    for notice in ud.notices:
        say(f"briefreader: {notice}", file=sys.stderr)
    return ud


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    """A saved search's filters as the window keeps them too (``--since 2019`` is kept as
    ``2019-01-01``, ``--until 2019`` as ``2019-12-31``)."""
    since = _parse_date(args.since)
    until = _parse_date(args.until, end=True)
    out: dict[str, Any] = {
        "actors": list(args.actor),
        "sources": list(args.source),
        "tags": list(args.tag),
        "years": sorted(set(args.year)),
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
    }
    return {k: v for k, v in out.items() if v}


def _note_json(note: Note, state: str, ud: UserData) -> dict[str, Any]:
    return {
        "id": note.id,
        "brief_id": note.brief_id,
        "kind": "highlight" if note.is_highlight else "note",
        "text": note.body,
        "section": note.section,
        "start": note.start,
        "end": note.end,
        "quote": note.quote,
        "sha256": note.sha256,
        "state": state,
        "old_text": ud.snapshot(note.sha256) if state == CHANGED else None,
        "created": note.created,
        "updated": note.updated,
    }


def cmd_note_add(args: argparse.Namespace) -> int:
    text = " ".join(args.text)
    if not text.strip():
        args.usage_error("the note is empty: give its text")
    lib = _open_library(args)
    _ensure_indexed(lib, args)
    brief = lib.brief(args.ref)
    with _open_userdata(lib) as ud:
        note = ud.add_note(brief, text)
        if args.json:
            _print_json(_note_json(note, "current", ud))
        else:
            say(f"note {note.id} added to {brief.id}")
    return 0


_STATE_WORDS = {
    "current": "",
    "changed": " [the brief changed since this note]",
    "missing": " [the brief is no longer in the library]",
}


def cmd_notes(args: argparse.Namespace) -> int:
    from briefreader.core.userlayer import notes_with_state

    lib = _open_library(args)
    if args.set_aside or args.merge:
        return _notes_set_aside(lib, args)
    with _open_userdata(lib) as ud:
        rows = notes_with_state(lib, ud, " ".join(args.words))
        if args.json:
            _print_json([_note_json(n, state, ud) for n, state in rows])
            return 0
        if not rows:
            say("no notes")
        for n, state in rows:
            where = f" {n.section} {n.start}-{n.end} “{n.quote}”" if n.is_highlight else ""
            say(f"{n.id}. {n.brief_id}{where}{_STATE_WORDS[state]}")
            say(f"   {n.body}" if n.body else "   (highlight without a note)")
    return 0


def _notes_set_aside(lib: Library, args: argparse.Namespace) -> int:
    """List the notes databases set aside (damaged or too new), or merge one back."""
    from briefreader.core.userdata_rescue import merge_set_aside, set_aside_databases

    found = set_aside_databases(lib.data_dir)
    if args.merge:
        target = Path(args.merge).expanduser()
        if not target.is_absolute() and not target.exists():
            target = lib.data_dir / args.merge
        with _open_userdata(lib) as ud:
            report = merge_set_aside(ud, target)
        if args.json:
            _print_json({"merged": str(target), "notes": report.notes, "saved": report.saved,
                         "stars": report.stars, "labels": report.labels,
                         "skipped": report.skipped, "problems": report.problems})  # fmt: skip
            return 0
        say(
            f"merged {target.name}: {report.notes} notes, {report.saved} saved searches, "
            f"{report.stars} stars, {report.labels} labels ({report.skipped} already here "
            "or unreadable)"
        )
        for problem in report.problems:
            say(f"  could not read: {problem}")
        return 0
    if args.json:
        _print_json([{"file": s.path.name, "reason": s.reason, "when": s.when,
                      "notes": s.notes, "saved": s.saved, "problem": s.problem}
                     for s in found])  # fmt: skip
        return 0
    if not found:
        say("no notes database has been set aside")
    for s in found:
        extra = f"; {s.problem}" if s.problem else ""
        say(f"{s.path.name} ({s.reason}, {s.when or 'unknown time'}): {s.notes} notes, "
              f"{s.saved} saved searches readable{extra}")  # fmt: skip
    if found:
        say("merge one back with: briefreader notes --merge FILE")
    return 0


def _saved_rows(lib: Library, ud: UserData, kind: str | None) -> list[dict[str, Any]]:
    from briefreader.core.userlayer import statuses

    return [
        {
            "name": st.saved.name,
            "kind": st.saved.kind,
            "query": st.saved.query,
            "filters": st.saved.filters,
            "sort": st.saved.sort,
            "total": st.total,
            "new": len(st.new),
            "new_ids": st.new,
            "seen_at": st.saved.seen_at,
            "created": st.saved.created,
        }
        for st in statuses(lib, ud, kind)
    ]


def _print_saved(rows: list[dict[str, Any]], empty: str) -> None:
    """One line each, worded as the window's watchlist words it."""
    from briefreader.core.userdata import Saved
    from briefreader.core.userlists import saved_summary

    if not rows:
        say(empty)
    for r in rows:
        saved = Saved(r["name"], r["kind"], r["query"], r["filters"], r["sort"])
        what = " · ".join(saved_summary(saved))
        say(f"{r['name']}: {what} · {counted(r['total'], 'brief')} · {r['new']} new")


def cmd_saved(args: argparse.Namespace) -> int:
    lib = _open_library(args)
    _ensure_indexed(lib, args)
    with _open_userdata(lib) as ud:
        rows = _saved_rows(lib, ud, None)
    if args.json:
        _print_json(rows)
    else:
        _print_saved(rows, "no saved searches")
    return 0


def cmd_saved_add(args: argparse.Namespace) -> int:
    from briefreader.core.userlayer import add_saved
    from briefreader.core.userlists import NOT_SAVABLE, savable

    query = " ".join(args.query)
    if not query.strip():
        args.usage_error("the query is empty: give the words to search for")
    if not savable(query):
        raise CliError(NOT_SAVABLE)
    lib = _open_library(args)
    _ensure_indexed(lib, args)
    with _open_userdata(lib) as ud:
        saved = add_saved(lib, ud, args.name, query, _filters(args), args.sort)
        rows = [r for r in _saved_rows(lib, ud, None) if r["name"] == saved.name]
    if args.json:
        _print_json(rows[0])
    else:
        say(f"saved “{saved.name}”: {counted(rows[0]['total'], 'brief')}, all seen")
    return 0


def cmd_saved_seen(args: argparse.Namespace) -> int:
    from briefreader.core.userlayer import mark_seen

    lib = _open_library(args)
    _ensure_indexed(lib, args)
    with _open_userdata(lib) as ud:
        mark_seen(lib, ud, args.name)
        rows = [r for r in _saved_rows(lib, ud, None) if r["name"] == args.name]
    if args.json:
        _print_json(rows[0])
    else:
        say(f"“{args.name}” marked seen")
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from briefreader.core.userlayer import watch

    lib = _open_library(args)
    _ensure_indexed(lib, args)
    with _open_userdata(lib) as ud:
        if args.actor:
            saved = watch(lib, ud, args.actor)
            if not args.json:
                say(f"watching {saved.name} (mark it seen with: briefreader saved seen NAME)")
        rows = _saved_rows(lib, ud, "actor")
    if args.json:
        _print_json(rows)
    elif not args.actor:
        _print_saved(rows, "no watched actors")
    return 0


def cmd_star(args: argparse.Namespace) -> int:
    lib = _open_library(args)
    with _open_userdata(lib) as ud:
        if args.ref:
            _ensure_indexed(lib, args)
            brief_id = lib.brief(args.ref).id
            ud.set_star(brief_id, not args.off)
            if not args.json:
                say(f"{'unstarred' if args.off else 'starred'} {brief_id}")
        starred = ud.starred()
    if args.json:
        _print_json({"starred": starred})
    elif not args.ref:
        say("\n".join(starred) if starred else "no starred briefs")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from briefreader.core.userexport import (
        export_rows,
        render_export,
        saved_export,
        starred_export,
    )

    query = " ".join(args.query)
    chosen = sum(1 for x in (query.strip(), args.saved, args.starred) if x)
    if chosen == 0:
        args.usage_error("give the words to search for, --saved NAME or --starred")
    if chosen > 1:
        args.usage_error("give one of: a query, --saved NAME, --starred")
    lib = _open_library(args)
    _ensure_indexed(lib, args)
    if args.saved or args.starred:
        with _open_userdata(lib) as ud:
            if args.saved:
                text, n = saved_export(lib, ud, args.saved, args.format)
            else:
                text, n = starred_export(lib, ud, args.format)
    else:
        everything = args.limit or max(1, lib.doc_count())
        res = _user_search(lib, args, query, limit=everything, facets=False)
        with _open_userdata(lib) as ud:
            text = render_export(export_rows(lib, ud, res.hits), args.format, query)
        n = len(res.hits)
    if args.out:
        from briefreader.core.atomic import write_text_atomic

        write_text_atomic(Path(args.out).expanduser(), text)
        if not args.quiet:
            say(f"{counted(n, 'brief')} exported to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(terminal_text(text))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    lib = _open_library(args)
    with _open_userdata(lib) as ud:
        ud.backup(Path(args.file).expanduser())
    say(f"notes, saved searches and stars backed up to {args.file}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    lib = _open_library(args)
    with _open_userdata(lib) as ud:
        kept = ud.restore(Path(args.file).expanduser())
    say(f"restored from {args.file}; what it replaced is kept in {kept}")
    return 0


def _actor_page_json(lib: Library, page: Any) -> dict[str, Any]:
    """``briefreader actor --json``: a stable shape, documented in the README."""
    name, kind, _description = lib.glossary.describe(page.actor_id)
    return {
        "actor": {"id": page.actor_id, "name": name, "kind": kind},
        "briefs": page.briefs,
        "timeline": [
            {"month": m.month, "briefs": m.briefs, "article": m.article, "comment": m.comment}
            for m in page.timeline
        ],
        "company": [
            {
                "id": c.actor_id,
                "name": lib.glossary.describe(c.actor_id)[0],
                "briefs": c.briefs,
                "score": c.score,
            }
            for c in page.company
        ],
        "comments": [
            {
                "id": c.id,
                "date": _date(c.date),
                "title": c.title,
                "text": c.text,
                "start": c.start,
                "end": c.end,
            }
            for c in page.comments
        ],
        "comment_only": page.comment_only,
        "article_only": page.article_only,
    }


def cmd_actor(args: argparse.Namespace) -> int:
    """One actor across the corpus: by month, in whose company, what the analysts said."""
    lib = _open_library(args)
    _ensure_indexed(lib, args)
    try:
        page = lib.actor_page(args.name, company_limit=args.company)
    except KeyError:
        raise CliError(f"no actor called “{args.name}” in the glossary") from None
    data = _actor_page_json(lib, page)
    if args.dossier:
        from briefreader.core.dossier import DossierHead, write_dossier

        name, kind, _description = lib.glossary.describe(page.actor_id)
        write_dossier(Path(args.dossier), DossierHead.of(name, kind, page), page.comments)
    if args.json:
        _print_json(data)
        return 0
    actor = data["actor"]
    say(f"{actor['name']} ({actor['kind']}): {counted(page.briefs, 'brief')}")
    say(
        f"named in the comment but not the article: {page.comment_only};"
        f" in the article but not the comment: {page.article_only}"
    )
    if page.timeline:
        say("\nBY MONTH  (briefs: named in the article / in the comment)\n")
        widest = max(m.briefs for m in page.timeline)
        for m in page.timeline:
            bar = "#" * max(1, round(20 * m.briefs / widest))
            say(f"  {m.month or 'no date':<8} {m.briefs:>4}  {bar:<20} {m.article}/{m.comment}")
    if data["company"]:
        say("\nIN THE COMPANY OF  (briefs together, score)\n")
        for c in data["company"]:
            say(f"  {c['name']}: {c['briefs']} ({c['score']:.2f})")
    if page.comments:
        say("\nWHAT THE ANALYSTS SAID\n")
        for c in page.comments:
            say(f"  {_date(c.date) or 'no date'} · {c.title} ({c.id})")
            say(f"    “{c.text}”")
    return 0


def cmd_candidates(args: argparse.Namespace) -> int:
    """Names that recur across the corpus but are in no glossary: actors to add."""
    lib = _open_library(args)
    _ensure_indexed(lib, args)
    found = lib.candidates(min_briefs=args.min_briefs)
    if args.json:
        _print_json(
            [
                {
                    "name": c.name,
                    "briefs": c.briefs,
                    "mentions": c.mentions,
                    "example": {"id": c.example_id, "text": c.example},
                }
                for c in found
            ]
        )
        return 0
    if not found:
        say(f"no name outside the glossary recurs in {args.min_briefs} briefs or more")
    for c in found:
        say(f"{c.name}: {counted(c.briefs, 'brief')}, {counted(c.mentions, 'mention')}")
        say(f"    {c.example_id}: “{c.example}”")
    return 0


def cmd_app(args: argparse.Namespace) -> int:
    """The window; imported here so that the command line never loads Qt."""
    from briefreader.ui import app

    return int(app.run(args))


# -- main ----------------------------------------------------------------------------------

COMMANDS = (
    "index", "search", "show", "actors", "glossary",
    "note", "notes", "saved", "watch", "star", "export", "backup", "restore",
)  # fmt: skip


#: The actor workbench's commands (issue 15).
COMMANDS += ("actor", "candidates")
#: The team archive (issue 17).
COMMANDS += ("archive",)


def _add_common(p: argparse.ArgumentParser, default: Any) -> None:
    p.add_argument(
        "--data-dir",
        metavar="DIR",
        default=default,
        help="user data folder (default: $BRIEFREADER_DATA_DIR or the platform's)",
    )
    p.add_argument(
        "--glossary",
        metavar="FILE",
        action="append",
        default=default if default is not None else [],
        help="extra glossary merged over the bundled and user ones (repeatable)",
    )
    p.add_argument(
        "-q", "--quiet", action="store_true", default=default or False, help="no progress output"
    )
    p.add_argument(
        "-v", "--verbose", action="store_true", default=default or False, help="log what happens"
    )


def build_parser() -> argparse.ArgumentParser:
    """Every command and option; long, but a flat table of declarations reads best whole."""
    # Global options are accepted before and after the command. The copy on the commands
    # uses SUPPRESS defaults so that it does not reset what was given before the command
    # (argparse applies a subparser's defaults over the main parser's values).
    common = argparse.ArgumentParser(add_help=False)
    _add_common(common, argparse.SUPPRESS)

    parser = argparse.ArgumentParser(
        prog="briefreader",
        usage="%(prog)s [options] [FOLDER | FILE]\n       %(prog)s [options] COMMAND ...",
        description="Read and search analyst briefs offline. With no command, open the "
        "window: on FOLDER (a folder of briefs) or on FILE (one brief) if given.",
    )
    _add_common(parser, None)
    parser.add_argument("--version", action="version", version=f"briefreader {__version__}")
    parser.add_argument(
        "--screenshot",
        metavar="FILE",
        help="open the window, render it to a PNG once indexing is done, and exit",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="check this installation: index the sample corpus, search, open a brief "
        "offscreen in a temporary data folder, print each step, and exit",
    )
    parser.add_argument("--query", metavar="Q", help="window: start with this search")
    parser.add_argument("--open", metavar="ID", help="window: start with this brief open")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", prog="briefreader")
    sub.required = False

    p = sub.add_parser("index", parents=[common], help="build or update the index")
    p.add_argument(
        "corpus", nargs="*", help="corpus folders (default: the last ones, else the sample corpus)"
    )
    p.add_argument("--rebuild", action="store_true", help="throw the index away and build it anew")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--progress-json",
        action="store_true",
        help='progress as JSON lines {"done", "total"}, then {"report": ...} (for the window)',
    )
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", parents=[common], help="search the indexed briefs")
    p.add_argument("query", nargs="+")
    p.add_argument("--limit", type=_count_arg, default=10, metavar="N")
    p.add_argument("--sort", choices=SORTS, default=SORTS[0])
    _add_filters(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search, usage_error=p.error)

    p = sub.add_parser("show", parents=[common], help="show one brief")
    p.add_argument("ref", metavar="ID|PATH")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("actors", parents=[common], help="actor mentions in one brief file")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_actors)

    p = sub.add_parser("glossary", parents=[common], help="the merged glossary with counts")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_glossary)

    p = sub.add_parser("actor", parents=[common], help="one actor across the indexed briefs")
    p.add_argument("name", metavar="NAME", help="any name or alias of a glossary actor")
    p.add_argument(
        "--company", type=_count_arg, default=25, metavar="N", help="list N companions (25)"
    )
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--dossier", metavar="FILE", help="also save the analysts' sentences as Markdown"
    )
    p.set_defaults(func=cmd_actor)

    p = sub.add_parser(
        "candidates", parents=[common], help="recurring names that are in no glossary"
    )
    p.add_argument(
        "--min-briefs", type=_count_arg, default=3, metavar="N", help="in N briefs at least (3)"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_candidates)
    _add_user_commands(sub, common)
    archive_cli.install(sub, common)
    return parser


def _add_filters(p: argparse.ArgumentParser, *, years: bool = False) -> None:
    """The search filters, shared by ``search``, ``saved add`` and ``export``; ``years``:
    also ``--year`` (the window's Years filter, which a saved search keeps)."""
    p.add_argument(
        "--actor",
        action="append",
        default=[],
        metavar="NAME",
        help="only briefs mentioning this actor (repeatable)",
    )
    p.add_argument("--source", action="append", default=[], metavar="NAME")
    p.add_argument("--tag", action="append", default=[], metavar="TAG")
    p.add_argument("--since", type=_date_arg, metavar="DATE", help="YYYY, YYYY-MM or YYYY-MM-DD")
    p.add_argument("--until", type=_date_arg, metavar="DATE", help="YYYY, YYYY-MM or YYYY-MM-DD")
    if years:
        p.add_argument(
            "--year",
            action="append",
            default=[],
            type=_year_arg,
            metavar="YYYY",
            help="only briefs of this year (repeatable: any of them)",
        )


def _add_user_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """note, notes, saved, watch, star, export, backup, restore: the user's own layer."""
    p = sub.add_parser("note", parents=[common], help="add a note to a brief")
    notes_sub = p.add_subparsers(dest="note_command", metavar="ACTION", prog="briefreader note")
    notes_sub.required = True
    q = notes_sub.add_parser("add", parents=[common], help="a note on a whole brief")
    q.add_argument("ref", metavar="ID")
    q.add_argument("text", nargs="+", metavar="TEXT")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_note_add, usage_error=q.error)

    p = sub.add_parser("notes", parents=[common], help="your notes, flagged if the brief changed")
    p.add_argument("words", nargs="*", metavar="WORD", help="only notes with all these words")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--set-aside", action="store_true", help="notes databases set aside (damaged, too new)"
    )
    p.add_argument("--merge", metavar="FILE", help="merge a set-aside database's notes back")
    p.set_defaults(func=cmd_notes)

    p = sub.add_parser("saved", parents=[common], help="saved searches and what is new in them")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_saved)
    saved_sub = p.add_subparsers(dest="saved_command", metavar="ACTION", prog="briefreader saved")
    saved_sub.required = False
    q = saved_sub.add_parser("add", parents=[common], help="save a search")
    q.add_argument("name", metavar="NAME")
    q.add_argument("query", nargs="+", metavar="QUERY")
    q.add_argument("--sort", choices=SORTS, default=SORTS[0])
    _add_filters(q, years=True)
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_saved_add, usage_error=q.error)
    q = saved_sub.add_parser("seen", parents=[common], help="mark a saved search as seen")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_saved_seen)

    p = sub.add_parser("watch", parents=[common], help="watch an actor (no ACTOR: the watchlist)")
    p.add_argument("actor", nargs="?", metavar="ACTOR", help="any name or alias")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_watch)

    p = sub.add_parser("star", parents=[common], help="star a brief (no ID: the starred)")
    p.add_argument("ref", nargs="?", metavar="ID")
    p.add_argument("--off", action="store_true", help="take the star away")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_star)

    p = sub.add_parser("export", parents=[common], help="export a result list with your notes")
    p.add_argument("query", nargs="*", metavar="QUERY")
    p.add_argument("--saved", metavar="NAME", help="what this saved search (or actor) finds")
    p.add_argument("--starred", action="store_true", help="the starred briefs, newest first")
    p.add_argument("--format", choices=("csv", "md", "json"), required=True)
    p.add_argument("--out", metavar="FILE", help="write here (default: stdout)")
    p.add_argument("--limit", type=_count_arg, metavar="N", help="at most N (default: all)")
    p.add_argument("--sort", choices=SORTS, default=SORTS[0])
    _add_filters(p, years=True)
    p.set_defaults(func=cmd_export, usage_error=p.error)

    p = sub.add_parser("backup", parents=[common], help="copy your notes database to FILE")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", parents=[common], help="replace your notes database by FILE")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_restore)


#: Top-level options that take a value: the word after them is not the FOLDER or FILE.
_VALUE_OPTIONS = frozenset({"--data-dir", "--glossary", "--screenshot", "--query", "--open"})


def _split_target(argv: list[str], commands: Sequence[str]) -> tuple[list[str], str | None]:
    """Take a FOLDER or FILE given instead of a command out of ``argv`` (the window opens it).

    Document readers open what they are given (``briefreader ~/briefs``, ``briefreader
    x.md``); argparse cannot tell such a path from a mistyped command, so it is found here.
    """
    skip = False
    for i, word in enumerate(argv):
        if skip:
            skip = False
            continue
        if word == "--":
            return argv, None
        if word.startswith("-"):
            skip = word in _VALUE_OPTIONS
            continue
        if word in commands:
            return argv, None
        return argv[:i] + argv[i + 1 :], word
    return argv, None


def _check_window_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Usage mistakes of the window's options, caught before a window opens (exit 2)."""
    target = getattr(args, "target", None)
    if target is not None:
        path = Path(target).expanduser()
        if not path.exists():
            parser.error(f"no such folder or file: {target}")
        suffixes = readable_suffixes()
        if path.is_file() and path.suffix.lower() not in suffixes:
            parser.error(f"not a brief: {target} (briefreader reads {', '.join(suffixes)})")
    if args.screenshot:
        folder = Path(args.screenshot).expanduser().resolve().parent
        if not folder.is_dir():
            parser.error(f"--screenshot: no such folder: {folder}")


def _quiet_closed_pipe() -> int:
    """stdout's reader went away (``| head``): stop quietly, as other command line tools do.

    Python would otherwise report the failed flush of stdout once more at exit.
    """
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 0


class _TerminalFormatter(logging.Formatter):
    """Log lines name files and briefs: their control characters are shown escaped."""

    def format(self, record: logging.LogRecord) -> str:
        return terminal_text(super().format(record))


def main(argv: Sequence[str] | None = None) -> int:
    """The ``briefreader`` command: a subcommand, or the window (on a folder or a brief)."""
    raw = list(argv if argv is not None else sys.argv[1:])
    # Problems reach the user as printed lines; the log is for -v only.
    verbose = "-v" in raw or "--verbose" in raw
    to_stderr = logging.StreamHandler()
    to_stderr.setFormatter(_TerminalFormatter("%(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR, handlers=[to_stderr])
    parser = build_parser()
    raw, target = _split_target(raw, COMMANDS)
    args = parser.parse_args(raw)
    args.target = target
    if args.command is None and args.smoke:
        from briefreader.ui.smoke import run_smoke

        return run_smoke()
    try:
        if args.command is None:
            _check_window_args(parser, args)
            return cmd_app(args)
        return int(args.func(args))
    except BrokenPipeError:
        return _quiet_closed_pipe()
    except (
        CliError,
        BriefError,
        IndexBusyError,
        IndexDamagedError,
        UserDataError,
        ArchiveError,
    ) as exc:
        say(f"briefreader: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        say(
            f"briefreader: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        say("briefreader: interrupted", file=sys.stderr)
        return 130
