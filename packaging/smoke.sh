#!/usr/bin/env bash
# Run the frozen app's smoke test the way an analyst's laptop would: no Python on PATH, no
# virtual environment, no PYTHONPATH, a home folder of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
exe=dist/briefreader/briefreader
[ -x "$exe" ] || { echo "smoke: $exe not found; build it with 'make app'" >&2; exit 1; }
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
env -i HOME="$home" PATH=/nonexistent LANG=C.UTF-8 "$exe" --smoke
