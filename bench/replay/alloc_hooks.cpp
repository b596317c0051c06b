// tunreplay's replacements of the global operator new, which count through alloc_counter.h. Only
// the tunreplay binary links this file: the unit test of the stack rows runs the same code under
// AddressSanitizer, whose own operator new must stay (a malloc freed by its operator delete is an
// alloc-dealloc mismatch to it).
#include <cstdlib>
#include <new>

#include "alloc_counter.h"

namespace {

void* allocate(std::size_t size) {
  replay::note_allocation();
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

}  // namespace

// The replacements: the default operator delete frees with std::free, which matches.
void* operator new(std::size_t size) { return allocate(size); }
void* operator new[](std::size_t size) { return allocate(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}
