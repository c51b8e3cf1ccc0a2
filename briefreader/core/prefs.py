"""The user's choices that every front end shares, in one small JSON file in the data folder.

``briefreader index ~/briefs`` and the window remember the corpus folders here, so the
window opens on the folders the command line indexed last, and the other way round. Layout
state that only the window cares about (geometry, splitters, theme) stays in the window's
own settings file, also in the data folder.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefreader.core.atomic import write_text_atomic

log = logging.getLogger(__name__)

PREFS_FILE = "preferences.json"
#: Where the command line kept the corpus folders before there was one store for both.
LEGACY_CLI_FILE = "cli.json"


@dataclass(slots=True)
class Preferences:
    """The remembered corpus folders, loaded from and saved to ``folder/preferences.json``."""

    folder: Path
    corpora: list[Path] = field(default_factory=list)
    #: The bound of the search's postings cache, in MB ("cache_mb"); None: the default
    #: (``$BRIEFREADER_CACHE_MB``, when set, wins over both).
    cache_mb: float | None = None
    #: Follow symbolic links that lead out of a corpus folder ("follow_outside_links"); off
    #: by default, so a link in a shared folder cannot bring the rest of the disk in.
    follow_outside_links: bool = False

    @property
    def path(self) -> Path:
        return self.folder / PREFS_FILE

    @classmethod
    def load(cls, folder: Path) -> Preferences:
        """What was saved in ``folder``; an old ``cli.json`` is taken over once.

        A missing or unreadable file gives empty preferences: they are a convenience, and a
        damaged file must not stop the program.
        """
        prefs = cls(Path(folder))
        data = _read_json(prefs.path)
        legacy = prefs.folder / LEGACY_CLI_FILE
        if data is None and (data := _read_json(legacy)) is not None:
            prefs._take(data)
            prefs.save()
            legacy.unlink(missing_ok=True)
            log.info("corpus folders taken over from %s", legacy)
        elif data is not None:
            prefs._take(data)
        return prefs

    def _take(self, data: dict[str, Any]) -> None:
        raw = data.get("corpora", [])
        if isinstance(raw, list):
            self.corpora = [Path(p) for p in raw if isinstance(p, str)]
        self.follow_outside_links = data.get("follow_outside_links") is True
        mb = data.get("cache_mb")
        if isinstance(mb, int | float) and not isinstance(mb, bool) and mb >= 0:
            self.cache_mb = float(mb)
        elif mb is not None:
            log.warning("%s: cache_mb %r is not a number of MB; the default is used", self.path, mb)

    def existing_corpora(self) -> list[Path]:
        """The remembered folders that still exist (a removed USB disk is skipped)."""
        return [p for p in self.corpora if p.is_dir()]

    def remember_corpora(self, corpora: Sequence[Path]) -> None:
        """Save ``corpora`` as the folders to open next time (no write if they are the same)."""
        chosen = [Path(c) for c in corpora]
        if chosen == self.corpora and self.path.exists():
            return
        self.corpora = chosen
        self.save()

    def save(self) -> None:
        data: dict[str, Any] = {"corpora": [str(p) for p in self.corpora]}
        if self.cache_mb is not None:
            data["cache_mb"] = self.cache_mb
        if self.follow_outside_links:
            data["follow_outside_links"] = True
        text = json.dumps(data, indent=2) + "\n"
        write_text_atomic(self.path, text)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        log.warning("cannot read %s; starting from defaults", path, exc_info=True)
        return None
    return data if isinstance(data, dict) else None
