#!/usr/bin/env bash
# ctest's perf test: one `tunbench run` of every tunfwd mode plus veth and loopback, then
# perf_check against this machine's profile (see tests/perf/README.md). No profile for this
# machine: skipped (77) with what to run (`tunbench calibrate`), before anything is measured.
# Arguments (from tests/perf/CMakeLists.txt): TUNBENCH PERF_CHECK THRESHOLDS_DIR OUT_DIR [TUNFWD]
# Environment: TUNBENCH_PERF_REPEAT (3), TUNBENCH_PERF_DURATION (5 s), TUNBENCH_PERF_MODES (all),
#              TUNBENCH_PROFILE (fallback, a file name in fixtures/thresholds/{local/,} or a path),
#              TUNBENCH_PERF_TUNFWD (another tunfwd to check, e.g. a wrapper planting a slowdown).
set -uo pipefail
tunbench=$1 perf_check=$2 thresholds=$3 out=$4 tunfwd=${TUNBENCH_PERF_TUNFWD:-${5:-}}
here=$(dirname "$0")
# shellcheck source=tests/perf/skip.sh
. "$here/skip.sh"
mkdir -p "$out"
rm -f "$out/perf-skipped.txt"
if [ "$(id -u)" -ne 0 ]; then skip "$out/perf-skipped.txt" "perf: needs root (ci/perf.sh runs it as root)"; fi
if [ ! -c /dev/net/tun ]; then skip "$out/perf-skipped.txt" "perf: no /dev/net/tun"; fi
if [ -z "$tunfwd" ] || [ ! -x "$tunfwd" ]; then skip "$out/perf-skipped.txt" "perf: tunfwd not built"; fi
# Which profile, before minutes of measuring (TUNBENCH_PROFILE is read by perf_check).
selection=$("$perf_check" --select-only --thresholds-dir "$thresholds" 2>&1)
case $? in
  0) echo "$selection" ;;
  77) skip "$out/perf-skipped.txt" "$selection" ;;
  *) echo "$selection"; exit 1 ;;  # e.g. TUNBENCH_PROFILE names no file
esac
repeat=${TUNBENCH_PERF_REPEAT:-3}
duration=${TUNBENCH_PERF_DURATION:-5}
modes=${TUNBENCH_PERF_MODES:-all}
json=$out/perf-run.json
rm -f "$json"
echo "perf: tunbench run --modes $modes --repeat $repeat --duration $duration (json: $json)"
"$tunbench" run --tunfwd "$tunfwd" --modes "$modes" --baselines veth,loopback --repeat "$repeat" \
  --duration "$duration" --quiet-wait --json "$json"
rc=$?
if [ ! -s "$json" ]; then echo "perf: tunbench run wrote no results (exit $rc)"; exit 1; fi
[ $rc -eq 0 ] || echo "perf: tunbench run exited $rc (a row failed every sample); checking what was measured"
only=()
[ "$modes" = all ] || only=(--measured-rows-only)  # a subset of modes: the profile's other rows are not failures
"$perf_check" "$json" --thresholds-dir "$thresholds" --markdown "$out/perf-check.md" "${only[@]}"
check=$?
[ $rc -eq 0 ] && [ $check -eq 0 ]
