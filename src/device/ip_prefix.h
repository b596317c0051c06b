#pragma once
// "10.0.1.1/24" / "fd00:1::1/64" parsed for RTM_NEWADDR.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace device {

struct IpPrefix {
  int family = 0;                       // AF_INET or AF_INET6
  std::array<std::uint8_t, 16> addr{};  // first 4 bytes used for AF_INET
  unsigned prefix_len = 0;

  std::size_t addr_len() const;
};

// Nothing when the text is not an address of `family` with a prefix length in range. A
// missing "/len" means a host prefix (32 or 128).
std::optional<IpPrefix> parse_prefix(std::string_view text, int family);

}  // namespace device
