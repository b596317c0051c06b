# shellcheck shell=bash
# Sourced by the perf test scripts. skip FILE MESSAGE: the test is skipped (ctest's
# SKIP_RETURN_CODE 77), and the reason must reach the user: ctest prints no output of a skipped
# test, even with --output-on-failure. So the message goes to stdout (ctest -V, LastTest.log), to
# FILE (ci/perf.sh prints it after ctest) and to the terminal, when there is one, directly.
skip() {
  local file=$1 message=$2
  printf '%s\n' "$message" | tee "$file"
  { printf '\n%s\n' "$message" >/dev/tty; } 2>/dev/null || true
  exit 77
}
