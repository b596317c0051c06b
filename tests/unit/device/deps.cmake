# The device module; the harness's /proc parser tells when a reader thread is blocked.
set(UNIT_DEPS tb_device tb_harness)
