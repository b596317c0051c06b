#pragma once
// struct virtio_net_hdr as a TUN with IFF_VNET_HDR reads and writes it (docs/offload.md §2):
// 10 bytes, u16 fields in the host's ("vnet") byte order, which is little-endian on the
// hosts we support.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace vnet {

inline constexpr std::size_t kHeaderSize = 10;

inline constexpr std::uint8_t kFlagNeedsCsum = 0x01;
inline constexpr std::uint8_t kFlagDataValid = 0x02;

inline constexpr std::uint8_t kGsoNone = 0;
inline constexpr std::uint8_t kGsoTcpV4 = 1;
inline constexpr std::uint8_t kGsoUdp = 3;  // UFO: obsolete, rejected
inline constexpr std::uint8_t kGsoTcpV6 = 4;
inline constexpr std::uint8_t kGsoUdpL4 = 5;  // USO, IPv4 and IPv6
inline constexpr std::uint8_t kGsoEcn = 0x80;

// Largest number of UDP segments one GSO write may carry on older kernels (UDP_MAX_SEGMENTS).
inline constexpr std::size_t kUdpMaxSegments = 64;

struct VnetHeader {
  std::uint8_t flags = 0;
  std::uint8_t gso_type = kGsoNone;
  std::uint16_t hdr_len = 0;
  std::uint16_t gso_size = 0;
  std::uint16_t csum_start = 0;
  std::uint16_t csum_offset = 0;

  std::uint8_t base_gso_type() const { return gso_type & static_cast<std::uint8_t>(~kGsoEcn); }
  bool is_gso() const { return base_gso_type() != kGsoNone; }
  bool needs_csum() const { return flags & kFlagNeedsCsum; }

  friend bool operator==(const VnetHeader&, const VnetHeader&) = default;
};

// Decodes the first kHeaderSize bytes; the caller guarantees at least that many.
VnetHeader decode(std::span<const std::uint8_t, kHeaderSize> bytes);
void encode(const VnetHeader& header, std::span<std::uint8_t, kHeaderSize> out);

// Which field of a header is wrong, for drop counters and error messages.
enum class Invalid : std::uint8_t {
  kGsoType,      // gso_type (without ECN) not in {0, 1, 4, 5}, or UFO (3)
  kGsoEcnOnUdp,  // ECN bit with UDP_L4
  kGsoSizeZero,  // gso_size == 0 with a GSO type
  kGsoSizeMax,   // gso_size == 0xFFFF
  kNoNeedsCsum,  // GSO without NEEDS_CSUM
  kCsumStart,    // csum_start beyond the packet
  kCsumOffset,   // csum_offset not 16 (TCP) / 6 (UDP), or csum field beyond the packet
  kHdrLen,       // hdr_len larger than the packet
};
inline constexpr std::size_t kInvalidCount = 8;

const char* to_string(Invalid reason);

// Checks a header against the packet it precedes (the IP packet, header excluded), with the
// rules the kernel applies on a TUN write (docs/offload.md §4). Returns the first field that
// fails, or nothing when the header is acceptable. Packet contents are not inspected here:
// gso_split checks that the IP/L4 headers agree with the vnet header.
std::optional<Invalid> validate(const VnetHeader& header, std::size_t packet_length);

// "flags=0x01 gso_type=TCPV4 hdr_len=66 gso_size=1448 csum_start=20 csum_offset=16"
std::string describe(const VnetHeader& header);

}  // namespace vnet
