#!/usr/bin/env bash
# The README's main command: installs the packages, builds the release preset and runs the whole
# table (every tunfwd mode plus the veth and loopback kernel baselines) with tunbench.
# Extra arguments go to `tunbench run`, e.g. `ci/bench.sh --repeat 5 --duration 10`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release
mkdir -p results
exec build/release/src/app/tunbench run --modes all --repeat 3 --duration 10 \
  --json results/run.json --markdown results/run.md --chart results/run.png "$@"
