#!/usr/bin/env bash
# Run a command with a throw-away PostgreSQL server on 127.0.0.1, exported to it as
# CEASEFIRE_TEST_POSTGRES_URL. The server and its data are removed when the command ends,
# whatever its outcome. If CEASEFIRE_TEST_POSTGRES_URL is already set, that server is used.
set -euo pipefail
if [ -n "${CEASEFIRE_TEST_POSTGRES_URL:-}" ]; then exec "$@"; fi

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$PGBIN" ] || { echo "PostgreSQL is not installed: run scripts/system-deps.sh" >&2; exit 1; }
DIR=$(mktemp -d /tmp/ceasefire-pg.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres "$DIR"
stop() {
  as_pg "$PGBIN/pg_ctl -D $DIR/data -m fast stop" >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap stop EXIT
as_pg "$PGBIN/initdb -D $DIR/data -A trust -U postgres" >"$DIR/initdb.log" 2>&1 \
  || { cat "$DIR/initdb.log" >&2; exit 1; }
as_pg "$PGBIN/pg_ctl -D $DIR/data -o '-k $DIR -h 127.0.0.1 -p $PORT -F' -l $DIR/log -w start" >/dev/null \
  || { cat "$DIR/log" >&2; exit 1; }
export CEASEFIRE_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$PORT/postgres"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"
"$@"
