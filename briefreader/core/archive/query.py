"""The query language of the README as parametrised SQL over the archive's tables.

What a user typed is first rewritten by the local query builder (user field names to index
fields, actor names to ``(words OR actors:ID)``, ``-word`` to ``NOT word``), then read here
into a small tree and compiled to a WHERE clause. User text never enters the SQL text: every
word travels as a parameter, as a tsquery built from quoted index words. No psycopg here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from briefreader.core.archive import analysis
from briefreader.core.querytext import MAX_QUERY_DEPTH, OPERATORS, QUERY_TOKEN, UNREADABLE_QUERY
from briefreader.core.search.limits import MAX_QUERY_CHARS, MAX_QUERY_TERMS, cut_notice
from briefreader.core.search.tiers import some_words

# -- the tree ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """Index words in some sections (``weights``: "ABC" for all): a word, a phrase, a prefix."""

    kind: str  # "word" | "phrase" | "all" (several words, anywhere) | "prefix"
    words: tuple[str, ...]
    weights: str = "ABC"


@dataclass(frozen=True, slots=True)
class Column:
    """An exact value of a metadata column: actors, sections' actors, source, tags."""

    column: str
    value: str


@dataclass(frozen=True, slots=True)
class Dates:
    low: dt.date | None
    high: dt.date | None


@dataclass(frozen=True, slots=True)
class Op:
    op: str  # "and" | "or" | "not"
    children: tuple[Node, ...]
    explicit: bool = False  # an AND the user typed


Node = Text | Column | Dates | Op
#: Every brief (an AND of nothing).
EVERY = Op("and", (), True)

_SECTIONS = {"title": "A", "article": "B", "comment": "C"}
#: Index field -> SQL for "this brief has the value %s" (fixed text: column names only).
_COLUMNS = {
    "actors": "b.actors @> ARRAY[%s]::text[]",
    "actors_article": "b.actors_article @> ARRAY[%s]::text[]",
    "actors_comment": "b.actors_comment @> ARRAY[%s]::text[]",
    "source": "b.source_key = %s",
    "tags": "b.tag_keys @> ARRAY[%s]::text[]",
}

_TOKENS = QUERY_TOKEN


class _TooDeep(Exception):
    """Brackets or NOTs nested past MAX_QUERY_DEPTH: the query is read as its words."""


