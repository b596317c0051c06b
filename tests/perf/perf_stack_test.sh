#!/usr/bin/env bash
# ctest's perf test for our userspace stack (label perf, root): `tunbench run --stacks ours` (both
# directions, next to the direct veth path and the kernel-routed one), then perf_check against a
# profile of fixtures/thresholds/stack/ (TUNBENCH_STACK_PROFILE, else chosen by CPU model, else
# the fallback profile, ratios only). Arguments: TUNBENCH PERF_CHECK THRESHOLDS_DIR OUT_DIR
# Environment: TUNBENCH_PERF_REPEAT (3), TUNBENCH_PERF_DURATION (5 s).
set -uo pipefail
tunbench=$1 perf_check=$2 thresholds=$3 out=$4
if [ "$(id -u)" -ne 0 ]; then echo "perf: needs root (ci/perf.sh runs it as root)"; exit 77; fi
if [ ! -c /dev/net/tun ]; then echo "perf: no /dev/net/tun"; exit 77; fi
repeat=${TUNBENCH_PERF_REPEAT:-3}
duration=${TUNBENCH_PERF_DURATION:-5}
mkdir -p "$out"
json=$out/perf-stack-run.json
rm -f "$json"
echo "perf: tunbench run --stacks ours --repeat $repeat --duration $duration (json: $json)"
"$tunbench" run --stacks ours --repeat "$repeat" --duration "$duration" --quiet-wait --json "$json"
rc=$?
if [ ! -s "$json" ]; then echo "perf: tunbench run wrote no results (exit $rc)"; exit 1; fi
[ $rc -eq 0 ] || echo "perf: tunbench run exited $rc (a row failed every sample); checking what was measured"
profile=()
[ -n "${TUNBENCH_STACK_PROFILE:-}" ] && profile=(--profile "$TUNBENCH_STACK_PROFILE")
env -u TUNBENCH_PROFILE "$perf_check" "$json" --thresholds-dir "$thresholds" "${profile[@]}" --markdown "$out/perf-stack-check.md"
check=$?
[ $rc -eq 0 ] && [ $check -eq 0 ]
