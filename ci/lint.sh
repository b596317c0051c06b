#!/usr/bin/env bash
# The house style and the static checks:
#   ci/lint.sh          every .h/.cpp under src/ tests/ bench/ fuzz/ formatted as .clang-format says
#                       (exit 1 listing the files that are not)
#   ci/lint.sh --fix    format them in place
#   ci/lint.sh --tidy   also clang-tidy (.clang-tidy) over every translation unit of the debug
#                       build (compile_commands.json; configure it first: cmake --preset debug)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=check
tidy=false
for arg in "$@"; do
  case $arg in
    --fix) mode=fix ;;
    --tidy) tidy=true ;;
    *) echo "usage: ci/lint.sh [--fix] [--tidy]" >&2; exit 2 ;;
  esac
done
command -v clang-format >/dev/null || { echo "lint: clang-format missing (ci/setup.sh installs it)" >&2; exit 2; }
# Tracked and new (not ignored) files that exist in the working tree.
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- 'src/*.h' 'src/*.cpp' 'tests/*.h' \
  'tests/*.cpp' 'bench/*.cpp' 'fuzz/*.h' 'fuzz/*.cpp' | sort -u | while read -r f; do [ -f "$f" ] && echo "$f"; done)
if [ "$mode" = fix ]; then
  clang-format -i "${files[@]}"
  echo "lint: formatted ${#files[@]} files"
else
  bad=()
  for f in "${files[@]}"; do
    clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
  done
  if [ ${#bad[@]} -gt 0 ]; then
    printf 'lint: not formatted (ci/lint.sh --fix): %s\n' "${bad[@]}" >&2
    exit 1
  fi
  echo "lint: ${#files[@]} files formatted as .clang-format says"
fi
if $tidy; then
  command -v run-clang-tidy >/dev/null || { echo "lint: run-clang-tidy missing (ci/setup.sh installs clang-tidy)" >&2; exit 2; }
  [ -f build/debug/compile_commands.json ] || { echo "lint: configure the debug preset first (cmake --preset debug)" >&2; exit 2; }
  # GCC-only warning flags in the compile commands mean nothing to clang.
  run-clang-tidy -p build/debug -quiet -extra-arg=-Wno-unknown-warning-option "$PWD/(src|tests|bench)/.*\.cpp$"
  echo "lint: clang-tidy clean"
fi
