"""Reading the briefs from the terminal: ``search``, ``show``, ``actors`` (the mentions in one
file) and ``glossary``; each also reads a team archive with ``--archive URL``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from briefreader.cli.common import (
    CliError,
    SubParsers,
    add_archive_option,
    add_filters,
    count_arg,
    ensure_indexed,
    iso_date,
    open_library,
    print_json,
    user_search,
)
from briefreader.core.brief import Brief, provenance_line
from briefreader.core.briefdocs import briefs_of_file, is_readable, readable_suffixes, rel_id
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.match import Mention
from briefreader.core.records import SORTS, Hit, SearchResults, Snippet
from briefreader.core.safetext import say, terminal_text
from briefreader.core.wording import counted


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """Add ``search``, ``show``, ``actors`` and ``glossary``."""
    p = sub.add_parser("search", parents=[common], help="search the indexed briefs")
    p.add_argument("query", nargs="+")
    p.add_argument("--limit", type=count_arg, default=10, metavar="N")
    p.add_argument("--sort", choices=SORTS, default=SORTS[0])
    add_filters(p)
    p.add_argument("--json", action="store_true")
    add_archive_option(p)
    p.set_defaults(func=cmd_search, usage_error=p.error)

    p = sub.add_parser("show", parents=[common], help="show one brief")
    p.add_argument("ref", metavar="ID|PATH")
    p.add_argument("--json", action="store_true")
    add_archive_option(p)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("actors", parents=[common], help="actor mentions in one brief file")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--json", action="store_true")
    add_archive_option(p)
    p.set_defaults(func=cmd_actors)

    p = sub.add_parser("glossary", parents=[common], help="the merged glossary with counts")
    p.add_argument("--json", action="store_true")
    add_archive_option(p)
    p.set_defaults(func=cmd_glossary)


# -- output --------------------------------------------------------------------------------


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
        "date": iso_date(hit.date),
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


# -- commands ------------------------------------------------------------------------------


def cmd_search(args: argparse.Namespace) -> int:
    query = " ".join(args.query)
    if not query.strip():
        args.usage_error("the query is empty: give the words to search for")
    lib = open_library(args)
    ensure_indexed(lib, args)
    res = user_search(lib, args, query, limit=args.limit)
    if args.json:
        print_json(_results_json(lib, res))
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
        + (
            f"; {counted(res.folded, 'copy', 'copies')} listed under another place"
            if res.folded
            else ""
        )
    )
    for n, hit in enumerate(res.hits, 1):
        date = iso_date(hit.date) or "no date"
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


def cmd_show(args: argparse.Namespace) -> int:
    lib = open_library(args)
    path = Path(args.ref).expanduser()
    if not path.is_file():
        ensure_indexed(lib, args)
    brief = lib.brief(args.ref)
    mentions = lib.mentions(brief)
    if args.json:
        print_json(
            {
                "id": brief.id,
                "path": str(brief.path),
                "title": brief.title,
                "date": iso_date(brief.date),
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
    meta = " · ".join(x for x in (iso_date(brief.date), brief.source, ", ".join(brief.tags)) if x)
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
    lib = open_library(args)
    path = Path(args.path).expanduser()
    if not path.is_file():
        raise CliError(f"no such file: {args.path}")
    suffixes = readable_suffixes()
    if not is_readable(path):
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
        print_json(rows)
        return 0
    if not rows:
        say("no actor mentions found")
    for r in rows:
        span = f"{r['start']:>6}-{r['end']:<6}"
        say(f"{span} {r['section']:<8} {r['kind']:<13} {r['actor']}  “{r['text']}”")
    return 0


def cmd_glossary(args: argparse.Namespace) -> int:
    lib = open_library(args)
    ensure_indexed(lib, args)
    counts = lib.actor_counts()
    actors = sorted(lib.glossary.actors.values(), key=lambda a: (a.kind, a.name.lower()))
    if args.json:
        print_json(
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
