# Drives the built tunbench (check), tunfwd and the test-only tunfwd-faults and tb_badfwd (planted
# defects, support/badfwd.cpp) through the harness topology. tb_check for the table of cases
# (how many, their names and rules), tb_harness for tunfwd's mode registry.
set(INTEGRATION_DEPS tb_harness tb_check nlohmann_json::nlohmann_json fmt::fmt-header-only)
if(TARGET tunbench AND TARGET tunfwd AND TARGET tunfwd-faults)
  cmake_language(DEFER CALL add_dependencies integration_check tunbench tunfwd tunfwd-faults tb_badfwd)
endif()
