#pragma once
// Marks the replay devices' own code, so that what tunreplay measures is the forwarder alone.
// Under callgrind (collect at start, instrumentation switched on per row) the outermost scope
// on a thread turns that thread's event collection off on entry and back on at exit: the device's
// copies, bookkeeping and condition-variable waits are not counted, everything the forwarder does
// around the call is. The same depth says whether an allocation was the device's (alloc_counter).
// Nested scopes (a device call that stops the forwarder, which interrupts every device) toggle once.
namespace replay {

class DeviceScope {
 public:
  DeviceScope();
  ~DeviceScope();
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;

  // Whether the calling thread is inside a device call.
  static bool active();
};

}  // namespace replay
