#!/usr/bin/env bash
# The fresh-machine check: does the README's set-up and unit-test path work on a Debian bookworm
# machine that has nothing but what those commands install? A hand-installed package on a
# development machine or a CI image can hide a missing entry in ci/setup.sh; a root made by
# debootstrap (variant minbase) cannot.
#
#   ci/fresh-machine.sh [--ref REF] [--jobs N] [--mirror URL] [--keep]
#
# Builds a minimal bookworm root with debootstrap in a scratch folder under /var/tmp, puts a
# clean checkout of REF (default HEAD; `git archive`, so a committed state: no untracked or
# modified file of this working tree goes in) at /root/tunbench inside, and runs there, through
# chroot, as root, exactly the README's commands:
#   ci/setup.sh
#   cmake --preset debug && cmake --build --preset debug
#   ctest --preset debug -L unit
# (CMAKE_BUILD_PARALLEL_LEVEL / CTEST_PARALLEL_LEVEL = --jobs, default 2). Prints the wall time
# of each step. Exit 0 = every step passed, 1 = a step failed (named), 2 = usage or environment.
#
# Root is needed (debootstrap, chroot, mounts); as a user the script re-runs itself through sudo
# (ci/lib.sh). debootstrap is installed with apt-get when missing: a tool of this script, not a
# dependency of the project, so it is not in ci/setup.sh's list. Network: packages come from the
# Debian archive only (--mirror); no network namespace is made, nothing listens.
#
# Clean-up, on every exit path (success, failure, SIGINT/SIGTERM/SIGHUP): processes still running
# inside the root are ended (by pid), the mounts made under it (/proc, /sys, /dev, /dev/pts,
# /dev/shm) are unmounted, and the folder is removed, but only once nothing is mounted under it
# (--keep leaves the folder, unmounted, for a look inside).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
# shellcheck source=ci/lib.sh
. ci/lib.sh

ref=HEAD
jobs=2
mirror=http://deb.debian.org/debian
keep=false
usage() {
  echo "usage: ci/fresh-machine.sh [--ref REF] [--jobs N] [--mirror URL] [--keep]" >&2
  exit 2
}
args=("$@")
while [ $# -gt 0 ]; do
  case $1 in
    --ref) [ $# -ge 2 ] || usage; ref=$2; shift 2 ;;
    --jobs) [ $# -ge 2 ] || usage; jobs=$2; shift 2 ;;
    --mirror) [ $# -ge 2 ] || usage; mirror=$2; shift 2 ;;
    --keep) keep=true; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "fresh-machine: unknown argument '$1'" >&2; usage ;;
  esac
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "fresh-machine: --jobs must be a positive number, got '$jobs'" >&2; exit 2; }

if [ "$(id -u)" -ne 0 ]; then
  as_root bash "$0" "${args[@]}"
  exit $?
fi

# The checkout belongs to whoever cloned it; as root git would refuse to read it ("dubious
# ownership") without this, for this one repository only.
git_repo() { git -c safe.directory="$repo" -C "$repo" "$@"; }
commit=$(git_repo rev-parse --verify "$ref^{commit}" 2>/dev/null) ||
  { echo "fresh-machine: --ref $ref is not a commit of $repo" >&2; exit 2; }

if ! command -v debootstrap >/dev/null 2>&1; then
  echo "fresh-machine: installing debootstrap (for this script; not a project dependency)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends debootstrap debian-archive-keyring >/dev/null
fi

root=$(mktemp -d /var/tmp/tunbench-fresh.XXXXXX)
# mktemp makes it 0700; as the root's "/" that would lock out every user but root (apt's _apt
# downloads, tests that drop privileges).
chmod 755 "$root"
step_pgid=""  # the process group of the step running now (each runs under setsid)

