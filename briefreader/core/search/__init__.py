"""The search as both stores answer it, written once: no Whoosh, no PostgreSQL here.

The local index (``core/index``, Whoosh segments read as arrays) and the team archive
(``core/archive``, SQL over tsvectors) are two stores of one search. What they must agree on
lives in this package and is imported by both, never retyped: the ranking constants and the
feedback step's weights (``ranking``), the words a search sees (``words``: tokens and stop
words), and the query handling every query goes through first (``core/querytext``).
"""
