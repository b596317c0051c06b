#pragma once
#include <cstddef>

namespace device {

// Outcome of a device call: how many bytes (PacketDevice) or packets (BatchDevice) moved, and
// the errno of the first failure (0 = none). A failure after some packets of a batch moved
// reports both: count = packets done, error = why the next one failed.
struct IoResult {
  std::size_t count = 0;
  int error = 0;
  bool ok() const { return error == 0; }
};

}  // namespace device
