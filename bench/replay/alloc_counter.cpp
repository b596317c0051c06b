#include "alloc_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>

#include "device_scope.h"

namespace replay {

namespace {
std::atomic<bool> counting{false};
std::atomic<std::uint64_t> allocations{0};

void note() {
  if (counting.load(std::memory_order_relaxed) && !DeviceScope::active())
    allocations.fetch_add(1, std::memory_order_relaxed);
}

void* allocate(std::size_t size) {
  note();
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
}  // namespace

void start_counting_allocations() {
  allocations.store(0, std::memory_order_relaxed);
  counting.store(true, std::memory_order_release);
}

std::uint64_t stop_counting_allocations() {
  counting.store(false, std::memory_order_release);
  return allocations.load(std::memory_order_relaxed);
}

}  // namespace replay

// The replacements: the default operator delete frees with std::free, which matches.
void* operator new(std::size_t size) { return replay::allocate(size); }
void* operator new[](std::size_t size) { return replay::allocate(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return replay::allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return replay::allocate(size);
  } catch (...) {
    return nullptr;
  }
}
