#!/bin/sh
# Relevance gate: fails if Cranfield MAP drops more than 0.01 below the recorded figure.
# Skips (exit 0, with a message) where ../shared/data/cranfield is absent.
set -eu
cd "$(dirname "$0")/.."
PY=python
[ -x .venv/bin/python ] && PY=.venv/bin/python
exec "$PY" benchmarks/relevance.py --check benchmarks/relevance_baseline.json
