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
# Once more with every helper process spawned, as on Windows and macOS: each is the frozen
# executable started again, turned into the helper by multiprocessing.freeze_support().
env -i HOME="$home" PATH=/nonexistent LANG=C.UTF-8 BRIEFREADER_START_METHOD=spawn "$exe" --smoke

# The team archive: where .ci/run started its PostgreSQL server (.ci/postgres.sh),
# the frozen app creates an archive in a database of its own, pushes the sample corpus and
# searches it: psycopg's libpq and its libraries must have made it into the bundle.
if [ -n "${BRIEFREADER_TEST_PG:-}" ] && [ -n "${PG_TEST_BIN:-}" ] && [ -n "${PG_TEST_PORT:-}" ]; then
  db="briefreader_smoke_$$"
  url="${BRIEFREADER_TEST_PG%/*}/$db"
  pg=(-h 127.0.0.1 -p "$PG_TEST_PORT" -U postgres)
  "$PG_TEST_BIN/createdb" "${pg[@]}" "$db"
  trap 'rm -rf "$home"; "$PG_TEST_BIN/dropdb" "${pg[@]}" --force "$db" || true' EXIT
  frozen() { env -i HOME="$home" PATH=/nonexistent LANG=C.UTF-8 "$exe" "$@"; }
  frozen archive init "$url"
  frozen index --archive "$url" "$PWD/corpus" --quiet
  found=$(frozen search --archive "$url" '"foreign plot"' --json)
  case "$found" in
    *shamkhani-foreign-plot*) echo "smoke: the frozen app pushed to and searched a team archive" ;;
    *) echo "smoke: the team archive search found nothing: $found" >&2; exit 1 ;;
  esac
fi
