// Fuzzes virtio_net_hdr decoding and validation: input = 10 header bytes + packet bytes.
// Invariants: encode(decode(b)) == b; validate() never accepts a checksum field or hdr_len
// outside the packet; describe() and to_string() always produce text.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>

#include "fuzz_check.h"
#include "vnet/vnet_header.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < vnet::kHeaderSize) return 0;
  const std::span<const std::uint8_t, vnet::kHeaderSize> raw(data, vnet::kHeaderSize);
  const vnet::VnetHeader h = vnet::decode(raw);
  std::uint8_t again[vnet::kHeaderSize];
  vnet::encode(h, again);
  FUZZ_CHECK(std::memcmp(again, data, vnet::kHeaderSize) == 0);

  const std::size_t len = size - vnet::kHeaderSize;
  const auto invalid = vnet::validate(h, len);
  if (!invalid) {
    FUZZ_CHECK(h.hdr_len <= len);
    if (h.needs_csum()) FUZZ_CHECK(std::size_t{h.csum_start} + h.csum_offset + 2 <= len);
    if (h.is_gso()) {
      FUZZ_CHECK(h.gso_size != 0 && h.gso_size != 0xFFFF && h.needs_csum());
      const std::uint8_t base = h.base_gso_type();
      FUZZ_CHECK(base == vnet::kGsoTcpV4 || base == vnet::kGsoTcpV6 || base == vnet::kGsoUdpL4);
    }
  } else {
    FUZZ_CHECK(static_cast<std::size_t>(*invalid) < vnet::kInvalidCount);
    FUZZ_CHECK(vnet::to_string(*invalid)[0] != '\0');
  }
  FUZZ_CHECK(!vnet::describe(h).empty());
  return 0;
}
