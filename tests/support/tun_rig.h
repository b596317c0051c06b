#pragma once
// A tunfwd running between two harness namespaces, brought up from the same description
// `tunbench run` uses (harness::suts::forwarder, through SutInstance: namespaces created and
// always deleted), tb_xfer transfers through it, and its counters read from the JSON it writes
// on exit (--stats-json). Shared by the forward and fault suites.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness/command.h"
#include "harness/forwarder_stats.h"
#include "harness/process.h"
#include "harness/sut_instance.h"
#include "harness/suts.h"
#include "harness/udp_loss_ledger.h"
#include "support/build_tree.h"
#include "support/modes.h"
#include "support/rig_basics.h"
#include "support/scratch_dir.h"

namespace tbtest {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

// tunfwd between tb-a and tb-b, plus tb_xfer endpoints. Everything is stopped and the
// namespaces deleted by stop_all()/the destructor, on every path.
class TunRig {
 public:
  // `env`: extra "NAME=value" for tunfwd; `extra`: more tunfwd flags; `binary`: tunfwd, or
  // tunfwd_faults() for fault injection.
  explicit TunRig(const std::string& mode, std::vector<std::string> env = {}, std::vector<std::string> extra = {},
                  const fs::path& binary = tunfwd()) {
    const auto tag = namespace_tag();
    // env(1) execs tunfwd in place: the pid is tunfwd's.
    std::vector<std::string> argv{"env"};
    argv.insert(argv.end(), env.begin(), env.end());
    for (const auto& a :
         {binary.string(), std::string("--mode"), mode, std::string("--ip1"), std::string(harness::kClientAddress),
          std::string("--ip2"), std::string(harness::kServerAddress), std::string("--stats-json"),
          std::string("{stats_json}")})
      argv.push_back(a);
    argv.insert(argv.end(), extra.begin(), extra.end());
    sut_ = std::make_unique<harness::SutInstance>(harness::suts::forwarder(argv, "tunfwd-stats/1"), tag, dir_.path(),
                                                  nullptr, seconds(15));
    // A paced UDP sender can still outrun a debug-build forwarder for a moment when the machine
    // is busy; the kernel then drops at the TUN's queue (500 packets), before the forwarder sees
    // anything. A deeper queue keeps these tests about the forwarder, not about CPU contention.
    harness::run_checked({"ip", "-n", topology().client_ns(), "link", "set", "tun11", "txqueuelen", "16384"});
    harness::run_checked({"ip", "-n", topology().server_ns(), "link", "set", "tun22", "txqueuelen", "16384"});
  }
  ~TunRig() { stop_all(); }
  TunRig(const TunRig&) = delete;
  TunRig& operator=(const TunRig&) = delete;

  const harness::Topology& topology() const { return sut_->topology(); }
  harness::Process& forwarder() { return sut_->process("forwarder"); }
  const fs::path& dir() const { return dir_.path(); }
  std::string out() const { return harness::read_file(sut_->stdout_path("forwarder").string()); }
  std::string err() const { return harness::read_file(sut_->stderr_path("forwarder").string()); }

  // Waits (bounded) until tunfwd's stdout contains `text`.
  bool wait_for_output(const std::string& text, milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out().find(text) == std::string::npos) {
      if (!forwarder().running() || std::chrono::steady_clock::now() > deadline) return false;
      forwarder().wait_for(milliseconds(10));
    }
    return true;
  }

  // SIGINT (the clean stop); returns the exit status. The counters are in stats() afterwards.
  int stop_forwarder() { return forwarder().stop(milliseconds(3000)); }
  // The counters tunfwd wrote on exit (after stop_forwarder() or its own exit); a test failure
  // and an empty result when it wrote none.
  harness::ForwarderStats stats() const {
    const auto s = harness::read_forwarder_stats(sut_->stats_path().string());
    if (!s) {
      ADD_FAILURE() << "tunfwd wrote no counters to " << sut_->stats_path() << "; stdout:\n"
                    << out() << "stderr:\n"
                    << err();
      return {};
    }
    return *s;
  }

  // One TCP stream a→b (client ns to server ns) of `bytes`, checked by size and SHA-256.
  void tcp_a_to_b(std::uint64_t bytes, const std::string& port, const std::string& seed = "11") {
    const auto name = "tcp-" + port;
    auto& recv = start(topology().server_ns(), "recv-" + name,
                       {"recv", "--proto", "tcp", "--bind", harness::kServerAddress, "--port", port});
    auto& send = start(topology().client_ns(), "send-" + name,
                       {"send", "--proto", "tcp", "--to", harness::kServerAddress, "--port", port, "--bytes",
                        std::to_string(bytes), "--seed", seed});
    const auto s = finish(send, "send-" + name), r = finish(recv, "recv-" + name);
    ASSERT_TRUE(reports(s, {"bytes", "sha256"}, "send-" + name) && reports(r, {"bytes", "sha256"}, "recv-" + name));
    EXPECT_EQ(r["bytes"], bytes);
    EXPECT_EQ(r["sha256"], s["sha256"]) << "stream corrupted";
  }