class _Reader:
    """A recursive-descent reader of the rewritten query; on odd input it raises nothing
    but :class:`_TooDeep`, so that its recursion stays bounded."""

    def __init__(self, text: str, notices: list[str]) -> None:
        self.toks = [m for m in _TOKENS.finditer(text)]
        self.i = 0
        self.notices = notices
        self.depth = 0

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_QUERY_DEPTH:
            raise _TooDeep

    def peek(self) -> str | None:
        if self.i >= len(self.toks):
            return None
        m = self.toks[self.i]
        if m.group("word") in OPERATORS:
            return m.group("word")
        return ")" if m.group("rp") else "(" if m.group("lp") else "leaf"

    def read(self) -> Node | None:
        out: list[Node] = []
        while self.i < len(self.toks):
            node = self.read_or()
            if node is not None:
                out.append(node)
            if self.peek() == ")":  # a stray closing bracket: left out
                self.i += 1
        return _and(out, False)

    def read_or(self) -> Node | None:
        parts = [self.read_and()]
        while self.peek() == "OR":
            self.i += 1
            parts.append(self.read_and())
        kept: list[Node] = []
        for part in parts:
            if isinstance(part, Op) and part.op == "or":
                kept.extend(part.children)
            elif part is not None:
                kept.append(part)
        if len(kept) <= 1:
            return kept[0] if kept else None
        return Op("or", tuple(kept))

    def read_and(self) -> Node | None:
        parts: list[Node] = []
        explicit = False
        while True:
            tok = self.peek()
            if tok in (None, ")", "OR"):
                break
            if tok == "AND":
                explicit = True
                self.i += 1
                continue
            node = self.read_not()
            if node is not None:
                parts.append(node)
        return _and(parts, explicit)

    def read_not(self) -> Node | None:
        if self.peek() == "NOT":
            self.i += 1
            if self.peek() in (None, ")", "OR", "AND"):
                return None
            self.deeper()
            child = self.read_not()
            self.depth -= 1
            return Op("not", (child,)) if child is not None else None
        return self.read_atom()

    def read_atom(self) -> Node | None:
        m = self.toks[self.i]
        self.i += 1
        if m.group("lp"):
            self.deeper()
            node = self.read_or()
            self.depth -= 1
            if self.peek() == ")":
                self.i += 1
            return node
        if m.group("field"):
            return self.field(m.group("field"), m.group("fval") or "")
        if m.group("phrase") is not None:
            return _text(m.group("phrase").strip('"'), "ABC", phrase=True)
        return self.word(m.group("word"), "ABC")

    def word(self, raw: str, weights: str) -> Node | None:
        if "~" in raw:
            raw = raw.split("~", 1)[0]
            self.notices.append(
                f"“{raw}~”: the team archive has no fuzzy words; searched for the word as written"
            )
        if "*" in raw or "?" in raw:
            head = re.split(r"[*?]", raw, maxsplit=1)[0].lower()
            stems = analysis.TOKEN.findall(head)
            if not head and not re.search(r"\w", raw):
                return EVERY  # a bare "*": every brief, as the local index has it
            if not stems or len(stems[-1]) < 2:
                self.notices.append(f"“{raw}”: a wildcard needs two letters before it; left out")
                return None
            before = [_text(w, weights) for w in stems[:-1]]
            prefix = Text("prefix", (stems[-1],), weights)
            return _and([*(b for b in before if b is not None), prefix], False)
        return _text(raw, weights)

    def field(self, name: str, value: str) -> Node | None:
        name = name.lower()
        if name in _SECTIONS:
            weight = _SECTIONS[name]
            if value.startswith('"'):
                return _text(value.strip('"'), weight, phrase=True)
            if value.startswith("("):
                inner = value.strip("()")
                return _and([w for x in inner.split() if (w := self.word(x, weight))], False)
            return self.word(value, weight)
        if name in _COLUMNS:
            raw = value.strip("\"'()")
            return Column(name, raw) if raw else None
        if name == "date":
            bounds = date_bounds(value)
            if bounds is None:
                self.notices.append(f"“{value}” is not a date (use 2017, 2017-03 or 2017-03-05)")
                return None
            return Dates(*bounds)
        # Not a field of ours ("http://..."): its words.
        return _text(f"{name} {value}", "ABC", phrase=True)


def _text(raw: str, weights: str, phrase: bool = False) -> Text | None:
    """A quoted phrase, or a typed word; a word that is several index words ("high-speed")
    wants them all, anywhere (as the local parser reads it), not as a phrase."""
    stems = tuple(analysis.words(raw))
    if not stems:
        return None
    if len(stems) == 1:
        return Text("word", stems, weights)
    return Text("phrase" if phrase else "all", stems, weights)


def _and(parts: list[Node], explicit: bool) -> Node | None:
    """An AND of ``parts``, nested ANDs of the same kind flattened into it (as the local
    index normalises its trees: "(made using models) compare" is three words side by side,
    not a group and a word). A group of words that an explicit AND joins stays a group: it
    keeps its own some-words tier."""
    flat: list[Node] = []
    for part in parts:
        if isinstance(part, Op) and part.op == "and" and part.children:
            if part.explicit == explicit:
                flat.extend(part.children)
                continue
            if len(part.children) == 1:
                flat.append(part.children[0])
                continue
        flat.append(part)
    if not flat:
        return None
    if len(flat) == 1 and not explicit:
        return flat[0]
    return Op("and", tuple(flat), explicit)


def _day(text: str, end: bool) -> dt.date | None:
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text.strip())
    if not m:
        return None
    year = int(m.group(1))
    try:
        if m.group(3):
            return dt.date(year, int(m.group(2)), int(m.group(3)))
        if m.group(2):
            month = int(m.group(2))
            first = dt.date(year, month, 1)
            if not end:
                return first
            return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    except ValueError:
        return None


