#pragma once
// One iperf3 measurement: server in the server namespace (one-shot, -1), client in the client
// namespace, the client's JSON report parsed.
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/iperf_result.h"

namespace harness {

class RunState;

// Where the client and the server run, and what the client connects to.
struct IperfPath {
  std::string client_ns;
  std::string server_ns;
  std::string server_address;
};

struct IperfOptions {
  int duration_s = 10;
  int parallel = 1;
  bool udp = false;
  std::string udp_rate = "0";  // -b for UDP; 0 = unlimited
  // -l for UDP: bytes per datagram; 0 = iperf3's choice, which follows the path's MTU (1448 through
  // a TUN at 1500, 32 KB through a peer's tap at 65520), so rows at different MTUs send different sizes.
  int udp_length = 0;
  bool reverse = false;
  int port = 5201;
};

class Iperf {
 public:
  Iperf(IperfPath path, IperfOptions options, std::filesystem::path log_dir, RunState* state);

  // Called about once a second while the client runs, with the seconds left (for progress).
  using Tick = std::function<void(int seconds_left)>;
  // `on_started` runs once the server listens and the client is launched (the monitor starts there).
  IperfResult run(const Tick& tick = {}, const std::function<void()>& on_started = {});

 private:
  void wait_until_listening(class Process& server);

  IperfPath path_;
  IperfOptions options_;
  std::filesystem::path log_dir_;
  RunState* state_;
};

// The client's command line (run in the client namespace, connecting to the server on `port`).
std::vector<std::string> client_argv(const IperfPath& path, const IperfOptions& options, int port);

// True when something in `netns` already listens on the TCP port.
bool port_in_use(const std::string& netns, int port);

}  // namespace harness
