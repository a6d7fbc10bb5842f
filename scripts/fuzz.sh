#!/usr/bin/env bash
# Fuzzes the code that reads untrusted bytes with libFuzzer and the address
# sanitizer, one target after another, each for a bounded time.
#
#   scripts/fuzz.sh                 every target for 60 s (what CI runs)
#   scripts/fuzz.sh 3600            every target for an hour
#   scripts/fuzz.sh 600 signature   one target for ten minutes
#
# Targets: http-parser, form, signature, config, gateway-answer (notifyd-fuzz --help lists
# them with what each checks). Each run starts from the kept inputs in
# Tests/FuzzCorpus/<target> and grows a working corpus in
# .build-fuzz/corpus/<target>, kept between runs. An input that crashes or
# breaks a property is written to Tests/FuzzCorpus/<target>/crash-<sha1>:
# commit it (after the fix), and `swift test` replays it from then on. The
# script exits 1 when any target found one.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then targets=(http-parser form signature config gateway-answer); fi

scripts/install-deps.sh run

echo "== build (libFuzzer + address sanitizer, release)"
# lld: gold cannot link libFuzzer's runtime next to a Swift main.
swift build -c release --scratch-path .build-fuzz --product notifyd-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld 2>&1 \
  | grep -v "ld.gold: warning" || true
fuzzer=.build-fuzz/release/notifyd-fuzz
[ -x "$fuzzer" ] || { echo "the fuzzing build failed (see above)" >&2; exit 1; }

failed=()
for target in "${targets[@]}"; do
  kept="Tests/FuzzCorpus/$target"
  work=".build-fuzz/corpus/$target"
  [ -d "$kept" ] || { echo "unknown target '$target' (no $kept)" >&2; exit 2; }
  mkdir -p "$work"
  log=".build-fuzz/$target.log"
  echo "== $target: ${seconds}s"
  # -rss_limit_mb: a leak or runaway allocation is a finding too.
  if ASAN_OPTIONS=detect_leaks=0 "$fuzzer" "$target" "$work" "$kept" \
      -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$kept/" >"$log" 2>&1; then
    grep -E "^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)" "$log" \
      | sed 's/^stat::/   /'
    echo "   corpus: $(ls "$work" | wc -l) inputs, $(grep -oE 'cov: [0-9]+' "$log" | tail -1)"
  else
    failed+=("$target")
    tail -n 40 "$log"
    echo "!! $target: an input broke it, saved as $(ls -t "$kept"/crash-* "$kept"/leak-* "$kept"/oom-* "$kept"/timeout-* 2>/dev/null | head -1)" >&2
  fi
done

if ((${#failed[@]})); then
  echo "fuzzing found inputs that break: ${failed[*]} (kept in Tests/FuzzCorpus; replay with: swift run notifyd-fuzz TARGET FILE)" >&2
  exit 1
fi
echo "fuzzing: no input broke any target"
