"""What a query may cost, on either store: its length, its number of terms, its time."""

from __future__ import annotations

#: A longer query is cut here (a pasted page is not a question), with a notice.
MAX_QUERY_CHARS = 2000
#: A query of more terms keeps its first ones, with a notice.
MAX_QUERY_TERMS = 200
#: A safety net, not a budget: ordinary queries take milliseconds; past this a search returns
#: what it has, marked partial, with a notice.
TIME_LIMIT_S = 3.0


def cut_notice(count: int, what: str) -> str:
    """The notice for a query cut to its first ``count`` characters or terms."""
    return f"the query was cut to its first {count} {what}"
