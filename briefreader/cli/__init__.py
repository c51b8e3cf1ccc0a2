"""Command line front end: index, search, show, actors, glossary, the user's notes and saved
searches; no command opens the app.

Output for people goes to stdout, errors to stderr as one plain line with a non-zero exit
code. ``--json`` output is a stable interface documented in the README. Everything printed
goes through :func:`briefreader.core.safetext.say` (or, JSON, :func:`json_text`): a brief's
title holding ``ESC [2J`` is shown as ``\\x1b[2J``, never obeyed by the terminal.

One module a group of commands, each adding its own commands with ``register(sub, common)``
(:data:`GROUPS` lists the modules, in the order ``--help`` lists their commands);
:mod:`~briefreader.cli.common` holds what they share, :mod:`~briefreader.cli.window` the
options of the window, which opens when no command is given.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Protocol

from briefreader import __version__
from briefreader.cli import archive, indexing, reading, user, window, workbench
from briefreader.cli.common import CliError, SubParsers, add_common_options
from briefreader.core.archive.errors import ArchiveError
from briefreader.core.brief import BriefError
from briefreader.core.records import IndexBusyError, IndexDamagedError
from briefreader.core.safetext import say, terminal_text
from briefreader.core.userdata import UserDataError

__all__ = ["GROUPS", "CliError", "build_parser", "main"]


class CommandGroup(Protocol):
    """A module of commands: it adds its commands, each with its options and ``func``."""

    def register(self, sub: SubParsers, common: argparse.ArgumentParser) -> None: ...


#: The groups of commands, in the order ``briefreader --help`` lists their commands. Nothing
#: else names a command: a group's module declares its own, and ``main`` asks the parser.
GROUPS: tuple[CommandGroup, ...] = (indexing, reading, workbench, user, archive)


def _build() -> tuple[argparse.ArgumentParser, tuple[str, ...]]:
    """The parser, and the names of its commands (which a FOLDER or FILE is told apart from)."""
    # Global options are accepted before and after the command. The copy on the commands
    # uses SUPPRESS defaults so that it does not reset what was given before the command
    # (argparse applies a subparser's defaults over the main parser's values).
    common = argparse.ArgumentParser(add_help=False)
    add_common_options(common, argparse.SUPPRESS)

    parser = argparse.ArgumentParser(
        prog="briefreader",
        usage="%(prog)s [options] [FOLDER | FILE]\n       %(prog)s [options] COMMAND ...",
        description="Read and search analyst briefs offline. With no command, open the "
        "window: on FOLDER (a folder of briefs) or on FILE (one brief) if given.",
    )
    add_common_options(parser, None)
    parser.add_argument("--version", action="version", version=f"briefreader {__version__}")
    window.add_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", prog="briefreader")
    sub.required = False
    for group in GROUPS:
        group.register(sub, common)
    return parser, tuple(sub.choices)


def build_parser() -> argparse.ArgumentParser:
    """Every command and option, each group's added by its own module."""
    return _build()[0]


class _TerminalFormatter(logging.Formatter):
    """Log lines name files and briefs: their control characters are shown escaped."""

    def format(self, record: logging.LogRecord) -> str:
        return terminal_text(super().format(record))


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


def main(argv: Sequence[str] | None = None) -> int:
    """The ``briefreader`` command: a subcommand, or the window (on a folder or a brief)."""
    raw = list(argv if argv is not None else sys.argv[1:])
    # Problems reach the user as printed lines; the log is for -v only.
    verbose = "-v" in raw or "--verbose" in raw
    to_stderr = logging.StreamHandler()
    to_stderr.setFormatter(_TerminalFormatter("%(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR, handlers=[to_stderr])
    parser, commands = _build()
    raw, target = window.split_target(raw, commands)
    args = parser.parse_args(raw)
    args.target = target
    if args.command is None and args.smoke:
        return window.run_smoke()
    try:
        if args.command is None:
            window.check_args(parser, args)
            return window.run_app(args)
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
