#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz preset: clang, ASan + UBSan) and runs every *_fuzz binary,
# one after the other, from its seed corpus in fuzz/corpus/<name>/.
#   ci/fuzz.sh            each target for ${FUZZ_SECONDS:-300} seconds
#   ci/fuzz.sh --long     each target for 10,000,000 runs
# New corpus entries go to build/fuzz/corpus/<name>/ (the checked-in seeds stay small); a crash
# leaves its input in build/fuzz/artifacts/ and makes the script exit non-zero after all ran.
set -euo pipefail
cd "$(dirname "$0")/.."

limit=(-max_total_time="${FUZZ_SECONDS:-300}")
if [ "${1:-}" = "--long" ]; then
  limit=(-runs=10000000)
elif [ $# -gt 0 ]; then
  echo "usage: $0 [--long]" >&2
  exit 2
fi

cmake --preset fuzz >/dev/null
targets=()
for src in fuzz/*_fuzz.cpp; do
  [ -e "$src" ] && targets+=("$(basename "$src" .cpp)")
done
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no fuzz/*_fuzz.cpp targets" >&2
  exit 1
fi
cmake --build --preset fuzz --target "${targets[@]}"

mkdir -p build/fuzz/artifacts
failed=()
for name in "${targets[@]}"; do
  bin=build/fuzz/fuzz/$name
  work=build/fuzz/corpus/$name
  mkdir -p "$work"
  corpora=("$work")
  [ -d "fuzz/corpus/$name" ] && corpora+=("fuzz/corpus/$name")
  echo "fuzz: $name ${limit[*]}"
  if "$bin" "${limit[@]}" -print_final_stats=1 -artifact_prefix="build/fuzz/artifacts/$name-" \
       "${corpora[@]}" 2>"build/fuzz/$name.log"; then
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "build/fuzz/$name.log" | sed "s/^/fuzz: $name /"
    # libFuzzer's last status line: cov = code edges reached, ft = features, corp = corpus size.
    grep -E ' cov: ' "build/fuzz/$name.log" | tail -n 1 | sed "s/^/fuzz: $name /"
  else
    echo "fuzz: $name FAILED, see build/fuzz/$name.log and build/fuzz/artifacts/" >&2
    tail -n 30 "build/fuzz/$name.log" >&2
    failed+=("$name")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets clean"
