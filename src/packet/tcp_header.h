#pragma once
#include <span>

#include "packet/view.h"

namespace packet {

// RFC 9293 header.
template <class ByteT>
class TcpHeaderT : public HeaderView<ByteT> {
  using Base = HeaderView<ByteT>;
  enum Off : std::size_t {
    kSrcPort = 0,
    kDstPort = 2,
    kSeq = 4,
    kAck = 8,
    kDataOff = 12,
    kFlags = 13,
    kWindow = 14,
    kChecksum = 16,
    kUrgent = 18
  };

 public:
  static constexpr std::size_t kMinSize = 20;
  static constexpr std::size_t kMaxSize = 60;
  static constexpr std::size_t kChecksumOffset = kChecksum;
  static constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAckFlag = 0x10, kUrg = 0x20,
                                kEce = 0x40, kCwr = 0x80;

  using Base::Base;
  static bool fits(std::span<const std::uint8_t> b) { return b.size() >= kMinSize; }

  std::uint16_t src_port() const { return this->u16(kSrcPort); }
  std::uint16_t dst_port() const { return this->u16(kDstPort); }
  std::uint32_t seq() const { return this->u32(kSeq); }
  std::uint32_t ack() const { return this->u32(kAck); }
  std::uint8_t data_offset() const { return this->u8(kDataOff) >> 4; }
  std::size_t header_length() const { return std::size_t{data_offset()} * 4; }
  // Low nibble of the data-offset byte: reserved bits and the AccECN AE flag.
  std::uint8_t reserved_bits() const { return this->u8(kDataOff) & 0x0F; }
  std::uint8_t flags() const { return this->u8(kFlags); }
  std::uint16_t window() const { return this->u16(kWindow); }
  std::uint16_t checksum() const { return this->u16(kChecksum); }
  std::uint16_t urgent() const { return this->u16(kUrgent); }
  std::span<ByteT> options() const { return this->bytes_.subspan(kMinSize, header_length() - kMinSize); }

  void set_src_port(std::uint16_t v) const requires Base::kMutable { this->put16(kSrcPort, v); }
  void set_dst_port(std::uint16_t v) const requires Base::kMutable { this->put16(kDstPort, v); }
  void set_seq(std::uint32_t v) const requires Base::kMutable { this->put32(kSeq, v); }
  void set_ack(std::uint32_t v) const requires Base::kMutable { this->put32(kAck, v); }
  void set_data_offset(std::uint8_t words) const requires Base::kMutable {
    this->put8(kDataOff, static_cast<std::uint8_t>((words << 4) | (this->u8(kDataOff) & 0x0F)));
  }
  void set_flags(std::uint8_t v) const requires Base::kMutable { this->put8(kFlags, v); }
  void set_window(std::uint16_t v) const requires Base::kMutable { this->put16(kWindow, v); }
  void set_checksum(std::uint16_t v) const requires Base::kMutable { this->put16(kChecksum, v); }
  void set_urgent(std::uint16_t v) const requires Base::kMutable { this->put16(kUrgent, v); }
};

using TcpHeader = TcpHeaderT<std::uint8_t>;
using ConstTcpHeader = TcpHeaderT<const std::uint8_t>;

}  // namespace packet
