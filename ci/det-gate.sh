#!/usr/bin/env bash
# Deterministic gate: did the working tree (HEAD) make the forwarding code execute more
# instructions per segment than BASE_REF? No root, no TUN, no quiet machine needed.
#
#   ci/det-gate.sh BASE_REF [--out DIR] [--head-tree DIR] [--head-build DIR] [--segments N] [--reuse-base]
#                  [--modes LIST] [--workloads LIST] [--base-build DIR]
#
# 1. Builds tunreplay (bench/replay) twice with the same toolchain and flags (release, -O3):
#    BASE_REF in a detached `git worktree` (removed on exit, failure or signal) into build/det-base,
#    and the working tree into build/det-head (plus tb-detgate). Both sides get HEAD's bench/ folder
#    (the replay driver and its workloads): the instrument is the same, only the measured code differs.
# 2. Runs each side's tunreplay twice under `valgrind --tool=callgrind` (every mode × workload,
#    fixed iteration counts, HEAD's fixtures/offload) in a clean environment (`env -i`, fixed PATH,
#    one malloc arena) from a fixed working directory; base and head run side by side.
# 3. tb-detgate compares (src/detgate/compare.h): >= 3 % more instructions per segment fails,
#    1-3 % warns, a row whose two runs differ by > 0.5 % is unstable (not judged), a change in
#    device calls per segment is flagged (run ci/perf-gate.sh). Report: DIR/report.md, DIR/report.json.
# --head-tree measures another source tree as HEAD (default: this working tree); --head-build
# builds it elsewhere (default build/det-head); --reuse-base skips building BASE when build/det-base
# already holds tunreplay built from the same BASE commit and the same bench/ (a second gate run
# against one base, e.g. each planted slowdown in turn; recorded in build/det-base/det-gate-base).
# --base-build builds BASE elsewhere (default build/det-base, or DET_GATE_BASE_BUILD).
# --modes / --workloads measure only those rows (comma-separated, as tunreplay takes them; default
# all): e.g. --modes tunstack for the rows of tunstack's engine (tunreplay --list names them).
# Exit: 0 pass, 1 a row failed, 2 error (a build, a run).
#
# Environment: DET_GATE_OUT (results/det-gate), DET_GATE_SEGMENTS (1500 segments per row),
# DET_GATE_HEAD_CMAKE_ARGS / DET_GATE_BASE_CMAKE_ARGS (extra configure arguments for that side,
# e.g. DET_GATE_HEAD_CMAKE_ARGS=-DTUNBENCH_PLANT=gso-csum-3 to check the gate against a planted
# slowdown; without it TUNBENCH_PLANT is set empty on both sides, whatever an earlier run cached),
# CMAKE_BUILD_PARALLEL_LEVEL (build jobs). Method, figures and limits: docs/det-gate.md.
set -euo pipefail

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2; }

repo=$(cd "$(dirname "$0")/.." && pwd)
base_ref=""
out=${DET_GATE_OUT:-$repo/results/det-gate}
head_tree=$repo
head_build=${DET_GATE_HEAD_BUILD:-$repo/build/det-head}
base_build=${DET_GATE_BASE_BUILD:-$repo/build/det-base}
reuse_base=0
segments=${DET_GATE_SEGMENTS:-1500}
modes=all
workloads=all
base_cmake_args=${DET_GATE_BASE_CMAKE_ARGS:-}
head_cmake_args=${DET_GATE_HEAD_CMAKE_ARGS:-}

while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --head-tree) head_tree=$(cd "$2" && pwd); shift 2 ;;
    --head-build) head_build=$2; shift 2 ;;
    --base-build) base_build=$2; shift 2 ;;
    --segments) segments=$2; shift 2 ;;
    --reuse-base) reuse_base=1; shift ;;
    --modes) modes=$2; shift 2 ;;
    --workloads) workloads=$2; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "det-gate: unknown option $1" >&2; usage ;;
    *) [ -z "$base_ref" ] || usage; base_ref=$1; shift ;;
  esac
done
[ -n "$base_ref" ] || usage
command -v valgrind >/dev/null || { echo "det-gate: valgrind is missing (ci/setup.sh installs it)" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)

start=$(date +%s)
. "$repo/ci/lib.sh"
gate_scratch tb-det-gate  # $tmp and $worktree, removed on every exit (ci/lib.sh)

elapsed() { echo "$(( $(date +%s) - start )) s"; }

base_sha=$(git -C "$repo" rev-parse --verify "$base_ref^{commit}") || { echo "det-gate: unknown ref $base_ref" >&2; exit 2; }
base_desc="$base_ref ($(git -C "$repo" rev-parse --short "$base_sha"))"
head_desc="working tree at $(git -C "$head_tree" rev-parse --short HEAD 2>/dev/null || echo '?')"
if [ "$head_tree" != "$repo" ]; then
  head_desc="tree $head_tree"
elif ! git -C "$repo" diff --quiet HEAD -- 2>/dev/null; then
  head_desc+=" + uncommitted changes"
fi

# --- 1. builds -----------------------------------------------------------------------------------
# One configuration for both sides: release (-O3 -DNDEBUG), no tests, no lean static link (tunreplay
# is its own binary), the plant option always given so a cached plant never carries over.
configure() {  # SRC BUILD EXTRA_ARGS
  # shellcheck disable=SC2086
  cmake -S "$1" -B "$2" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTUNBENCH_TESTS=OFF -DTUNBENCH_BENCHMARKS=ON \
    -DTUNBENCH_LEAN_TUNFWD=OFF -DTUNBENCH_PLANT= $3
}

