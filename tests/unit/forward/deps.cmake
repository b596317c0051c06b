# Forwarders over fakes and mocks; the offload engine is used by the tests to check outputs.
set(UNIT_DEPS tb_forward tb_offload tb_vnet tb_packet)
