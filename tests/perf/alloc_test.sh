#!/usr/bin/env bash
# ctest's allocation test (label perf, root): a pooled mode must allocate nothing per packet in
# steady state. Runs `tunbench run` twice through MODE with libtb_alloc_count_preload.so, with a
# 2 s and a 8 s iperf3 run, and compares the allocations the forwarder made over its whole life:
# the longer run forwards millions more packets, so any per-packet allocation shows up as a
# difference of that order. Allowed: ALLOWED (default 200) allocations, for what start-up and
# shutdown may vary by (thread stacks, batch vectors growing once).
# The modes come from the registry (`tunfwd --list --json`): MODE is the first with "pool", and
# HEAP_MODE, the control, the mode of the same shape (offload, channel, framed, async) without a
# pool, run the same way, must fail this bound: the test shows it can fail.
# Arguments: TUNBENCH TUNFWD PRELOAD OUT_DIR
set -uo pipefail
tunbench=$1 tunfwd=$2 preload=$3 out=$4
allowed=${ALLOC_TEST_ALLOWED:-200}
if [ "$(id -u)" -ne 0 ]; then echo "alloc: needs root"; exit 77; fi
if [ ! -c /dev/net/tun ]; then echo "alloc: no /dev/net/tun"; exit 77; fi
mkdir -p "$out"
read -r mode heap_mode < <("$tunfwd" --list --json | python3 -c '
import json, sys
modes = json.load(sys.stdin)["modes"]
shape = lambda m: (m["offload"], m["channel"], m["framed"], m["async"])
pooled = next(m for m in modes if m["pool"])
control = next(m for m in modes if not m["pool"] and shape(m) == shape(pooled))
print(pooled["name"], control["name"])')
[ -n "${mode:-}" ] && [ -n "${heap_mode:-}" ] || { echo "alloc: no pooled mode and control in tunfwd --list --json" >&2; exit 1; }

# count MODE SECONDS -> prints "ALLOCATIONS PACKETS" (packets read, both directions, from the
# counters tunfwd writes on exit)
count() {
  local m=$1 s=$2 json=$out/alloc-$1-$2.json stats=$out/alloc-$1-$2.stats.json
  rm -f "$stats"
  "$tunbench" run --modes none --baselines none --repeat 1 --duration "$s" --keep-logs --json "$json" \
    --forwarder "$m=env LD_PRELOAD=$preload $tunfwd --mode $m --ip1 10.0.1.1 --ip2 10.0.2.1 --stats-json $stats" \
    >"$out/alloc-$m-$s.log" 2>&1 || { echo "alloc: tunbench run failed, see $out/alloc-$m-$s.log" >&2; return 1; }
  local logs
  logs=$(sed -n 's/.*logs in \([^ ]*\).*/\1/p' "$out/alloc-$m-$s.log" | head -n 1)
  local err=$logs/$m-1/forwarder.err
  local n packets
  n=$(sed -n 's/^alloc-count: \([0-9]*\)$/\1/p' "$err" | tail -n 1)
  packets=$(python3 -c 'import json, sys; print(sum(d["packets"] for d in json.load(open(sys.argv[1]))["directions"]))' "$stats")
  rm -rf "$logs"
  [ -n "$n" ] || { echo "alloc: no alloc-count in $err" >&2; return 1; }
  [ -n "$packets" ] || { echo "alloc: no counters in $stats" >&2; return 1; }
  echo "$n $packets"
}

check() {
  local m=$1 short long
  short=$(count "$m" 2) || return 2
  long=$(count "$m" 8) || return 2
  read -r a1 p1 <<<"$short"
  read -r a2 p2 <<<"$long"
  local diff=$((a2 > a1 ? a2 - a1 : a1 - a2)) more=$((p2 - p1))
  echo "alloc: $m: 2 s run $a1 allocations / $p1 packets, 8 s run $a2 / $p2; difference $diff for $more more packets (allowed $allowed)"
  [ "$more" -gt 100000 ] || { echo "alloc: the long run forwarded too few more packets to tell" >&2; return 2; }
  [ "$diff" -le "$allowed" ]
}

check "$mode"
rc=$?
[ $rc -eq 2 ] && exit 1
check "$heap_mode"
heap_rc=$?
[ $heap_rc -eq 2 ] && exit 1
if [ $heap_rc -eq 0 ]; then
  echo "alloc: control $heap_mode allocates per packet and should have exceeded the bound: the test cannot tell" >&2
  exit 1
fi
if [ $rc -ne 0 ]; then echo "alloc: FAIL: $mode allocates per packet in steady state"; exit 1; fi
echo "alloc: $mode allocates nothing per packet in steady state"
