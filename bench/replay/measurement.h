#pragma once
// The measured region of one row under callgrind (run with --instr-atstart=no): instrumentation
// is switched on just before the forwarder runs and off when it has returned, so building the
// devices, loading the workload and tearing down are not counted; each row's counts are dumped
// on their own, under the row's label ("MODE/WORKLOAD"), for tb-detgate to read. Outside
// valgrind these are no-ops.
#include <string>

namespace replay {

void begin_measurement();
void end_measurement(const std::string& label);
bool under_valgrind();

}  // namespace replay
