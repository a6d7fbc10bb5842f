#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for benchmarks and manual trials.
#
#   scripts/pg-cluster.sh start DIR PORT   initdb in DIR (once) and start on 127.0.0.1:PORT
#   scripts/pg-cluster.sh stop DIR         stop it (the data stays)
#   scripts/pg-cluster.sh url DIR PORT DB  (re)create database DB and print its URL
#
# Runs the server as 'nobody' when called as root (PostgreSQL refuses root).
# Settings are PostgreSQL's defaults (fsync and synchronous_commit on), so a
# commit is as durable as on a production server.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "PostgreSQL is not installed: scripts/install-deps.sh bench installs it" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    dir="$2"; port="$3"
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown nobody "$dir"
    [ -f "$dir/data/PG_VERSION" ] || as_owner "$bin/initdb" -D "$dir/data" -U notifyd --auth=trust -E UTF8 --no-locale > "$dir/initdb.log"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=100" > /dev/null 2>&1 < /dev/null
    ;;
  stop)
    dir="$2"
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop > /dev/null || true
    ;;
  url)
    port="$3"; db="$4"
    PGOPTIONS="-c client_min_messages=warning" "$bin/psql" -h 127.0.0.1 -p "$port" -U notifyd -d postgres -q -v ON_ERROR_STOP=1 \
      -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" > /dev/null
    echo "postgresql://notifyd@127.0.0.1:$port/$db"
    ;;
  *) sed -n 2,10p "$0"; exit 2 ;;
esac
