# The stack over fake sockets and a recording TUN (tests/support/stack_rig.h).
set(UNIT_DEPS tb_stack tb_packet tb_vnet)
