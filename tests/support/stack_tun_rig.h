#pragma once
// tunstack (our userspace TCP/IP stack, docs/stack.md) brought up from the description
// `tunbench run --stacks ours` uses (harness::suts::builtin_stack("ours"), through SutInstance:
// namespaces a, fwd and b created and always deleted; tunstack in fwd, its tun0 moved to a), with
// tb_xfer endpoints in a (the client: every connection is opened from there) and b (the
// server), tunstack's counters read from the JSON it writes on exit (--stats-json,
// tunstack-stats/1), and its resident memory and open descriptors read while it runs. Links
// tb_harness; needs root.
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness/command.h"
#include "harness/process.h"
#include "harness/sut_instance.h"
#include "harness/suts.h"
#include "support/build_tree.h"
#include "support/proc_status.h"
#include "support/rig_basics.h"
#include "support/scratch_dir.h"

namespace tbtest {

namespace stack_rig {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace stack_rig

// The server's address for IP version 4 or 6 (the client reaches it through tun0).
inline const char* stack_server_address(int version) {
  return version == 6 ? harness::kServerAddress6 : harness::kServerAddress;
}

// tunstack's counters as it wrote them on exit (tunstack-stats/1, src/stack/counters.cpp).
struct StackStats {
  nlohmann::json json;  // null when nothing was written

  bool written() const { return json.is_object(); }
  std::uint64_t operator[](const char* key) const { return written() ? json.value(key, std::uint64_t{0}) : 0; }
  // One drop reason's count ("protocol", "out-of-order": the keys of src/stack/drop_reason.cpp).
  std::uint64_t dropped(const std::string& reason) const {
    return written() && json.contains("drops") ? json["drops"].value(reason, std::uint64_t{0}) : 0;
  }
  // The drops whose reason is not in `allowed`, "reason n, …"; "" when there are none.
  std::string drops_except(const std::set<std::string>& allowed) const {
    std::string s;
    if (!written() || !json.contains("drops")) return s;
    for (const auto& [reason, count] : json["drops"].items())
      if (!allowed.contains(reason)) s += (s.empty() ? "" : ", ") + reason + " " + count.dump();
    return s;
  }
  std::uint64_t retransmits() const { return (*this)["retransmits_fast"] + (*this)["retransmits_timeout"]; }
  std::string dump() const { return json.dump(); }
};

// A finished endpoint: its report (the last JSON line it printed), exit status and stderr.
struct EndpointResult {
  nlohmann::json report;
  int status = -1;
  std::string err;
  bool ok() const { return status == 0 && report.is_object(); }
};

// One TCP transfer through the stack.
struct StackTransfer {
  EndpointResult sender, receiver;
  double seconds = 0;            // from the start of the connecting side to the end of both
  std::uint64_t max_rss_kb = 0;  // tunstack's largest VmRSS seen meanwhile (sampled every 20 ms)
  std::uint64_t samples = 0;     // how many RSS samples that is
};

class StackTunRig {
 public:
  // tunstack with its TUN at `mtu` (SutInstance's {mtu}), and `extra_args` after the built-in ones.
  explicit StackTunRig(int mtu = 1500, const std::vector<std::string>& extra_args = {}) : mtu_(mtu) {
    auto spec = harness::suts::builtin_stack("ours", tunstack().string());
    if (!spec) throw std::runtime_error("harness::suts::builtin_stack has no \"ours\"");
    auto& argv = spec->processes.at(0).argv;
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    sut_ = std::make_unique<harness::SutInstance>(*spec, namespace_tag(), dir_.path(), nullptr, stack_rig::seconds(15),
                                                  std::map<std::string, std::string>{{"mtu", std::to_string(mtu)}});
  }
  ~StackTunRig() { stop_all(); }
  StackTunRig(const StackTunRig&) = delete;
  StackTunRig& operator=(const StackTunRig&) = delete;

