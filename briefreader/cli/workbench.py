"""The actor workbench from the terminal: ``actor`` (one actor across the corpus) and
``candidates`` (recurring names that no glossary has yet)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from briefreader.cli.common import (
    CliError,
    SubParsers,
    count_arg,
    ensure_indexed,
    iso_date,
    open_library,
    print_json,
)
from briefreader.core.library import NO_CANDIDATES, NO_WORKBENCH, Library
from briefreader.core.safetext import say
from briefreader.core.search.backend import ActorWorkbench
from briefreader.core.wording import counted


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """Add ``actor`` and ``candidates``."""
    p = sub.add_parser("actor", parents=[common], help="one actor across the indexed briefs")
    p.add_argument("name", metavar="NAME", help="any name or alias of a glossary actor")
    p.add_argument(
        "--company", type=count_arg, default=25, metavar="N", help="list N companions (25)"
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
        "--min-briefs", type=count_arg, default=3, metavar="N", help="in N briefs at least (3)"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_candidates)


def _workbench(lib: Library, absent: str) -> ActorWorkbench:
    """The library's actor workbench; a library without one (a team archive's) is an error
    saying ``absent``."""
    workbench = lib.workbench
    if workbench is None:
        raise CliError(absent)
    return workbench


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
                "date": iso_date(c.date),
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
    lib = open_library(args)
    ensure_indexed(lib, args)
    try:
        page = _workbench(lib, NO_WORKBENCH).actor_page(args.name, company_limit=args.company)
    except KeyError:
        raise CliError(f"no actor called “{args.name}” in the glossary") from None
    data = _actor_page_json(lib, page)
    if args.dossier:
        from briefreader.core.dossier import DossierHead, write_dossier

        name, kind, _description = lib.glossary.describe(page.actor_id)
        write_dossier(Path(args.dossier), DossierHead.of(name, kind, page), page.comments)
    if args.json:
        print_json(data)
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
            say(f"  {iso_date(c.date) or 'no date'} · {c.title} ({c.id})")
            say(f"    “{c.text}”")
    return 0


def cmd_candidates(args: argparse.Namespace) -> int:
    """Names that recur across the corpus but are in no glossary: actors to add."""
    lib = open_library(args)
    ensure_indexed(lib, args)
    found = _workbench(lib, NO_CANDIDATES).candidates(min_briefs=args.min_briefs)
    if args.json:
        print_json(
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