def date_bounds(value: str) -> tuple[dt.date | None, dt.date | None] | None:
    """``2017``, ``2017-03``, ``[2017-01 to 2017-06]`` (either end open), ``>2020``, ``<=2019``."""
    value = value.strip().strip("'\"")
    if value.startswith("["):
        inner = value.strip("[]")
        parts = re.split(r"(?:^|\s+)to(?:\s+|$)", inner.strip(), maxsplit=1, flags=re.I)
        if len(parts) == 1:
            parts = [parts[0], ""]
        low = _day(parts[0], False) if parts[0].strip() else None
        high = _day(parts[1], True) if parts[1].strip() else None
        if (parts[0].strip() and low is None) or (parts[1].strip() and high is None):
            return None
        return low, high
    m = re.fullmatch(r"([<>]=?)(.+)", value)
    if m:
        op, rest = m.groups()
        # As the local index reads them: ">2020" and ">=2020" both include 2020, "<2017"
        # and "<=2017" both include 2017 (a bound names a whole period).
        day = _day(rest, op.startswith("<"))
        if day is None:
            return None
        return (day, None) if op.startswith(">") else (None, day)
    low, high = _day(value, False), _day(value, True)
    if low is None:
        return None
    return low, high


# -- to SQL --------------------------------------------------------------------------------


def tsquery(node: Text) -> str:
    """The tsquery input for a Text node, built from quoted index words only."""
    label = "" if node.weights == "ABC" else node.weights
    if node.kind == "prefix":
        return f"{analysis.quote(node.words[0])}:*{label}"
    suffix = f":{label}" if label else ""
    joiner = " & " if node.kind == "all" else " <-> "
    return joiner.join(f"{analysis.quote(w)}{suffix}" for w in node.words)


def to_sql(node: Node | None, params: list[object]) -> str:
    """A WHERE clause over ``briefs b`` for the tree; values appended to ``params``."""
    if node is None:
        return "TRUE"
    if isinstance(node, Text):
        params.append(tsquery(node))
        return "b.tsv @@ %s::tsquery"
    if isinstance(node, Column):
        params.append(node.value)
        return _COLUMNS[node.column]
    if isinstance(node, Dates):
        parts = []
        if node.low is not None:
            parts.append("b.date >= %s")
            params.append(node.low)
        if node.high is not None:
            parts.append("b.date <= %s")
            params.append(node.high)
        return "(" + " AND ".join(parts) + ")" if parts else "b.date IS NOT NULL"
    if node.op == "not":
        return f"NOT ({to_sql(node.children[0], params)})"
    if not node.children:
        return "TRUE" if node.op == "and" else "FALSE"
    joiner = " AND " if node.op == "and" else " OR "
    return "(" + joiner.join(to_sql(c, params) for c in node.children) + ")"


