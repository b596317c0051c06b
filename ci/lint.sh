#!/usr/bin/env bash
# The house style and the static checks:
#   ci/lint.sh          every .h/.cpp under src/ tests/ bench/ fuzz/ formatted as .clang-format says
#                       (exit 1 listing the files that are not)
#   ci/lint.sh --fix    format them in place
#   ci/lint.sh --tidy   also clang-tidy (.clang-tidy) over every translation unit of the debug
#                       build (compile_commands.json; configure it first: cmake --preset debug)
#   ci/lint.sh --alone  also compile every translation unit on its own, syntax only (about 2.5 min
#                       on 2 cores). The debug preset is a unity build: a .cpp that uses a header
#                       it does not include still compiles there when a neighbour in its batch
#                       includes it, and then breaks the release preset's per-file build.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=check
tidy=false
alone=false
for arg in "$@"; do
  case $arg in
    --fix) mode=fix ;;
    --tidy) tidy=true ;;
    --alone) alone=true ;;
    *) echo "usage: ci/lint.sh [--fix] [--tidy] [--alone]" >&2; exit 2 ;;
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
if $alone; then
  # The release preset's own compile commands (not a unity build), each with -fsyntax-only.
  cmake --preset release >/dev/null
  python3 - build/release/compile_commands.json <<'PY'
import concurrent.futures, json, os, shlex, subprocess, sys

def syntax_only(entry):
    args, skip = [], False
    for a in shlex.split(entry["command"]):
        if skip:
            skip = False
        elif a in ("-o", "-MF", "-MT"):
            skip = True
        elif a not in ("-c", "-MD") and not a.startswith("-O"):
            args.append(a)
    r = subprocess.run(args + ["-fsyntax-only"], cwd=entry["directory"], capture_output=True, text=True)
    return entry["file"], r.returncode, r.stderr

entries = json.load(open(sys.argv[1]))
failed = 0
with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
    for path, rc, err in pool.map(syntax_only, entries):
        if rc:
            failed += 1
            sys.stderr.write(f"lint: {path} does not compile on its own:\n{err}")
if failed:
    sys.exit(f"lint: {failed} of {len(entries)} translation units do not compile on their own")
print(f"lint: all {len(entries)} translation units compile on their own")
PY
fi
