#!/usr/bin/env bash
# Performance gate: did the working tree (HEAD) get slower than BASE_REF?
#
#   ci/perf-gate.sh BASE_REF [--modes sync-gso,passthrough] [--repeat 10] [--duration 5]
#                                 [--tolerance 5] [--out results/perf-gate] [--base-tunfwd PATH]
#                                 [--head-tunfwd PATH] [--head-build DIR] [--paired]
#
# 1. Builds tunfwd of BASE_REF (a detached `git worktree` in a temp dir, release, removed on exit)
#    and the working tree (release preset, build/release: tunbench, tunfwd, gate_split).
# 2. ONE `tunbench run` benches both binaries side by side, every mode as two --forwarder rows,
#    'base-MODE' and 'head-MODE', plus the kernel veth baseline, interleaved round-robin over
#    --repeat passes: both sides see the same machine drift, and each sample's throughput is
#    normalised to the veth sample of its own pass.
# 3. gate_split (tests/perf) splits the run file into base.json and head.json (labels lose their
#    prefix; the veth row goes to both), `tunbench compare` writes report.md. With --paired the
#    comparison pairs the two sides by pass (`tunbench compare --paired`: each pass's head ÷ base,
#    Wilcoxon signed-rank): far more power where the passes drift together (sync-gso on the EPYC VM,
#    6 passes: a 10 % slowdown caught in 100 % of draws against 35 % unpaired), but a mode whose
#    samples now and then fall 20-30 % low gave 2-3 % false alarms (tests/perf/README.md).
# Exit: 0 no significant regression, 1 regression (or a row failed every sample), 2 error.
#
# Environment (flags win): PERF_GATE_MODES (sync-gso,passthrough), PERF_GATE_REPEAT (10),
# PERF_GATE_DURATION (5), PERF_GATE_TOLERANCE (5), PERF_GATE_PAIRED (1 = --paired), PERF_GATE_OUT (results/perf-gate),
# PERF_GATE_BASE_TUNFWD (skip building BASE_REF; BASE_REF is then only a label),
# PERF_GATE_HEAD_TUNFWD (skip building HEAD's tunfwd; tunbench and gate_split still come from
# PERF_GATE_HEAD_BUILD, default build/release, built there only if missing),
# PERF_GATE_BASE_ENV / PERF_GATE_HEAD_ENV ("VAR=value ..." set for that side's tunfwd only,
# e.g. PERF_GATE_HEAD_ENV="LD_PRELOAD=$PWD/build/release/tests/perf/libtb_delay_preload.so
# TB_PRELOAD_DELAY_NS=16000" to plant a slowdown when testing the gate, see fixtures/gate/README.md;
# LD_PRELOAD needs a dynamically linked forwarder: give both sides build/release/src/app/tunfwd-dynamic),
# CMAKE_BUILD_PARALLEL_LEVEL (build jobs).
set -euo pipefail

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2; }

repo=$(cd "$(dirname "$0")/.." && pwd)
base_ref=""
modes=${PERF_GATE_MODES:-sync-gso,passthrough}
repeat=${PERF_GATE_REPEAT:-10}
duration=${PERF_GATE_DURATION:-5}
tolerance=${PERF_GATE_TOLERANCE:-5}
out=${PERF_GATE_OUT:-$repo/results/perf-gate}
base_tunfwd=${PERF_GATE_BASE_TUNFWD:-}
base_env=${PERF_GATE_BASE_ENV:-}
head_env=${PERF_GATE_HEAD_ENV:-}
head_build=${PERF_GATE_HEAD_BUILD:-$repo/build/release}
head_tunfwd=${PERF_GATE_HEAD_TUNFWD:-}
paired=${PERF_GATE_PAIRED:-0}

while [ $# -gt 0 ]; do
  case $1 in
    --modes) modes=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --tolerance) tolerance=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --base-tunfwd) base_tunfwd=$2; shift 2 ;;
    --head-tunfwd) head_tunfwd=$2; shift 2 ;;
    --head-build) head_build=$2; shift 2 ;;
    --paired) paired=1; shift ;;
    -h|--help) usage ;;
    -*) echo "perf-gate: unknown option $1" >&2; usage ;;
    *) [ -z "$base_ref" ] || usage; base_ref=$1; shift ;;
  esac
done
[ -n "$base_ref" ] || usage
# Builds run as the caller; only `tunbench run` needs root (namespaces, TUN devices).
. "$repo/ci/lib.sh"
can_be_root || { echo "perf-gate: tunbench run needs root: run as root or install sudo" >&2; exit 2; }

gate_scratch tb-perf-gate  # $tmp and $worktree, removed on every exit (ci/lib.sh)

base_desc=$base_ref
head_desc="working tree at $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')"
if ! git -C "$repo" diff --quiet HEAD -- 2>/dev/null || [ -n "$(git -C "$repo" ls-files --others --exclude-standard -- src 2>/dev/null)" ]; then
  head_desc+=" + uncommitted changes"
fi

# --- 1. builds -----------------------------------------------------------------------------------
if [ -z "$base_tunfwd" ]; then
  base_sha=$(git -C "$repo" rev-parse --verify "$base_ref^{commit}") || { echo "perf-gate: unknown ref $base_ref" >&2; exit 2; }
  base_desc="$base_ref ($(git -C "$repo" rev-parse --short "$base_sha"))"
  worktree=$tmp/base
  echo "perf-gate: building BASE $base_desc in $worktree"
  git -C "$repo" worktree add --detach --quiet "$worktree" "$base_sha"
  cmake -S "$worktree" -B "$tmp/base-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DTUNBENCH_TESTS=OFF -DTUNBENCH_BENCHMARKS=OFF >"$tmp/base-configure.log" 2>&1 \
    || { cat "$tmp/base-configure.log" >&2; echo "perf-gate: BASE configure failed" >&2; exit 2; }
  cmake --build "$tmp/base-build" --target tunfwd >"$tmp/base-build.log" 2>&1 \
    || { tail -50 "$tmp/base-build.log" >&2; echo "perf-gate: BASE has no buildable tunfwd" >&2; exit 2; }
  base_tunfwd=$tmp/base-build/src/app/tunfwd
