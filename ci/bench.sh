#!/usr/bin/env bash
# The README's main command: installs the packages, builds the release preset and runs the whole
# table (every tunfwd mode plus the veth and loopback kernel baselines) with tunbench.
# Extra arguments go to `tunbench run`, e.g. `ci/bench.sh --repeat 5 --duration 10`.
# Builds as the caller; only the measurement runs as root (directly, or through sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
. ci/lib.sh
bash ci/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release
mkdir -p results
# Defaults for the flags the caller did not give (tunbench takes each of these once).
args=("$@")
given() { local f; for f in "${args[@]}"; do [[ $f == "$1" || $f == "$1="* ]] && return 0; done; return 1; }
defaults=()
given --modes || defaults+=(--modes all)
given --repeat || defaults+=(--repeat 3)
given --duration || given -t || defaults+=(--duration 10)
given --json || defaults+=(--json results/run.json)
given --markdown || defaults+=(--markdown results/run.md)
given --chart || defaults+=(--chart results/run.png)
as_root build/release/src/app/tunbench run "${defaults[@]}" "${args[@]}"
