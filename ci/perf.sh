#!/usr/bin/env bash
# The perf tests (label perf): release build as the caller, then `ctest -L perf` as root
# (directly, or through sudo). Without a thresholds profile for this machine the check is
# reported as skipped; see the README's "Perf tests". Extra arguments go to ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
. ci/lib.sh
bash ci/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release
as_root ctest --test-dir build/release -L perf --output-on-failure "$@"
