"""The fields a query names and how values of the metadata fields are compared, for both
stores."""

from __future__ import annotations

#: User-facing field names -> index fields.
FIELD_ALIASES = {
    "title": "title",
    "article": "article",
    "comment": "comment",
    "actor": "actors",
    "actors": "actors",
    # Actor ids as indexed, by section (the actor workbench's "named in the comment only").
    "actors_article": "actors_article",
    "actors_comment": "actors_comment",
    "source": "source",
    "tag": "tags",
    "tags": "tags",
    "date": "date",
}


def fold_field(value: str) -> str:
    """A source or tag as the index keeps it: commas as spaces, blanks run together, lower case."""
    return " ".join(value.replace(",", " ").split()).lower()
