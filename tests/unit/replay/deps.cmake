# tunreplay's stack rows (bench/replay/stack_*.cpp: the client's packets, tunstack's engine over
# the fakes) compiled into the test with the driver's measurement hooks (valgrind client requests:
# no-ops outside valgrind), but not its operator new replacements (alloc_hooks.cpp): the
# sanitizers bring their own. Without valgrind's header, like tunreplay, there is nothing to test.
find_path(VALGRIND_INCLUDE_DIR valgrind/callgrind.h)
if(VALGRIND_INCLUDE_DIR)
  set(replay_dir ${PROJECT_SOURCE_DIR}/bench/replay)
  add_library(tb_replay_stack STATIC ${replay_dir}/stack_row.cpp ${replay_dir}/stack_workload.cpp
                                     ${replay_dir}/device_scope.cpp ${replay_dir}/measurement.cpp
                                     ${replay_dir}/alloc_counter.cpp)
  target_include_directories(tb_replay_stack PUBLIC ${replay_dir})
  target_include_directories(tb_replay_stack SYSTEM PRIVATE ${VALGRIND_INCLUDE_DIR})
  target_link_libraries(tb_replay_stack PUBLIC tb_stack tb_packet tb_vnet)
  set(UNIT_DEPS tb_replay_stack)
else()
  set(UNIT_DEPS tb_stack)
  set(UNIT_EXTRA_DEFS TB_REPLAY_NO_VALGRIND)
endif()
