#include "check/udp_counters.h"

#include "check/netns.h"
#include "harness/command.h"
#include "harness/proc_parse.h"

namespace check {

std::optional<std::uint64_t> udp_counter(const std::string& ns, std::string_view field) {
  std::string text;
  // thread-self: /proc/self/net would show the namespace of the process's main thread (root).
  run_in_netns(ns, [&] { text = harness::read_file("/proc/thread-self/net/snmp"); });
  return harness::parse_snmp_counter(text, "Udp", field);
}

}  // namespace check
