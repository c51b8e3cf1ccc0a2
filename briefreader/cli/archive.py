"""The team archive's own commands: ``briefreader archive init|status|pull|glossary``.

The other commands reach an archive through ``--archive URL`` (declared by each of them with
:func:`~briefreader.cli.common.add_archive_option`). The database driver is loaded only when
an archive is used.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from briefreader import paths
from briefreader.cli.common import SubParsers, add_archive_option, open_archive, print_json
from briefreader.core.safetext import say

if TYPE_CHECKING:
    from briefreader.core.archive.backend import ArchiveBackend
    from briefreader.core.library import Library


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """Add ``archive`` and its actions."""
    p = sub.add_parser("archive", parents=[common], help="the team archive (PostgreSQL)")
    asub = p.add_subparsers(dest="archive_command", metavar="ACTION", prog="briefreader archive")
    asub.required = True
    q = asub.add_parser("init", parents=[common], help="create or migrate an archive's schema")
    q.add_argument("url", metavar="URL")
    q.set_defaults(func=cmd_init)
    q = asub.add_parser("status", parents=[common], help="an archive's schema and brief count")
    add_archive_option(q, required=True)
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_status)
    q = asub.add_parser(
        "pull", parents=[common], help="copy the briefs a query finds into a local corpus folder"
    )
    add_archive_option(q, required=True)
    q.add_argument("query", nargs="+", metavar="QUERY")
    q.add_argument(
        "--into", metavar="FOLDER", help="local corpus folder (default: DATA_DIR/pulled)"
    )
    q.add_argument("--limit", type=int, default=100_000, metavar="N")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_pull)
    q = asub.add_parser("glossary", parents=[common], help="show or replace the team glossary")
    add_archive_option(q, required=True)
    q.add_argument("--set", metavar="FILE", help="replace the team glossary by this TOML file")
    q.set_defaults(func=cmd_team_glossary)


def cmd_init(args: argparse.Namespace) -> int:
    from briefreader.core.archive import connect
    from briefreader.core.archive.backend import init

    before, after = init(args.url)
    name = connect.describe(args.url)
    if before == after:
        say(f"{name}: schema {after}, nothing to do")
    else:
        say(f"{name}: schema {before} -> {after}")
    return 0


def _open(args: argparse.Namespace) -> tuple[Library, ArchiveBackend]:
    """The library over ``--archive URL``, and its archive (for the archive's own questions)."""
    lib = open_archive(args)
    if lib.archive is None:  # open_archive always gives one
        raise AssertionError("a library opened on an archive has one")
    return lib, lib.archive


def cmd_status(args: argparse.Namespace) -> int:
    from briefreader.core.archive.schema import SCHEMA_VERSION

    lib = open_archive(args)
    try:
        count = lib.doc_count()
    finally:
        lib.close()
    if args.json:
        print_json({"archive": lib.name, "schema": SCHEMA_VERSION, "briefs": count})
    else:
        say(f"{lib.name}: schema {SCHEMA_VERSION}, {count} briefs")
    return 0


def cmd_pull(args: argparse.Namespace) -> int:
    """Copy what a query finds into a local corpus folder, then index it locally."""
    from briefreader.core.library import Library

    query = " ".join(args.query)
    data = paths.data_dir(args.data_dir)
    dest = Path(args.into).expanduser() if args.into else data / "pulled"
    dest.mkdir(parents=True, exist_ok=True)
    lib, archive = _open(args)
    try:
        pulled = archive.pull(query, dest, limit=args.limit)
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
        print_json(
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
    lib, archive = _open(args)
    try:
        if args.set:
            text = Path(args.set).read_text("utf-8")
            archive.set_team_glossary(text)
            say(f"team glossary of {lib.name} replaced by {args.set}")
        else:
            toml = archive.team_glossary()
            say(toml if toml is not None else f"{lib.name} has no team glossary yet")
    finally:
        lib.close()
    return 0
