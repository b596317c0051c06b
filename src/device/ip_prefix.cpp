#include "device/ip_prefix.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <charconv>
#include <string>

namespace device {

std::size_t IpPrefix::addr_len() const { return family == AF_INET ? 4 : 16; }

std::optional<IpPrefix> parse_prefix(std::string_view text, int family) {
  if (family != AF_INET && family != AF_INET6) return std::nullopt;
  const unsigned max_len = family == AF_INET ? 32 : 128;
  IpPrefix p{.family = family, .addr = {}, .prefix_len = max_len};
  const auto slash = text.find('/');
  if (slash != std::string_view::npos) {
    const std::string_view len = text.substr(slash + 1);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), value);
    if (ec != std::errc{} || end != len.data() + len.size() || len.empty() || value > max_len) {
      return std::nullopt;
    }
    p.prefix_len = value;
  }
  const std::string addr(text.substr(0, slash));  // inet_pton needs a NUL-terminated string
  if (inet_pton(family, addr.c_str(), p.addr.data()) != 1) return std::nullopt;
  return p;
}

}  // namespace device
