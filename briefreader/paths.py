"""The one place that knows where resources, the sample corpus and user data live.

Works the same from the source tree, an installed package and a PyInstaller bundle
(``sys._MEIPASS``), so nothing else in the code base computes a path to a bundled file.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

DATA_DIR_ENV = "BRIEFREADER_DATA_DIR"
APP_NAME = "briefreader"


def _bundle_root() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    # Source tree or editable install: resources/ and corpus/ sit beside the package.
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    """Folder holding glossary.toml, icons and stylesheets."""
    return _bundle_root() / "resources"


def bundled_glossary() -> Path:
    return resources_dir() / "glossary.toml"


def sample_corpus_dir() -> Path:
    """The sample briefs the app opens on first run."""
    return _bundle_root() / "corpus"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The user data folder: ``override``, else $BRIEFREADER_DATA_DIR, else the platform's.

    The folder is created on first use. Indexes, the user glossary and settings live here,
    never inside a corpus folder (which may be read-only).
    """
    if override:
        base = Path(override)
    elif os.environ.get(DATA_DIR_ENV):
        base = Path(os.environ[DATA_DIR_ENV])
    elif sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / APP_NAME
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support" / APP_NAME
    else:
        xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        base = Path(xdg) / APP_NAME
    base = base.expanduser()
    base.mkdir(parents=True, exist_ok=True)
    return base


def user_glossary(data: Path) -> Path:
    return data / "glossary.toml"


def index_dir(data: Path, corpora: list[Path]) -> Path:
    """One index per set of corpus folders, named by a hash of their resolved paths."""
    key = "\n".join(sorted(str(Path(c).resolve()) for c in corpora))
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
    return data / "indexes" / digest
