#!/usr/bin/env bash
# The reconciliation benchmark: 100,000 open orders all due at once against
# alipay-sandbox, while notifications keep arriving.
#
#   scripts/reconcile-bench.sh [--orders N] [--rate CALLS_PER_S] [--duration SECONDS] [--out DIR]
#                              [--gateway-latency SECONDS] [--concurrency "1 8"] [--reconciler-only]
#                              [--postgres --daemons "1 2 3"]
#
# Builds release; starts alipay-sandbox (plain HTTP on loopback, the fixture
# keys); registers N orders (default 100000) due now in a fresh SQLite ledger
# (one SQL statement: the same rows `orders add` writes); then four runs of
# --duration seconds (default 20), each on a fresh copy of that ledger:
#   listen-c1, listen-c16    the daemon without app-private-key (it only listens), wrk at 1 and 16 connections
#   reconcile-c1, reconcile-c16   the same with the reconciler asking at --rate calls/s (default 100)
# and one run of the reconciler alone per --concurrency value (gateway-concurrency;
# default 8), against a sandbox that answers every call after --gateway-latency
# seconds (default 0). --reconciler-only skips the four runs with notifications.
# Prints, per run: notifications/s and latency percentiles, gateway calls/s, how
# many orders were asked about, the daemon's CPU and its resident memory
# (sampled every second: first, peak, last).
#
# --postgres --daemons "1 2 3" instead runs, for each count, that many daemons
# (reconciler only) on one PostgreSQL ledger (a throwaway cluster,
# scripts/pg-cluster.sh) with N orders due, and prints the calls per second
# the sandbox answered from all of them together: gateway-rate is the app's,
# so it should not grow with the daemons.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

orders=100000; rate=100; duration=20; out=""; latency=0; concurrencies="8"; reconciler_only=0; postgres=0; daemon_counts=""
while [ $# -gt 0 ]; do
  case "$1" in
    --postgres) postgres=1; shift ;;
    --daemons) daemon_counts="$2"; shift 2 ;;
    --orders) orders="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --gateway-latency) latency="$2"; shift 2 ;;
    --concurrency) concurrencies="$2"; shift 2 ;;
    --reconciler-only) reconciler_only=1; shift ;;
    *) sed -n 2,29p "$0"; exit 2 ;;
  esac
done
if [ -n "$daemon_counts" ] && [ "$postgres" = 0 ]; then echo "--daemons needs --postgres: only a PostgreSQL ledger is shared" >&2; exit 2; fi
[ "$postgres" = 1 ] && [ -z "$daemon_counts" ] && daemon_counts="1 2 3"
out="${out:-$root/.build/bench-results/reconcile-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"

scripts/install-deps.sh bench
echo "== build (release)"
for product in alipay-notifyd alipay-sandbox notifyd-bench; do swift build -c release --product "$product" >/dev/null; done
daemon="$root/.build/release/alipay-notifyd"
sandbox="$root/.build/release/alipay-sandbox"
bench="$root/.build/release/notifyd-bench"
keys="$root/Tests/Fixtures/keys"   # test-only key pairs: Alipay's, and the app's ("next")
app_id=2021000123456789

corpus="$root/.build/bench-corpus/corpus-100000.txt"
if [ "$postgres" = 0 ] && [ ! -s "$corpus" ]; then
  mkdir -p "$(dirname "$corpus")"
  "$bench" corpus --count 100000 --seed 101 --private-key "$keys/alipay_private_key.pem" --out "$corpus.tmp"
  mv "$corpus.tmp" "$corpus"; mv "$corpus.tmp.manifest.json" "$corpus.manifest.json"
fi