  int mtu() const { return mtu_; }
  const harness::Topology& topology() const { return sut_->topology(); }
  const std::string& client_ns() const { return topology().client_ns(); }
  const std::string& server_ns() const { return topology().server_ns(); }
  harness::Process& stack() { return sut_->process("stack"); }
  const stack_rig::fs::path& dir() const { return dir_.path(); }
  std::string out() const { return harness::read_file(sut_->stdout_path("stack").string()); }
  std::string err() const { return harness::read_file(sut_->stderr_path("stack").string()); }
  // Both, for failure messages.
  std::string logs() const { return "tunstack stdout:\n" + out() + "tunstack stderr:\n" + err(); }

  // --- tunstack while it runs -------------------------------------------------------------------

  // VmRSS of tunstack in kB (0 once it is gone).
  std::uint64_t rss_kb() {
    const auto v = status_field(stack().pid(), "VmRSS");  // "2184 kB"
    return v.empty() ? 0 : std::strtoull(v.c_str(), nullptr, 10);
  }
  // Descriptors tunstack has open (/proc/PID/fd); 0 once it is gone.
  std::size_t open_fds() {
    std::error_code ec;
    std::size_t n = 0;
    for (auto it = stack_rig::fs::directory_iterator("/proc/" + std::to_string(stack().pid()) + "/fd", ec);
         !ec && it != stack_rig::fs::directory_iterator(); it.increment(ec))
      ++n;
    return n;
  }
  // Polls (every 20 ms, at most `timeout`) until open_fds() <= `target`; the last count seen.
  std::size_t wait_for_fds(std::size_t target, stack_rig::milliseconds timeout) {
    const auto deadline = stack_rig::Clock::now() + timeout;
    std::size_t n = open_fds();
    while (n > target && stack_rig::Clock::now() < deadline && stack().running()) {
      stack().wait_for(stack_rig::milliseconds(20));
      n = open_fds();
    }
    return n;
  }

  // --- the end --------------------------------------------------------------------------------

  // SIGINT, the clean stop; the exit status. The counters are in stats() afterwards.
  int stop_stack() { return stack().stop(stack_rig::milliseconds(3000)); }
  // The counters tunstack wrote on exit; a test failure (and nothing written()) when it wrote none.
  StackStats stats() const {
    const auto j = sut_->stats();
    if (!j) {
      ADD_FAILURE() << "tunstack wrote no tunstack-stats/1 counters to " << sut_->stats_path() << "\n" << logs();
      return {};
    }
    return {*j};
  }

  // --- loss -----------------------------------------------------------------------------------

  // Loses one packet in every `period` crossing tun0 in the client's namespace, each way
  // independently (nftables, netdev hooks on tun0; the rules go with the namespace). Periodic,
  // not random: the count of losses is then known for a given number of packets, so a test
  // cannot pass (or stall) by the luck of the draw. Real loss to both TCPs, which a plain
  // `drop` at egress is not: the client's kernel would see that drop (NET_XMIT_DROP), keep the
  // segment as unsent and send it again as if new, so tunstack would never see a gap. Stealing
  // the packet instead (`fwd` to lo, where a's routing discards it: not local, no forwarding)
  // reports success to the sender, as a lossy link does. Towards the client, a drop at ingress
  // happens after tunstack's TUN write succeeded: real loss.
  void drop_one_in(int period) {
    const auto file = dir_.file("loss.nft");
    std::ofstream(file) << "table netdev tbloss {\n"
                        << "  chain in { type filter hook ingress device \"tun0\" priority 0; policy accept;\n"
                        << "    numgen inc mod " << period << " == 0 counter drop; }\n"
                        << "  chain out { type filter hook egress device \"tun0\" priority 0; policy accept;\n"
                        << "    numgen inc mod " << period << " == 0 counter fwd to \"lo\"; }\n"
                        << "}\n";
    harness::run_checked({"nft", "-f", file.string()}, client_ns());
  }
  // The packets the loss rules dropped so far: {to the client (ingress), from the client (egress)}.
  std::pair<std::uint64_t, std::uint64_t> loss_drops() const {
    const auto j = nlohmann::json::parse(
        harness::run_checked({"nft", "-j", "list", "table", "netdev", "tbloss"}, client_ns()), nullptr, false);
    std::uint64_t in = 0, out_drops = 0;
    if (!j.is_object() || !j.contains("nftables")) return {0, 0};
    for (const auto& item : j["nftables"]) {
      if (!item.contains("rule")) continue;
      const auto& rule = item["rule"];
      for (const auto& e : rule.value("expr", nlohmann::json::array()))
        if (e.contains("counter"))
          (rule.value("chain", "") == "in" ? in : out_drops) += e["counter"].value("packets", 0ull);
    }
    return {in, out_drops};
  }
  // A field of the TCP line of /proc/net/snmp in the namespace `ns` ("RetransSegs").
  static std::uint64_t tcp_mib(const std::string& ns, const std::string& field) {
    const auto text = harness::run_checked({"cat", "/proc/net/snmp"}, ns);
    std::vector<std::string> names, values;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (!line.starts_with("Tcp:")) continue;
      std::istringstream words(line.substr(4));
      std::vector<std::string> w;
      for (std::string x; words >> x;) w.push_back(x);
      (names.empty() ? names : values) = w;
    }
    for (std::size_t i = 0; i < names.size() && i < values.size(); ++i)
      if (names[i] == field) return std::strtoull(values[i].c_str(), nullptr, 10);
    return 0;
  }

