# The fault decorators over GMock devices.
set(UNIT_DEPS tb_faults tb_device)