port=18490; admin=18491; sandbox_port=18492
pids=()
cleanup() { for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

"$sandbox" serve --listen "127.0.0.1:$sandbox_port" --alipay-private-key "$keys/alipay_private_key.pem" \
  --app-public-key "$keys/alipay_public_key_next.pem" --app-id "$app_id" --latency "$latency" > "$out/sandbox.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q "gateway http" "$out/sandbox.log" && break; sleep 0.1; done

if [ "$postgres" = 1 ]; then
  pg_dir="$out/pg"; pg_port=18493
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  scripts/pg-cluster.sh start "$pg_dir" "$pg_port"
  trap 'cleanup; scripts/pg-cluster.sh stop "$pg_dir"' EXIT
  sandbox_calls() { curl -s "http://127.0.0.1:$sandbox_port/sandbox/calls" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["calls"]))'; }
  table="| daemons | gateway-rate (each) | gateway-concurrency | gateway latency | calls/s answered by the sandbox, all daemons together | calls/s per daemon |"
  table+=$'\n'"|---:|---:|---:|---:|---:|---|"
  for count in $daemon_counts; do
    echo "== $count daemon(s) on one PostgreSQL ledger, $orders orders due, gateway-rate $rate each"
    db=$(scripts/pg-cluster.sh url "$pg_dir" "$pg_port" "reconcile_$count")
    "$daemon" orders list --db "$db" --limit 1 > /dev/null   # creates and migrates the ledger
    "$pgbin/psql" "$db" -q -v ON_ERROR_STOP=1 -c "
      INSERT INTO orders(out_trade_no, total_fen, created_at, expires_at, state, next_query_at)
      SELECT 'OPEN-' || lpad(g::text, 7, '0'), 1000, to_char(now() AT TIME ZONE 'UTC' - interval '10 minutes', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),
             to_char(now() AT TIME ZONE 'UTC' + interval '2 hours', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), 'open',
             to_char(now() AT TIME ZONE 'UTC' - interval '1 second', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')
      FROM generate_series(1, $orders) g"
    running=(); admins=()
    for index in $(seq "$count"); do
      admin_port=$((18500 + index))
      "$daemon" serve --listen "127.0.0.1:$((18510 + index))" --admin-listen "127.0.0.1:$admin_port" --db "$db" --log-level notice \
        --alipay-public-key "$keys/alipay_public_key.pem" --app-id "$app_id" --accept-unknown-orders \
        --app-private-key "$keys/alipay_private_key_next.pem" --alipay-gateway "http://127.0.0.1:$sandbox_port/gateway.do" \
        --gateway-rate "$rate" --gateway-concurrency "${concurrencies%% *}" --reconcile-after 1s 2> "$out/daemon-pg$count-$index.log" &
      running+=($!); pids+=($!); admins+=("$admin_port")
    done
    for index in $(seq "$count"); do
      for _ in $(seq 100); do grep -q "listening on" "$out/daemon-pg$count-$index.log" && break; sleep 0.1; done
    done
    sleep 2   # every daemon under way
    before=$(sandbox_calls); started=$(date +%s.%N)
    per_before=(); for port in "${admins[@]}"; do per_before+=("$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^alipay_notifyd_gateway_calls_total/{s+=$2} END{print s+0}')"); done
    sleep "$duration"
    after=$(sandbox_calls); ended=$(date +%s.%N)
    per=""
    for index in "${!admins[@]}"; do
      now=$(curl -s "http://127.0.0.1:${admins[$index]}/metrics" | awk '/^alipay_notifyd_gateway_calls_total/{s+=$2} END{print s+0}')
      per+="$(python3 -c "print(f'{($now - ${per_before[$index]}) / ($ended - $started):.1f}')") "
    done
    for pid in "${running[@]}"; do kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    total=$(python3 -c "print(f'{($after - $before) / ($ended - $started):.1f}')")
    echo "   $count daemon(s): $total calls/s at the sandbox (per daemon: $per)"
    table+=$'\n'"| $count | $rate | ${concurrencies%% *} | ${latency} s | $total | ${per% } |"
  done
  echo
  echo "$table" | tee "$out/summary.md"
  echo
  echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); $orders orders, ${duration}s per run"
  echo "results: $out"
  exit 0
fi

echo "== $orders open orders, all due now"
template="$out/template.db"
rm -f "$template"*
"$daemon" orders list --db "$template" --limit 1 > /dev/null   # creates and migrates the ledger
sqlite3 "$template" <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $orders)
INSERT INTO orders(out_trade_no, total_fen, created_at, expires_at, state, next_query_at)
SELECT printf('OPEN-%07d', i), 1000, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-10 minutes'),
       strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+2 hours'), 'open', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 second')
FROM n;
SQL

table="| run | gateway-concurrency | notify connections | notifications/s | p50 ms | p90 ms | p99 ms | gateway calls/s | orders asked (of all) | daemon CPU (1 core = 100%) | RSS MiB first / peak / last |"
table+=$'\n'"|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"

