#!/usr/bin/env bash
# Soak test (root; not part of ctest): iperf3 through tunfwd for DURATION seconds (default 600)
# in the best mode (passthrough), sampling tunfwd's RSS every second. Passes when
#   - RSS at the end is within 1 % of RSS after the first minute (no growth under load),
#   - tunfwd exits 0 on SIGINT with drops 0 in both directions,
#   - the counters balance: packets == written + drops, per direction,
#   - iperf3 completed.
# Everything runs in three namespaces of its own (tb-soak-{fwd,a,b}-PID), deleted on exit; the
# root namespace is never touched. Use a Release build:
#   cmake -S . -B build/h-fault-rel -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build build/h-fault-rel --target tunfwd
#   sudo ci/soak.sh [--build build/h-fault-rel] [--duration 600] [--mode passthrough] [--out DIR]
set -euo pipefail

build=build/h-fault-rel
duration=600
mode=passthrough
out=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --mode) mode=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--build DIR] [--duration S] [--mode MODE] [--out DIR]" >&2; exit 2 ;;
  esac
done
tunfwd=$build/src/app/tunfwd
[[ $(id -u) -eq 0 ]] || { echo "soak: needs root" >&2; exit 2; }
[[ -x $tunfwd ]] || { echo "soak: $tunfwd not built" >&2; exit 2; }
command -v iperf3 >/dev/null || { echo "soak: iperf3 missing" >&2; exit 2; }
(( duration >= 10 )) || { echo "soak: --duration must be at least 10 s" >&2; exit 2; }
# RSS is compared from minute 1 on (from half-way for a short smoke run).
ref=$(( duration >= 120 ? 60 : duration / 2 ))

out=${out:-$(mktemp -d /tmp/tb-soak-XXXXXX)}
mkdir -p "$out"
fwd=tb-soak-fwd-$$ a=tb-soak-a-$$ b=tb-soak-b-$$
fwd_pid="" server_pid="" client_pid=""

