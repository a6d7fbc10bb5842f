#!/usr/bin/env bash
# Runs the whole test suite again under a sanitizer: the test process and
# every daemon, CLI and bench process the tests start are built with it, so
# a data race or memory error anywhere in the daemon fails the run.
#
#   scripts/sanitize.sh thread     ThreadSanitizer   (build in .build-tsan)
#   scripts/sanitize.sh address    AddressSanitizer  (build in .build-asan)
#   scripts/sanitize.sh            both, one after the other
#
# A report stops the process that found it (halt_on_error) with exit code
# 66, which fails the test that started it. Extra arguments go to
# `swift test` (e.g. --filter FloodTests).
set -euo pipefail
cd "$(dirname "$0")/.."

kinds=("${1:-both}")
[ "${kinds[0]}" = both ] && kinds=(thread address)
shift || true

scripts/install-deps.sh test

for kind in "${kinds[@]}"; do
  case "$kind" in
    thread) scratch=.build-tsan ;;
    address) scratch=.build-asan ;;
    *) echo "usage: $0 [thread|address|both] [swift test arguments]" >&2; exit 2 ;;
  esac
  echo "== build (--sanitize=$kind)"
  swift build --build-tests --scratch-path "$scratch" --sanitize="$kind" 2>&1 | grep -vE "^\[|ld.gold: warning" || true
  echo "== tests under --sanitize=$kind"
  # Leaks are checked in every daemon, CLI and bench process the tests
  # start (each must exit 0), not in the test process itself.
  TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1" \
  ASAN_OPTIONS="halt_on_error=1 exitcode=66 detect_leaks=0" \
  NOTIFYD_TEST_CHILD_ASAN_OPTIONS="halt_on_error=1 exitcode=66 detect_leaks=1" \
    swift test --skip-build --scratch-path "$scratch" --sanitize="$kind" --disable-xctest "$@"
done
echo "sanitizers: the whole suite passed under ${kinds[*]}"
