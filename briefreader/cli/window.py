"""No command: the window, on a FOLDER or FILE if one is given; ``--screenshot`` renders it to
a PNG and exits, ``--smoke`` checks the installation. Qt is imported only when the window is
opened, so that the commands never load it."""

from __future__ import annotations

import argparse
from collections.abc import Collection
from pathlib import Path

from briefreader.core.briefdocs import is_readable, readable_suffixes


def add_options(parser: argparse.ArgumentParser) -> None:
    """The window's options, on the main parser (a command does not take them)."""
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


#: Top-level options that take a value: the word after them is not the FOLDER or FILE.
VALUE_OPTIONS = frozenset({"--data-dir", "--glossary", "--screenshot", "--query", "--open"})


def split_target(argv: list[str], commands: Collection[str]) -> tuple[list[str], str | None]:
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
            skip = word in VALUE_OPTIONS
            continue
        if word in commands:
            return argv, None
        return argv[:i] + argv[i + 1 :], word
    return argv, None


def check_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Usage mistakes of the window's options, caught before a window opens (exit 2)."""
    target = getattr(args, "target", None)
    if target is not None:
        path = Path(target).expanduser()
        if not path.exists():
            parser.error(f"no such folder or file: {target}")
        suffixes = readable_suffixes()
        if path.is_file() and not is_readable(path):
            parser.error(f"not a brief: {target} (briefreader reads {', '.join(suffixes)})")
    if args.screenshot:
        folder = Path(args.screenshot).expanduser().resolve().parent
        if not folder.is_dir():
            parser.error(f"--screenshot: no such folder: {folder}")


def run_app(args: argparse.Namespace) -> int:
    """The window; imported here so that the command line never loads Qt."""
    from briefreader.ui import app

    return int(app.run(args))


def run_smoke() -> int:
    """``--smoke``: the installation's self-check (offscreen, in a temporary data folder)."""
    from briefreader.ui.smoke import run_smoke as smoke

    return smoke()