cleanup() {
  # Only what this script started, by pid; then its namespaces.
  for pid in $client_pid $server_pid $fwd_pid; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for ns in $b $a $fwd; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for ns in $fwd $a $b; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
# No IPv6 here (the soak is IPv4): the kernel's router solicitations on a TUN that comes up in one
# namespace would otherwise be forwarded to its peer while that one is still being moved (a
# counted EIO drop before the soak starts). harness::Topology enables IPv6 once both are up.
for ns in $fwd $a $b; do
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done

ip netns exec $fwd "$tunfwd" --mode "$mode" --iface1 tun11 --ip1 10.0.1.1 --iface2 tun22 --ip2 10.0.2.1 \
  >"$out/tunfwd.out" 2>"$out/tunfwd.err" &
fwd_pid=$!
# ip netns exec execs the command: $fwd_pid is tunfwd's pid. Wait (bounded) for both devices up.
for _ in $(seq 1 150); do
  if ip -n $fwd -o link show tun11 2>/dev/null | grep -q ',UP' && ip -n $fwd -o link show tun22 2>/dev/null | grep -q ',UP'; then
    break
  fi
  kill -0 $fwd_pid 2>/dev/null || { echo "soak: tunfwd exited:"; cat "$out/tunfwd.err"; exit 1; } >&2
  sleep 0.1
done
# Same wiring as harness::Topology: each device moves to its side, the fd keeps forwarding.
ip -n $fwd link set tun11 netns $a
ip -n $fwd link set tun22 netns $b
ip -n $a addr add 10.0.1.1/24 dev tun11; ip -n $a link set tun11 up; ip -n $a route replace 10.0.2.0/24 dev tun11
ip -n $b addr add 10.0.2.1/24 dev tun22; ip -n $b link set tun22 up; ip -n $b route replace 10.0.1.0/24 dev tun22

ip netns exec $b iperf3 -s -1 -J -p 5201 >"$out/iperf3-server.json" 2>"$out/iperf3-server.err" &
server_pid=$!
for _ in $(seq 1 100); do
  ip netns exec $b ss -ltn 2>/dev/null | grep -q ':5201 ' && break
  sleep 0.05
done
ip netns exec $a iperf3 -c 10.0.2.1 -p 5201 -t "$duration" -J --connect-timeout 3000 \
  >"$out/iperf3-client.json" 2>"$out/iperf3-client.err" &
client_pid=$!

# RSS (kB) and CPU ticks of tunfwd, once a second, while iperf3 runs.
echo "t rss_kb cpu_ticks" >"$out/rss.txt"
t=0
while kill -0 $client_pid 2>/dev/null; do
  rss=$(awk '/^VmRSS:/ {print $2}' /proc/$fwd_pid/status 2>/dev/null || echo 0)
  cpu=$(awk '{print $14 + $15}' /proc/$fwd_pid/stat 2>/dev/null || echo 0)
  echo "$t $rss $cpu" >>"$out/rss.txt"
  sleep 1
  t=$((t + 1))
done
client_rc=0; wait $client_pid || client_rc=$?; client_pid=""
wait $server_pid 2>/dev/null || true; server_pid=""

kill -INT $fwd_pid
fwd_rc=0; wait $fwd_pid || fwd_rc=$?; fwd_pid=""

python3 - "$out" "$client_rc" "$fwd_rc" "$ref" <<'PY'
import json, re, sys
out, client_rc, fwd_rc, ref = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rows = [l.split() for l in open(f"{out}/rss.txt").read().splitlines()[1:]]
rss = [(int(t), int(r), int(c)) for t, r, c in rows if int(r) > 0]
ok = True
def check(cond, what):
    global ok
    print(("ok   " if cond else "FAIL ") + what)
    ok = ok and cond
at60 = next((r for t, r, _ in rss if t >= ref), None)
end = rss[-1][1] if rss else None
peak = max((r for _, r, _ in rss), default=0)
if at60 and end:
    growth = (end - at60) / at60 * 100
    check(abs(growth) <= 1.0, f"RSS at {ref} s {at60} kB, at the end {end} kB ({growth:+.2f} %), peak {peak} kB, {len(rss)} samples")
else:
    check(False, "not enough RSS samples")
try:
    j = json.load(open(f"{out}/iperf3-client.json"))
    end_ = j["end"]
    gbps = end_["sum_received"]["bits_per_second"] / 1e9
    retr = end_["sum_sent"].get("retransmits", 0)
    secs = end_["sum_received"]["seconds"]
    check(client_rc == 0 and "error" not in j, f"iperf3: {gbps:.2f} Gbit/s over {secs:.0f} s, {retr} retransmits")
except Exception as e:
    check(False, f"iperf3 report: {e}")
if len(rss) > 2:
    t0, _, c0 = rss[0]; t1, _, c1 = rss[-1]
    print(f"info tunfwd CPU {(c1 - c0) / 100 / max(1, t1 - t0) * 100:.0f} % of one core on average")
check(fwd_rc == 0, f"tunfwd exit status {fwd_rc}")
text = open(f"{out}/tunfwd.out").read()
pat = re.compile(r"(\S+)→(\S+): packets (\d+) written (\d+) bytes (\d+) batches (\d+) drops (\d+)(?: \((.*)\))? \[reads (\d+) writes (\d+) gso-fallbacks (\d+)\]")
dirs = pat.findall(text)
check(len(dirs) == 2, "counters printed for both directions")
for d in dirs:
    packets, written, drops = int(d[2]), int(d[3]), int(d[6])
    print(f"info {d[0]}→{d[1]}: packets {packets} written {written} bytes {d[4]} drops {drops} reads {d[8]} writes {d[9]} gso-fallbacks {d[10]}")
    check(drops == 0, f"{d[0]}→{d[1]} drops 0")
    check(packets == written + drops, f"{d[0]}→{d[1]} balance: packets {packets} == written {written} + drops {drops}")
print(f"logs: {out}")
sys.exit(0 if ok else 1)
PY
