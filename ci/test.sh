#!/usr/bin/env bash
# The test command of the README: builds the debug preset (ASan + UBSan) and runs the unit
# tests, then the integration tests when running as root (they need /dev/net/tun and netns).
# Perf tests are separate: `sudo ctest --test-dir build/release -L perf` (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
cmake --preset debug >/dev/null
cmake --build --preset debug
ctest --preset debug -L unit -j2 --timeout 300 "$@"
if [ "$(id -u)" -eq 0 ] && [ -c /dev/net/tun ]; then
  # One at a time: each pushes real traffic through TUN devices and wants the CPU.
  ctest --preset debug -L integration --timeout 900 "$@"
else
  echo "test: not root, skipped the integration tests (they need root and /dev/net/tun)"
fi
