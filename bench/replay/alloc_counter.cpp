#include "alloc_counter.h"

#include <atomic>

#include "device_scope.h"

namespace replay {

namespace {
std::atomic<bool> counting{false};
std::atomic<std::uint64_t> allocations{0};
}  // namespace

void note_allocation() {
  if (counting.load(std::memory_order_relaxed) && !DeviceScope::active())
    allocations.fetch_add(1, std::memory_order_relaxed);
}

void start_counting_allocations() {
  allocations.store(0, std::memory_order_relaxed);
  counting.store(true, std::memory_order_release);
}

std::uint64_t stop_counting_allocations() {
  counting.store(false, std::memory_order_release);
  return allocations.load(std::memory_order_relaxed);
}

}  // namespace replay
