#!/usr/bin/env bash
# The throughput benchmark of alipay-notifyd: loopback only, bounded in time.
#
#   scripts/bench.sh [--count N] [--duration SECONDS] [--connections "1 16 64"]
#                    [--soak SECONDS] [--postgres] [--out DIR]
#
# Builds release; generates a signed corpus with notifyd-bench (N distinct paid
# notifications, default 200000, plus 5% byte-identical duplicates, 2% re-signed
# retries of the same notify_id, 3% new notify_ids for paid trades and 0.5%
# forgeries; cached by N); then, for each connection count: a fresh ledger, the
# daemon with its default settings, wrk for the duration, the ledger check
# against exactly what wrk sent (with a replay of what was in flight), and
# SIGTERM. Prints req/s, latency percentiles, server CPU and peak RSS per run and
# a table at the end. --soak SECONDS adds a run at 16 connections that samples
# the daemon's resident memory every 10 s. --postgres repeats the runs on a
# PostgreSQL ledger (a throwaway local cluster) with 1 and then 3 daemons,
# wrk spreading its threads over the daemons as a load balancer would.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

count=200000; duration=10; connections="1 16 64"; soak=0; out=""; postgres=0
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --soak) soak="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --postgres) postgres=1; shift ;;
    *) sed -n 2,18p "$0"; exit 2 ;;
  esac
done
[ "$duration" -ge 1 ] && [ "$duration" -le 600 ] || { echo "--duration must be 1..600 seconds" >&2; exit 2; }
[ "$soak" -le 3600 ] || { echo "--soak is at most 3600 seconds" >&2; exit 2; }
out="${out:-$root/.build/bench-results/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"

scripts/install-deps.sh bench
echo "== build (release)"
swift build -c release --product alipay-notifyd >/dev/null
swift build -c release --product notifyd-bench >/dev/null
daemon="$root/.build/release/alipay-notifyd"
bench="$root/.build/release/notifyd-bench"
private_key="$root/Tests/Fixtures/keys/alipay_private_key.pem"   # test-only key pair
public_key="$root/Tests/Fixtures/keys/alipay_public_key.pem"

corpus="$root/.build/bench-corpus/corpus-$count.txt"
if [ ! -s "$corpus" ]; then
  echo "== corpus: $count distinct notifications (signing on every core)"
  mkdir -p "$(dirname "$corpus")"
  "$bench" corpus --count "$count" --seed 101 --private-key "$private_key" --out "$corpus.tmp"
  mv "$corpus.tmp" "$corpus"; mv "$corpus.tmp.manifest.json" "$corpus.manifest.json"
fi
lines=$(wc -l < "$corpus")
echo "corpus: $corpus ($lines lines)"

port=18090
ticks=$(getconf CLK_TCK)
pids=()
pg_dir="$out/postgres"; pg_port=18432; pg_running=0
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  if [ "$pg_running" = 1 ]; then scripts/pg-cluster.sh stop "$pg_dir"; rm -rf "$pg_dir"; fi
}
trap cleanup EXIT

