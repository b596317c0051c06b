# The CLI contract test runs the real tunbench as a user would (no root: every case is bad input,
# refused before anything starts). tunbench finds tunfwd next to itself for the mode names.
set(UNIT_DEPS fmt::fmt-header-only)
if(TARGET tunbench AND TARGET tunfwd)
  set(UNIT_EXTRA_DEFS "TUNBENCH_BIN=\"$<TARGET_FILE:tunbench>\"")
  set(UNIT_EXTRA_TARGET_DEPS tunbench tunfwd)
endif()
