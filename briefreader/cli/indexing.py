"""``briefreader index``: build or update the local index, or with ``--archive URL`` push the
folders' briefs to a team archive. With ``--progress-json`` it is the window's indexer child.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

from briefreader.cli.common import (
    SubParsers,
    add_archive_option,
    open_archive,
    open_library,
    print_json,
    progress_bar,
    wants_archive,
)
from briefreader.core.extract import Part
from briefreader.core.library import UpdateReport
from briefreader.core.safetext import say


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """Add ``index``."""
    p = sub.add_parser("index", parents=[common], help="build or update the index")
    p.add_argument(
        "corpus", nargs="*", help="corpus folders (default: the last ones, else the sample corpus)"
    )
    p.add_argument("--rebuild", action="store_true", help="throw the index away and build it anew")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--progress-json",
        action="store_true",
        help='progress as JSON lines {"done", "total", "path"} (and "page", "pages" while a '
        'long PDF is read), then {"report": ...} (for the window)',
    )
    add_archive_option(p)
    p.set_defaults(func=cmd_index)


def cmd_index(args: argparse.Namespace) -> int:
    if wants_archive(args):
        return cmd_push(args)
    lib = open_library(args, args.corpus)
    try:
        if args.rebuild:
            lib.rebuild()
        if args.progress_json:
            _stop_cleanly_on_term()
        with _progress(args) as progress:
            report: UpdateReport = lib.update(progress=progress)
        lib.remember_corpora()
    finally:
        lib.close()
    if args.json or args.progress_json:
        data = {
            "corpora": [str(c) for c in lib.corpora],
            "index": str(lib.index.folder),
            **report.to_json(),
        }
        if args.progress_json:
            say(json.dumps({"report": data}), flush=True)
        else:
            print_json(data)
        return 0
    say(report.summary())  # says first why the index was rebuilt, if it was
    for p in report.skipped:
        say(f"  skipped {p}")
    for p in report.warnings:
        say(f"  warning {p}")
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    """``index --archive URL FOLDER...``: push the folders' briefs to the archive."""
    lib = open_archive(args, args.corpus)
    try:
        with _progress(args) as progress:
            report = lib.update(progress=progress)
    finally:
        lib.close()
    if args.json or args.progress_json:
        data = {"corpora": [str(c) for c in lib.corpora], "archive": lib.name, **report.to_json()}
        if args.progress_json:
            say(json.dumps({"report": data}), flush=True)
        else:
            print_json(data)
        return 0
    say(f"{report.summary()} (pushed to {lib.name})")
    for p in report.skipped:
        say(f"  skipped {p}")
    return 0


def _stop_cleanly_on_term() -> None:
    """On SIGTERM (the window closing) stop the update's helper processes too, then unwind.

    The reading workers and the segment writer's helper would wait for work forever once
    their parent is gone; they are ended here, and SystemExit lets the writer cancel and
    the lock be released.
    """
    import signal

    def stop(_signum: int, _frame: Any) -> None:
        import multiprocessing

        for child in multiprocessing.active_children():
            child.terminate()
        raise SystemExit(143)

    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, stop)


def _progress(args: argparse.Namespace) -> contextlib.AbstractContextManager[Any]:
    """The update's progress: JSON lines for the window, else a bar on a terminal."""
    if args.progress_json:
        return contextlib.nullcontext(_progress_json())
    return progress_bar(args)


def _progress_json(clock: Callable[[], float] = time.monotonic) -> Any:
    """One JSON object a line on stdout, at most ten a second: the window's indexer child.

    ``{"done", "total", "path"}``: file ``done`` of ``total`` is being read; while a long file
    is read, how far into it: ``"page"`` and ``"pages"`` for a PDF, ``"byte"`` and
    ``"bytes"`` for a mailbox (:func:`part_fields`). A file's first line after another's
    part is never dropped, so that the window never shows a file finished as being read."""
    state = {"last": float("-inf"), "part": False}

    def progress(done: int, total: int, path: str, part: Part | None = None) -> None:
        now = clock()
        if done >= total or now - state["last"] >= 0.1 or (state["part"] and part is None):
            state["last"] = now
            state["part"] = part is not None
            line: dict[str, Any] = {"done": done, "total": total, "path": path}
            if part is not None:
                line.update(part_fields(part))
            say(json.dumps(line), flush=True)

    return progress


def part_fields(part: Part) -> dict[str, int]:
    """A :class:`Part` as ``--progress-json`` says it: ``{"page": 412, "pages": 2000}``."""
    return {part.unit: part.done, f"{part.unit}s": part.total}
