#pragma once
// What a case sees of the system under check: the namespaces and devices of the usual forwarder
// topology (harness/suts.h: the forwarder in fwd, tun11 moved to the client's namespace a,
// tun22 to the server's b), their addresses and MTUs, and the forwarder's process, which only
// the robustness cases touch (they signal it, watch its CPU time and read its stderr).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "check/negotiated_offloads.h"

namespace harness {
class Process;
class RunState;
}  // namespace harness

namespace check {

struct Side {
  std::string ns;
  std::string device;
  std::string address;   // IPv4
  std::string address6;  // IPv6
  std::size_t mtu = 1500;
  Offloads offloads;  // what the forwarder negotiated on this device (TUNSETOFFLOAD)
};

struct Target {
  std::string label;
  Side client;
  Side server;
  harness::Process* forwarder = nullptr;
  std::filesystem::path forwarder_stderr;  // where the harness keeps what the forwarder wrote to stderr
  std::uint64_t bulk_bytes = 4 << 20;      // per direction of a bulk case
  std::chrono::milliseconds transfer_timeout{30000};
  std::uint16_t port = 5300;  // this case's first port: each case has its own range of 10
  // For namespaces a case creates beside the topology (the kernel oracle's): a suffix unique to
  // this bring-up, and the run's record of what to clean up (may be null).
  std::string name_suffix = "check";
  harness::RunState* state = nullptr;
};

}  // namespace check
