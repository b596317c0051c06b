#pragma once
// The kernel's UDP counters as one network namespace sees them (/proc/net/snmp, "Udp:"): how a
// case shows that what it set up happened, e.g. that a receiver's buffer overflowed and the
// kernel dropped datagrams (RcvbufErrors) rather than the forwarder.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace check {

// The "Udp:" field `field` ("RcvbufErrors") read inside namespace `ns`; nullopt when it cannot
// be read. (The parsing is harness::parse_snmp_counter's.)
std::optional<std::uint64_t> udp_counter(const std::string& ns, std::string_view field);

}  // namespace check