  // Two TCP streams at once, a→b and b→a, each checked by size and SHA-256 (IPv4 unless the
  // IPv6 addresses are given).
  void tcp_both_ways(std::uint64_t bytes, const std::string& a_addr = harness::kClientAddress,
                     const std::string& b_addr = harness::kServerAddress) {
    const auto n = std::to_string(bytes);
    auto& recv_b =
        start(topology().server_ns(), "recv-b", {"recv", "--proto", "tcp", "--bind", b_addr, "--port", "5311"});
    auto& recv_a =
        start(topology().client_ns(), "recv-a", {"recv", "--proto", "tcp", "--bind", a_addr, "--port", "5312"});
    auto& send_a = start(topology().client_ns(), "send-a",
                         {"send", "--proto", "tcp", "--to", b_addr, "--port", "5311", "--bytes", n, "--seed", "11"});
    auto& send_b = start(topology().server_ns(), "send-b",
                         {"send", "--proto", "tcp", "--to", a_addr, "--port", "5312", "--bytes", n, "--seed", "22"});
    const auto sa = finish(send_a, "send-a"), sb = finish(send_b, "send-b");
    const auto ra = finish(recv_a, "recv-a"), rb = finish(recv_b, "recv-b");
    ASSERT_TRUE(reports(sa, {"sha256"}, "send-a") && reports(sb, {"sha256"}, "send-b") &&
                reports(ra, {"bytes", "sha256"}, "recv-a") && reports(rb, {"bytes", "sha256"}, "recv-b"));
    EXPECT_EQ(rb["bytes"], bytes);
    EXPECT_EQ(rb["sha256"], sa["sha256"]) << "a→b stream corrupted";
    EXPECT_EQ(ra["bytes"], bytes);
    EXPECT_EQ(ra["sha256"], sb["sha256"]) << "b→a stream corrupted";
  }

  // What a UDP transfer a→b did: the endpoints' reports and what the kernel counted as dropped
  // on the way (harness::UdpLossLedger, the counters' change over the transfer).
  struct UdpRun {
    nlohmann::json sender, receiver;
    std::uint64_t sent = 0, received = 0;
    harness::UdpLossLedger dropped;
  };

  // Paced datagrams a→b (UDP_SEGMENT bursts when `gso`). With `receiver_stopped` the receiver is
  // stopped (SIGSTOP) from before the first datagram until the sender is done, so its socket
  // buffer overflows: the known loss the ledger is tested with.
  UdpRun udp_run(std::uint64_t bytes, const std::string& b_addr, std::uint64_t rate_mbps, bool gso,
                 bool receiver_stopped = false) {
    const std::uint64_t size = 1400, payload = size - 20;
    const std::uint64_t count = (bytes + payload - 1) / payload;
    const bool ipv6 = b_addr.find(':') != std::string::npos;
    const auto ledger = [&] {
      return harness::read_udp_loss_ledger(topology().client_ns(), "tun11", topology().server_ns(), "tun22", ipv6);
    };
    const auto before = ledger();
    auto& recv = start(
        topology().server_ns(), "recv-udp",
        {"recv", "--proto", "udp", "--bind", b_addr, "--port", "5313", "--expect-datagrams", std::to_string(count),
         // Stopped, a small buffer (256 KB, about 100 datagrams) overflows; running, a large one
         // (tb_xfer's 32 MB default) queues what a burst through a slow debug forwarder brings.
         "--buffer", std::to_string(receiver_stopped ? 256 << 10 : 32 << 20)});
    if (receiver_stopped) ::kill(recv.pid(), SIGSTOP);
    std::vector<std::string> args{"send",
                                  "--proto",
                                  "udp",
                                  "--to",
                                  b_addr,
                                  "--port",
                                  "5313",
                                  "--bytes",
                                  std::to_string(bytes),
                                  "--size",
                                  std::to_string(size),
                                  "--rate-mbps",
                                  std::to_string(rate_mbps),
                                  "--seed",
                                  "33"};
    if (gso) args.push_back("--gso");
    auto& send = start(topology().client_ns(), "send-udp", args);
    UdpRun run;
    run.sender = finish(send, "send-udp");
    if (receiver_stopped) ::kill(recv.pid(), SIGCONT);
    run.receiver = finish(recv, "recv-udp");
    run.dropped = ledger() - before;
    if (reports(run.sender, {"datagrams", "sha256"}, "send-udp") &&
        reports(run.receiver, {"bad", "duplicates", "reordered", "datagrams", "sha256"}, "recv-udp")) {
      run.sent = run.sender["datagrams"].get<std::uint64_t>();
      run.received = run.receiver["datagrams"].get<std::uint64_t>();
    }
    return run;
  }

