"""What a user typed, rewritten for either store: user field names to index fields, actor
names widened to their actor, ``-word`` and ``+word`` to the operators, the groups an explicit
AND or OR joins put in brackets. Both stores read the result (Whoosh's parser on the local
index, :mod:`core.archive.query` on the team archive)."""

from __future__ import annotations

import re
from collections.abc import Callable

from briefreader.core.querytext import group_operands
from briefreader.core.search.fields import FIELD_ALIASES, fold_field

_MINUS = re.compile(r'(?<![\w\-:\[])-(?=[\w"(])')
_PLUS = re.compile(r'(?<![\w+:\[])\+(?=[\w"(])')
_FUZZY_BARE = re.compile(r"(?<=\w)~(?![\d\w])")
_FIELD_RE = re.compile(r'(?<![\w:])(\w+):("[^"]*"|\[[^\]]*\]|\([^)]*\)|[^\s()"]+)')
WORD_RE = re.compile(r"\w+(?:[.'’-]\w+)*\.?", re.UNICODE)


class QueryRewriter:
    """Rewrites query text; never raises on odd input.

    ``resolve_actor`` maps a name or alias to an actor id (or None); ``alias_is_strict``
    says whether an alias counts only in capitals ("US").
    """

    def __init__(
        self,
        resolve_actor: Callable[[str], str | None],
        *,
        alias_is_strict: Callable[[str], bool] | None = None,
    ) -> None:
        self.resolve_actor = resolve_actor
        self.alias_is_strict = alias_is_strict or (lambda _s: False)

    # The rewrite happens on the query text, before a store reads it: user field names become
    # index field names, actor names become actor ids, and a word or phrase that names an
    # actor is widened to "(the words OR actors:ID)".

    def rewrite(self, text: str) -> tuple[str, set[str], list[str]]:
        """(the rewritten text, the actor ids it names, notices)."""
        actors: set[str] = set()
        notices: list[str] = []
        # The groups an explicit AND or OR joins, in brackets: each keeps its tiers.
        text = group_operands(text)
        text = _FUZZY_BARE.sub("~1", text)
        # "-word" and "+word": Whoosh's plus/minus plugin fails inside parentheses, so they
        # become the operators it handles everywhere.
        text = _MINUS.sub("NOT ", text)
        text = _PLUS.sub("", text)

        out: list[str] = []
        pos = 0
        for m in _FIELD_RE.finditer(text):
            name, value = m.group(1), m.group(2)
            target = FIELD_ALIASES.get(name.lower())
            if target is None:
                continue
            out.append(self._expand_free(text[pos : m.start()], actors))
            pos = m.end()
            if target == "actors":
                raw = value.strip('"()')
                actor_id = self.resolve_actor(raw)
                if actor_id is None:
                    notices.append(f"no actor called “{raw}” in the glossary")
                    actor_id = slug(raw) or "-"
                actors.add(actor_id)
                out.append(f"actors:{quote_term(actor_id)}")
            elif target in ("source", "tags"):
                raw = fold_field(value.strip('"()'))
                out.append(f"{target}:{quote_term(raw)}")
            else:
                out.append(f"{target}:{value}")
        out.append(self._expand_free(text[pos:], actors))
        return "".join(out), actors, notices

    def _expand_free(self, segment: str, actors: set[str]) -> str:
        """Widen actor names in a stretch of query text that has no field prefix."""
        if not segment.strip():
            return segment
        pieces: list[str] = []
        pos = 0
        # Quoted phrases are taken whole: "Popular Mobilization Forces" names the PMF.
        for m in re.finditer(r'"([^"]*)"(~\d+)?', segment):
            pieces.append(self._expand_words(segment[pos : m.start()], actors))
            phrase = m.group(1)
            actor_id = self.resolve_actor(phrase) if phrase.strip() else None
            if actor_id and not m.group(2):
                actors.add(actor_id)
                pieces.append(f'("{phrase}" OR actors:{quote_term(actor_id)})')
            else:
                pieces.append(m.group(0))
            pos = m.end()
        pieces.append(self._expand_words(segment[pos:], actors))
        return "".join(pieces)

    def _expand_words(self, segment: str, actors: set[str]) -> str:
        words = list(WORD_RE.finditer(segment))
        if not words:
            return segment
        out: list[str] = []
        pos = 0
        i = 0
        while i < len(words):
            found = None
            for n in range(min(6, len(words) - i), 0, -1):
                group = words[i : i + n]
                # Only words separated by plain spaces form a name; operators never do.
                between = [
                    segment[a.end() : b.start()] for a, b in zip(group, group[1:], strict=False)
                ]
                if any(s.strip() for s in between):
                    continue
                if any(w.group(0) in ("AND", "OR", "NOT", "TO") for w in group):
                    continue
                start, end = group[0].start(), group[-1].end()
                if start > 0 and segment[start - 1] in "-+*:~":
                    continue
                if end < len(segment) and segment[end] in "*?~:":
                    continue
                name = segment[start:end]
                actor_id = self._resolve_typed(name)
                if actor_id:
                    found = (start, end, actor_id, n)
                    break
            if found is None:
                i += 1
                continue
            start, end, actor_id, n = found
            actors.add(actor_id)
            name = segment[start:end]
            words_part = f'"{name}"' if n > 1 else name
            out.append(segment[pos:start])
            out.append(f"({words_part} OR actors:{quote_term(actor_id)})")
            pos = end
            i += n
        out.append(segment[pos:])
        return "".join(out)

    def _resolve_typed(self, name: str) -> str | None:
        actor_id = self.resolve_actor(name)
        if actor_id is None:
            return None
        # An alias that only counts in capitals ("US") must be typed in capitals, so that a
        # query for "told us" stays a query about words.
        if self.alias_is_strict(name) and name != name.upper():
            return None
        return actor_id


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def quote_term(term: str) -> str:
    if re.fullmatch(r"[\w.-]+", term):
        return term
    return "'" + term.replace("'", "") + "'"
