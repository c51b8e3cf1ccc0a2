"""The words a search sees, for both stores: how a text is cut into tokens and which function
words are dropped, at index time and at query time alike."""

from __future__ import annotations

import re

#: Words, keeping dotted acronyms whole. Whoosh-Reloaded's default pattern also takes "*" into
#: words, which would index Markdown's "**bold**" as "**bold": ours does not.
TOKEN = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)

#: Function words dropped at index and query time: long questions ("what is known about
#: ...") are otherwise ranked by their commonest words. Whoosh's own list is a subset.
STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing done down during each either
    else etc ever every few for from further had has have having he her here hers herself him
    himself his how however i if in into is it its itself just less let like made make many may
    me might more most much must my myself neither no nor not now of off often on once one only
    onto or other others otherwise our ours ourselves out over own per perhaps quite rather
    same several shall she should since so some such than that the their theirs them themselves
    then there thereby therefore these they this those though through thus to too under until
    up upon us very via was we were what whatever when whenever where whereas wherever whether
    which while who whom whose why will with within without would yet you your yours yourself
    yourselves tbd
    """.split()  # noqa: SIM905 - a word list reads best as text
)
#: Tokens shorter than this are not index words.
MIN_WORD = 2
