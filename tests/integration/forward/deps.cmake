# Drives the built tunfwd and tb_xfer binaries through the harness topology.
set(INTEGRATION_DEPS tb_harness nlohmann_json::nlohmann_json)
if(TARGET tunfwd)
  cmake_language(DEFER CALL add_dependencies integration_forward tunfwd tb_xfer)
endif()
