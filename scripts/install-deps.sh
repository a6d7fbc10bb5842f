#!/usr/bin/env bash
# Installs the Debian packages alipay-notifyd needs, only those missing.
#   scripts/install-deps.sh run    what building and running the daemon needs
#   scripts/install-deps.sh test   that, plus what the tests use
#   scripts/install-deps.sh bench  that, plus wrk, python3 and PostgreSQL for scripts/bench.sh
# Runs apt-get as root (or through sudo). Swift itself is expected on PATH.
set -euo pipefail

profile="${1:-run}"
packages=(libssl-dev libcurl4-openssl-dev libsqlite3-dev libpq-dev pkg-config openssl curl ca-certificates)
case "$profile" in
  run) ;;
  test) packages+=(nginx sqlite3 postgresql wrk python3 python3-prometheus-client python3-cryptography systemd) ;;
  bench) packages+=(wrk python3 postgresql valgrind) ;;
  *) echo "usage: $0 run|test|bench" >&2; exit 2 ;;
esac

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
    echo "missing packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null; then
  echo "swift is not on PATH: install Swift 6 (https://www.swift.org/install/linux/) first" >&2
  exit 1
fi
