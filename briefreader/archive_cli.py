"""The command line's team archive (issue 17): ``--archive URL`` on index, search, show,
actors and glossary, and ``briefreader archive init|status|pull|glossary``.

Kept beside :mod:`briefreader.cli`, which installs it with one call, so that the archive's
commands read as one piece. The database driver is loaded only when an archive is used.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from briefreader import paths
from briefreader.core.safetext import say

#: The commands that take ``--archive``.
ARCHIVE_COMMANDS = ("index", "search", "show", "actors", "glossary")
_URL_HELP = (
    "search (or, with index, push to) this team archive: a postgresql:// URL or a service "
    "name; the password comes from PGPASSWORD, a service file or ~/.pgpass"
)


def install(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``--archive`` to the commands that take it, and the ``archive`` command."""
    for name in ARCHIVE_COMMANDS:
        p = sub.choices[name]
        p.add_argument("--archive", metavar="URL", help=_URL_HELP)
        if name == "index":
            p.set_defaults(func=_index_or_push(p.get_default("func")))

    p = sub.add_parser("archive", parents=[common], help="the team archive (PostgreSQL)")
    asub = p.add_subparsers(dest="archive_command", metavar="ACTION", prog="briefreader archive")
    asub.required = True
    q = asub.add_parser("init", parents=[common], help="create or migrate an archive's schema")
    q.add_argument("url", metavar="URL")
    q.set_defaults(func=cmd_init)
    q = asub.add_parser("status", parents=[common], help="an archive's schema and brief count")
    q.add_argument("--archive", metavar="URL", required=True, help=_URL_HELP)
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_status)
    q = asub.add_parser(
        "pull", parents=[common], help="copy the briefs a query finds into a local corpus folder"
    )
    q.add_argument("--archive", metavar="URL", required=True, help=_URL_HELP)
    q.add_argument("query", nargs="+", metavar="QUERY")
    q.add_argument(
        "--into", metavar="FOLDER", help="local corpus folder (default: DATA_DIR/pulled)"
    )
    q.add_argument("--limit", type=int, default=100_000, metavar="N")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_pull)
    q = asub.add_parser("glossary", parents=[common], help="show or replace the team glossary")
    q.add_argument("--archive", metavar="URL", required=True, help=_URL_HELP)
    q.add_argument("--set", metavar="FILE", help="replace the team glossary by this TOML file")
    q.set_defaults(func=cmd_team_glossary)


def _index_or_push(local: Callable[[argparse.Namespace], int]) -> Callable[..., int]:
    def run(args: argparse.Namespace) -> int:
        if getattr(args, "archive", None):
            return cmd_push(args)
        return local(args)

    return run


def wants_archive(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "archive", None))


def open_library(args: argparse.Namespace, corpora: Sequence[str] | None = None) -> Any:
    """The library over ``args.archive`` (briefreader.cli's ``_open_library`` for archives)."""
    from briefreader.cli import CliError
    from briefreader.core.archive.library import ArchiveLibrary

    chosen = None
    if corpora:
        chosen = [Path(c).expanduser().resolve() for c in corpora]
        for c in chosen:
            if not c.is_dir():
                raise CliError(f"corpus folder not found: {c}")
    lib = ArchiveLibrary.open_archive(
        args.archive, chosen, data_dir=args.data_dir, glossary_files=args.glossary
    )
    for problem in lib.glossary.problems:
        say(f"glossary: {problem}", file=sys.stderr)
    return lib


def cmd_push(args: argparse.Namespace) -> int:
    """``index --archive URL FOLDER...``: push the folders' briefs to the archive."""
    from briefreader import cli

    lib = open_library(args, args.corpus)
    progress = cli._progress_json() if args.progress_json else cli._progress_bar(args)
    try:
        report = lib.update(progress=progress)
    finally:
        lib.close()
    if args.json or args.progress_json:
        data = {"corpora": [str(c) for c in lib.corpora], "archive": lib.name, **report.to_json()}
        if args.progress_json:
            say(json.dumps({"report": data}), flush=True)
        else:
            cli._print_json(data)
        return 0
    say(f"{report.summary()} (pushed to {lib.name})")
    for p in report.skipped:
        say(f"  skipped {p}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from briefreader.core.archive import connect
    from briefreader.core.archive.library import init

    before, after = init(args.url)
    name = connect.describe(args.url)
    if before == after:
        say(f"{name}: schema {after}, nothing to do")
    else:
        say(f"{name}: schema {before} -> {after}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from briefreader import cli
    from briefreader.core.archive.schema import SCHEMA_VERSION

    lib = open_library(args)
    try:
        count = lib.doc_count()
    finally:
        lib.close()
    if args.json:
        cli._print_json({"archive": lib.name, "schema": SCHEMA_VERSION, "briefs": count})
    else:
        say(f"{lib.name}: schema {SCHEMA_VERSION}, {count} briefs")
    return 0


def cmd_pull(args: argparse.Namespace) -> int:
    """Copy what a query finds into a local corpus folder, then index it locally."""
    from briefreader import cli
    from briefreader.core.library import Library

    query = " ".join(args.query)
    data = paths.data_dir(args.data_dir)
    dest = Path(args.into).expanduser() if args.into else data / "pulled"
    dest.mkdir(parents=True, exist_ok=True)
    lib = open_library(args)
    try:
        pulled = lib.pull(query, dest, limit=args.limit)
    finally:
        lib.close()
    local = Library.open(None, data_dir=args.data_dir, glossary_files=args.glossary)
    corpora = [c for c in local.corpora if c != paths.sample_corpus_dir().resolve()]
    if dest.resolve() not in corpora:
        corpora.append(dest.resolve())
    local = Library(corpora, local.data_dir, local.glossary)
    report = local.update()
    local.remember_corpora()
    local.close()
    if args.json:
        cli._print_json(
            {
                "archive": lib.name,
                "folder": str(dest.resolve()),
                "pulled": len(pulled.written),
                "unchanged": pulled.unchanged,
                "renamed": [{"id": p.path, "reason": p.reason} for p in pulled.renamed],
                "skipped": [{"id": p.path, "reason": p.reason} for p in pulled.skipped],
                "index": report.to_json(),
            }  # fmt: skip
        )
        return 0
    say(
        f"{len(pulled.written)} briefs copied from {lib.name} into {dest.resolve()}"
        f" ({pulled.unchanged} already there)"
    )
    for p in pulled.renamed:
        say(f"  {p}")
    for p in pulled.skipped:
        say(f"  skipped {p}")
    say(report.summary())
    return 0


def cmd_team_glossary(args: argparse.Namespace) -> int:
    lib = open_library(args)
    try:
        if args.set:
            text = Path(args.set).read_text("utf-8")
            lib.set_team_glossary(text)
            say(f"team glossary of {lib.name} replaced by {args.set}")
        else:
            toml = lib.team_glossary()
            say(toml if toml is not None else f"{lib.name} has no team glossary yet")
    finally:
        lib.close()
    return 0
