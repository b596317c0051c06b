# Drives the built tunfwd, tb_xfer and tunbench binaries through the harness topology; the mode
# list and the facts of each mode come from the registry (tb_forward).
set(INTEGRATION_DEPS tb_harness tb_forward nlohmann_json::nlohmann_json)
if(TARGET tunfwd AND TARGET tunbench)
  cmake_language(DEFER CALL add_dependencies integration_faults tunfwd tunfwd-faults tb_xfer tunbench)
endif()
