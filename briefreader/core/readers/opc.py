"""The Open Packaging zip a Word file is: its parts, their content types, their relationships.

A package is opened as python-docx opened one (the Word reader used python-docx before, and
what it refused stays refused): every part reached through the relationships must be in the
zip and have a content type, and every relationships part met must be well-formed. Parts are
unpacked only when read, so a package's pictures and unused parts cost nothing.
"""

from __future__ import annotations

import lzma
import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from lxml import etree

# Blank text between tags dropped, entities left unresolved (and never fetched): the parser
# python-docx used, so that every part reads as it did.
PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)

# The word in brackets of the reason for a part whose root element is not the expected one:
# python-docx met those as an AttributeError and said so; an index keeps refused files'
# reasons, so they stay word for word.
UNEXPECTED = "AttributeError"

_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_UNPACK_ERRORS = (zlib.error, lzma.LZMAError, EOFError, NotImplementedError, RuntimeError)


class PackageError(Exception):
    """A package that cannot be read; the argument says why, in a few words."""


@dataclass(frozen=True, slots=True)
class _Relationship:
    id: str | None
    type: str | None
    target: str | None  # a part's name ("/word/styles.xml"); None for one outside the zip


class Package:
    """An open package's parts. Raises KeyError for a part that is missing or has no content
    type, lxml's XMLSyntaxError for a broken relationships or content types part, and
    :class:`PackageError` for one of an unexpected shape."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self._zf = zf
        self._names = set(zf.namelist())
        types = self.parse("/[Content_Types].xml")
        if types.tag != _TYPES + "Types":
            raise PackageError(UNEXPECTED)
        # Part names and extensions match whatever their case; of two entries the later wins.
        self._overrides = {
            _lower(o.get("PartName")): o.get("ContentType")
            for o in types.iterchildren(_TYPES + "Override")
        }
        self._defaults = {
            _lower(d.get("Extension")): d.get("ContentType")
            for d in types.iterchildren(_TYPES + "Default")
        }
        self._relationships: dict[str, list[_Relationship]] = {}
        self._walk()

    def _walk(self) -> None:
        """Every part reached from the package's relationships, depth first, in order."""
        self._relationships["/"] = self._read_relationships("/")
        seen: set[str] = set()
        pending = [iter(self._relationships["/"])]
        while pending:
            relationship = next(pending[-1], None)
            if relationship is None:
                pending.pop()
                continue
            part = relationship.target
            if part is None or part in seen:
                continue
            seen.add(part)
            self._relationships[part] = found = self._read_relationships(part)
            if part[1:] not in self._names:
                raise KeyError(f"no part {part} in the package")
            self.content_type(part)
            pending.append(iter(found))

    def _read_relationships(self, part: str) -> list[_Relationship]:
        folder, name = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", name + ".rels")
        if rels[1:] not in self._names:
            return []
        root = self.parse(rels)
        if root.tag != _RELATIONSHIPS + "Relationships":
            raise PackageError(UNEXPECTED)
        found = []
        for element in root.iterchildren(_RELATIONSHIPS + "Relationship"):
            target = element.get("Target")
            if element.get("TargetMode") == "External":
                target = None
            elif target is None:
                raise PackageError("a relationship without a target")
            else:
                target = posixpath.abspath(posixpath.join(folder, target))
            found.append(_Relationship(element.get("Id"), element.get("Type"), target))
        return found

    def content_type(self, part: str) -> str | None:
        """The part's content type: its own entry, else its extension's."""
        name = part.lower()
        if name in self._overrides:
            return self._overrides[name]
        extension = posixpath.splitext(name)[1][1:]
        if extension in self._defaults:
            return self._defaults[extension]
        raise KeyError(f"no content type for {part}")

    def related(self, source: str, relationship_type: str) -> str | None:
        """The part ``source`` (``"/"``: the package) relates to by this type, None if none.

        ValueError when there are several such relationships, or the one there has a target
        outside the package. Of two relationships with one id, the later counts.
        """
        by_id = {found.id: found for found in self._relationships.get(source, ())}
        found = [rel for rel in by_id.values() if rel.type == relationship_type]
        if not found:
            return None
        if len(found) > 1:
            raise ValueError(f"several relationships of type {relationship_type}")
        if found[0].target is None:
            raise ValueError(f"a relationship of type {relationship_type} leaves the package")
        return found[0].target

    def read(self, part: str) -> bytes:
        """The part's bytes; KeyError when the zip has no such entry."""
        try:
            return self._zf.read(part[1:])
        except _UNPACK_ERRORS:  # zipfile's BadZipFile (a bad checksum) goes up as it is
            raise PackageError(f"{part[1:]} cannot be unpacked") from None

    def parse(self, part: str) -> Any:
        """The part's root element."""
        return etree.fromstring(self.read(part), PARSER)


def _lower(name: str | None) -> str:
    if name is None:
        raise PackageError(UNEXPECTED)
    return name.lower()
