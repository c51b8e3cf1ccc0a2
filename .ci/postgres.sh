#!/usr/bin/env bash
# A throw-away PostgreSQL server for the team archive's tests.
#
#   source .ci/postgres.sh && pg_test_start    # exports BRIEFREADER_TEST_PG, sets a trap
#
# initdb into a temporary folder as an unprivileged user (root cannot run postgres: as
# root, the system user "briefreader-pg" is created if needed and used through runuser),
# listens on a free port on 127.0.0.1 only, and stops with the shell (trap on EXIT).
# Installs Debian's "postgresql" when no server binaries are found and we are root.

pg_test_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

pg_test_start() {
  local bin
  if ! bin=$(pg_test_bindir); then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
      # Debian's package starts a cluster of its own; the tests use their own server only.
      command -v pg_ctlcluster >/dev/null 2>&1 && pg_ctlcluster --force "$(ls /etc/postgresql | head -1)" main stop >/dev/null 2>&1 || true
    fi
    bin=$(pg_test_bindir) || { echo "postgres.sh: no PostgreSQL server binaries" >&2; return 1; }
  fi
  local run=()
  if [ "$(id -u)" = 0 ]; then
    id briefreader-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin briefreader-pg
    run=(runuser -u briefreader-pg --)
  fi
  PG_TEST_DIR=$(mktemp -d /tmp/briefreader-pg.XXXXXX)
  chmod 755 "$PG_TEST_DIR"
  [ "$(id -u)" = 0 ] && chown briefreader-pg "$PG_TEST_DIR"
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # Run from the server's own folder: the unprivileged user may not read the checkout.
  cd "$PG_TEST_DIR" || return 1
  "${run[@]}" "$bin/initdb" -D "$PG_TEST_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_TEST_DIR/initdb.log" 2>&1 \
    || { cat "$PG_TEST_DIR/initdb.log" >&2; return 1; }
  "${run[@]}" "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$PG_TEST_DIR -c fsync=off" start >/dev/null \
    || { cat "$PG_TEST_DIR/server.log" >&2; return 1; }
  cd - >/dev/null || return 1
  PG_TEST_STOP=("${run[@]}" "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -m fast -w stop)
  export PG_TEST_DIR PG_TEST_BIN="$bin" PG_TEST_PORT=$port
  export BRIEFREADER_TEST_PG="postgresql://postgres@127.0.0.1:$port/postgres"
  trap pg_test_stop EXIT
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') for the tests on 127.0.0.1:$port ($PG_TEST_DIR)"
}

pg_test_stop() {
  [ -n "${PG_TEST_DIR:-}" ] || return 0
  "${PG_TEST_STOP[@]}" >/dev/null 2>&1 || true
  rm -rf "$PG_TEST_DIR"
  PG_TEST_DIR=
}
