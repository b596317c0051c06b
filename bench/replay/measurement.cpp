#include "measurement.h"

#include <valgrind/callgrind.h>

namespace replay {

void begin_measurement() {
  CALLGRIND_ZERO_STATS;
  CALLGRIND_START_INSTRUMENTATION;
}

void end_measurement(const std::string& label) {
  CALLGRIND_STOP_INSTRUMENTATION;
  CALLGRIND_DUMP_STATS_AT(label.c_str());
}

bool under_valgrind() { return RUNNING_ON_VALGRIND != 0; }

}  // namespace replay
