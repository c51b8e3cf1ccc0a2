"""What the groups of commands share: the options every command takes, the argument types,
opening the library (local, or a team archive with ``--archive``) and the user's database,
printing JSON, and the error a command raises to end with one line on stderr.

The group modules import this one and never each other (an import-linter contract), so a
helper two groups need lives here.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from briefreader.core.extract import Part
from briefreader.core.library import Library
from briefreader.core.records import SearchResults
from briefreader.core.safetext import json_text, say, terminal_text
from briefreader.core.userdata import UserData


class CliError(Exception):
    """An error to print as one line on stderr (exit code 1)."""


class SubParsers(Protocol):
    """What a group of commands is given to add its commands to (argparse's sub-parsers)."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser: ...


# -- options -------------------------------------------------------------------------------


def add_common_options(p: argparse.ArgumentParser, default: Any) -> None:
    """``--data-dir``, ``--glossary``, ``-q`` and ``-v``: on the main parser (``default``
    None) and on every command (``argparse.SUPPRESS``, so as not to reset what was given
    before the command)."""
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


ARCHIVE_HELP = (
    "search (or, with index, push to) this team archive: a postgresql:// URL or a service "
    "name; the password comes from PGPASSWORD, a service file or ~/.pgpass"
)


def add_archive_option(p: argparse.ArgumentParser, *, required: bool = False) -> None:
    """``--archive URL``: a command that reads (or, ``index``, fills) a team archive says so
    in its own declaration; :func:`open_library` then opens the archive."""
    p.add_argument("--archive", metavar="URL", required=required, help=ARCHIVE_HELP)


def add_filters(p: argparse.ArgumentParser, *, years: bool = False) -> None:
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
    p.add_argument("--since", type=date_arg, metavar="DATE", help="YYYY, YYYY-MM or YYYY-MM-DD")
    p.add_argument("--until", type=date_arg, metavar="DATE", help="YYYY, YYYY-MM or YYYY-MM-DD")
    if years:
        p.add_argument(
            "--year",
            action="append",
            default=[],
            type=year_arg,
            metavar="YYYY",
            help="only briefs of this year (repeatable: any of them)",
        )


# -- argument types ------------------------------------------------------------------------


def parse_date(text: str | None, *, end: bool = False) -> dt.date | None:
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


def date_arg(text: str) -> str:
    """argparse type: a date checked while parsing, so a bad one is a usage error (exit 2)."""
    try:
        parse_date(text)
    except CliError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return text


def year_arg(text: str) -> int:
    """argparse type: a year of four digits (``--year``)."""
    if not (len(text) == 4 and text.isdigit()):
        raise argparse.ArgumentTypeError(f"not a year: {text!r} (use YYYY)")
    return int(text)


def count_arg(text: str) -> int:
    """argparse type: a whole number of at least 1 (``--limit``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


# -- the library ---------------------------------------------------------------------------


def wants_archive(args: argparse.Namespace) -> bool:
    """Whether the command was given ``--archive URL`` (only some commands take it)."""
    return bool(getattr(args, "archive", None))


def _corpus_folders(corpora: Sequence[str] | None) -> list[Path] | None:
    """The folders named on the command line, resolved; one that is not there is an error."""
    chosen: list[Path] | None = None
    if corpora:
        chosen = [Path(c).expanduser().resolve() for c in corpora]
        for c in chosen:
            if not c.is_dir():
                raise CliError(f"corpus folder not found: {c}")
    return chosen


def open_library(args: argparse.Namespace, corpora: Sequence[str] | None = None) -> Library:
    """The library on ``corpora``, else on the folders either front end remembered last;
    with ``--archive URL``, the team archive instead (:func:`open_archive`)."""
    if wants_archive(args):
        return open_archive(args, corpora)
    chosen = _corpus_folders(corpora)
    lib = Library.open(
        chosen, data_dir=args.data_dir, glossary_files=[Path(g) for g in args.glossary]
    )
    for problem in lib.glossary.problems:
        say(f"glossary: {problem}", file=sys.stderr)
    return lib


def open_archive(args: argparse.Namespace, corpora: Sequence[str] | None = None) -> Library:
    """The library over ``args.archive`` (its ``archive`` set); the database driver is loaded
    only then, when an archive is used."""
    chosen = _corpus_folders(corpora)
    lib = Library.open_archive(
        args.archive, chosen, data_dir=args.data_dir, glossary_files=args.glossary
    )
    for problem in lib.glossary.problems:
        say(f"glossary: {problem}", file=sys.stderr)
    return lib


def ensure_indexed(lib: Library, args: argparse.Namespace) -> None:
    """Build the index on first use, so that ``search`` works out of the box."""
    if lib.is_archive:  # a team archive is filled by pushes only
        return
    if lib.index.exists() and lib.doc_count() > 0:
        return
    with progress_bar(args) as progress:
        report = lib.update(progress=progress)
    if not args.quiet:
        say(report.summary(), file=sys.stderr)


#: A file's name on the progress bar's line: at most this many characters.
NAME_CHARS = 40


@contextlib.contextmanager
def progress_bar(args: argparse.Namespace) -> Iterator[ProgressBar | None]:
    """A bar on stderr for the update run within the block, when stderr is a terminal and
    not ``--quiet`` (else None); the bar goes when the block ends."""
    if args.quiet or not sys.stderr.isatty():
        yield None
        return
    bar = ProgressBar(sys.stderr)
    try:
        yield bar
    finally:
        bar.close()


class ProgressBar:
    """An update's progress as a tqdm bar: files read, and while a long file is read, its
    name and how far (``report.pdf, page 412 of 2000``) after it. Called as a
    :data:`~briefreader.core.library_update.ProgressFn` that takes a part."""

    def __init__(self, file: Any) -> None:
        self._file = file
        self._bar: Any = None
        self._told = False

    def __call__(self, done: int, total: int, path: str, part: Part | None = None) -> None:
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="file", file=self._file, leave=False)
        if part is not None:
            self._bar.set_postfix_str(part_text(Path(path).name, part))
            self._told = True
            return
        if self._told:  # that long file is read: its line goes
            self._bar.set_postfix_str("", refresh=False)
            self._told = False
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def part_text(name: str, part: Part) -> str:
    """How far into a long file its reader is: ``report.pdf, page 412 of 2000``; the name
    made safe for a terminal, and a long one cut in the middle (the line stays one line)."""
    if len(name) > NAME_CHARS:
        half = (NAME_CHARS - 1) // 2
        name = f"{name[:half]}…{name[-half:]}"
    return f"{terminal_text(name)}, {part.how_far()}"


# -- the user's own layer ------------------------------------------------------------------


def open_userdata(lib: Library) -> UserData:
    """The user's database; a damaged or too-new one was moved aside: say so on stderr."""
    ud = UserData.open(lib.data_dir)
    for notice in ud.notices:
        say(f"briefreader: {notice}", file=sys.stderr)
    return ud


def search_filters(args: argparse.Namespace) -> dict[str, Any]:
    """``--actor``, ``--source``, ``--tag``, ``--since``, ``--until`` (and ``--year`` where
    the command has it) as :meth:`Library.search` takes them."""
    return {
        "actors": args.actor,
        "sources": args.source,
        "tags": args.tag,
        "since": parse_date(args.since),
        "until": parse_date(args.until, end=True),
        "years": getattr(args, "year", None) or (),
    }


def user_search(
    lib: Library, args: argparse.Namespace, query: str, *, limit: int, facets: bool = True
) -> SearchResults:
    """``search`` and ``export``: the index's answer with the user's notes in it, as the
    window lists it (``note:word``, ``label:name``, and briefs only a note finds, last).
    A team archive's briefs are not the local notes' briefs: it answers alone."""
    from briefreader.core.userdata import DB_NAME
    from briefreader.core.userlists import savable, search_with_notes

    filters = search_filters(args)
    no_notes = not (lib.data_dir / DB_NAME).exists() and savable(query)  # never made one
    if lib.is_archive or no_notes:
        return lib.search(query, limit=limit, sort=args.sort, facets=facets, **filters)

    with open_userdata(lib) as ud:
        return search_with_notes(
            lib, ud, query, limit=limit, sort=args.sort, facets=facets, **filters
        )


# -- output --------------------------------------------------------------------------------


def iso_date(value: dt.date | None) -> str | None:
    """A date as JSON and the listings show it (``YYYY-MM-DD``), or None."""
    return value.isoformat() if value else None


def print_json(data: Any) -> None:
    """``--json`` output: one document on stdout, its text made safe by ``json_text``."""
    sys.stdout.write(json_text(data) + "\n")
