# Drives the built tunstack and tb_xfer binaries through the harness's stack description
# (harness::suts::builtin_stack("ours")); the counters are read as JSON (tunstack-stats/1).
set(INTEGRATION_DEPS tb_harness nlohmann_json::nlohmann_json fmt::fmt-header-only)
if(TARGET tunstack)
  cmake_language(DEFER CALL add_dependencies integration_stack tunstack tb_xfer)
endif()
