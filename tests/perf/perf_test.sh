#!/usr/bin/env bash
# ctest's perf test: one `tunbench run` of every tunfwd mode plus veth and loopback, then
# perf_check against the profile (TUNBENCH_PROFILE, else chosen by CPU model, see README.md).
# Arguments (from tests/perf/CMakeLists.txt): TUNBENCH PERF_CHECK THRESHOLDS_DIR OUT_DIR [TUNFWD]
# Environment: TUNBENCH_PERF_REPEAT (3), TUNBENCH_PERF_DURATION (5 s), TUNBENCH_PERF_MODES (all),
#              TUNBENCH_PROFILE (file name in fixtures/thresholds/ or a path).
set -uo pipefail
tunbench=$1 perf_check=$2 thresholds=$3 out=$4 tunfwd=${5:-}
if [ "$(id -u)" -ne 0 ]; then echo "perf: needs root (ci/perf.sh runs it as root)"; exit 77; fi
if [ ! -c /dev/net/tun ]; then echo "perf: no /dev/net/tun"; exit 77; fi
if [ -z "$tunfwd" ] || [ ! -x "$tunfwd" ]; then echo "perf: tunfwd not built"; exit 77; fi
repeat=${TUNBENCH_PERF_REPEAT:-3}
duration=${TUNBENCH_PERF_DURATION:-5}
modes=${TUNBENCH_PERF_MODES:-all}
mkdir -p "$out"
json=$out/perf-run.json
rm -f "$json"
echo "perf: tunbench run --modes $modes --repeat $repeat --duration $duration (json: $json)"
"$tunbench" run --tunfwd "$tunfwd" --modes "$modes" --baselines veth,loopback --repeat "$repeat" \
  --duration "$duration" --quiet-wait --json "$json"
rc=$?
if [ ! -s "$json" ]; then echo "perf: tunbench run wrote no results (exit $rc)"; exit 1; fi
[ $rc -eq 0 ] || echo "perf: tunbench run exited $rc (a row failed every sample); checking what was measured"
"$perf_check" "$json" --thresholds-dir "$thresholds" --markdown "$out/perf-check.md"
check=$?
[ $rc -eq 0 ] && [ $check -eq 0 ]
