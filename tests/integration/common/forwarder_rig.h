#pragma once
// A tunfwd running between two harness namespaces (tb-fwd/tb-a/tb-b with a unique suffix,
// always deleted by the Topology), tb_xfer transfers through it, and the parsing of tunfwd's
// exit counters (format of forward/counters.cpp). Shared by the forward and fault suites.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness/command.h"
#include "harness/process.h"
#include "harness/topology.h"

namespace tbtest {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Every mode of `tunfwd --list` (the forward test checks tunfwd offers exactly these).
inline const std::vector<std::string> kModes = {
    "async-normal", "async-normal-channel", "async-framed", "async-gso", "async-gso-channel",
    "async-gso-channel-pool", "async-gso-framed", "sync-normal", "sync-normal-channel", "sync-gso",
    "sync-gso-channel", "sync-gso-concurrent", "passthrough", "passthrough-mq", "passthrough-async"};

inline bool mode_has_vnet(const std::string& mode) {
  return mode.find("gso") != std::string::npos || mode.starts_with("passthrough");
}

inline std::string test_name(const std::string& mode) {
  std::string name = mode;
  for (auto& c : name)
    if (c == '-') c = '_';
  return name;
}

inline fs::path build_dir() {
  for (auto dir = fs::read_symlink("/proc/self/exe").parent_path(); dir != dir.root_path(); dir = dir.parent_path())
    if (fs::is_regular_file(dir / "src/app/tunfwd")) return dir;
  return {};
}
inline fs::path tunfwd() { return build_dir() / "src/app/tunfwd"; }
// The test-only tunfwd whose devices refuse writes as TUNFWD_FAULT_* say (src/faults/).
inline fs::path tunfwd_faults() { return build_dir() / "src/app/tunfwd-faults"; }
inline fs::path tunbench() { return build_dir() / "src/app/tunbench"; }
inline fs::path xfer() { return build_dir() / "tests/integration/support/tb_xfer"; }

inline std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : fallback;
}

inline nlohmann::json last_json_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty() && line.front() == '{') last = line;
  return last.empty() ? nlohmann::json() : nlohmann::json::parse(last);
}

// One direction of tunfwd's exit counters:
// "tun11→tun22: packets P written W bytes B batches N drops D (reason n, …) [reads R writes X gso-fallbacks F]"
struct Direction {
  std::string from, to;
  std::uint64_t packets = 0, written = 0, bytes = 0, batches = 0, drops = 0, reads = 0, writes = 0, fallbacks = 0;
  std::map<std::string, std::uint64_t> reasons;
  std::uint64_t reason_sum() const {
    std::uint64_t s = 0;
    for (const auto& [_, n] : reasons) s += n;
    return s;
  }
  // The count of the reasons whose name contains `part` ("queue full").
  std::uint64_t dropped(const std::string& part) const {
    std::uint64_t s = 0;
    for (const auto& [name, n] : reasons)
      if (name.find(part) != std::string::npos) s += n;
    return s;
  }
};

inline std::vector<Direction> parse_counters(const std::string& out) {
  static const std::regex line(
      R"((\S+)→(\S+): packets (\d+) written (\d+) bytes (\d+) batches (\d+) drops (\d+)(?: \((.*)\))? \[reads (\d+) writes (\d+) gso-fallbacks (\d+)\])");
  static const std::regex reason(R"((.+?) (\d+)(?:, |$))");
  std::vector<Direction> dirs;
  for (std::sregex_iterator it(out.begin(), out.end(), line), end; it != end; ++it) {
    const auto& m = *it;
    auto n = [&](int i) { return std::stoull(m[i].str()); };
    Direction d{m[1].str(), m[2].str(), n(3), n(4), n(5), n(6), n(7), n(9), n(10), n(11), {}};
    const std::string list = m[8].str();
    for (std::sregex_iterator r(list.begin(), list.end(), reason); r != end; ++r)
      d.reasons[(*r)[1].str()] += std::stoull((*r)[2].str());
    dirs.push_back(std::move(d));
  }
  return dirs;
}

