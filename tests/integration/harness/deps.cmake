# The test drives the tunbench binary (found next to the build tree's src/app/tunbench/).
set(INTEGRATION_DEPS tb_harness)
if(TARGET tunbench)
  cmake_language(DEFER CALL add_dependencies integration_harness tunbench)
endif()
