# The harness; the registry and counters of tb_forward only to check that what tunfwd writes
# (--list --json, --stats-json) is what the harness reads.
set(UNIT_DEPS tb_harness tb_forward)
