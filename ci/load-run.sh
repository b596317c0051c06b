#!/usr/bin/env bash
# The integration suite under a heavy foreign load (issue 15, "The suite's own verdicts hold under
# load"): stress-ng keeps both cores and memory busy (CPU workers plus memory workers that touch
# their pages over and over) and an iperf3 transfer runs without pause between two namespaces of
# this script's own, while `ctest -L integration` runs PASSES times (default 2). Every pass's
# result and time is printed; exit 1 when any pass failed.
#
#   ci/load-run.sh [BUILD_DIR] [PASSES]      # default build/debug (what ci/test.sh builds), 2
#
# Needs root (the suite does) and stress-ng (ci/setup.sh installs it). Network safety: the iperf3
# pair lives in tb-load-a-PID / tb-load-b-PID, joined by a veth with addresses only there; both
# namespaces, stress-ng and iperf3 (the processes this script started, by PID) are removed on every
# exit: success, failure or signal.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/debug}
passes=${2:-2}
[ -d "$build" ] || { echo "load-run: no build in $build (cmake --preset debug && cmake --build --preset debug)" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "load-run: needs root (the integration suite does)" >&2; exit 2; }
command -v stress-ng >/dev/null || { echo "load-run: stress-ng missing (ci/setup.sh installs it)" >&2; exit 2; }

ns_a="tb-load-a-$$"
ns_b="tb-load-b-$$"
stop=$(mktemp /tmp/load-run-stop.XXXXXX)
rm -f "$stop"
pids=()
client_loop=""
suite=""
cleanup() {
  # A suite cut short by a signal: SIGINT, which its tests answer by removing what they made.
  if [ -n "$suite" ]; then
    kill -INT "$suite" 2>/dev/null || true
    wait "$suite" 2>/dev/null || true
  fi
  # The client loop stops starting transfers once $stop exists; its running iperf3 (its child)
  # is ended by the loop's PID, then the loop ends by itself.
  touch "$stop"
  if [ -n "$client_loop" ]; then
    pkill -P "$client_loop" 2>/dev/null || true
    wait "$client_loop" 2>/dev/null || true
  fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -f "$stop"
  ip netns del "$ns_a" 2>/dev/null || true
  ip netns del "$ns_b" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The foreign network load: a veth pair between two namespaces of our own, iperf3 through it.
ip netns add "$ns_a"
ip netns add "$ns_b"
ip -n "$ns_a" link add veth-la type veth peer name veth-lb netns "$ns_b"
ip -n "$ns_a" addr add 10.99.0.1/24 dev veth-la
ip -n "$ns_b" addr add 10.99.0.2/24 dev veth-lb
for ns in "$ns_a" "$ns_b"; do ip -n "$ns" link set lo up; done
ip -n "$ns_a" link set veth-la up
ip -n "$ns_b" link set veth-lb up
ip netns exec "$ns_b" iperf3 --server --bind 10.99.0.2 >/dev/null 2>&1 &
pids+=($!)
# The client reconnects whenever a transfer ends, until we stop it.
(while [ ! -e "$stop" ]; do ip netns exec "$ns_a" iperf3 --client 10.99.0.2 --time 60 >/dev/null 2>&1 || sleep 1; done) &
client_loop=$!

# The foreign CPU and memory load: a CPU worker per core and memory workers over 2 GB.
cores=$(nproc)
stress-ng --cpu "$cores" --vm "$cores" --vm-bytes 1G --quiet &
pids+=($!)
echo "load-run: stress-ng (${cores} CPU + ${cores} memory workers, 1 GB each) and iperf3 in $ns_a/$ns_b running"

failed=0
for pass in $(seq 1 "$passes"); do
  start=$(date +%s)
  log="/tmp/load-run-$$-pass$pass.log"
  # In the background and waited for: a signal then reaches the trap at once, not after ctest.
  ctest --test-dir "$build" -L integration --timeout 900 --output-on-failure >"$log" 2>&1 &
  suite=$!
  if wait "$suite"; then verdict=passed; else
    verdict=FAILED
    failed=1
  fi
  suite=""
  echo "load-run: pass $pass of $passes: $verdict in $(($(date +%s) - start)) s; $(grep -E 'tests passed' "$log" || echo 'no summary')"
  grep -E '^\s+[0-9]+ - .*\((Failed|Timeout|SEGFAULT|Exception)\)' "$log" || true
  echo "load-run: log $log"
done
exit $failed
