#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster:
#   scripts/with_postgres.sh .venv/bin/pytest tests/backend -q
# Installs the server with apt-get if missing (as root), starts a cluster on 127.0.0.1 on a free
# port in a temp dir (as the `postgres` user when we are root), creates a database, exports
# DATABASE_URL=postgresql+psycopg://..., runs the command, then stops and removes the cluster.
# Exits with the command's exit code.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 <command...>" >&2
  exit 2
fi

find_pg_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"; return 0
  fi
  return 1
}

if ! PG_BIN=$(find_pg_bin); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL server binaries are missing; run as root so they can be installed (apt-get install postgresql)." >&2
    exit 1
  fi
  echo "Installing PostgreSQL server (apt-get)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  PG_BIN=$(find_pg_bin) || { echo "PostgreSQL install failed" >&2; exit 1; }
fi

PYTHON=${PYTHON:-python3}
PORT=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
PGTMP=$(mktemp -d /tmp/with_postgres.XXXXXX)
DATA="$PGTMP/data"
DB_NAME=app

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$PGTMP" --shell /usr/sbin/nologin postgres
  chown postgres "$PGTMP"
  chmod 700 "$PGTMP"
fi

cleanup() {
  as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP"
}
trap cleanup EXIT INT TERM

as_pg "$PG_BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PGTMP/initdb.log" 2>&1 \
  || as_pg "$PG_BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 >"$PGTMP/initdb.log" 2>&1 \
  || { cat "$PGTMP/initdb.log" >&2; exit 1; }
as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$PGTMP/server.log" -w -t 60 \
  -o "-h 127.0.0.1 -p $PORT -k $PGTMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null || { cat "$PGTMP/server.log" >&2; exit 1; }
as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB_NAME"

export DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/$DB_NAME"
echo "with_postgres: DATABASE_URL=$DATABASE_URL" >&2

set +e
"$@"
rc=$?
set -e
exit $rc
