"""The plain records that cross from the index to the front ends (no Whoosh here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

#: The orders a search can be listed in, with the words a front end shows for them.
SORT_LABELS = {"relevance": "Relevance", "newest": "Newest", "oldest": "Oldest"}
SORTS = tuple(SORT_LABELS)


class IndexBusyError(RuntimeError):
    """Another process is writing this index; the caller should wait or work read-only."""


class IndexDamagedError(RuntimeError):
    """The index files cannot be read; the caller may move them aside and rebuild."""


@dataclass(frozen=True, slots=True)
class IndexDoc:
    """One brief as the index stores it (built by the library from a parsed Brief)."""

    key: str  # absolute path of the file: unique across corpus folders
    id: str
    title: str
    article: str
    comment: str
    actors: tuple[str, ...]
    source: str
    tags: tuple[str, ...]
    date: dt.date | None
    size: int
    mtime_ns: int
    sha256: str
    has_comment: bool = True
    warnings: tuple[str, ...] = ()
    #: The actors found in each section (``actors`` is their union, most mentioned first).
    actors_article: tuple[str, ...] = ()
    actors_comment: tuple[str, ...] = ()
    #: Where the comment starts in the brief's decoded text (None: no comment), so that
    #: offsets into the stored comment become offsets into the brief without re-reading it.
    comment_start: int | None = None
    #: For a file that holds several briefs (a digest, a mailbox): the file's own id and
    #: content hash, and how many briefs it gave. All its briefs share ``key`` (the file),
    #: so a change of the file replaces them all at once.
    file_id: str = ""
    file_sha256: str = ""
    items: int = 1
    #: The reader versions its file was read with (core.formats.reader_stamp).
    reader: str = ""


@dataclass(frozen=True, slots=True)
class WrittenFile:
    """A file whose briefs a reading worker has written into a segment of its own (a bulk
    build: index/shard.py): what the updating process records of it (its manifest entry)
    and counts (its ``items`` briefs, for the build's batches)."""

    key: str
    size: int
    mtime_ns: int
    file_sha256: str
    file_id: str
    warnings: tuple[str, ...]
    items: int
    reader: str = ""  # the reader versions it was read with (core.formats.reader_stamp)


@dataclass(frozen=True, slots=True)
class Snippet:
    """A short passage around the best hits: ``marks`` are (start, end) offsets into ``text``."""

    section: str
    text: str
    marks: tuple[tuple[int, int], ...]

    def to_html(self) -> str:
        import html as _html

        out: list[str] = []
        pos = 0
        for start, end in self.marks:
            out.append(_html.escape(self.text[pos:start]))
            out.append('<b class="hit">' + _html.escape(self.text[start:end]) + "</b>")
            pos = end
        out.append(_html.escape(self.text[pos:]))
        return "".join(out)

    def to_terminal(self, bold: str = "\x1b[1m", reset: str = "\x1b[0m") -> str:
        out: list[str] = []
        pos = 0
        for start, end in self.marks:
            out.append(self.text[pos:start])
            out.append(bold + self.text[start:end] + reset)
            pos = end
        out.append(self.text[pos:])
        return "".join(out)


@dataclass(frozen=True, slots=True)
class Hit:
    key: str
    id: str
    title: str
    date: dt.date | None
    source: str
    tags: tuple[str, ...]
    actors: tuple[str, ...]
    score: float
    snippet: Snippet | None
    tier: int = 1  # 1: all the words; 2: only some of them
    #: The article's other places (ids of briefs holding the same article, folded into this
    #: result), best first.
    copies: tuple[str, ...] = ()


@dataclass(slots=True)
class SearchResults:
    query: str
    hits: list[Hit]
    total: int
    total_all_words: int
    offset: int
    sort: str
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None
    notices: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: False only when the search was stopped (``partial``): ``total`` and
    #: ``total_all_words`` then count what was found so far. Otherwise every match is counted.
    exact: bool = True
    #: True when the time limit stopped the search: the hits found so far, maybe not the best.
    partial: bool = False
    #: Briefs left out as copies of an article listed under another of its places.
    folded: int = 0


@dataclass(frozen=True, slots=True)
class Filters:
    """What a search is narrowed to (actor ids, sources, tags, a date range, years)."""

    actors: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None
    years: tuple[int, ...] = ()
    #: Brief ids left out (copies of an article listed once, under another of its places).
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MonthCount:
    """Briefs of one month naming an actor; ``month`` is "YYYY-MM", or None for undated
    briefs. ``article`` and ``comment`` count those naming it in that section."""

    month: str | None
    briefs: int
    article: int
    comment: int


@dataclass(frozen=True, slots=True)
class Company:
    """An actor sharing briefs with another: ``briefs`` shared, ``score`` how much more
    often than their frequencies alone would have them meet (shared x log of the lift)."""

    actor_id: str
    briefs: int
    score: float


@dataclass(frozen=True, slots=True)
class CommentSentence:
    """A sentence of an analyst comment; ``start``/``end`` are offsets into the brief's
    decoded text, so ``brief.text[start:end] == text``; ``marks`` are the (start, end) of
    the actor's mentions within ``text``."""

    id: str
    date: dt.date | None
    title: str
    text: str
    start: int
    end: int
    marks: tuple[tuple[int, int], ...] = ()


@dataclass(slots=True)
class ActorPage:
    """What the index knows about one actor (the actor workbench)."""

    actor_id: str
    briefs: int
    timeline: list[MonthCount]
    company: list[Company]
    comments: list[CommentSentence]
    comment_only: int
    article_only: int
    #: Briefs naming both of two leading companions (and the actor): (id, id, briefs), for
    #: a small graph of who meets whom around the actor.
    links: list[tuple[str, str, int]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A name that recurs across the corpus but is in no glossary: a glossary entry to be."""

    name: str
    briefs: int
    mentions: int
    example_id: str
    example: str
