#pragma once
// Base of the typed header views: a view borrows bytes it does not own. ByteT is
// std::uint8_t for a mutable view or const std::uint8_t for a read-only one; setters
// exist only on mutable views. A view never checks bounds on access: build it with
// fits() first, or over bytes already validated by the caller.
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include "packet/bytes.h"

namespace packet {

template <class ByteT>
class HeaderView {
 public:
  static_assert(std::is_same_v<std::remove_const_t<ByteT>, std::uint8_t>);
  static constexpr bool kMutable = !std::is_const_v<ByteT>;

  explicit HeaderView(std::span<ByteT> bytes) : bytes_(bytes) {}
  std::span<ByteT> bytes() const { return bytes_; }
  ByteT* data() const { return bytes_.data(); }

 protected:
  std::uint8_t u8(std::size_t off) const { return bytes_[off]; }
  std::uint16_t u16(std::size_t off) const { return load_be16(bytes_.data() + off); }
  std::uint32_t u32(std::size_t off) const { return load_be32(bytes_.data() + off); }
  void put8(std::size_t off, std::uint8_t v) const requires kMutable { bytes_[off] = v; }
  void put16(std::size_t off, std::uint16_t v) const requires kMutable { store_be16(bytes_.data() + off, v); }
  void put32(std::size_t off, std::uint32_t v) const requires kMutable { store_be32(bytes_.data() + off, v); }

  std::span<ByteT> bytes_;
};

// IP protocol numbers used by the offload engine.
inline constexpr std::uint8_t kProtoHopByHop = 0;
inline constexpr std::uint8_t kProtoTcp = 6;
inline constexpr std::uint8_t kProtoUdp = 17;
inline constexpr std::uint8_t kProtoRouting = 43;
inline constexpr std::uint8_t kProtoFragment = 44;
inline constexpr std::uint8_t kProtoDestOpts = 60;

}  // namespace packet
