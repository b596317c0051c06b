// tunstack's memory target (docs/stack.md): 1,000 TCP connections held open at once through it
// cost at most 16 MiB of resident memory in all (the release build; label perf, root). Each
// connection's bytes wait in kernel socket buffers, never in tunstack, so what it holds per
// connection is its table entry; the figure printed is the whole process's VmRSS.
#include <signal.h>

#include <iostream>

#include <fmt/format.h>

#include "support/stack_tun_rig.h"

namespace {

using namespace tbtest;

constexpr std::uint64_t kConnections = 1000;
constexpr std::uint64_t kEchoBytes = 1000;
constexpr std::uint64_t kRssLimitKb = 16 * 1024;

TEST(StackMemory, AThousandOpenConnectionsFitInSixteenMebibytes) {
  std::string why;
  if (!can_run_stack(&why)) GTEST_SKIP() << why;
  StackTunRig rig(65520);
  const auto rss_idle = rig.rss_kb();
  ASSERT_GT(rss_idle, 0u) << "no VmRSS for tunstack\n" << rig.logs();
  auto& server = rig.start(
      rig.server_ns(), "echo",
      {"echo", "--bind", harness::kServerAddress, "--port", "5501", "--conns", std::to_string(kConnections)}, "ready");
  auto& client = rig.start(rig.client_ns(), "conns",
                           {"conns", "--to", harness::kServerAddress, "--port", "5501", "--count",
                            std::to_string(kConnections), "--bytes", std::to_string(kEchoBytes), "--at-once", "--hold"},
                           "holding");
  const auto held_text = harness::read_file((rig.dir() / "conns.out").string());
  ASSERT_NE(held_text.find("holding " + std::to_string(kConnections)), std::string::npos)
      << "not all connections were established and echoed: " << held_text << "\n"
      << rig.logs();
  const auto fds_held = rig.open_fds();
  const auto rss_held = rig.rss_kb();
  ::kill(client.pid(), SIGUSR1);
  const auto client_result = rig.finish(client, "conns", std::chrono::seconds(120));
  const auto server_result = rig.finish(server, "echo", std::chrono::seconds(30));
  std::cout << fmt::format(
      "[ figures  ] {} connections held: tunstack fds {}, RSS idle {} kB, held {} kB (limit {} kB)\n", kConnections,
      fds_held, rss_idle, rss_held, kRssLimitKb);
  RecordProperty("rss_held_kb", std::to_string(rss_held));
  EXPECT_GE(fds_held, kConnections) << "fewer sockets than connections: they were not all open at once";
  EXPECT_EQ(server_result.report.value("max_open", std::uint64_t{0}), kConnections);
  EXPECT_EQ(client_result.report.value("failed", std::uint64_t{1}), 0u) << client_result.report.dump();
  EXPECT_LE(rss_held, kRssLimitKb) << "tunstack's memory with " << kConnections << " open connections";
}

}  // namespace
