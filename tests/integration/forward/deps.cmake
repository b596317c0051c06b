# Drives the built tunfwd and tb_xfer binaries through the harness topology; the mode list and
# the facts of each mode come from the registry (tb_forward).
set(INTEGRATION_DEPS tb_harness tb_forward nlohmann_json::nlohmann_json)
if(TARGET tunfwd)
  cmake_language(DEFER CALL add_dependencies integration_forward tunfwd tb_xfer)
endif()
