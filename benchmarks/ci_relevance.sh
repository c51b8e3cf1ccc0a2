#!/bin/sh
# Relevance gate, per collection (Cranfield, CISI in ../shared/data): MAP within 0.01 of the
# recorded figure and above its floor, at least the best same-run peer's (SQLite FTS5 or a
# textbook BM25), and no question answered with nothing (as typed or in capitals) or cut short.
# A missing collection skips with a message, or fails under CI=true.
set -eu
cd "$(dirname "$0")/.."
PY=python
[ -x .venv/bin/python ] && PY=.venv/bin/python
# With a PostgreSQL server for the tests (.ci/run starts one), the same questions also go
# through a team archive, whose MAP must be >= 0.95x the local one of the same run.
exec "$PY" benchmarks/relevance.py --check benchmarks/relevance_baseline.json \
  ${BRIEFREADER_TEST_PG:+--archive "$BRIEFREADER_TEST_PG"}
