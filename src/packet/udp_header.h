#pragma once
#include <span>

#include "packet/view.h"

namespace packet {

// RFC 768 header.
template <class ByteT>
class UdpHeaderT : public HeaderView<ByteT> {
  using Base = HeaderView<ByteT>;
  enum Off : std::size_t { kSrcPort = 0, kDstPort = 2, kLength = 4, kChecksum = 6 };

 public:
  static constexpr std::size_t kSize = 8;
  static constexpr std::size_t kChecksumOffset = kChecksum;

  using Base::Base;
  static bool fits(std::span<const std::uint8_t> b) { return b.size() >= kSize; }

  std::uint16_t src_port() const { return this->u16(kSrcPort); }
  std::uint16_t dst_port() const { return this->u16(kDstPort); }
  std::uint16_t length() const { return this->u16(kLength); }
  std::uint16_t checksum() const { return this->u16(kChecksum); }

  void set_src_port(std::uint16_t v) const requires Base::kMutable { this->put16(kSrcPort, v); }
  void set_dst_port(std::uint16_t v) const requires Base::kMutable { this->put16(kDstPort, v); }
  void set_length(std::uint16_t v) const requires Base::kMutable { this->put16(kLength, v); }
  void set_checksum(std::uint16_t v) const requires Base::kMutable { this->put16(kChecksum, v); }
};

using UdpHeader = UdpHeaderT<std::uint8_t>;
using ConstUdpHeader = UdpHeaderT<const std::uint8_t>;

}  // namespace packet
