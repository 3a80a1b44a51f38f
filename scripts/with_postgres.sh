#!/usr/bin/env bash
# Run a command against a PostgreSQL server (and, with WITH_REDIS=1, a Redis server) on loopback:
#   scripts/with_postgres.sh .venv/bin/pytest tests/backend -q
#   WITH_REDIS=1 PG_DATABASES="backend rasa gateway" scripts/with_postgres.sh <command...>
# Installs the Debian packages with apt-get if missing (as root), starts a cluster on 127.0.0.1 in a
# temp dir (as the `postgres` user when we are root), creates the databases, exports
# DATABASE_URL=postgresql+psycopg://... (the first database) and PG_HOST/PG_PORT/PG_USER, and
# REDIS_URL/REDIS_HOST/REDIS_PORT for Redis; runs the command, then stops both and removes the
# temp data. Exits with the command's exit code.
#
# Options (environment):
#   PG_DATABASES  databases to create (default: app)
#   PG_PORT, REDIS_PORT  fixed ports (default: free ones)
#   PG_DATA_DIR   keep the cluster in this folder across runs (make run-scaled); default: temp, removed
#   WITH_REDIS=1  also run redis-server (no persistence: lock store, rate limits and pub/sub only)
#   WITH_HAPROXY=1  make sure HAProxy is installed (make run-scaled starts it under supervisord)
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

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "$1 is missing; run as root so it can be installed (apt-get install $2)." >&2
    exit 1
  fi
  echo "Installing $2 (apt-get)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends $2 >&2
}

if ! PG_BIN=$(find_pg_bin); then
  apt_install "PostgreSQL server binaries" postgresql
  PG_BIN=$(find_pg_bin) || { echo "PostgreSQL install failed" >&2; exit 1; }
fi
if [ "${WITH_REDIS:-0}" = 1 ] && ! command -v redis-server >/dev/null 2>&1; then
  apt_install "redis-server" redis-server
fi
# make run-scaled's load balancer (started by scripts/stack.py, not here): only installed
if [ "${WITH_HAPROXY:-0}" = 1 ] && ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then
  apt_install "haproxy" haproxy
fi

PYTHON=${PYTHON:-python3}
free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
PORT=${PG_PORT:-$(free_port)}
PGTMP=$(mktemp -d /tmp/with_postgres.XXXXXX)
if [ -n "${PG_DATA_DIR:-}" ]; then
  mkdir -p "$PG_DATA_DIR"
  DATA=$(cd "$PG_DATA_DIR" && pwd)/data
else
  DATA="$PGTMP/data"
fi
read -r -a DBS <<< "${PG_DATABASES:-app}"

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
  [ -n "${PG_DATA_DIR:-}" ] && chown postgres "$(dirname "$DATA")"
fi

REDIS_PID=""
cleanup() {
  as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null 2>&1 \
    || as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
  if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
  rm -rf "$PGTMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ ! -f "$DATA/PG_VERSION" ]; then
  as_pg "$PG_BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PGTMP/initdb.log" 2>&1 \
    || as_pg "$PG_BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 >"$PGTMP/initdb.log" 2>&1 \
    || { cat "$PGTMP/initdb.log" >&2; exit 1; }
fi
as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$PGTMP/server.log" -w -t 60 \
  -o "-h 127.0.0.1 -p $PORT -k $PGTMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
  start >/dev/null || { cat "$PGTMP/server.log" >&2; exit 1; }
for db in "${DBS[@]}"; do
  as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" \
    | grep -q 1 || as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$db"
done

export PG_HOST=127.0.0.1 PG_PORT=$PORT PG_USER=postgres
export DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/${DBS[0]}"
echo "with_postgres: DATABASE_URL=$DATABASE_URL" >&2

if [ "${WITH_REDIS:-0}" = 1 ]; then
  RPORT=${REDIS_PORT:-$(free_port)}
  redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no --protected-mode yes \
    --dir "$PGTMP" --logfile "$PGTMP/redis.log" &
  REDIS_PID=$!
  for _ in $(seq 1 100); do
    redis-cli -h 127.0.0.1 -p "$RPORT" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -h 127.0.0.1 -p "$RPORT" ping >/dev/null || { cat "$PGTMP/redis.log" >&2; exit 1; }
  export REDIS_HOST=127.0.0.1 REDIS_PORT=$RPORT REDIS_URL="redis://127.0.0.1:$RPORT/0"
  echo "with_postgres: REDIS_URL=$REDIS_URL" >&2
fi

set +e
"$@"
rc=$?
set -e
exit $rc
