#!/usr/bin/env bash
# What a slow sink costs the daemon: N events pending and an HTTP sink that
# takes every POST and answers none within sink-timeout, so every delivery
# thread waits on it. Prints the daemon's CPU (user + system, from /proc)
# over the measured seconds.
#
#   scripts/slow-sink-bench.sh [--events N] [--seconds S] [--daemon PATH]
#
# Builds release (unless --daemon names a binary, such as an older build to
# compare with); loopback only; the sink is a Python listener that reads
# and never answers.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
events=1000; seconds=10; daemon=""
while [ $# -gt 0 ]; do
  case "$1" in
    --events) events="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --daemon) daemon="$2"; shift 2 ;;
    *) sed -n 2,12p "$0"; exit 2 ;;
  esac
done
scripts/install-deps.sh bench
if [ -z "$daemon" ]; then
  swift build -c release --product alipay-notifyd >/dev/null
  daemon="$root/.build/release/alipay-notifyd"
fi
swift build -c release --product notifyd-bench >/dev/null
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT

python3 - 18395 > "$work/sink.log" 2>&1 <<'PY' &
import socket, sys, threading, time
server = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1]))); server.listen(64)
held = []
while True:
    connection, _ = server.accept(); held.append(connection)   # read nothing back, answer nothing
PY
pids+=($!); disown
.build/release/notifyd-bench corpus --count "$events" --seed 9 --duplicates-fraction 0 --retry-fraction 0 --resend-fraction 0 \
  --bad-sign-fraction 0 --private-key Tests/Fixtures/keys/alipay_private_key.pem --out "$work/corpus.txt" >/dev/null
"$daemon" serve --listen 127.0.0.1:18396 --admin-listen off --db "$work/ledger.db" \
  --alipay-public-key Tests/Fixtures/keys/alipay_public_key.pem --app-id 2021000123456789 --accept-unknown-orders \
  --sink http --sink-url http://127.0.0.1:18395/events --sink-timeout 5s --sink-concurrency 4 --log-level warning 2> "$work/daemon.log" &
pid=$!; pids+=($pid); disown
for _ in $(seq 100); do grep -q "listening on" "$work/daemon.log" 2>/dev/null && break; sleep 0.1; done
python3 - "$work/corpus.txt" "$events" <<'PY'
import http.client, sys
bodies = [line.rstrip("\n") for line in open(sys.argv[1]) if line.strip()][: int(sys.argv[2])]
connection = http.client.HTTPConnection("127.0.0.1", 18396, timeout=60)
for body in bodies:
    connection.request("POST", "/notify", body=body.encode(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    if connection.getresponse().read() != b"success": sys.exit("not success")
PY
sleep 2
ticks=$(getconf CLK_TCK)
before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
sleep "$seconds"
after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
pending=$(sqlite3 "$work/ledger.db" "SELECT count(*) FROM events WHERE state = 'pending'")
echo "daemon $daemon: $pending events pending, a sink that answers none; CPU over ${seconds} s: $(python3 -c "print(f'{($after - $before) / $ticks:.2f}')") s"
