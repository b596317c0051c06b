# Drives the built tunbench (check), tunfwd and the test-only tunfwd-faults and tb_badfwd (planted
# defects, support/badfwd.cpp) through the harness topology.
set(INTEGRATION_DEPS tb_harness nlohmann_json::nlohmann_json)
if(TARGET tunbench AND TARGET tunfwd AND TARGET tunfwd-faults)
  cmake_language(DEFER CALL add_dependencies integration_check tunbench tunfwd tunfwd-faults tb_badfwd)
endif()
