#!/usr/bin/env bash
# Replays a notification to a running alipay-notifyd with curl and prints the answer.
#
#   scripts/replay.sh [URL]              sign Config/sample-notification.txt (order DEMO0001)
#                                        with the demo key, with a fresh notify_id, and POST it
#   scripts/replay.sh --raw FILE [URL]   POST FILE as it is (a captured body, or one from 'sign')
#
# URL defaults to http://127.0.0.1:8080/notify. Needs the build and the demo
# key from scripts/quickstart.sh for the first form.
set -euo pipefail
cd "$(dirname "$0")/.."

raw=""
if [ "${1:-}" = "--raw" ]; then raw="${2:?--raw needs a FILE}"; shift 2; fi
url="${1:-http://127.0.0.1:8080/notify}"

if [ -n "$raw" ]; then
  body=$(cat "$raw")
else
  bin=.build/release/alipay-notifyd
  [ -x "$bin" ] || bin=.build/debug/alipay-notifyd
  [ -x "$bin" ] || { echo "build alipay-notifyd first (scripts/quickstart.sh)" >&2; exit 1; }
  [ -f .demo/alipay_private_key.pem ] || { echo "no demo key: run scripts/quickstart.sh first" >&2; exit 1; }
  notify_id="$(date -u +%Y%m%d%H%M%S)$RANDOM"
  body=$("$bin" sign --private-key .demo/alipay_private_key.pem \
           --set "notify_id=$notify_id" --set "notify_time=$(date -u '+%Y-%m-%d %H:%M:%S')" \
           < Config/sample-notification.txt)
fi

printf '%s' "$body" | curl -sS --data-binary @- -H 'Content-Type: application/x-www-form-urlencoded; charset=utf-8' \
  -w '\n(HTTP %{http_code})\n' "$url"
