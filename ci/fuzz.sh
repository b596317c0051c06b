#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz preset: clang, ASan + UBSan) and runs every *_fuzz binary,
# one after the other, from its seed corpus in fuzz/corpus/<name>/.
#   ci/fuzz.sh            each target for ${FUZZ_SECONDS:-300} seconds
#   FUZZ_TARGETS="a b"     only these targets
#   ci/fuzz.sh --long     each target for 10,000,000 runs, split over ${FUZZ_WORKERS:-nproc} processes
#                         that share one corpus (each picks up the others' finds: libFuzzer -reload)
# New corpus entries go to build/fuzz/corpus/<name>/ (the checked-in seeds stay small); a crash
# leaves its input in build/fuzz/artifacts/ and makes the script exit non-zero after all ran.
set -euo pipefail
cd "$(dirname "$0")/.."

limit=(-max_total_time="${FUZZ_SECONDS:-300}")
workers=1
long=false
if [ "${1:-}" = "--long" ]; then
  long=true  # 10 M runs in all, split over the workers below
  workers=${FUZZ_WORKERS:-$(nproc)}
  [[ $workers =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: FUZZ_WORKERS must be a positive number, not '$workers'" >&2; exit 2; }
elif [ $# -gt 0 ]; then
  echo "usage: $0 [--long]" >&2
  exit 2
fi

cmake --preset fuzz >/dev/null
targets=()
for src in fuzz/*_fuzz.cpp; do
  [ -e "$src" ] && targets+=("$(basename "$src" .cpp)")
done
if [ -n "${FUZZ_TARGETS:-}" ]; then  # a subset, e.g. FUZZ_TARGETS=stack_input_fuzz
  read -r -a targets <<<"$FUZZ_TARGETS"
  for name in "${targets[@]}"; do
    [ -e "fuzz/$name.cpp" ] || { echo "fuzz: FUZZ_TARGETS: no fuzz/$name.cpp" >&2; exit 2; }
  done
fi
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no fuzz/*_fuzz.cpp targets" >&2
  exit 1
fi
cmake --build --preset fuzz --target "${targets[@]}"

mkdir -p build/fuzz/artifacts
failed=()
pids=()
# Stopped early (Ctrl-C, a signal): the workers go too.
trap 'kill "${pids[@]}" 2>/dev/null; exit 130' INT TERM
for name in "${targets[@]}"; do
  bin=build/fuzz/fuzz/$name
  work=build/fuzz/corpus/$name
  mkdir -p "$work"
  corpora=("$work")
  [ -d "fuzz/corpus/$name" ] && corpora+=("fuzz/corpus/$name")
  if $long; then echo "fuzz: $name 10,000,000 runs over $workers process(es)"; else echo "fuzz: $name ${limit[*]}"; fi
  rm -f "build/fuzz/$name".*.log
  pids=()
  for w in $(seq 1 "$workers"); do
    # The remainder of the division goes to the first worker: exactly 10 M in all.
    $long && limit=(-runs=$((10000000 / workers + (w == 1 ? 10000000 % workers : 0))))
    "$bin" "${limit[@]}" -print_final_stats=1 -artifact_prefix="build/fuzz/artifacts/$name-" \
      "${corpora[@]}" 2>"build/fuzz/$name.$w.log" &
    pids+=($!)
  done
  ok=true
  for pid in "${pids[@]}"; do wait "$pid" || ok=false; done
  if $ok; then
    # Executions summed over the workers, the largest peak RSS, and libFuzzer's last status line of
    # each (cov = code edges reached, ft = features, corp = corpus size).
    awk -F':[ \t]+' '/^stat::number_of_executed_units/ {n += $2}
                 /^stat::peak_rss_mb/ {if ($2 > rss) rss = $2}
                 END {print "runs " n ", peak_rss_mb " rss}' "build/fuzz/$name".*.log | sed "s/^/fuzz: $name /"
    for w in $(seq 1 "$workers"); do
      grep -E ' cov: ' "build/fuzz/$name.$w.log" | tail -n 1 | sed "s/^/fuzz: $name [$w] /"
    done
  else
    echo "fuzz: $name FAILED, see build/fuzz/$name.*.log and build/fuzz/artifacts/" >&2
    tail -n 30 "build/fuzz/$name".*.log >&2
    failed+=("$name")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets clean"