# Mount points under $root, deepest first (/proc/self/mountinfo field 5).
mounts_under_root() {
  awk -v r="$root" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

cleanup() {
  local rc=$?
  trap '' INT TERM HUP
  set +e
  if [ -n "$step_pgid" ]; then
    # The step running now (its own process group): TERM, up to 10 s to exit (debootstrap
    # unmounts what it mounted), then KILL.
    kill -TERM -- "-$step_pgid" 2>/dev/null
    local _
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 -- "-$step_pgid" 2>/dev/null || break
      sleep 1
    done
    kill -KILL -- "-$step_pgid" 2>/dev/null
  fi
  # Whatever still runs with its root inside ours: a build or test that left its process group.
  local pass p pids
  for pass in TERM KILL; do
    pids=()
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && pids+=("${p#/proc/}")
    done
    [ ${#pids[@]} -eq 0 ] && break
    echo "fresh-machine: ending ${#pids[@]} process(es) left in the root (SIG$pass): ${pids[*]}" >&2
    kill -"$pass" "${pids[@]}" 2>/dev/null
    sleep 2
  done
  local m
  for m in $(mounts_under_root); do
    umount "$m" 2>/dev/null || umount -l "$m" || echo "fresh-machine: could not unmount $m" >&2
  done
  if [ -n "$(mounts_under_root)" ]; then
    echo "fresh-machine: still mounted under $root, not removing it:" >&2
    mounts_under_root >&2
    [ "$rc" -eq 0 ] && rc=1
  elif [ "$keep" = true ]; then
    echo "fresh-machine: kept $root (--keep; nothing mounted)"
  else
    rm -rf --one-file-system "$root"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "fresh-machine: interrupted (SIGINT)" >&2; exit 130' INT
trap 'echo "fresh-machine: interrupted (SIGTERM)" >&2; exit 143' TERM
trap 'echo "fresh-machine: interrupted (SIGHUP)" >&2; exit 129' HUP

# Runs "$@" in its own process group, in the background so a signal to this script is handled at
# once (bash runs traps only between foreground commands), and returns its exit status. A
# background child of a non-interactive bash is no group leader, so setsid does not fork: $! is
# the new group's id.
run_step() {
  setsid "$@" &
  step_pgid=$!
  local rc=0
  wait "$step_pgid" || rc=$?
  step_pgid=""
  return "$rc"
}

declare -a summary=()
elapsed() { local s=$1; printf '%dm%02ds' $((s / 60)) $((s % 60)); }
# step NAME COMMAND...: runs it, records its wall time; a failure ends the check naming the step.
step() {
  local name=$1; shift
  local start=$SECONDS rc=0
  echo "=== fresh-machine: $name"
  run_step "$@" || rc=$?
  summary+=("$(printf '%-62s %8s  %s' "$name" "$(elapsed $((SECONDS - start)))" "$([ $rc -eq 0 ] && echo ok || echo "FAILED (exit $rc)")")")
  if [ $rc -ne 0 ]; then
    print_summary
    echo "fresh-machine: FAILED at: $name (exit $rc)" >&2
    exit 1
  fi
}
print_summary() {
  echo
  echo "fresh-machine: $commit ($ref), Debian bookworm minbase from $mirror, --jobs $jobs"
  printf '%s\n' "${summary[@]}"
  echo "total $(elapsed "$SECONDS")"
}

# The root's /dev: a tmpfs with the few nodes a build and tests use, bound from the host (in a
# container debootstrap cannot mknod and leaves /dev empty), its own devpts and /dev/shm.
mount_filesystems() {
  mount -t proc proc "$root/proc"
  mount -t sysfs -o ro sysfs "$root/sys"
  mount -t tmpfs -o mode=755,nosuid tmpfs "$root/dev"
  local d
  for d in null zero full random urandom tty; do
    touch "$root/dev/$d"
    mount --bind "/dev/$d" "$root/dev/$d"
  done
  mkdir -p "$root/dev/pts" "$root/dev/shm"
  mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$root/dev/pts"
  ln -s pts/ptmx "$root/dev/ptmx"
  mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm"
  ln -s /proc/self/fd "$root/dev/fd"
  ln -s /proc/self/fd/0 "$root/dev/stdin"
  ln -s /proc/self/fd/1 "$root/dev/stdout"
  ln -s /proc/self/fd/2 "$root/dev/stderr"
}

# Inside the root, as root, in the checkout, with a clean environment: only what a login shell
# on a fresh machine would have, plus the parallelism. The command line comes last.
# shellcheck disable=SC2016  # $1 is expanded inside the root, by its bash
in_root=(chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  CMAKE_BUILD_PARALLEL_LEVEL="$jobs" CTEST_PARALLEL_LEVEL="$jobs"
  /bin/bash -c 'cd /root/tunbench && echo "+ $1" && eval "$1"' in_root)

echo "fresh-machine: root $root, checkout of $commit ($ref)"
step "debootstrap bookworm (minbase)" debootstrap --variant=minbase bookworm "$root" "$mirror"
# A fresh install also has the updates and security suites.
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
EOF
cp /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/root/tunbench"
# shellcheck disable=SC2016  # the positional parameters of the inner bash
step "clean checkout (git archive $ref)" bash -c \
  'git -c safe.directory="$1" -C "$1" archive --format=tar "$2" | tar -x -C "$3"' _ "$repo" "$commit" "$root/root/tunbench"
mount_filesystems
step "README set-up: ci/setup.sh" "${in_root[@]}" "ci/setup.sh"
step "README unit tests: cmake --preset debug && cmake --build --preset debug" \
  "${in_root[@]}" "cmake --preset debug && cmake --build --preset debug"
step "README unit tests: ctest --preset debug -L unit" "${in_root[@]}" "ctest --preset debug -L unit"
print_summary
echo "fresh-machine: PASS"