else
  base_desc="$base_ref (prebuilt $base_tunfwd)"
fi
[ -x "$base_tunfwd" ] || { echo "perf-gate: no BASE tunfwd at $base_tunfwd" >&2; exit 2; }

tunbench=$head_build/src/app/tunbench
gate_split=$head_build/tests/perf/gate_split
if [ -z "$head_tunfwd" ]; then
  echo "perf-gate: building HEAD ($head_desc) in $head_build"
  targets=(tunbench tunfwd gate_split)
  head_tunfwd=$head_build/src/app/tunfwd
elif [ ! -x "$tunbench" ] || [ ! -x "$gate_split" ]; then
  head_desc="prebuilt $head_tunfwd"
  echo "perf-gate: building tunbench and gate_split in $head_build"
  targets=(tunbench gate_split)
else
  head_desc="prebuilt $head_tunfwd"
  targets=()
fi
if [ ${#targets[@]} -gt 0 ]; then
  if [ "$head_build" = "$repo/build/release" ]; then
    (cd "$repo" && cmake --preset release) >"$tmp/head-configure.log" 2>&1
  else
    cmake -S "$repo" -B "$head_build" -G Ninja -DCMAKE_BUILD_TYPE=Release >"$tmp/head-configure.log" 2>&1
  fi || { cat "$tmp/head-configure.log" >&2; echo "perf-gate: HEAD configure failed" >&2; exit 2; }
  cmake --build "$head_build" --target "${targets[@]}" >"$tmp/head-build.log" 2>&1 \
    || { tail -50 "$tmp/head-build.log" >&2; echo "perf-gate: HEAD build failed" >&2; exit 2; }
fi
[ -x "$head_tunfwd" ] || { echo "perf-gate: no HEAD tunfwd at $head_tunfwd" >&2; exit 2; }
gate_split=$head_build/tests/perf/gate_split

# --- 2. one interleaved run ----------------------------------------------------------------------
# Base and head rows alternate which goes first from mode to mode (within a pass the order is fixed).
mkdir -p "$out"
rm -f "$out/run.json" "$out/base.json" "$out/head.json" "$out/report.md"
args=()
i=0
for mode in ${modes//,/ }; do
  base_row="base-$mode=env $base_env $base_tunfwd --mode $mode --ip1 10.0.1.1 --ip2 10.0.2.1"
  head_row="head-$mode=env $head_env $head_tunfwd --mode $mode --ip1 10.0.1.1 --ip2 10.0.2.1"
  if [ $((i % 2)) -eq 0 ]; then args+=(--forwarder "$base_row" --forwarder "$head_row")
  else args+=(--forwarder "$head_row" --forwarder "$base_row"); fi
  i=$((i + 1))
done
echo "perf-gate: tunbench run: modes $modes, $repeat interleaved passes of $duration s"
set +e
as_root "$tunbench" run --modes none --baselines veth "${args[@]}" --repeat "$repeat" --duration "$duration" \
  --quiet-wait --json "$out/run.json" >"$out/run.txt" 2>"$out/run.err"
run_rc=$?
set -e
cat "$out/run.txt"
if [ ! -s "$out/run.json" ]; then
  cat "$out/run.err" >&2
  echo "perf-gate: tunbench run produced no results (exit $run_rc)" >&2
  exit 2
fi
[ $run_rc -eq 0 ] || { echo "perf-gate: tunbench run exited $run_rc (a row failed every sample):" >&2; grep -E "FAILED|error" "$out/run.err" >&2 || true; }

# --- 3. split, compare, report -------------------------------------------------------------------
"$gate_split" "$out/run.json" "$out/base.json" "$out/head.json"
set +e
compare_args=(--tolerance "$tolerance")
[ "$paired" = 1 ] && compare_args+=(--paired)
"$tunbench" compare "$out/base.json" "$out/head.json" "${compare_args[@]}" >"$tmp/compare.md" 2>"$tmp/compare.err"
cmp_rc=$?
set -e
cat "$tmp/compare.err" >&2
untrusted=$(grep -o '"untrusted": *"[^"]' "$out/run.json" | wc -l || true)
samples=$(grep -o '"untrusted":' "$out/run.json" | wc -l || true)
{
  echo "# Performance gate"
  echo
  echo "- BASE: $base_desc${base_env:+ (env $base_env)}"
  echo "- HEAD: $head_desc${head_env:+ (env $head_env)}"
  echo "- modes: $modes; $repeat interleaved passes × $duration s each side, one TCP stream, veth-normalised"
  echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs; $untrusted of $samples samples untrusted (busy machine)"
  echo
  cat "$tmp/compare.md"
  if [ $run_rc -ne 0 ]; then
    echo
    echo "**A row failed every sample** (see the run log): the gate fails."
  fi
} >"$out/report.md"
cat "$out/report.md"

if [ $cmp_rc -eq 2 ]; then echo "perf-gate: compare failed" >&2; exit 2; fi
if [ $cmp_rc -eq 1 ]; then echo "perf-gate: REGRESSION (report: $out/report.md)"; exit 1; fi
if [ $run_rc -ne 0 ]; then exit 1; fi
echo "perf-gate: no significant regression (report: $out/report.md)"
exit 0