// tunfwd between tb-a and tb-b, plus tb_xfer endpoints. Everything is stopped and the
// namespaces deleted by stop_all()/the destructor, on every path.
class Rig {
 public:
  // `env`: extra "NAME=value" for tunfwd; `extra`: more tunfwd flags; `binary`: tunfwd, or
  // tunfwd_faults() for fault injection.
  Rig(const std::string& mode, std::vector<std::string> env = {}, std::vector<std::string> extra = {},
      const fs::path& binary = tunfwd()) {
    static std::atomic<int> counter{0};
    tag_ = std::to_string(::getpid() % 100000) + "q" + std::to_string(counter++);
    dir_ = fs::temp_directory_path() / ("tb-rig-" + tag_);
    fs::create_directories(dir_);
    topology_ = std::make_unique<harness::Topology>(harness::Layout::forwarder, tag_, nullptr);
    // env(1) execs tunfwd in place: the pid is tunfwd's.
    std::vector<std::string> argv{"env"};
    argv.insert(argv.end(), env.begin(), env.end());
    for (const auto& a : {binary.string(), std::string("--mode"), mode, std::string("--iface1"), std::string("tun11"),
                          std::string("--ip1"), std::string(harness::kClientAddress), std::string("--iface2"),
                          std::string("tun22"), std::string("--ip2"), std::string(harness::kServerAddress)})
      argv.push_back(a);
    argv.insert(argv.end(), extra.begin(), extra.end());
    forwarder_ = harness::Process::spawn({argv, topology_->forwarder_ns(), dir_ / "tunfwd.out", dir_ / "tunfwd.err"});
    topology_->adopt_tun_devices(forwarder_, dir_ / "tunfwd.err", seconds(15));
    // A paced UDP sender can still outrun a debug-build forwarder for a moment when the machine
    // is busy; the kernel then drops at the TUN's queue (500 packets), before the forwarder sees
    // anything. A deeper queue keeps these tests about the forwarder, not about CPU contention.
    harness::run_checked({"ip", "-n", topology_->client_ns(), "link", "set", "tun11", "txqueuelen", "16384"});
    harness::run_checked({"ip", "-n", topology_->server_ns(), "link", "set", "tun22", "txqueuelen", "16384"});
  }
  ~Rig() {
    stop_all();
    if (!::testing::Test::HasFailure()) fs::remove_all(dir_);
  }

  harness::Topology& topology() { return *topology_; }
  harness::Process& forwarder() { return forwarder_; }
  const fs::path& dir() const { return dir_; }
  std::string out() const { return harness::read_file((dir_ / "tunfwd.out").string()); }
  std::string err() const { return harness::read_file((dir_ / "tunfwd.err").string()); }

