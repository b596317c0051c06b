#include "device_scope.h"

#include <valgrind/callgrind.h>

namespace replay {

namespace {
thread_local int depth = 0;
}  // namespace

DeviceScope::DeviceScope() {
  if (depth++ == 0) CALLGRIND_TOGGLE_COLLECT;
}

DeviceScope::~DeviceScope() {
  if (--depth == 0) CALLGRIND_TOGGLE_COLLECT;
}

bool DeviceScope::active() { return depth != 0; }

}  // namespace replay
