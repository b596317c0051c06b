#!/usr/bin/env bash
# Line coverage of the unit tests, as an lcov HTML report in build/coverage/html/index.html.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset coverage >/dev/null
cmake --build --preset coverage
lcov --quiet --zerocounters --directory build/coverage
ctest --preset coverage -L unit -j2 >/dev/null
lcov --quiet --capture --directory build/coverage --output-file build/coverage/all.info
lcov --quiet --extract build/coverage/all.info "$PWD/src/*" --output-file build/coverage/src.info
genhtml --quiet build/coverage/src.info --output-directory build/coverage/html
echo "coverage: build/coverage/html/index.html"
for module in packet vnet offload; do
  lcov --quiet --extract build/coverage/src.info "$PWD/src/$module/*" --output-file "build/coverage/$module.info"
  printf '%-8s ' "$module"; lcov --summary "build/coverage/$module.info" 2>&1 | grep 'lines'
done