run() { # $1 = tag, $2 = reconcile (0|1), $3 = connections (0: no notifications), $4 = gateway-concurrency
  local tag="$1" reconcile="$2" c="$3" concurrency="${4:-8}"
  local db="$out/ledger-$tag.db"
  rm -f "$db"*; cp "$template" "$db"; sync; sleep 1
  local asking=()
  [ "$reconcile" = 1 ] && asking=(--app-private-key "$keys/alipay_private_key_next.pem" --alipay-gateway "http://127.0.0.1:$sandbox_port/gateway.do"
                                  --gateway-rate "$rate" --gateway-concurrency "$concurrency" --reconcile-after 1s)
  "$daemon" serve --listen "127.0.0.1:$port" --admin-listen "127.0.0.1:$admin" --db "$db" --log-level notice \
    --alipay-public-key "$keys/alipay_public_key.pem" --app-id "$app_id" --accept-unknown-orders "${asking[@]}" \
    2> "$out/daemon-$tag.log" &
  local pid=$!; pids+=($pid)
  for _ in $(seq 100); do grep -q "listening on" "$out/daemon-$tag.log" && break; sleep 0.1; done
  local calls0; calls0=$(curl -s "http://127.0.0.1:$admin/metrics" | awk '/^alipay_notifyd_gateway_calls_total/{s+=$2} END{print s+0}')
  local before; before=$(cpu_ticks "$pid")
  : > "$out/rss-$tag.txt"
  ( while kill -0 "$pid" 2>/dev/null; do awk '/VmRSS/{printf "%.1f\n", $2/1024}' "/proc/$pid/status" >> "$out/rss-$tag.txt" 2>/dev/null; sleep 1; done ) &
  local sampler=$!
  local started=$SECONDS
  if [ "$c" -gt 0 ]; then
    local threads=2; [ "$c" -lt 2 ] && threads=1
    BODIES="$corpus" WRK_SENT_OUT="$out/wrk-$tag.json" timeout --signal=INT $((duration + 60)) \
      wrk -t"$threads" -c"$c" -d"${duration}s" --timeout 10s --latency -s scripts/bench/wrk_notify.lua \
      "http://127.0.0.1:$port/notify" -- "$threads" > "$out/wrk-$tag.txt"
  else
    sleep "$duration"
  fi
  local elapsed=$((SECONDS - started))
  local after; after=$(cpu_ticks "$pid")
  local calls1; calls1=$(curl -s "http://127.0.0.1:$admin/metrics" | awk '/^alipay_notifyd_gateway_calls_total/{s+=$2} END{print s+0}')
  kill -TERM "$pid"; wait "$pid" || true
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  local asked; asked=$(sqlite3 "$db" "SELECT count(*) FROM orders WHERE queries > 0")
  local notify="-" p50="-" p90="-" p99="-"
  if [ "$c" -gt 0 ]; then
    read -r notify p50 p90 p99 <<< "$(python3 - "$out/wrk-$tag.json" <<'EOF'
import json, sys
w = json.load(open(sys.argv[1])); s = w["duration_us"] / 1e6; l = w["latency_us"]
print(f'{w["requests"] / s:.0f} {l["p50"]/1000:.2f} {l["p90"]/1000:.2f} {l["p99"]/1000:.2f}')
EOF
)"
  fi
  local cps; cps=$(python3 -c "print(f'{($calls1 - $calls0) / max(1, $elapsed):.0f}')")
  local cpu; cpu=$(python3 -c "print(f'{($after - $before) / $ticks / max(1, $elapsed) * 100:.0f}%')")
  local rss; rss=$(python3 -c "
import sys
s = [float(x) for x in open(sys.argv[1]) if x.strip()] or [0]
print(f'{s[0]:.1f} / {max(s):.1f} / {s[-1]:.1f}')" "$out/rss-$tag.txt")
  local connections="$c"; [ "$c" = 0 ] && connections="-"
  echo "   $tag: $notify notifications/s (p50 $p50, p90 $p90, p99 $p99 ms), $cps gateway calls/s, $asked orders asked, CPU $cpu, RSS $rss MiB"
  table+=$'\n'"| $tag | $concurrency | $connections | $notify | $p50 | $p90 | $p99 | $cps | $asked | $cpu | $rss |"
  rm -f "$db"*
}

if [ "$reconciler_only" = 0 ]; then
  for c in 1 16; do
    echo "== notifications at $c connection(s), the daemon only listening"; run "listen-c$c" 0 "$c"
    echo "== notifications at $c connection(s), the reconciler asking at $rate calls/s"; run "reconcile-c$c" 1 "$c"
  done
fi
for concurrency in $concurrencies; do
  echo "== the reconciler alone, gateway-concurrency $concurrency"; run "reconcile-only" 1 0 "$concurrency"
done

echo
echo "$table" | tee "$out/summary.md"
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); $orders orders, gateway-rate $rate, gateway latency ${latency}s, ${duration}s per run"
echo "results: $out"
