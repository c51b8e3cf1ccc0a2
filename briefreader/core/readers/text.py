"""Text briefs (.md, .markdown, .txt): the text parser as it always was, then digest splitting."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from briefreader.core import formats
from briefreader.core.digest import split_digest
from briefreader.core.parse import parse_bytes, read_brief_bytes
from briefreader.core.readers.common import FileRead

FORMAT = "text"
SUFFIXES = formats.SUFFIXES_BY_FORMAT[FORMAT]


def read_text_bytes(data: bytes, *, brief_id: str, file_id: str, path: Path) -> FileRead:
    """Parse a text brief's bytes; a digest becomes one brief per item."""
    brief = parse_bytes(data, brief_id=brief_id, path=path)
    if brief_id != file_id:
        brief = dataclasses.replace(brief, file_id=file_id)
    return FileRead(split_digest(brief), list(brief.warnings), FORMAT, brief.sha256)


def read(path: Path, *, file_id: str) -> FileRead:
    """Read a text brief from disk (at most MAX_BYTES)."""
    data = read_brief_bytes(path)
    result = read_text_bytes(data, brief_id=file_id, file_id=file_id, path=path)
    result.sha256 = hashlib.sha256(data).hexdigest()
    return result