  // --- endpoints ------------------------------------------------------------------------------

  // Starts tb_xfer `args` in `ns`; when `ready` is not empty, waits (10 s at most) until its
  // stdout says so (a server listening, a client holding its connections).
  harness::Process& start(const std::string& ns, const std::string& name, std::vector<std::string> args,
                          const std::string& ready = {}) {
    args.insert(args.begin(), xfer().string());
    endpoints_.push_back(harness::Process::spawn({args, ns, dir_.file(name + ".out"), dir_.file(name + ".err")}));
    auto& p = endpoints_.back();
    if (!ready.empty() && !wait_for_output(p, name, ready, stack_rig::seconds(10)))
      ADD_FAILURE() << name << " never said \"" << ready
                    << "\": " << harness::read_file(dir_.file(name + ".err").string());
    return p;
  }
  bool wait_for_output(harness::Process& p, const std::string& name, const std::string& text,
                       stack_rig::milliseconds timeout) {
    const auto deadline = stack_rig::Clock::now() + timeout;
    while (harness::read_file(dir_.file(name + ".out").string()).find(text) == std::string::npos) {
      if (!p.running() || stack_rig::Clock::now() > deadline) return false;
      p.wait_for(stack_rig::milliseconds(10));
    }
    return true;
  }
  // Waits (at most `timeout`) for the endpoint to exit, calling `tick` about every 20 ms
  // meanwhile; stops it when it overruns. A test failure unless it exited 0 with a report.
  EndpointResult finish(harness::Process& p, const std::string& name,
                        stack_rig::milliseconds timeout = stack_rig::seconds(300),
                        const std::function<void()>& tick = {}) {
    const auto deadline = stack_rig::Clock::now() + timeout;
    bool done = false;
    while (!(done = p.wait_for(stack_rig::milliseconds(20))) && stack_rig::Clock::now() < deadline)
      if (tick) tick();
    EndpointResult r;
    r.err = harness::read_file(dir_.file(name + ".err").string());
    if (!done) {
      ADD_FAILURE() << name << " did not finish within " << timeout.count() << " ms; stopped.\n" << r.err;
      p.stop();
    }
    r.status = p.exit_status().value_or(-1);
    r.report = last_json_line(dir_.file(name + ".out"));
    EXPECT_EQ(r.status, 0) << name << ": " << r.err;
    EXPECT_TRUE(r.report.is_object()) << name << " reported nothing";
    return r;
  }

  // --- transfers ------------------------------------------------------------------------------

  // The client (a) sends `bytes` to the server (b).
  StackTransfer upload(std::uint64_t bytes, int version, int port, const std::string& seed = "11") {
    const auto p = std::to_string(port), addr = std::string(stack_server_address(version));
    auto& recv = start(server_ns(), "recv-" + p, {"recv", "--proto", "tcp", "--bind", addr, "--port", p}, "ready");
    const auto t0 = stack_rig::Clock::now();
    auto& send =
        start(client_ns(), "send-" + p,
              {"send", "--proto", "tcp", "--to", addr, "--port", p, "--bytes", std::to_string(bytes), "--seed", seed});
    return run_transfer(send, "send-" + p, recv, "recv-" + p, t0, /*sender_first=*/true);
  }