  // Waits (bounded) until tunfwd's stdout contains `text`.
  bool wait_for_output(const std::string& text, milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out().find(text) == std::string::npos) {
      if (!forwarder_.running() || std::chrono::steady_clock::now() > deadline) return false;
      forwarder_.wait_for(milliseconds(10));
    }
    return true;
  }

  // SIGINT (the clean stop); returns the exit status. Counters are in out() afterwards.
  int stop_forwarder() { return forwarder_.stop(milliseconds(3000)); }

  // One TCP stream a→b (client ns to server ns) of `bytes`, checked by size and SHA-256.
  void tcp_a_to_b(std::uint64_t bytes, const std::string& port, const std::string& seed = "11") {
    const auto name = "tcp-" + port;
    auto& recv = start(topology_->server_ns(), "recv-" + name,
                       {"recv", "--proto", "tcp", "--bind", harness::kServerAddress, "--port", port});
    auto& send = start(topology_->client_ns(), "send-" + name,
                       {"send", "--proto", "tcp", "--to", harness::kServerAddress, "--port", port, "--bytes",
                        std::to_string(bytes), "--seed", seed});
    const auto s = finish(send, "send-" + name), r = finish(recv, "recv-" + name);
    ASSERT_FALSE(s.is_null() || r.is_null());
    EXPECT_EQ(r["bytes"], bytes);
    EXPECT_EQ(r["sha256"], s["sha256"]) << "stream corrupted";
  }

  // Two TCP streams at once, a→b and b→a, each checked by size and SHA-256 (IPv4 unless the
  // IPv6 addresses are given).
  void tcp_both_ways(std::uint64_t bytes, const std::string& a_addr = harness::kClientAddress,
                     const std::string& b_addr = harness::kServerAddress) {
    const auto n = std::to_string(bytes);
    auto& recv_b = start(topology_->server_ns(), "recv-b", {"recv", "--proto", "tcp", "--bind", b_addr, "--port", "5311"});
    auto& recv_a = start(topology_->client_ns(), "recv-a", {"recv", "--proto", "tcp", "--bind", a_addr, "--port", "5312"});
    auto& send_a = start(topology_->client_ns(), "send-a",
                         {"send", "--proto", "tcp", "--to", b_addr, "--port", "5311", "--bytes", n, "--seed", "11"});
    auto& send_b = start(topology_->server_ns(), "send-b",
                         {"send", "--proto", "tcp", "--to", a_addr, "--port", "5312", "--bytes", n, "--seed", "22"});
    const auto sa = finish(send_a, "send-a"), sb = finish(send_b, "send-b");
    const auto ra = finish(recv_a, "recv-a"), rb = finish(recv_b, "recv-b");
    ASSERT_FALSE(sa.is_null() || sb.is_null() || ra.is_null() || rb.is_null());
    EXPECT_EQ(rb["bytes"], bytes);
    EXPECT_EQ(rb["sha256"], sa["sha256"]) << "a→b stream corrupted";
    EXPECT_EQ(ra["bytes"], bytes);
    EXPECT_EQ(ra["sha256"], sb["sha256"]) << "b→a stream corrupted";
  }

  // Paced datagrams a→b (UDP_SEGMENT bursts when `gso`); every one must arrive once, intact and
  // in order.
  void udp_a_to_b(std::uint64_t bytes, const std::string& b_addr, std::uint64_t rate_mbps, bool gso) {
    const std::uint64_t size = 1400, payload = size - 20;
    const std::uint64_t count = (bytes + payload - 1) / payload;
    auto& recv = start(topology_->server_ns(), "recv-udp",
                       {"recv", "--proto", "udp", "--bind", b_addr, "--port", "5313", "--expect-datagrams",
                        std::to_string(count)});
    std::vector<std::string> args{"send", "--proto", "udp", "--to", b_addr, "--port", "5313", "--bytes",
                                  std::to_string(bytes), "--size", std::to_string(size), "--rate-mbps",
                                  std::to_string(rate_mbps), "--seed", "33"};
    if (gso) args.push_back("--gso");
    auto& send = start(topology_->client_ns(), "send-udp", args);
    const auto s = finish(send, "send-udp");
    const auto r = finish(recv, "recv-udp");
    ASSERT_FALSE(s.is_null() || r.is_null());
    EXPECT_EQ(r["bad"], 0) << "datagrams that failed their checksum";
    EXPECT_EQ(r["duplicates"], 0);
    EXPECT_EQ(r["reordered"], 0);
    EXPECT_EQ(r["datagrams"], s["datagrams"]) << "datagrams lost";
    EXPECT_EQ(r["sha256"], s["sha256"]);
  }

  void stop_all() {
    for (auto& p : endpoints_) p.stop();
    endpoints_.clear();
    if (forwarder_.pid() > 0 && forwarder_.running()) forwarder_.stop(milliseconds(3000));
    topology_.reset();  // deletes the namespaces
  }

 private:
  harness::Process& start(const std::string& ns, const std::string& name, std::vector<std::string> args) {
    args.insert(args.begin(), xfer().string());
    endpoints_.push_back(harness::Process::spawn({args, ns, dir_ / (name + ".out"), dir_ / (name + ".err")}));
    auto& p = endpoints_.back();
    if (args[1] == "recv") {
      const auto deadline = std::chrono::steady_clock::now() + seconds(10);
      while (harness::read_file((dir_ / (name + ".out")).string()).find("ready") == std::string::npos) {
        if (!p.running() || std::chrono::steady_clock::now() > deadline) {
          ADD_FAILURE() << name << " never listened: " << harness::read_file((dir_ / (name + ".err")).string());
          break;
        }
        p.wait_for(milliseconds(10));
      }
    }
    return p;
  }

  nlohmann::json finish(harness::Process& p, const std::string& name) {
    const bool done = p.wait_for(seconds(600));
    EXPECT_TRUE(done) << name << " did not finish";
    EXPECT_EQ(p.exit_status().value_or(-1), 0) << name << ": " << harness::read_file((dir_ / (name + ".err")).string());
    return last_json_line(dir_ / (name + ".out"));
  }

  std::string tag_;
  fs::path dir_;
  std::unique_ptr<harness::Topology> topology_;
  harness::Process forwarder_;
  std::deque<harness::Process> endpoints_;
};

inline bool can_run(std::string* why) {
  if (::geteuid() != 0) return *why = "needs root", false;
  if (!fs::exists(tunfwd()) || !fs::exists(xfer())) return *why = "tunfwd/tb_xfer not built next to this test", false;
  return true;
}

}  // namespace tbtest
