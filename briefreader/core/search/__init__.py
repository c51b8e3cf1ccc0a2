"""The search as both stores answer it, written once: no Whoosh, no PostgreSQL here.

The local index (``core/index``, Whoosh segments read as arrays) and the team archive
(``core/archive``, SQL over tsvectors) are two stores of one search. What they must agree on
lives in this package and is imported by both, never retyped: the ranking constants and the
feedback step's weights (``ranking``), the words a search sees (``words``: tokens, stop words,
stems), the fields a query names (``fields``), the query's rewrite (``rewrite``: actor names
widened), its two tiers (``tiers``), the snippets and marks (``snippets``), related briefs'
key words and likeness query (``related``), the query's limits (``limits``) and what a library
needs of a store (``backend``). Each store only says where its text matches and turns a query
into its own terms. Every query goes through ``core/querytext`` first.
"""