  // Paced datagrams a→b; every one must arrive once, intact and in order, or be counted as dropped
  // by the kernel at a named stage: a busy machine can make the kernel drop before the forwarder
  // reads or after it wrote, which is not the forwarder's loss. Its own drops must be 0 (its
  // counters, checked by the fixture at teardown).
  void udp_a_to_b(std::uint64_t bytes, const std::string& b_addr, std::uint64_t rate_mbps, bool gso) {
    const UdpRun run = udp_run(bytes, b_addr, rate_mbps, gso);
    // Equal counts of nothing would prove nothing.
    ASSERT_GT(run.sent, 0u) << "nothing was sent";
    EXPECT_EQ(run.receiver["bad"], 0) << "datagrams that failed their checksum";
    EXPECT_EQ(run.receiver["duplicates"], 0);
    EXPECT_EQ(run.receiver["reordered"], 0);
    ASSERT_LE(run.received, run.sent) << "more datagrams than were sent";
    const std::uint64_t lost = run.sent - run.received;
    // Conservation: sent = received + the kernel's drops (per packet: up to 64 datagrams each when
    // packets carry several) + the forwarder's (0).
    const std::uint64_t per_packet = gso ? harness::UdpLossLedger::kMaxSegments : 1;
    EXPECT_LE(lost, run.dropped.most(per_packet)) << "datagrams lost that no kernel stage counted: " << where(run);
    EXPECT_GE(lost, run.dropped.least()) << "the kernel counted more drops than went missing: " << where(run);
    // Kernel drops of a whole transfer would leave nothing to check the forwarder with.
    EXPECT_GE(run.received, run.sent / 2) << where(run);
    if (lost > 0) {
      std::cout << "udp: " << where(run);
    } else {
      EXPECT_EQ(run.receiver["sha256"], run.sender["sha256"]);
    }
  }

  static std::string where(const UdpRun& run) {
    return "datagrams sent " + std::to_string(run.sent) + ", received " + std::to_string(run.received) +
           "; the kernel's drops on the way:\n" + run.dropped.describe();
  }

  void stop_all() {
    for (auto& p : endpoints_) p.stop();
    endpoints_.clear();
    sut_.reset();  // stops tunfwd, deletes the namespaces
  }

 private:
  harness::Process& start(const std::string& ns, const std::string& name, std::vector<std::string> args) {
    args.insert(args.begin(), xfer().string());
    endpoints_.push_back(harness::Process::spawn({args, ns, dir_.file(name + ".out"), dir_.file(name + ".err")}));
    auto& p = endpoints_.back();
    if (args[1] == "recv") {
      const auto deadline = std::chrono::steady_clock::now() + seconds(10);
      while (harness::read_file(dir_.file(name + ".out").string()).find("ready") == std::string::npos) {
        if (!p.running() || std::chrono::steady_clock::now() > deadline) {
          ADD_FAILURE() << name << " never listened: " << harness::read_file(dir_.file(name + ".err").string());
          break;
        }
        p.wait_for(milliseconds(10));
      }
    }
    return p;
  }

  // Whether an endpoint's report carries every field in `fields` (a test failure naming the
  // first missing one otherwise), so that no comparison of two reports passes on two absent
  // fields.
  static bool reports(const nlohmann::json& report, std::initializer_list<const char*> fields,
                      const std::string& name) {
    if (!report.is_object()) {
      ADD_FAILURE() << name << " reported nothing";
      return false;
    }
    for (const char* f : fields)
      if (!report.contains(f) || report[f].is_null()) {
        ADD_FAILURE() << name << " reported no " << f << ": " << report.dump();
        return false;
      }
    return true;
  }

  nlohmann::json finish(harness::Process& p, const std::string& name) {
    const bool done = p.wait_for(seconds(600));
    EXPECT_TRUE(done) << name << " did not finish";
    EXPECT_EQ(p.exit_status().value_or(-1), 0) << name << ": " << harness::read_file(dir_.file(name + ".err").string());
    return last_json_line(dir_.file(name + ".out"));
  }

  ScratchDir dir_{"tb-rig"};  // first: destroyed last, after everything writing into it
  std::unique_ptr<harness::SutInstance> sut_;
  std::deque<harness::Process> endpoints_;
};

inline bool can_run(std::string* why) {
  if (::geteuid() != 0) return *why = "needs root", false;
  if (!fs::exists(tunfwd()) || !fs::exists(xfer())) return *why = "tunfwd/tb_xfer not built next to this test", false;
  return true;
}

}  // namespace tbtest