@dataclass(slots=True)
class Compiled:
    """A parsed query: the all-words and some-words trees, and what ranking needs."""

    strict: Node | None
    loose: Node | None
    #: (index word, weights) of the words the query looks for (marked, counted).
    terms: list[tuple[str, str]] = field(default_factory=list)
    #: Those of them typed as words, each ranked wherever it stands (BM25).
    plain: list[tuple[str, str]] = field(default_factory=list)
    #: (kind, index words, weights) of each phrase ("phrase") and each typed word that is
    #: several index words ("all"): ranked only where they stand together.
    groups: list[tuple[str, tuple[str, ...], str]] = field(default_factory=list)
    prefixes: list[tuple[str, str]] = field(default_factory=list)
    #: (column, value) of the metadata the query asks for (an actor, a source...): scored as
    #: the local index scores its keyword fields.
    columns: list[tuple[str, str]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    #: Whether an explicit AND or OR joins groups: the user spelled the query out.
    operators: bool = False


def _is_free(node: Node) -> bool:
    """A word or phrase the user typed (maybe widened to an actor), not a constraint."""
    if isinstance(node, Text):
        return True
    if isinstance(node, Op) and node.op == "or":
        return all(
            isinstance(c, Text) or (isinstance(c, Column) and c.column == "actors")
            for c in node.children
        ) and any(isinstance(c, Text) for c in node.children)
    return False


class _Shape:
    """The archive's query trees as the tiers see them (core/search/tiers.py): an AND the
    user did not type is words side by side; nested ORs are one OR."""

    def kind(self, node: Node) -> str:
        if not isinstance(node, Op):
            return "leaf"
        if node.op == "not":
            return "not"
        return "group" if node.op == "and" and not node.explicit else "other"

    def children(self, node: Node) -> tuple[Node, ...]:
        return node.children if isinstance(node, Op) else ()

    def is_free(self, node: Node) -> bool:
        return _is_free(node)

    def all_words(self, node: Node) -> Node:
        return node  # an AND of the archive's tree already wants all its words

    def rebuild(self, node: Node, children: list[Node]) -> Node:
        assert isinstance(node, Op)
        if node.op == "or":
            return self.any_of(children, node)
        return Op(node.op, tuple(children), node.explicit)

    def all_of(self, children: list[Node], like: Node | None) -> Node:
        return Op("and", tuple(children), isinstance(like, Op) and like.explicit)

    def any_of(self, children: list[Node], like: Node | None) -> Node:
        flat: list[Node] = []
        for child in children:
            flat.extend(child.children if isinstance(child, Op) and child.op == "or" else (child,))
        return Op("or", tuple(flat))


_SHAPE = _Shape()


def _loosen(node: Node | None) -> Node | None:
    """The some-words form of a tree, as the local index has it (core.search.tiers)."""
    return None if node is None else some_words(node, _SHAPE)


def _collect(node: Node | None, out: Compiled) -> None:
    if isinstance(node, Column):
        out.columns.append((node.column, node.value))
        return
    if node is None or isinstance(node, Dates):
        return
    if isinstance(node, Text):
        if node.kind == "prefix":
            out.prefixes.append((node.words[0], node.weights))
            return
        out.terms.extend((w, node.weights) for w in node.words)
        if node.kind == "word":
            out.plain.extend((w, node.weights) for w in node.words)
        else:
            out.groups.append((node.kind, node.words, node.weights))
        return
    if node.op == "not":
        return
    for child in node.children:
        _collect(child, out)


#: A pasted page is cut: at most this many characters and leaves.


def _leaves(node: Node | None) -> int:
    if node is None:
        return 0
    if isinstance(node, Op):
        return sum(_leaves(c) for c in node.children)
    return 1


def _words_only(text: str) -> str:
    """The query's words and phrases, without brackets, operators or filters (what the
    local search falls back to when Whoosh cannot read a query)."""
    kept = []
    for m in _TOKENS.finditer(text):
        word, name = m.group("word"), m.group("field")
        if m.group("lp") or m.group("rp") or word in OPERATORS:
            continue
        if name is not None and name.lower() in (*_COLUMNS, "date"):
            continue
        kept.append(m.group(0))
    return " ".join(kept)


def compile_query(
    rewritten: str, notices: list[str] | None = None, *, operators: bool = False
) -> Compiled:
    """Read a query (already rewritten by the local query builder, which puts the groups an
    explicit AND or OR joins in brackets) into SQL-ready trees; ``operators``: whether the
    typed query had such an AND or OR."""
    notes = list(notices or [])
    text = rewritten.replace("\x00", " ")
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.append(cut_notice(MAX_QUERY_CHARS, "characters"))
    try:
        tree = _Reader(text, notes).read()
    except _TooDeep:
        notes.append(UNREADABLE_QUERY)
        tree = _Reader(_words_only(text), notes).read()
    if _leaves(tree) > MAX_QUERY_TERMS and isinstance(tree, Op):
        tree = Op(tree.op, tree.children[:MAX_QUERY_TERMS], tree.explicit)
        notes.append(cut_notice(MAX_QUERY_TERMS, "terms"))
    # Every group of words wants all of them in the first tier, some in the second.
    loose = _loosen(tree)
    if loose == tree:
        loose = tree
    out = Compiled(tree, loose, notices=list(dict.fromkeys(notes)), operators=operators)
    _collect(tree, out)
    return out