  // The server (b) sends `bytes` to the client (a), which connected (the download direction).
  // `read_rate_mbps` > 0 makes the client a slow reader; `buffer` > 0 sets its socket buffers.
  StackTransfer download(std::uint64_t bytes, int version, int port, const std::string& seed = "22",
                         double read_rate_mbps = 0, int buffer = 0) {
    const auto p = std::to_string(port), addr = std::string(stack_server_address(version));
    auto& send = start(server_ns(), "send-" + p,
                       {"send", "--reverse", "--proto", "tcp", "--bind", addr, "--port", p, "--bytes",
                        std::to_string(bytes), "--seed", seed},
                       "ready");
    std::vector<std::string> args{"recv", "--reverse", "--proto", "tcp", "--to", addr, "--port", p};
    if (read_rate_mbps > 0) args.insert(args.end(), {"--read-rate-mbps", std::to_string(read_rate_mbps)});
    if (buffer > 0) args.insert(args.end(), {"--buffer", std::to_string(buffer)});
    const auto t0 = stack_rig::Clock::now();
    auto& recv = start(client_ns(), "recv-" + p, args);
    return run_transfer(send, "send-" + p, recv, "recv-" + p, t0, /*sender_first=*/false);
  }

  // Both ends report the same size and SHA-256, and it is `bytes`.
  static void expect_intact(const StackTransfer& t, std::uint64_t bytes) {
    ASSERT_TRUE(t.sender.ok() && t.receiver.ok())
        << "sender: " << t.sender.report.dump() << " " << t.sender.err << "\nreceiver: " << t.receiver.report.dump()
        << " " << t.receiver.err;
    EXPECT_EQ(t.sender.report.value("bytes", std::uint64_t{0}), bytes);
    EXPECT_EQ(t.receiver.report.value("bytes", std::uint64_t{0}), bytes) << "bytes lost or added";
    ASSERT_TRUE(t.receiver.report.contains("sha256") && t.sender.report.contains("sha256"));
    EXPECT_EQ(t.receiver.report["sha256"], t.sender.report["sha256"]) << "stream corrupted";
  }

  void stop_all() {
    for (auto& p : endpoints_) p.stop();
    endpoints_.clear();
    sut_.reset();  // stops tunstack, deletes the namespaces
  }

 private:
  StackTransfer run_transfer(harness::Process& sender, const std::string& sender_name, harness::Process& receiver,
                             const std::string& receiver_name, stack_rig::Clock::time_point t0, bool sender_first) {
    StackTransfer t;
    const auto sample = [&] {
      t.max_rss_kb = std::max(t.max_rss_kb, rss_kb());
      ++t.samples;
    };
    sample();
    // The connecting side ends last in neither direction for sure: wait for both, sampling.
    if (sender_first) {
      t.sender = finish(sender, sender_name, stack_rig::seconds(300), sample);
      t.receiver = finish(receiver, receiver_name, stack_rig::seconds(30), sample);
    } else {
      t.receiver = finish(receiver, receiver_name, stack_rig::seconds(300), sample);
      t.sender = finish(sender, sender_name, stack_rig::seconds(30), sample);
    }
    t.seconds = stack_rig::seconds_since(t0);
    return t;
  }

  int mtu_;
  ScratchDir dir_{"tb-stack"};  // first: destroyed last, after everything writing into it
  std::unique_ptr<harness::SutInstance> sut_;
  std::deque<harness::Process> endpoints_;
};

// Whether this build (and so the tunstack next to it) runs under AddressSanitizer, whose quarantine
// keeps freed memory resident for a while: RSS comparisons mean something only without it.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif

// Whether the stack tests can run here; `why` says why not.
inline bool can_run_stack(std::string* why) {
  if (::geteuid() != 0) return *why = "needs root (network namespaces, TUN)", false;
  if (!std::filesystem::exists(tunstack()) || !std::filesystem::exists(xfer()))
    return *why = "tunstack/tb_xfer not built next to this test", false;
  return true;
}

}  // namespace tbtest
