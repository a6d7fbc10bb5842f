#!/usr/bin/env bash
# Quick start: installs what alipay-notifyd needs, builds it, and runs it in the
# foreground on SQLite with Config/demo.conf (listening on 127.0.0.1:8080).
#
# The demo trusts a key pair generated here into .demo/, so that
# scripts/replay.sh can sign notifications it accepts; the order DEMO0001
# (88.88 yuan) is registered for it. A second key pair plays your app's, so
# that alipay-sandbox (built too) can stand in for Alipay's gateway: see
# README, "Try it without Alipay". Stop the daemon with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh run
swift build -c release --product alipay-notifyd
swift build -c release --product alipay-sandbox
bin=.build/release/alipay-notifyd

mkdir -p .demo
if [ ! -f .demo/alipay_private_key.pem ]; then
  echo "generating the demo key pair in .demo/ (stands in for Alipay's key; never use it in production)"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out .demo/alipay_private_key.pem 2>/dev/null
  openssl pkey -in .demo/alipay_private_key.pem -pubout -out .demo/alipay_public_key.pem
fi
if [ ! -f .demo/app_private_key.pem ]; then
  echo "generating the demo app key pair in .demo/ (stands in for your app's key)"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out .demo/app_private_key.pem 2>/dev/null
  openssl pkey -in .demo/app_private_key.pem -pubout -out .demo/app_public_key.pem
fi
"$bin" orders add --config Config/demo.conf DEMO0001 88.88

echo "starting: replay a signed sample from another terminal with scripts/replay.sh"
exec "$bin" serve --config Config/demo.conf
