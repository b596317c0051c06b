#!/usr/bin/env bash
# Installs every Debian package tunbench needs to build, test, fuzz, measure and chart.
# Idempotent: apt-get skips what is already there. As a user, it asks sudo for the install.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  clang libclang-rt-14-dev            # libFuzzer targets (ci/fuzz.sh)
  clang-format clang-tidy            # the house style and static checks (ci/lint.sh)
  libgtest-dev libgmock-dev libbenchmark-dev
  libboost1.81-dev                   # Asio, Lockfree
  libpcap-dev libfmt-dev nlohmann-json3-dev libcli11-dev
  liburing-dev
  libssl-dev                         # SHA-256 in the integration tests' transfer tool
  util-linux                         # unshare, nsenter
  lcov
  valgrind                           # callgrind's instruction counts and client-request header (ci/det-gate.sh)
  iperf3 iproute2 procps
  nftables                           # packet loss inside test namespaces (no netem here)
  passt slirp4netns                  # the userspace stacks tunbench run --stacks compares ours with
  stress-ng                          # the foreign load the suite must hold under (ci/load-run.sh)
  python3                            # JSON in the perf test scripts (tests/perf/alloc_test.sh)
  gnuplot-nox                        # tunbench --chart renders the PNG through gnuplot
)

# shellcheck source=ci/lib.sh
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" -ne 0 ]; then
  as_root bash "$0" "$@"
  exit $?
fi

export DEBIAN_FRONTEND=noninteractive
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi
echo "setup: installing ${missing[*]}"
apt-get update -qq
# iperf3's package asks whether to start a daemon; the answer is no, tunbench starts its own servers.
echo 'iperf3 iperf3/start_daemon boolean false' | debconf-set-selections
apt-get install -y -qq --no-install-recommends "${packages[@]}"
