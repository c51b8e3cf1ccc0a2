#!/bin/sh
# Relevance gate: fails if Cranfield MAP drops more than 0.01 below the recorded figure.
# Skips (exit 0, with a message) where ../shared/data/cranfield is absent.
set -eu
cd "$(dirname "$0")/.."
PY=python
[ -x .venv/bin/python ] && PY=.venv/bin/python
# With a PostgreSQL server for the tests (.ci/run starts one), the same queries also go
# through a team archive, whose MAP must be >= 0.95x the local one of the same run.
exec "$PY" benchmarks/relevance.py --check benchmarks/relevance_baseline.json \
  ${BRIEFREADER_TEST_PG:+--archive "$BRIEFREADER_TEST_PG"}
