"""Candidate actors: names that recur across the corpus but are in no glossary.

Read from the stored articles and comments (never the files): runs of capitalised words
("Kataib Sayyid al-Shuhada"), dotted acronyms ("P.M.F.") and all-caps acronyms ("KSS"),
counted once a brief. What the glossary already finds is cut out of the text first, and a
run loses its leading words that are only capitalised because they start a sentence (words
the corpus also writes in lower case) or are function words ("The").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from briefreader.core.index.schema import STOP_WORDS
from briefreader.core.index.store import BriefIndex
from briefreader.core.records import Candidate
from briefreader.core.sentences import sentence_spans

#: (start, end) of every glossary name found in a text.
FindNames = Callable[[str], list[tuple[int, int]]]

#: A word that may start a name: a dotted acronym, or a word with a capital first letter.
_NAME_WORD = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_][\w'’-]*\w|[^\W\d_]", re.UNICODE)
#: Small words allowed inside a name ("Ministry of Interior", "Abu Mahdi al-Muhandis").
_JOINERS = frozenset("of al el bin ibn bint abu de la du for".split())  # noqa: SIM905
#: Capitalised for the calendar, not because they name anyone.
_CALENDAR = frozenset(
    """
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    """.split()  # noqa: SIM905
)
_LOWER_WORD = re.compile(r"\b[a-z][\w'’-]*\b")
_SPACE = re.compile(r"[ \t]+")


@dataclass(slots=True)
class _Tally:
    name: str
    briefs: int = 0
    mentions: int = 0
    example_id: str = ""
    example: str = ""
    last_doc: int = -1


def _is_name_word(word: str) -> bool:
    return word[:1].isupper()


def _runs(text: str, blocked: list[tuple[int, int]]) -> list[tuple[int, int, list[str]]]:
    """Runs of capitalised words (start, end, words), broken by glossary names and by
    anything but a single space or a joiner between two words."""
    out: list[tuple[int, int, list[str]]] = []
    words: list[tuple[int, int, str]] = []

    def flush() -> None:
        while words and words[-1][2].lower() in _JOINERS:
            words.pop()
        if words:
            out.append((words[0][0], words[-1][1], [w for _s, _e, w in words]))
        words.clear()

    bi = 0
    for m in _NAME_WORD.finditer(text):
        s, e, w = m.start(), m.end(), m.group()
        while bi < len(blocked) and blocked[bi][1] <= s:
            bi += 1
        if bi < len(blocked) and blocked[bi][0] < e:
            flush()
            continue
        capital = _is_name_word(w)
        joiner = w.lower() in _JOINERS or w.lower().startswith(("al-", "el-"))
        if not capital and not (joiner and words):
            flush()
            continue
        if words and not _SPACE.fullmatch(text[words[-1][1] : s]):
            flush()
        if not words and not capital:
            continue
        words.append((s, e, w))
    flush()
    return out


def _trim(words: list[str], at_sentence_start: bool, lower: set[str]) -> list[str]:
    """A run without its leading words that are not part of a name."""
    i = 0
    while i < len(words):
        low = words[i].lower()
        common = low in STOP_WORDS or low in _JOINERS or low in _CALENDAR
        if not (common or (i == 0 and at_sentence_start and low in lower)):
            break
        i += 1
    rest = words[i:]
    if rest and rest[-1][-2:] in ("'s", "’s"):
        rest[-1] = rest[-1][:-2]
    while rest and (rest[-1].lower() in _JOINERS or rest[-1].lower() in _CALENDAR):
        rest.pop()
    return rest


def candidates(
    index: BriefIndex,
    find_names: FindNames,
    is_known: Callable[[str], bool],
    min_briefs: int = 3,
    cancel: Callable[[], bool] | None = None,
) -> list[Candidate]:
    """Names in at least ``min_briefs`` briefs that the glossary does not know, commonest
    first, each with its number of mentions and one sentence it appears in."""
    ev = index.evaluator()
    searcher = ev.searcher
    texts: list[tuple[int, str, str]] = []
    lower: set[str] = set()
    for doc in ev.every().tolist():
        if cancel is not None and doc % 256 == 0 and cancel():
            break
        stored = searcher.stored_fields(int(doc))
        brief_id = str(stored.get("id", ""))
        for section in ("article", "comment"):
            text = stored.get(section) or ""
            if text:
                texts.append((int(doc), brief_id, text))
                lower.update(_LOWER_WORD.findall(text))
    tallies: dict[str, _Tally] = {}
    for doc, brief_id, text in texts:
        blocked = find_names(text)
        starts = {s for s, _e in sentence_spans(text)}
        sentences = sentence_spans(text)
        for start, end, words in _runs(text, blocked):
            name_words = _trim(words, start in starts, lower)
            if not name_words:
                continue
            if len(name_words) == 1 and name_words[0].lower() in lower:
                continue  # an ordinary word capitalised mid-sentence (a heading, a quote)
            name = " ".join(name_words)
            if len(name) < 2 or is_known(name):
                continue
            t = tallies.get(name)
            if t is None:
                t = tallies[name] = _Tally(name)
            t.mentions += 1
            if t.last_doc != doc:
                t.last_doc = doc
                t.briefs += 1
            if not t.example:
                t.example_id = brief_id
                t.example = next(
                    (text[a:b] for a, b in sentences if a <= start < b), text[start:end]
                )
    found = [t for t in tallies.values() if t.briefs >= min_briefs]
    found.sort(key=lambda t: (-t.briefs, -t.mentions, t.name.lower()))
    return [Candidate(t.name, t.briefs, t.mentions, t.example_id, t.example) for t in found]
