#pragma once
#include <span>

#include "packet/view.h"

namespace packet {

// RFC 8200 fixed header.
template <class ByteT>
class Ipv6HeaderT : public HeaderView<ByteT> {
  using Base = HeaderView<ByteT>;
  enum Off : std::size_t { kVerTcFlow = 0, kPayloadLen = 4, kNextHeader = 6, kHopLimit = 7, kSrc = 8, kDst = 24 };

 public:
  static constexpr std::size_t kSize = 40;

  using Base::Base;
  static bool fits(std::span<const std::uint8_t> b) { return b.size() >= kSize; }

  std::uint8_t version() const { return this->u8(kVerTcFlow) >> 4; }
  std::uint8_t traffic_class() const { return static_cast<std::uint8_t>(this->u16(kVerTcFlow) >> 4); }
  std::uint32_t flow_label() const { return this->u32(kVerTcFlow) & 0xFFFFF; }
  std::uint16_t payload_length() const { return this->u16(kPayloadLen); }
  std::uint8_t next_header() const { return this->u8(kNextHeader); }
  std::uint8_t hop_limit() const { return this->u8(kHopLimit); }
  std::span<ByteT, 16> src() const { return this->bytes_.subspan(kSrc).template first<16>(); }
  std::span<ByteT, 16> dst() const { return this->bytes_.subspan(kDst).template first<16>(); }

  void set_version_class_flow(std::uint8_t tc, std::uint32_t flow) const requires Base::kMutable {
    this->put32(kVerTcFlow, (6u << 28) | (std::uint32_t{tc} << 20) | (flow & 0xFFFFF));
  }
  void set_payload_length(std::uint16_t v) const requires Base::kMutable { this->put16(kPayloadLen, v); }
  void set_next_header(std::uint8_t v) const requires Base::kMutable { this->put8(kNextHeader, v); }
  void set_hop_limit(std::uint8_t v) const requires Base::kMutable { this->put8(kHopLimit, v); }
};

using Ipv6Header = Ipv6HeaderT<std::uint8_t>;
using ConstIpv6Header = Ipv6HeaderT<const std::uint8_t>;

}  // namespace packet
