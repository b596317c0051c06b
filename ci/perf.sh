#!/usr/bin/env bash
# The perf tests (label perf): release build as the caller, then `ctest -L perf` as root
# (directly, or through sudo). Without a thresholds profile for this machine the checks are
# skipped, and why (with what to run: tunbench calibrate) is printed after ctest's summary, which
# shows no output of skipped tests. See tests/perf/README.md. Extra arguments go to ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
. ci/lib.sh
bash ci/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release
skipped=(build/release/tests/perf/perf-skipped.txt build/release/tests/perf/perf-stack-skipped.txt)
as_root rm -f "${skipped[@]}"  # only this run's reasons
rc=0
as_root ctest --test-dir build/release -L perf --output-on-failure "$@" || rc=$?
for f in "${skipped[@]}"; do
  [ -s "$f" ] && printf '\n%s: skipped:\n%s\n' "$f" "$(cat "$f")"
done
exit $rc
