"""Candidate actors: names that recur across the corpus but are in no glossary.

Read from the stored articles and comments (never the files): runs of capitalised words
("Kataib Sayyid al-Shuhada"), dotted acronyms ("P.M.F.") and all-caps acronyms ("KSS"),
counted once a brief. Runs are found by one regular expression, so the lower-case bulk of
a text costs no Python code; what the glossary already names is cut out of each run (matched
on the run alone, once per distinct run), and a run loses its leading words that are only
capitalised because they start a sentence (words the corpus also writes in lower case) or
are function words ("The").
"""

from __future__ import annotations

import bisect
import itertools
import json
import logging
import pickle
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from briefreader.core import processes
from briefreader.core.atomic import write_text_atomic
from briefreader.core.index.snippets import SpanIndex
from briefreader.core.index.store import BriefIndex
from briefreader.core.records import Candidate
from briefreader.core.search.words import STOP_WORDS, TOKEN, written_in_lower_case
from briefreader.core.sentences import sentence_spans

log = logging.getLogger(__name__)

#: (start, end) of every glossary name found in a text.
FindNames = Callable[[str], list[tuple[int, int]]]

#: A word that may start a name: a dotted acronym, or a word with a capital first letter.
NAME_WORD = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_][\w'’-]*\w|[^\W\d_]", re.UNICODE)
#: Small words allowed inside a name ("Ministry of Interior", "Abu Mahdi al-Muhandis").
JOINERS = frozenset("of al el bin ibn bint abu de la du for".split())  # noqa: SIM905
#: Capitalised for the calendar, not because they name anyone.
_CALENDAR = frozenset(
    """
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    """.split()  # noqa: SIM905
)
#: Words never part of a name at a run's start or end (see _trim).
_COMMON = STOP_WORDS | JOINERS | _CALENDAR
#: Where the index's tokens split a word that a name's run keeps whole.
_JOINS = re.compile(r"[-'’]")
#: Every capital letter Python knows (a word is a name's if it starts with one).
_UPPER = "".join(re.escape(c) for c in map(chr, range(0x10000)) if c.isupper() and c.isalpha())
_CAP = rf"(?:(?:[A-Z]\.){{2,}}|[{_UPPER}][\w'’-]*\w|[{_UPPER}])"
_ALDASH = r"(?:al|el)-[\w'’-]*\w"
_JOIN = rf"(?:(?:of|al|el|bin|ibn|bint|abu|de|la|du|for)|{_ALDASH})"
#: A run of capitalised words, single spaces (or tabs) apart, small joiners allowed inside:
#: found by one regular expression, so the lower-case rest of a text costs no Python code.
#: It opens on a look-ahead for a capital: the engine then skips every other character at
#: once (twice as fast as opening on the look-behind).
_RUN = re.compile(
    rf"(?=[{_UPPER}])(?<![\w'’.-]){_CAP}(?:[ \t]+(?:{_JOIN}[ \t]+)*(?:{_CAP}|{_ALDASH}))*"
)
#: What may stand between a sentence's end and its first word.
_OPENERS = " \t\"'“‘([*_#>-"


@dataclass(slots=True)
class _Tally:
    name: str
    briefs: int = 0
    mentions: int = 0
    example_doc: int = -1
    example_at: int = 0
    last_doc: int = -1


def _at_sentence_start(text: str, start: int) -> bool:
    """Whether a run at ``start`` opens a sentence: only white space, quotes, brackets or
    list marks since the text's start, a blank line, or a ".", "!" or "?"."""
    i = start
    newlines = 0
    while i > 0 and (text[i - 1] in _OPENERS or text[i - 1] == "\n"):
        newlines += text[i - 1] == "\n"
        i -= 1
    return i == 0 or newlines >= 2 or text[i - 1] in ".!?"


class NamePieces:
    """The parts of a run that the glossary does not already name, as (offset, words):
    matched on the run alone (short, and the same runs recur), kept for the next time."""

    def __init__(self, find_names: FindNames) -> None:
        self._find = find_names
        self._seen: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        #: The pieces of a run already split (None if not yet).
        self.known = self._seen.get

    def __call__(self, run: str) -> list[tuple[int, tuple[str, ...]]]:
        found = self._seen.get(run)
        if found is None:
            found = self._seen[run] = self._split(run)
        return found

    def _split(self, run: str) -> list[tuple[int, tuple[str, ...]]]:
        # Each word asks the glossary's names by bisect: a loop over every name per word
        # made a run of 40,000 names ("Erbil Erbil ...") take half a minute.
        blocked = SpanIndex(self._find(run))
        out: list[tuple[int, tuple[str, ...]]] = []
        words: list[tuple[int, str]] = []

        def flush() -> None:
            while words and words[-1][1].lower() in JOINERS:
                words.pop()
            # A run of common words only ("The", "In May") is trimmed to nothing whatever
            # the segment's lower-case words (_trim): half of all pieces, dropped here once.
            if words and not all(w.lower() in _COMMON for _s, w in words):
                out.append((words[0][0], tuple(w for _s, w in words)))
            words.clear()

        for m in NAME_WORD.finditer(run):
            s, e, w = m.start(), m.end(), m.group()
            if blocked.meets(s, e):
                flush()
                continue
            if not words and not w[:1].isupper():
                continue
            words.append((s, w))
        flush()
        return out


def _lower_words(tokens: set[str]) -> set[str]:
    """The words written in lower case somewhere, from the texts' distinct tokens (the
    index's: :data:`TOKEN`'s, which split words at hyphens and apostrophes)."""
    return set(filter(written_in_lower_case, tokens))


def _written_lower(low: str, lower: set[str]) -> bool:
    """Whether the lower-cased word ``low`` is written in lower case somewhere: itself, or
    each of its parts when it is joined by hyphens or apostrophes ("pro-government" by
    "pro" and "government"; the index's tokens split there)."""
    if low in lower:
        return True
    if _JOINS.search(low) is None:
        return False
    parts = [p for p in _JOINS.split(low) if p]
    return bool(parts) and all(p in lower for p in parts)


def _trim(words: tuple[str, ...], at_sentence_start: bool, lower: set[str]) -> list[str]:
    """A run without its leading words that are not part of a name."""
    i = 0
    while i < len(words):
        low = words[i].lower()
        common = low in STOP_WORDS or low in JOINERS or low in _CALENDAR
        if not (common or (i == 0 and at_sentence_start and _written_lower(low, lower))):
            break
        i += 1
    rest = list(words[i:])
    if rest and rest[-1][-2:] in ("'s", "’s"):
        rest[-1] = rest[-1][:-2]
    while rest and (rest[-1].lower() in JOINERS or rest[-1].lower() in _CALENDAR):
        rest.pop()
    return rest


#: Where the last count is kept, in the index's folder, with what it was counted from.
CACHE_FILE = "candidates.json"
#: Bumped whenever the way names are found changes (an older cache is then ignored).
CACHE_VERSION = 3
#: An example offset not known (its brief was deleted since the segment was read).
_UNKNOWN = -(2**62)


def _index_state(ev: Any) -> str:
    """The index as the count saw it: each segment and its live briefs (any update,
    deletion or merge changes it)."""
    parts = []
    for leaf, _seg in ev.leaves:
        reader = leaf.reader()
        segment = reader.segment() if hasattr(reader, "segment") else None
        ident = segment.segment_id() if segment is not None else "?"
        parts.append(f"{ident}:{reader.doc_count()}")
    return "|".join(parts)


def _read_cache(path: Path) -> tuple[dict[str, Any], list[Candidate]] | None:
    """The key and the candidates of the last count kept at ``path``, if it reads."""
    try:
        data = json.loads(path.read_text("utf-8"))
        return dict(data["key"]), [Candidate(*row) for row in data["found"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _cached(path: Path, key: dict[str, Any]) -> list[Candidate] | None:
    kept = _read_cache(path)
    return kept[1] if kept is not None and kept[0] == key else None


def last_candidates(
    index: BriefIndex, glossary_key: str, min_briefs: int = 3
) -> tuple[list[Candidate], bool] | None:
    """The last count kept for ``min_briefs``, and whether it is still the index's and the
    glossary's (a window shows it at once, then counts again if it is not)."""
    kept = _read_cache(Path(index.folder) / CACHE_FILE)
    if kept is None or kept[0].get("min_briefs") != min_briefs:
        return None
    key = kept[0]
    current = key == {
        "version": CACHE_VERSION,
        "index": _index_state(index.evaluator()),
        "glossary": glossary_key,
        "min_briefs": min_briefs,
    }
    if key.get("version") != CACHE_VERSION:
        return None
    return kept[1], current


def candidates(
    index: BriefIndex,
    find_names: FindNames,
    is_known: Callable[[str], bool],
    min_briefs: int = 3,
    cancel: Callable[[], bool] | None = None,
    glossary_key: str | None = None,
) -> list[Candidate]:
    """Names in at least ``min_briefs`` briefs that the glossary does not know, commonest
    first, each with its number of mentions and one sentence it appears in.

    Counting reads every stored brief once (seconds to minutes on a large index). With a
    ``glossary_key`` (anything that changes with the glossary's names) the count is kept in
    the index's folder and given back at once until the index or the glossary changes; and
    each segment's runs are kept beside it (``candidates-SEGMENT.json``), so that after an
    update only the segments written since are read again.
    """
    ev = index.evaluator()
    key = None
    path = Path(index.folder) / CACHE_FILE
    if glossary_key is not None:
        key = {
            "version": CACHE_VERSION,
            "index": _index_state(ev),
            "glossary": glossary_key,
            "min_briefs": min_briefs,
        }
        found = _cached(path, key)
        if found is not None:
            return found
    folder = Path(index.folder) if glossary_key is not None else None
    out = _count(ev, find_names, is_known, min_briefs, cancel, folder, glossary_key)
    if key is not None and not (cancel is not None and cancel()):
        try:
            rows = [[c.name, c.briefs, c.mentions, c.example_id, c.example] for c in out]
            write_text_atomic(path, json.dumps({"key": key, "found": rows}, ensure_ascii=False))
        except OSError as exc:  # a cache only: the count stands without it
            log.warning("candidates not kept in %s: %s", path, exc)
    return out


@dataclass(slots=True)
class _SegmentCount:
    """One segment's runs, kept between counts: a segment never changes after it is
    written (but for deletions, filtered when the counts are added up)."""

    #: Words the segment writes in lower case.
    lower: set[str]
    #: (run's words, at a sentence start) -> (local docs, one a mention; first mention's
    #: doc and offset, the offset as -1 - offset in the comment).
    keys: dict[tuple[tuple[str, ...], bool], tuple[list[int], int, int]]
    complete: bool = True

    def to_json(self, ident: str, glossary_key: str) -> str:
        keys = [[list(w), f, docs, d, a] for (w, f), (docs, d, a) in self.keys.items()]
        return json.dumps(
            {
                "version": CACHE_VERSION,
                "segment": ident,
                "glossary": glossary_key,
                "lower": sorted(self.lower),
                "keys": keys,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str, ident: str, glossary_key: str) -> _SegmentCount | None:
        try:
            data = json.loads(text)
            if (data["version"], data["segment"], data["glossary"]) != (
                CACHE_VERSION,
                ident,
                glossary_key,
            ):
                return None
            keys = {
                (tuple(w), bool(f)): (list(docs), int(d), int(a))
                for w, f, docs, d, a in data["keys"]
            }
            return cls(set(data["lower"]), keys)
        except (ValueError, KeyError, TypeError):
            return None


class RunCounter:
    """One segment's lower-case words and runs by key, gathered a brief at a time (from
    its stored texts after a commit, or as a reading worker writes it: shard.py)."""

    def __init__(
        self, pieces: NamePieces, lower: Callable[[], set[str] | None] | None = None
    ) -> None:
        """``lower``: the words the segment's briefs write in lower case (their titles',
        articles' and comments' tokens), as their writer learnt them, asked at the count;
        without it, the texts' tokens are read here."""
        self.pieces = pieces
        self.lower = lower
        self.tokens: set[str] = set()
        self.runs: dict[tuple[tuple[str, ...], bool], tuple[list[int], int, int]] = {}

    def add(self, doc: int, article: str, comment: str, title: str = "") -> None:
        """The brief numbered ``doc`` in its segment, by its article and comment (and its
        title, whose words written in lower case count too)."""
        pieces, tokens, runs = self.pieces, self.tokens, self.runs
        if self.lower is None:
            for text in (title, article, comment):
                tokens.update(TOKEN.findall(text))
        known = pieces.known  # NamePieces' own memory, asked here first: a call less a run
        for section, text in (("article", article), ("comment", comment)):
            if not text:
                continue
            for m in _RUN.finditer(text):
                run = m.group()
                parts = known(run)
                if parts is None:
                    parts = pieces(run)
                if not parts:
                    continue
                start = m.start()
                for offset, words in parts:
                    at = start + offset
                    key = (words, offset == 0 and _at_sentence_start(text, at))
                    found = runs.get(key)
                    if found is None:
                        runs[key] = ([doc], doc, at if section == "article" else -1 - at)
                    else:
                        found[0].append(doc)

    def count(self, complete: bool = True) -> _SegmentCount:
        lower = _lower_words(self.tokens) if self.lower is None else (self.lower() or set())
        # A run that is no name even by this segment's own lower-case words is none by the
        # whole index's either (more such words only trim more): most runs, kept no further.
        kept = {k: v for k, v in self.runs.items() if _name_words(k, lower)}
        return _SegmentCount(lower, kept, complete)

    def keep(self, folder: Path, ident: str, glossary_key: str) -> bool:
        """Keep the count beside segment ``ident`` (as prepare_candidates() would)."""
        path = folder / f"candidates-{ident}.json"
        return _write_count(path, self.count(), ident, glossary_key)


def _scan(reader: Any, pieces: NamePieces, cancel: Callable[[], bool] | None) -> _SegmentCount:
    """Read one segment's stored texts: its lower-case words and its runs by key."""
    counter = RunCounter(pieces)
    for i, doc in enumerate(reader.all_doc_ids()):
        if cancel is not None and i % 256 == 0 and cancel():
            return counter.count(complete=False)
        stored = reader.stored_fields(doc)
        counter.add(
            doc, stored.get("article") or "", stored.get("comment") or "",
            stored.get("title") or "",
        )  # fmt: skip
    return counter.count()


#: What a scanning helper was given when it started (see prepare_candidates()).
_CHILD: tuple[FindNames, str] | None = None


def _start_scanner(find_names: FindNames, glossary_key: str) -> None:
    """A scanning helper's start: it ends with its parent and keeps what it was given (once
    a helper, not with every job: a large glossary's matcher is megabytes pickled)."""
    global _CHILD
    processes.die_with_parent()
    _CHILD = (find_names, glossary_key)


def _segment_ident(reader: Any) -> str:
    segment = reader.segment() if hasattr(reader, "segment") else None
    return str(segment.segment_id()) if segment is not None else ""


def _write_count(path: Path, count: _SegmentCount, ident: str, glossary_key: str) -> bool:
    try:
        write_text_atomic(path, count.to_json(ident, glossary_key))
    except OSError as exc:  # a cache only
        log.warning("a segment's candidates not kept in %s: %s", path, exc)
        return False
    return True


def _is_kept(path: Path, ident: str, glossary_key: str) -> bool:
    """Whether ``path`` holds this segment's count under this glossary, by its opening
    bytes only (a kept count is megabytes at 100,000 briefs; every update asks)."""
    head = json.dumps(
        {"version": CACHE_VERSION, "segment": ident, "glossary": glossary_key},
        ensure_ascii=False,
    )[:-1].encode("utf-8")
    try:
        with open(path, "rb") as fh:
            return fh.read(len(head) + 1) == head + b","
    except OSError:
        return False


def _scan_in_child(job: tuple[str, list[str]]) -> int:
    from whoosh import index as whoosh_index

    assert _CHILD is not None
    find_names, glossary_key = _CHILD
    folder, idents = job
    pieces = NamePieces(find_names)
    ix = whoosh_index.open_dir(folder)
    reader = ix.reader()
    done = 0
    try:
        for leaf, _offset in reader.leaf_readers():
            ident = _segment_ident(leaf)
            if ident in idents:
                path = Path(folder) / f"candidates-{ident}.json"
                done += _write_count(path, _scan(leaf, pieces, None), ident, glossary_key)
    finally:
        reader.close()
        ix.close()
    return done


def prepare_candidates(
    index: BriefIndex,
    find_names: FindNames,
    glossary_key: str,
    procs: int = 1,
    cancel: Callable[[], bool] | None = None,
) -> int:
    """Read the runs of each segment that has none kept under ``glossary_key``, so that
    the candidates list is a sum of kept counts by the time anyone asks for it (done after
    indexing, where the texts are read anyway: a bulk build's segments by ``procs`` helper
    processes, when ``find_names`` pickles). Returns how many segments were read."""
    ev = index.evaluator()
    folder = Path(index.folder)
    missing: list[tuple[str, Any]] = []
    for leaf, _seg in ev.leaves:
        reader = leaf.reader()
        ident = _segment_ident(reader)
        if not ident:
            continue
        if not _is_kept(folder / f"candidates-{ident}.json", ident, glossary_key):
            missing.append((ident, reader))
    ctx = processes.context() if procs > 1 and len(missing) > 1 else None
    if ctx is not None and ctx.get_start_method() != "fork" and not _pickles(find_names):
        log.debug("candidate names read in this process: %r does not pickle", find_names)
        ctx = None
    if ctx is not None:
        # Biggest first, dealt out in turn: the processes finish at about the same time.
        order = sorted(missing, key=lambda m: -m[1].doc_count_all())
        jobs = [(str(folder), [ident for ident, _r in order[i::procs]]) for i in range(procs)]
        pool = ctx.Pool(procs, initializer=_start_scanner, initargs=(find_names, glossary_key))
        try:
            pending = pool.map_async(_scan_in_child, [j for j in jobs if j[1]])
            while not pending.ready():
                if cancel is not None and cancel():
                    pool.terminate()  # each file is written whole or not at all
                    return 0
                pending.wait(0.2)
            return sum(pending.get())
        finally:
            pool.terminate()
            pool.join()
    pieces = NamePieces(find_names)
    done = 0
    for ident, reader in missing:
        if cancel is not None and cancel():
            break
        count = _scan(reader, pieces, cancel)
        if count.complete:
            done += _write_count(folder / f"candidates-{ident}.json", count, ident, glossary_key)
    return done


def _pickles(value: Any) -> bool:
    try:
        pickle.dumps(value)
    except (pickle.PicklingError, TypeError, AttributeError):
        return False
    return True


def _name_words(key: tuple[tuple[str, ...], bool], lower: set[str]) -> list[str]:
    """The words of the name a run gives, or [] for an ordinary word capitalised (a
    sentence's first, a heading)."""
    words, first = key
    name_words = _trim(words, first, lower)
    if len(name_words) == 1 and _written_lower(name_words[0].lower(), lower):
        return []
    return name_words


def _segments(
    ev: Any,
    folder: Path | None,
    find_names: FindNames,
    glossary_key: str | None,
    cancel: Callable[[], bool] | None,
) -> list[tuple[_SegmentCount, int, np.ndarray | None]]:
    """Each segment's count (from its file in ``folder`` when it was kept), its first
    document number and its deleted documents."""
    pieces = NamePieces(find_names)
    out: list[tuple[_SegmentCount, int, np.ndarray | None]] = []
    keep: set[str] = set()
    for leaf, seg in ev.leaves:
        reader = leaf.reader()
        segment = reader.segment() if hasattr(reader, "segment") else None
        ident = str(segment.segment_id()) if segment is not None else ""
        path = None
        count = None
        if folder is not None and ident and glossary_key is not None:
            path = folder / f"candidates-{ident}.json"
            try:
                count = _SegmentCount.from_json(path.read_text("utf-8"), ident, glossary_key)
            except OSError:
                count = None
        if count is None:
            count = _scan(reader, pieces, cancel)
            if path is not None and count.complete and glossary_key is not None:
                try:
                    write_text_atomic(path, count.to_json(str(ident), glossary_key))
                except OSError as exc:  # a cache only
                    log.warning("a segment's candidates not kept in %s: %s", path, exc)
        if path is not None:
            keep.add(path.name)
        out.append((count, int(seg.offset), seg.deleted))
        if not count.complete:
            break
    finished = len(out) == len(ev.leaves) and out[-1][0].complete if out else True
    if folder is not None and glossary_key is not None and finished:
        for old in folder.glob("candidates-*.json"):
            if old.name not in keep:
                old.unlink(missing_ok=True)  # a segment merged away
    return out


def _count(
    ev: Any,
    find_names: FindNames,
    is_known: Callable[[str], bool],
    min_briefs: int,
    cancel: Callable[[], bool] | None,
    folder: Path | None = None,
    glossary_key: str | None = None,
) -> list[Candidate]:
    counts = _segments(ev, folder, find_names, glossary_key, cancel)
    lower: set[str] = set().union(*(c.lower for c, _o, _d in counts))
    names: dict[tuple[tuple[str, ...], bool], str | None] = {}
    tallies: dict[str, _Tally] = {}
    docs_of: dict[str, set[int]] = {}
    for count, offset, deleted in counts:
        for key, (docs, ex_doc, ex_at) in count.keys.items():
            if key not in names:
                name_words = _name_words(key, lower)
                name: str | None = " ".join(name_words) if name_words else None
                if name is not None and (len(name) < 2 or is_known(name)):
                    name = None
                names[key] = name
            name = names[key]
            if name is None:
                continue
            live = docs if deleted is None else [d for d in docs if not deleted[d]]
            if not live:
                continue
            t = tallies.get(name)
            if t is None:
                t = tallies[name] = _Tally(name)
                docs_of[name] = set()
            t.mentions += len(live)
            docs_of[name].update(offset + d for d in live)
            first = offset + (ex_doc if ex_doc in live else live[0])
            if t.example_doc < 0 or first < t.example_doc:
                t.example_doc = first
                t.example_at = ex_at if ex_doc in live else _UNKNOWN
    for name, t in tallies.items():
        t.briefs = len(docs_of[name])
    found = [t for t in tallies.values() if t.briefs >= min_briefs]
    found.sort(key=lambda t: (-t.briefs, -t.mentions, t.name.lower()))
    return _with_examples(ev.searcher, found)


def _with_examples(searcher: Any, found: list[_Tally]) -> list[Candidate]:
    """Each candidate with the sentence of its first mention. The stored fields are read
    again (few are kept), once a brief, and each section cut into sentences once, however
    many candidates it gives the example of (a brief naming 2,000 of them was read and cut
    2,000 times: 37 s)."""
    out: list[Candidate | None] = [None] * len(found)
    order = sorted(range(len(found)), key=lambda k: found[k].example_doc)
    for doc, group in itertools.groupby(order, key=lambda k: found[k].example_doc):
        stored = searcher.stored_fields(doc)
        cut: dict[str, tuple[list[int], list[tuple[int, int]]]] = {}
        for k in group:
            t = found[k]
            if t.example_at == _UNKNOWN:  # the first mention's brief was deleted: find it again
                article = stored.get("article") or ""
                section = "article" if t.name in article else "comment"
                at = max(0, (stored.get(section) or "").find(t.name))
            elif t.example_at >= 0:
                section, at = "article", t.example_at
            else:
                section, at = "comment", -1 - t.example_at
            text = stored.get(section) or ""
            if section not in cut:
                spans = sentence_spans(text)
                cut[section] = ([a for a, _b in spans], spans)
            starts, spans = cut[section]
            i = bisect.bisect_right(starts, at) - 1  # the sentences do not overlap
            a, b = spans[i] if i >= 0 and at < spans[i][1] else (at, at + len(t.name))
            brief_id = str(stored.get("id", ""))
            out[k] = Candidate(t.name, t.briefs, t.mentions, brief_id, text[a:b])
    return [c for c in out if c is not None]