cpu_ticks() { local sum=0; for p in "$@"; do sum=$((sum + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$sum"; }
postgres_ticks() { local sum=0; for p in $(pgrep -x postgres || true); do sum=$((sum + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$sum"; }
machine_busy() { awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8}' /proc/stat; }

start_daemons() { # $1 = tag, $2 = ledger (sqlite|postgres), $3 = instances; sets pids, ports, db
  local tag="$1" ledger="$2" instances="$3"
  if [ "$ledger" = sqlite ]; then
    db="$out/ledger-$tag.db"
    rm -f "$db" "$db-wal" "$db-shm"
  else
    db=$(scripts/pg-cluster.sh url "$pg_dir" "$pg_port" "bench_${tag//-/_}")
  fi
  # Let the previous run's writes reach the disk first, so they do not slow this one.
  sync; sleep 2
  pids=(); ports=""
  # One daemon on PostgreSQL writes through two connections (ledger-writers 2);
  # three daemons on these two cores do better with one each (BENCHMARKS.md).
  local writers=1; [ "$ledger" = postgres ] && [ "$instances" = 1 ] && writers=2
  for i in $(seq 0 $((instances - 1))); do
    "$daemon" serve --ledger-writers "$writers" --listen "127.0.0.1:$((port + i))" --admin-listen "127.0.0.1:$((port + 100 + i))" --db "$db" \
      --alipay-public-key "$public_key" --app-id 2021000123456789 --seller-id 2088101122136241 --accept-unknown-orders \
      2> "$out/daemon-$tag-$i.log" &
    pids+=($!)
    ports="$ports${ports:+,}$((port + i))"
  done
  for i in $(seq 0 $((instances - 1))); do
    local ready=0
    for _ in $(seq 100); do
      # Listening, and (for PostgreSQL) connected and migrated.
      if grep -q "listening on" "$out/daemon-$tag-$i.log" \
         && [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$((port + 100 + i))/readyz")" = 200 ]; then
        ready=1; break
      fi
      kill -0 "${pids[$i]}" 2>/dev/null || break
      sleep 0.1
    done
    [ "$ready" = 1 ] || { echo "daemon $i did not start:" >&2; tail -5 "$out/daemon-$tag-$i.log" >&2; exit 1; }
  done
}

stop_daemons() { # sets $status to the worst exit status
  status=0
  for p in "${pids[@]}"; do kill -TERM "$p"; done
  for p in "${pids[@]}"; do wait "$p" || status=$?; done
  pids=()
}

configurations="sqlite:1"
if [ "$postgres" = 1 ]; then
  scripts/pg-cluster.sh start "$pg_dir" "$pg_port"; pg_running=1
  configurations="$configurations postgres:1 postgres:3"
fi

table="| ledger | daemons | connections | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | daemons' CPU (1 core = 100%) | PostgreSQL CPU | machine busy (2 cores) | peak RSS MiB (per daemon) | ledger check | exit |"
table+=$'\n'"|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"

for configuration in $configurations; do
  ledger=${configuration%:*}; instances=${configuration#*:}
  for c in $connections; do
    tag="$ledger-$instances-c$c"
    echo "== $ledger ledger, $instances daemon(s), $c connection(s), ${duration}s"
    start_daemons "$tag" "$ledger" "$instances"
    threads=2; [ "$c" -lt 2 ] && threads=1
    [ "$instances" -gt 1 ] && threads=$instances
    [ "$c" -lt "$threads" ] && threads=$c
    spread=""; [ "$instances" -gt 1 ] && spread="$ports"
    before=$(cpu_ticks "${pids[@]}"); pg_before=$(postgres_ticks); read -r busy0 total0 <<< "$(machine_busy)"
    BODIES="$corpus" WRK_SENT_OUT="$out/wrk-$tag.json" WRK_PORTS="$spread" timeout --signal=INT $((duration + 60)) \
      wrk -t"$threads" -c"$c" -d"${duration}s" --timeout 10s --latency -s scripts/bench/wrk_notify.lua \
      "http://127.0.0.1:$port/notify" -- "$threads" > "$out/wrk-$tag.txt"
    after=$(cpu_ticks "${pids[@]}"); pg_after=$(postgres_ticks); read -r busy1 total1 <<< "$(machine_busy)"
    rss=$(for p in "${pids[@]}"; do awk '/VmHWM/{printf "%.1f\n", $2/1024}' "/proc/$p/status"; done | sort -n | tail -n 1)
    if "$bench" check --db "$db" --corpus "$corpus" --wrk-json "$out/wrk-$tag.json" \
         --alipay-public-key "$public_key" --connections "$c" --replay "http://127.0.0.1:$port/notify" \
         > "$out/check-$tag.txt" 2>&1; then check=PASS; else check=FAIL; fi
    stop_daemons
    [ "$ledger" = sqlite ] && rm -f "$db" "$db-wal" "$db-shm"   # hundreds of MB each
    row=$(python3 - "$out/wrk-$tag.json" "$before" "$after" "$ticks" "$busy0" "$total0" "$busy1" "$total1" "$pg_before" "$pg_after" <<'EOF'
import json, sys
w = json.load(open(sys.argv[1]))
before, after, ticks = map(float, sys.argv[2:5])
busy0, total0, busy1, total1, pg0, pg1 = map(float, sys.argv[5:11])
seconds = w["duration_us"] / 1e6
l = w["latency_us"]
cpu = (after - before) / ticks / seconds * 100
pg = (pg1 - pg0) / ticks / seconds * 100
busy = (busy1 - busy0) / max(1.0, total1 - total0) * 100
print(f'{w["requests"] / seconds:.0f} {l["p50"]/1000:.2f} {l["p90"]/1000:.2f} {l["p99"]/1000:.2f} {l["p999"]/1000:.2f} {cpu:.0f}% {pg:.0f}% {busy:.0f}% {w["other"]}')
EOF
)
    read -r rps p50 p90 p99 p999 cpu pgcpu busy other <<< "$row"
    [ "$ledger" = sqlite ] && pgcpu="-"
    sent=$(python3 -c "import json,sys; print(sum(json.load(open(sys.argv[1]))['sent']))" "$out/wrk-$tag.json")
    wrapped=""; [ "$sent" -gt "$lines" ] && wrapped=" (corpus wrapped: $sent requests for $lines lines)"
    echo "   $rps req/s, p50 $p50 ms, p90 $p90 ms, p99 $p99 ms, p99.9 $p999 ms, daemons' CPU $cpu, PostgreSQL CPU $pgcpu, machine $busy, peak RSS $rss MiB, $other fail answers, ledger $check, exit $status$wrapped"
    sed 's/^/   /' "$out/check-$tag.txt"
    table+=$'\n'"| $ledger | $instances | $c | $rps | $p50 | $p90 | $p99 | $p999 | $cpu | $pgcpu | $busy | $rss | $check | $status |"
  done
done

if [ "$soak" -gt 0 ]; then
  echo "== soak: 16 connections, ${soak}s, resident memory every 10 s"
  start_daemons soak sqlite 1
  pid=${pids[0]}
  BODIES="$corpus" WRK_SENT_OUT="$out/wrk-soak.json" timeout --signal=INT $((soak + 60)) \
    wrk -t2 -c16 -d"${soak}s" --timeout 10s -s scripts/bench/wrk_notify.lua "http://127.0.0.1:$port/notify" -- 2 \
    > "$out/wrk-soak.txt" &
  wrk_pid=$!
  : > "$out/rss-soak.txt"
  while kill -0 "$wrk_pid" 2>/dev/null; do
    awk -v t="$SECONDS" '/VmRSS/{printf "%d %.1f\n", t, $2/1024}' "/proc/$pid/status" >> "$out/rss-soak.txt"
    sleep 10
  done
  wait "$wrk_pid" || true
  stop_daemons
  rm -f "$out/ledger-soak.db" "$out/ledger-soak.db-wal" "$out/ledger-soak.db-shm"
  tail -n 1000 "$out/daemon-soak-0.log" > "$out/daemon-soak.log.tail" && mv "$out/daemon-soak.log.tail" "$out/daemon-soak-0.log"
  python3 - "$out/rss-soak.txt" "$out/wrk-soak.json" "$status" <<'EOF'
import json, sys
samples = [float(line.split()[1]) for line in open(sys.argv[1]) if line.strip()]
w = json.load(open(sys.argv[2]))
settled = samples[len(samples) // 10:] or samples   # after the first tenth (warm-up)
low, high = min(settled), max(settled)
print(f"   soak: {w['requests'] / (w['duration_us'] / 1e6):.0f} req/s; resident memory {samples[0]:.1f} MiB at start, "
      f"{samples[-1]:.1f} MiB at the end, {low:.1f}-{high:.1f} MiB after warm-up "
      f"({(high - low) / high * 100:.1f}% spread: {'flat' if high <= low * 1.10 else 'NOT flat'}); exit {sys.argv[3]}")
EOF
fi

echo
echo "$table" | tee "$out/summary.md"
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "results: $out"
