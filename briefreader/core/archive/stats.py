"""What a search knows of its words before it reads a brief: the archive's totals, each
word's briefs and occurrences per section (``term_stats``) and which words have a
best-briefs list.

Read in one statement for all the query's words: a search used to ask for them in four or
five (totals, term_stats twice, best_words twice), each a round trip to a server that, on a
busy machine, may wait for a core before it answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class WordStats:
    """The totals, document frequencies and listed words of a set of words; more words
    are read on demand (``need``)."""

    def __init__(self, cur: Any, words: Iterable[str]) -> None:
        self.cur = cur
        self._totals: dict[str, float] | None = None
        #: (word, section weight) -> briefs holding the word in that section.
        self.df: dict[tuple[str, str], int] = {}
        #: (word, section weight) -> the word's occurrences in that section over all briefs.
        self.cf: dict[tuple[str, str], int] = {}
        self.listed: set[str] = set()
        self._known: set[str] = set()
        #: actor id -> briefs naming the actor (read on demand: ``actor_briefs``).
        self._actors: dict[str, int] = {}
        first = sorted(set(words))
        if first:  # with the totals (a search without words may never need them)
            self._read(first, totals=True)

    @property
    def totals(self) -> dict[str, float]:
        """The archive's totals: briefs, and words per section (words_a, _b, _c)."""
        if self._totals is None:
            self._read([], totals=True)
        assert self._totals is not None
        return self._totals

    def _read(self, words: list[str], *, totals: bool) -> None:
        parts = []
        params: list[object] = []
        if totals:
            self._totals = {}
            parts.append("SELECT 0, name, '', value, 0::bigint FROM totals")
        if words:
            parts += [
                "SELECT 1, lexeme, field::text, ndoc, cf FROM term_stats WHERE lexeme = ANY(%s)",
                "SELECT 2, lexeme, '', 0, 0::bigint FROM best_words WHERE lexeme = ANY(%s)",
            ]
            params += [words, words]
        if not parts:
            return
        self.cur.execute(" UNION ALL ".join(parts), params)
        for kind, name, field, value, cf in self.cur.fetchall():
            if kind == 0 and self._totals is not None:
                self._totals[name] = float(value)
            elif kind == 1:
                self.df[(name, field)] = int(value)
                self.cf[(name, field)] = int(cf)
            else:
                self.listed.add(name)
        self._known.update(words)

    def need(self, words: Iterable[str]) -> None:
        """Read the words not read yet (one statement, none if all are known)."""
        missing = sorted(set(words) - self._known)
        if missing:
            self._read(missing, totals=False)

    def most(self, word: str) -> int:
        """The most briefs holding ``word`` in one section (0: in none)."""
        return max((n for (w, _f), n in self.df.items() if w == word), default=0)

    def anywhere(self, word: str) -> int:
        """The briefs holding ``word``, summed over sections (each brief counted once a
        section it holds the word in: an upper bound of the briefs holding it)."""
        return sum(n for (w, _f), n in self.df.items() if w == word)

    def actor_briefs(self, actors: Iterable[str]) -> dict[str, int]:
        """How many briefs name each actor: read once a search (the ranking and the
        snippets both weigh a named actor by it), one statement for those not read yet."""
        wanted = sorted(set(actors))
        missing = [a for a in wanted if a not in self._actors]
        if missing:
            self.cur.execute(
                "SELECT a, (SELECT count(*) FROM briefs b WHERE b.actors @> ARRAY[a]) "
                "FROM unnest(%s::text[]) a",
                (missing,),
            )
            self._actors.update((a, int(n)) for a, n in self.cur.fetchall())
        return {a: self._actors.get(a, 0) for a in wanted}
