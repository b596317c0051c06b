#!/usr/bin/env bash
# The test command of the README: builds the debug preset (ASan + UBSan) as the caller, runs the
# unit tests, then the integration tests as root (directly, or through sudo): they need
# /dev/net/tun and network namespaces. Perf tests are separate: ci/perf.sh (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
. ci/lib.sh
bash ci/setup.sh
bash ci/lint.sh   # the house style (.clang-format): a few seconds
cmake --preset debug -DTUNBENCH_WERROR=ON >/dev/null
cmake --build --preset debug
ctest --preset debug -L unit -j2 --timeout 300 "$@"
if ! [ -c /dev/net/tun ]; then
  echo "test: no /dev/net/tun here: skipped the integration tests"
elif ! can_be_root; then
  echo "test: neither root nor sudo: skipped the integration tests (they need root and /dev/net/tun)"
else
  # One at a time: each pushes real traffic through TUN devices and wants the CPU.
  as_root ctest --preset debug -L integration --timeout 900 "$@"
fi
