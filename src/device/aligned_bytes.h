#pragma once
// Uninitialised bytes that start at a chosen alignment, for the buffers the kernel copies packets
// into and out of: a copy to an aligned destination is the fast one, and memory left
// uninitialised becomes resident only where packets land.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

namespace device {

// The alignment of the buffers the kernel copies whole packets into: a page.
inline constexpr std::size_t kPageAlignment = 4096;

struct AlignedDelete {
  std::size_t alignment;
  void operator()(std::uint8_t* p) const { ::operator delete[](p, std::align_val_t{alignment}); }
};

using AlignedBytes = std::unique_ptr<std::uint8_t[], AlignedDelete>;

// `size` bytes starting at a multiple of `alignment` (a power of two).
inline AlignedBytes make_aligned_bytes(std::size_t size, std::size_t alignment) {
  return AlignedBytes(static_cast<std::uint8_t*>(::operator new[](size, std::align_val_t{alignment})),
                      AlignedDelete{alignment});
}

// `n` rounded up to a multiple of `alignment` (a power of two).
constexpr std::size_t round_up(std::size_t n, std::size_t alignment) { return (n + alignment - 1) & ~(alignment - 1); }

}  // namespace device
