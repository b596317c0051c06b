# Drives the built tunfwd, tb_xfer and tunbench binaries through the harness topology.
set(INTEGRATION_DEPS tb_harness nlohmann_json::nlohmann_json)
if(TARGET tunfwd AND TARGET tunbench)
  cmake_language(DEFER CALL add_dependencies integration_faults tunfwd tunfwd-faults tb_xfer tunbench)
endif()
