#pragma once
#include <span>

#include "packet/checksum.h"
#include "packet/view.h"

namespace packet {

// RFC 791 header. Offsets are named here once; forwarding code uses accessors only.
template <class ByteT>
class Ipv4HeaderT : public HeaderView<ByteT> {
  using Base = HeaderView<ByteT>;
  enum Off : std::size_t {
    kVerIhl = 0,
    kTos = 1,
    kTotalLen = 2,
    kId = 4,
    kFlagsFrag = 6,
    kTtl = 8,
    kProto = 9,
    kChecksum = 10,
    kSrc = 12,
    kDst = 16
  };

 public:
  static constexpr std::size_t kMinSize = 20;
  static constexpr std::uint16_t kFlagDF = 0x4000;
  static constexpr std::uint16_t kFlagMF = 0x2000;
  static constexpr std::uint16_t kFlagReserved = 0x8000;
  static constexpr std::uint16_t kFragOffsetMask = 0x1FFF;

  using Base::Base;
  static bool fits(std::span<const std::uint8_t> b) { return b.size() >= kMinSize; }

  std::uint8_t version() const { return this->u8(kVerIhl) >> 4; }
  std::uint8_t ihl() const { return this->u8(kVerIhl) & 0x0F; }
  std::size_t header_length() const { return std::size_t{ihl()} * 4; }
  std::uint8_t tos() const { return this->u8(kTos); }
  std::uint16_t total_length() const { return this->u16(kTotalLen); }
  std::uint16_t id() const { return this->u16(kId); }
  std::uint16_t flags_fragment() const { return this->u16(kFlagsFrag); }
  bool more_fragments() const { return flags_fragment() & kFlagMF; }
  std::uint16_t fragment_offset() const { return flags_fragment() & kFragOffsetMask; }
  bool is_fragment() const { return more_fragments() || fragment_offset() != 0; }
  std::uint8_t ttl() const { return this->u8(kTtl); }
  std::uint8_t protocol() const { return this->u8(kProto); }
  std::uint16_t checksum() const { return this->u16(kChecksum); }
  std::span<ByteT, 4> src() const { return this->bytes_.subspan(kSrc).template first<4>(); }
  std::span<ByteT, 4> dst() const { return this->bytes_.subspan(kDst).template first<4>(); }
  std::span<ByteT> options() const { return this->bytes_.subspan(kMinSize, header_length() - kMinSize); }

  // Sum over the header with its checksum field; folds to 0xFFFF when valid.
  bool checksum_valid() const { return sum_verifies(sum_bytes(this->bytes_.first(header_length()))); }
  std::uint16_t compute_checksum() const {
    std::uint64_t s = sum_bytes(this->bytes_.first(kChecksum));
    s = sum_bytes(this->bytes_.subspan(kChecksum + 2, header_length() - kChecksum - 2), s);
    return finish(s);
  }

  void set_version_ihl(std::uint8_t version, std::uint8_t ihl) const requires Base::kMutable {
    this->put8(kVerIhl, static_cast<std::uint8_t>(version << 4 | (ihl & 0x0F)));
  }
  void set_tos(std::uint8_t v) const requires Base::kMutable { this->put8(kTos, v); }
  void set_total_length(std::uint16_t v) const requires Base::kMutable { this->put16(kTotalLen, v); }
  void set_id(std::uint16_t v) const requires Base::kMutable { this->put16(kId, v); }
  void set_flags_fragment(std::uint16_t v) const requires Base::kMutable { this->put16(kFlagsFrag, v); }
  void set_ttl(std::uint8_t v) const requires Base::kMutable { this->put8(kTtl, v); }
  void set_protocol(std::uint8_t v) const requires Base::kMutable { this->put8(kProto, v); }
  void set_checksum(std::uint16_t v) const requires Base::kMutable { this->put16(kChecksum, v); }
  void update_checksum() const requires Base::kMutable { set_checksum(compute_checksum()); }
};

using Ipv4Header = Ipv4HeaderT<std::uint8_t>;
using ConstIpv4Header = Ipv4HeaderT<const std::uint8_t>;

}  // namespace packet
