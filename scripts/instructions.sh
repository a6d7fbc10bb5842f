#!/usr/bin/env bash
# Instructions per notification, counted by callgrind: unlike seconds, the
# count is the same on a busy machine, so runs from different sessions and
# before/after a change compare directly.
#
#   scripts/instructions.sh [--count N]
#
# Builds release, then counts:
#   ledger   notifyd-bench ledger: N synthetic paid notifications recorded in
#            batches of 64 with an fdatasync per batch (the writer's work alone),
#            minus a run of one notification (start-up)
#   daemon   alipay-notifyd serve under callgrind, N signed notifications posted
#            over one keep-alive connection on loopback, minus the instructions
#            of the same daemon started and stopped with no request (start-up)
# and prints instructions per notification for each. Loopback only, bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
count=2000
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count="$2"; shift 2 ;;
    *) sed -n 2,16p "$0"; exit 2 ;;
  esac
done
[ "$count" -ge 100 ] && [ "$count" -le 100000 ] || { echo "--count must be 100..100000" >&2; exit 2; }

scripts/install-deps.sh bench
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install valgrind" >&2; exit 1; }
swift build -c release --product alipay-notifyd >/dev/null
swift build -c release --product notifyd-bench >/dev/null
daemon="$root/.build/release/alipay-notifyd"
bench="$root/.build/release/notifyd-bench"
work=$(mktemp -d)
trap '[ -n "${pid:-}" ] && kill -TERM "$pid" 2>/dev/null; rm -rf "$work"' EXIT

total() { # the "summary:" line of a callgrind output file
  awk '/^summary:/ {print $2}' "$1"
}

for n in 1 "$count"; do
  valgrind --tool=callgrind --callgrind-out-file="$work/ledger-$n.out" \
    "$bench" ledger --db "$work/ledger-$n.db" --count "$n" --batch 64 --explicit-sync >/dev/null 2>"$work/ledger.log"
done
# Start-up (and the first notification) counted once, then left out.
ledger=$(( ($(total "$work/ledger-$count.out") - $(total "$work/ledger-1.out")) / (count - 1) ))

"$bench" corpus --count "$count" --seed 7 --duplicates-fraction 0 --retry-fraction 0 --resend-fraction 0 --bad-sign-fraction 0 \
  --private-key Tests/Fixtures/keys/alipay_private_key.pem --out "$work/corpus.txt" >/dev/null
head -n "$count" "$work/corpus.txt" > "$work/posts.txt"

run_daemon() { # $1 = name, $2 = file of bodies to post (may be empty)
  rm -f "$work/$1.db"*
  valgrind --tool=callgrind --callgrind-out-file="$work/$1.out" \
    "$daemon" serve --listen 127.0.0.1:18390 --admin-listen off --db "$work/$1.db" --threads 2 \
    --alipay-public-key Tests/Fixtures/keys/alipay_public_key.pem --app-id 2021000123456789 --accept-unknown-orders \
    --log-level warning 2>"$work/$1.log" &
  pid=$!
  for _ in $(seq 600); do grep -q "listening on" "$work/$1.log" 2>/dev/null && break; sleep 0.1; done
  python3 - "$2" <<'PY'
import http.client, sys
bodies = [line.rstrip("\n") for line in open(sys.argv[1]) if line.strip()]
connection = http.client.HTTPConnection("127.0.0.1", 18390, timeout=60)
for body in bodies:
    connection.request("POST", "/notify", body=body.encode(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    answer = connection.getresponse().read()
    if answer != b"success":
        sys.exit(f"answered {answer!r}")
PY
  kill -TERM "$pid"; wait "$pid" || true; pid=""
}
: > "$work/none.txt"
run_daemon idle "$work/none.txt"
run_daemon loaded "$work/posts.txt"
requests=$(grep -c . "$work/posts.txt")
daemon_per=$(( ($(total "$work/loaded.out") - $(total "$work/idle.out")) / requests ))

echo "instructions per notification (callgrind, release build, $requests notifications):"
printf '  ledger (record + commit + fdatasync, batches of 64)   %12d\n' "$ledger"
printf '  daemon (HTTP, verification, ledger; one connection)   %12d\n' "$daemon_per"