# What the base build is made of: the commit, HEAD's bench/ (the driver) and the extra arguments.
base_key="$base_sha $(cd "$head_tree" && tar -cf - --sort=name --mtime=@0 --owner=0 --group=0 bench | sha256sum | cut -c1-16) $base_cmake_args"
if [ $reuse_base -eq 1 ] && [ -x "$base_build/bench/replay/tunreplay" ] \
   && [ "$(cat "$base_build/det-gate-base" 2>/dev/null)" = "$base_key" ]; then
  echo "det-gate: reusing BASE $base_desc from $base_build (same commit, same bench/)"
else
  worktree=$tmp/base
  echo "det-gate: building BASE $base_desc (worktree $worktree, $base_build)"
  git -C "$repo" worktree add --detach --quiet "$worktree" "$base_sha"
  # The same instrument on both sides: HEAD's replay driver and workloads.
  rm -rf "$worktree/bench"
  cp -r "$head_tree/bench" "$worktree/bench"
  # The worktree is new each time, so the base build starts afresh (its cache names the old path).
  rm -rf "$base_build"
  configure "$worktree" "$base_build" "$base_cmake_args" >"$tmp/base-configure.log" 2>&1 \
    || { cat "$tmp/base-configure.log" >&2; echo "det-gate: BASE configure failed" >&2; exit 2; }
  cmake --build "$base_build" --target tunreplay >"$tmp/base-build.log" 2>&1 \
    || { tail -40 "$tmp/base-build.log" >&2; echo "det-gate: BASE does not build with HEAD's replay driver" >&2; exit 2; }
  echo "$base_key" >"$base_build/det-gate-base"
fi
echo "det-gate: BASE built ($(elapsed))"

echo "det-gate: building HEAD ($head_desc, $head_build)"
configure "$head_tree" "$head_build" "$head_cmake_args" >"$tmp/head-configure.log" 2>&1 \
  || { cat "$tmp/head-configure.log" >&2; echo "det-gate: HEAD configure failed" >&2; exit 2; }
cmake --build "$head_build" --target tunreplay tb-detgate >"$tmp/head-build.log" 2>&1 \
  || { tail -40 "$tmp/head-build.log" >&2; echo "det-gate: HEAD build failed" >&2; exit 2; }
echo "det-gate: HEAD built ($(elapsed))"

# --- 2. measurements -----------------------------------------------------------------------------
# Both binaries from paths of the same length, one fixed working directory, one environment:
# nothing but the code differs between the runs (argv and the environment sit on the stack).
mkdir -p "$tmp/bin/base" "$tmp/bin/head" "$tmp/cwd"
cp "$base_build/bench/replay/tunreplay" "$tmp/bin/base/tunreplay"
cp "$head_build/bench/replay/tunreplay" "$tmp/bin/head/tunreplay"
fixtures=$head_tree/fixtures/offload

# Both passes run the same valgrind options: with and without the cache simulation, callgrind
# attributes the instructions around a collection toggle differently (up to 1 % per row, the same
# on both sides), so a pass 2 without it looked like a 1 % spread.
measure() {  # SIDE N
  local dir=$tmp/runs/$1-$2
  mkdir -p "$dir"
  (cd "$tmp/cwd" && env -i PATH=/usr/bin:/bin LC_ALL=C GLIBC_TUNABLES=glibc.malloc.arena_max=1 \
    valgrind --tool=callgrind --instr-atstart=no --cache-sim=yes --compress-strings=no --compress-pos=no \
    --callgrind-out-file="$dir/cg.out" "$tmp/bin/$1/tunreplay" --fixtures "$fixtures" --segments "$segments" \
    --modes "$modes" --workloads "$workloads" --json "$dir/replay.json") >"$dir/valgrind.log" 2>&1
}

for n in 1 2; do
  echo "det-gate: measuring, pass $n of 2 (base and head side by side)"
  pids=()
  measure base $n & pids+=($!)
  measure head $n & pids+=($!)
  failed=0
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  if [ $failed -ne 0 ]; then
    for f in "$tmp"/runs/*-$n/valgrind.log; do grep -E "tunreplay:|valgrind:" "$f" >&2 || true; done
    echo "det-gate: a measurement failed (a row did not forward everything, or valgrind failed)" >&2
    exit 2
  fi
done
echo "det-gate: measured ($(elapsed))"
for side in base head; do
  plant=$(grep -o '"plant": *"[^"]*"' "$tmp/runs/$side-1/replay.json" | sed 's/.*: *"//; s/"$//')
  echo "det-gate: $side plant: $plant"
done

# --- 3. compare and report -----------------------------------------------------------------------
rm -f "$out/report.md" "$out/report.json"
mkdir -p "$out/replay"
for r in base-1 base-2 head-1 head-2; do cp "$tmp/runs/$r/replay.json" "$out/replay/$r.json"; done
machine="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs, $(valgrind --version)"
set +e
"$head_build/src/app/tools/tb-detgate" \
  --base-run "$tmp/runs/base-1" --base-run "$tmp/runs/base-2" --head-run "$tmp/runs/head-1" --head-run "$tmp/runs/head-2" \
  --out "$out" --base-desc "$base_desc${base_cmake_args:+ (cmake $base_cmake_args)}" \
  --head-desc "$head_desc${head_cmake_args:+ (cmake $head_cmake_args)}" --machine "$machine" \
  --command "ci/det-gate.sh $base_ref --segments $segments --modes $modes --workloads $workloads"
rc=$?
set -e
echo "det-gate: wall time $(elapsed); report: $out/report.md"
exit $rc
