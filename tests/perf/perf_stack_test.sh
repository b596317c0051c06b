#!/usr/bin/env bash
# ctest's perf test for our userspace stack (label perf, root): `tunbench run --stacks ours` (both
# directions, next to the direct veth path and the kernel-routed one), then perf_check against
# this machine's profile of fixtures/thresholds/stack/ (see tests/perf/README.md). No profile for
# this machine: skipped (77) with what to run (`tunbench calibrate`), before anything is measured.
# Arguments: TUNBENCH PERF_CHECK THRESHOLDS_DIR OUT_DIR
# Environment: TUNBENCH_PERF_REPEAT (3), TUNBENCH_PERF_DURATION (5 s),
#   TUNBENCH_STACK_PROFILE (fallback, a file name in fixtures/thresholds/stack/{local/,} or a path);
#   TUNBENCH_PROFILE=fallback also selects the stack fallback (a named TUNBENCH_PROFILE is a
#   profile of the modes and does not apply here).
set -uo pipefail
tunbench=$1 perf_check=$2 thresholds=$3 out=$4
here=$(dirname "$0")
# shellcheck source=tests/perf/skip.sh
. "$here/skip.sh"
mkdir -p "$out"
rm -f "$out/perf-stack-skipped.txt"
if [ "$(id -u)" -ne 0 ]; then skip "$out/perf-stack-skipped.txt" "perf: needs root (ci/perf.sh runs it as root)"; fi
if [ ! -c /dev/net/tun ]; then skip "$out/perf-stack-skipped.txt" "perf: no /dev/net/tun"; fi
requested=${TUNBENCH_STACK_PROFILE:-}
[ -z "$requested" ] && [ "${TUNBENCH_PROFILE:-}" = fallback ] && requested=fallback
profile=()
[ -n "$requested" ] && profile=(--profile "$requested")
selection=$(env -u TUNBENCH_PROFILE "$perf_check" --select-only --thresholds-dir "$thresholds" "${profile[@]}" 2>&1)
case $? in
  0) echo "$selection" ;;
  77) skip "$out/perf-stack-skipped.txt" "${selection//TUNBENCH_PROFILE=/TUNBENCH_STACK_PROFILE=}" ;;
  *) echo "$selection"; exit 1 ;;
esac
repeat=${TUNBENCH_PERF_REPEAT:-3}
duration=${TUNBENCH_PERF_DURATION:-5}
json=$out/perf-stack-run.json
rm -f "$json"
echo "perf: tunbench run --stacks ours --repeat $repeat --duration $duration (json: $json)"
"$tunbench" run --stacks ours --repeat "$repeat" --duration "$duration" --quiet-wait --json "$json"
rc=$?
if [ ! -s "$json" ]; then echo "perf: tunbench run wrote no results (exit $rc)"; exit 1; fi
[ $rc -eq 0 ] || echo "perf: tunbench run exited $rc (a row failed every sample); checking what was measured"
env -u TUNBENCH_PROFILE "$perf_check" "$json" --thresholds-dir "$thresholds" "${profile[@]}" --markdown "$out/perf-stack-check.md"
check=$?
[ $rc -eq 0 ] && [ $check -eq 0 ]
