#!/usr/bin/env bash
# Runs every test of alipay-notifyd on a fresh Debian 12 with Swift:
# installs the packages the tests need, builds (refusing compiler warnings
# in the project's own code), and runs unit and end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "== build"
swift build --build-tests 2>&1 | tee "$log"
if grep -E "^($PWD/)?(Sources|Tests)/.*: warning:" "$log" >/dev/null; then
  echo "the build has compiler warnings in the project's code (see above); they are errors here" >&2
  exit 1
fi

echo "== tests"
swift test --skip-build --disable-xctest

echo "== fuzzing (${FUZZ_SECONDS:-60} s per target; scripts/fuzz.sh for longer runs)"
scripts/fuzz.sh "${FUZZ_SECONDS:-60}"

echo "== the whole suite again under ThreadSanitizer and AddressSanitizer"
scripts/sanitize.sh both
