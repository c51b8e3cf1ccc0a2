"""The user's own layer from the terminal: ``note``, ``notes``, ``saved``, ``watch``, ``star``,
``export``, ``backup`` and ``restore``, worded as the window words the same things."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from briefreader.cli.common import (
    CliError,
    SubParsers,
    add_filters,
    count_arg,
    ensure_indexed,
    open_library,
    open_userdata,
    parse_date,
    print_json,
    user_search,
)
from briefreader.core.library import Library
from briefreader.core.records import SORTS
from briefreader.core.safetext import say, terminal_text
from briefreader.core.userdata import CHANGED, Note, UserData
from briefreader.core.wording import counted


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """Add note, notes, saved, watch, star, export, backup and restore."""
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
    add_filters(q, years=True)
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
    p.add_argument("--limit", type=count_arg, metavar="N", help="at most N (default: all)")
    p.add_argument("--sort", choices=SORTS, default=SORTS[0])
    add_filters(p, years=True)
    p.set_defaults(func=cmd_export, usage_error=p.error)

    p = sub.add_parser("backup", parents=[common], help="copy your notes database to FILE")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", parents=[common], help="replace your notes database by FILE")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_restore)


def _saved_filters(args: argparse.Namespace) -> dict[str, Any]:
    """A saved search's filters as the window keeps them too (``--since 2019`` is kept as
    ``2019-01-01``, ``--until 2019`` as ``2019-12-31``)."""
    since = parse_date(args.since)
    until = parse_date(args.until, end=True)
    out: dict[str, Any] = {
        "actors": list(args.actor),
        "sources": list(args.source),
        "tags": list(args.tag),
        "years": sorted(set(args.year)),
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
    }
    return {k: v for k, v in out.items() if v}


# -- notes ---------------------------------------------------------------------------------


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
    lib = open_library(args)
    ensure_indexed(lib, args)
    brief = lib.brief(args.ref)
    with open_userdata(lib) as ud:
        note = ud.add_note(brief, text)
        if args.json:
            print_json(_note_json(note, "current", ud))
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

    lib = open_library(args)
    if args.set_aside or args.merge:
        return _notes_set_aside(lib, args)
    with open_userdata(lib) as ud:
        rows = notes_with_state(lib, ud, " ".join(args.words))
        if args.json:
            print_json([_note_json(n, state, ud) for n, state in rows])
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
        with open_userdata(lib) as ud:
            report = merge_set_aside(ud, target)
        if args.json:
            print_json({"merged": str(target), "notes": report.notes, "saved": report.saved,
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
        print_json([{"file": s.path.name, "reason": s.reason, "when": s.when,
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


# -- saved searches and the watchlist ------------------------------------------------------


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
    lib = open_library(args)
    ensure_indexed(lib, args)
    with open_userdata(lib) as ud:
        rows = _saved_rows(lib, ud, None)
    if args.json:
        print_json(rows)
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
    lib = open_library(args)
    ensure_indexed(lib, args)
    with open_userdata(lib) as ud:
        saved = add_saved(lib, ud, args.name, query, _saved_filters(args), args.sort)
        rows = [r for r in _saved_rows(lib, ud, None) if r["name"] == saved.name]
    if args.json:
        print_json(rows[0])
    else:
        say(f"saved “{saved.name}”: {counted(rows[0]['total'], 'brief')}, all seen")
    return 0


def cmd_saved_seen(args: argparse.Namespace) -> int:
    from briefreader.core.userlayer import mark_seen

    lib = open_library(args)
    ensure_indexed(lib, args)
    with open_userdata(lib) as ud:
        mark_seen(lib, ud, args.name)
        rows = [r for r in _saved_rows(lib, ud, None) if r["name"] == args.name]
    if args.json:
        print_json(rows[0])
    else:
        say(f"“{args.name}” marked seen")
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from briefreader.core.userlayer import watch

    lib = open_library(args)
    ensure_indexed(lib, args)
    with open_userdata(lib) as ud:
        if args.actor:
            saved = watch(lib, ud, args.actor)
            if not args.json:
                say(f"watching {saved.name} (mark it seen with: briefreader saved seen NAME)")
        rows = _saved_rows(lib, ud, "actor")
    if args.json:
        print_json(rows)
    elif not args.actor:
        _print_saved(rows, "no watched actors")
    return 0


# -- stars, export, backup -----------------------------------------------------------------


def cmd_star(args: argparse.Namespace) -> int:
    lib = open_library(args)
    with open_userdata(lib) as ud:
        if args.ref:
            ensure_indexed(lib, args)
            brief_id = lib.brief(args.ref).id
            ud.set_star(brief_id, not args.off)
            if not args.json:
                say(f"{'unstarred' if args.off else 'starred'} {brief_id}")
        starred = ud.starred()
    if args.json:
        print_json({"starred": starred})
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
    lib = open_library(args)
    ensure_indexed(lib, args)
    if args.saved or args.starred:
        with open_userdata(lib) as ud:
            if args.saved:
                text, n = saved_export(lib, ud, args.saved, args.format)
            else:
                text, n = starred_export(lib, ud, args.format)
    else:
        everything = args.limit or max(1, lib.doc_count())
        res = user_search(lib, args, query, limit=everything, facets=False)
        with open_userdata(lib) as ud:
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
    lib = open_library(args)
    with open_userdata(lib) as ud:
        ud.backup(Path(args.file).expanduser())
    say(f"notes, saved searches and stars backed up to {args.file}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    lib = open_library(args)
    with open_userdata(lib) as ud:
        kept = ud.restore(Path(args.file).expanduser())
    say(f"restored from {args.file}; what it replaced is kept in {kept}")
    return 0
