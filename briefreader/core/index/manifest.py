"""The manifest: each indexed file's size, mtime and hash, so that updates are cheap.

An unchanged corpus is re-checked with ``stat`` calls alone. The manifest is written after
each commit: if a crash loses it, the next update only redoes work, it never loses a brief.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefreader.core.atomic import write_text_atomic

#: The manifest's file in the index folder.
MANIFEST_NAME = "manifest.json"


@dataclass(slots=True)
class ManifestEntry:
    size: int
    mtime_ns: int
    sha256: str
    id: str
    warnings: tuple[str, ...] = ()
    items: int = 1  # briefs the file gave (a digest, a mailbox: several)
    #: The reader versions the file was read with (core.formats.reader_stamp); "" in an
    #: index made before they were kept, whose files the next update reads again.
    reader: str = ""


def write_json_atomic(path: Path, data: Any) -> None:
    """The index's own JSON files (manifest, checksums, meta) go through the user files'
    atomic writer: a crash leaves the old file or the new one, never half of one."""
    write_text_atomic(path, json.dumps(data, separators=(",", ":")))


def read_manifest(path: Path) -> dict[str, ManifestEntry]:
    """The manifest at ``path``; empty when missing or garbled (every brief is checked
    again, none is lost)."""
    try:
        raw = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict):
        return {}  # garbled: every brief is checked again, none is lost
    out: dict[str, ManifestEntry] = {}
    for key, val in raw.items():
        with contextlib.suppress(TypeError, ValueError, IndexError, KeyError):
            warnings = tuple(str(w) for w in val[4]) if len(val) > 4 else ()
            items = max(1, int(val[5])) if len(val) > 5 else 1
            reader = str(val[6]) if len(val) > 6 else ""
            out[key] = ManifestEntry(
                int(val[0]), int(val[1]), str(val[2]), str(val[3]), warnings, items, reader
            )
    return out


def save_manifest(path: Path, manifest: dict[str, ManifestEntry]) -> None:
    """Write ``manifest`` atomically (warnings, item counts and reader versions only where they
    say something, or where a later field needs their places)."""
    write_json_atomic(path, {k: _row(e) for k, e in manifest.items()})


def _row(e: ManifestEntry) -> list[Any]:
    row: list[Any] = [e.size, e.mtime_ns, e.sha256, e.id]
    if e.warnings or e.items != 1 or e.reader:
        row.append(list(e.warnings))
    if e.items != 1 or e.reader:
        row.append(e.items)
    if e.reader:
        row.append(e.reader)
    return row
