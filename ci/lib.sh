# Sourced by the ci/ scripts. The README's commands work as written both for root on a bare
# Debian machine (which has no sudo) and for a user with sudo: builds run as the caller, and only
# the steps that need root (network namespaces, TUN devices, apt) go through as_root.

# Runs "$@" as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo --preserve-env=DEBIAN_FRONTEND,CMAKE_BUILD_PARALLEL_LEVEL,TUNBENCH_PROFILE,TUNBENCH_STACK_PROFILE,TUNBENCH_PERF_REPEAT,TUNBENCH_PERF_DURATION,TUNBENCH_PERF_MODES,TUNBENCH_PERF_TUNFWD "$@"
  else
    echo "$(basename "$0"): needs root for: $*; run it as root or install sudo" >&2
    return 1
  fi
}

# True when root is there to be had (we are root, or sudo exists).
can_be_root() { [ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null 2>&1; }

# For the gates that build BASE_REF beside the working tree (ci/perf-gate.sh, ci/det-gate.sh):
# makes a scratch directory $tmp (/tmp/PREFIX.XXXXXX) and arranges that it, and the detached
# `git worktree` whose path the caller later puts in $worktree, are removed on every exit:
# success, failure or signal. Needs $repo.
gate_scratch() {
  tmp=$(mktemp -d "/tmp/$1.XXXXXX")
  worktree=""
  trap gate_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
gate_cleanup() {
  if [ -n "$worktree" ]; then
    git -C "$repo" worktree remove --force "$worktree" >/dev/null 2>&1 || true
    git -C "$repo" worktree prune >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
