// Loss on tun0 (nftables in the client's namespace, one packet in N each way): transfers through
// tunstack still arrive intact, without multi-second stalls, and the loss was really recovered
// from (retransmissions counted: tunstack's own for the download, the client kernel's for the
// upload, and for the upload the data that arrived beyond a gap was held and delivered once the
// gap was filled, docs/stack.md §Out of order).
#include <iostream>

#include <fmt/format.h>

#include "support/stack_tun_rig.h"
#include "support/test_names.h"

namespace {

using namespace tbtest;

// TB_STACK_LOSS_MB: the transfer under loss, 16 MB by default.
std::uint64_t loss_bytes() { return env_or("TB_STACK_LOSS_MB", 16) << 20; }

struct LossCase {
  int period;  // one packet in `period` is lost, each way
  bool upload;
  double max_seconds;  // for 16 MB; scaled with the size
  std::string name;
};
// What ctest lists for the case: its name, not its bytes.
void PrintTo(const LossCase& c, std::ostream* os) { *os << c.name; }

// Bounds: see the comment at the test.
std::vector<LossCase> loss_cases() {
  return {{100, true, 20, "UploadOneIn100"},
          {20, true, 40, "UploadOneIn20"},
          {100, false, 20, "DownloadOneIn100"},
          {20, false, 40, "DownloadOneIn20"}};
}

class StackLoss : public ::testing::TestWithParam<LossCase> {
 protected:
  void SetUp() override {
    std::string why;
    if (!can_run_stack(&why)) GTEST_SKIP() << why;
    if (harness::run_command({"nft", "--version"}).exit_code != 0)
      GTEST_SKIP() << "nft (Debian nftables) not installed";
  }
};

TEST_P(StackLoss, TransferCompletesIntactWithoutStalls) {
  const auto& c = GetParam();
  const std::uint64_t bytes = loss_bytes();
  StackTunRig rig(1500);
  rig.drop_one_in(c.period);
  const auto retrans_before = StackTunRig::tcp_mib(rig.client_ns(), "RetransSegs");
  const auto t = c.upload ? rig.upload(bytes, 4, 5451) : rig.download(bytes, 4, 5452);
  StackTunRig::expect_intact(t, bytes);
  const auto client_retrans = StackTunRig::tcp_mib(rig.client_ns(), "RetransSegs") - retrans_before;
  const auto [to_client, from_client] = rig.loss_drops();
  ASSERT_EQ(rig.stop_stack(), 0) << "tunstack exit status after SIGINT\n" << rig.logs();
  const auto s = rig.stats();
  ASSERT_TRUE(s.written());
  std::cout << fmt::format(
      "[ figures  ] {}: {} MB in {:.2f} s; nft dropped {} packets to the client, {} from it; tunstack retransmits "
      "fast {} timeout {}, holes resent {}, {:.1f} MB sent to the client; client RetransSegs {}\n",
      c.name, bytes >> 20, t.seconds, to_client, from_client, s["retransmits_fast"], s["retransmits_timeout"],
      s["holes_resent"], static_cast<double>(s["bytes_to_client"]) / (1 << 20), client_retrans);
  std::cout << "[ counters ] " << s.dump() << "\n";
  RecordProperty("seconds", fmt::format("{:.3f}", t.seconds));

  // The rules dropped packets of the direction that carries the data (else this proves
  // nothing about loss; the other way carries few packets: acknowledgements of 64 KB frames).
  EXPECT_GT(c.upload ? from_client : to_client, 0u);
  // Lossless, the same 16 MB take about a second in this debug build; with loss 2.3-3.6 s on a
  // 2-core VM. The bound leaves room for a loaded machine but not for stalls: recovery from each
  // loss should cost about one RTO (200 ms minimum) at worst, and a run that waits out doubling
  // timeouts (0.2 + 0.4 + 0.8 + 1.6 s …) a few times over goes past it. (Without the
  // out-of-order queue, upload took 12 s at 1 in 100 and 20-90 s at 1 in 20.)
  const double bound = c.max_seconds * static_cast<double>(bytes) / (16 << 20);
  EXPECT_LT(t.seconds, bound) << "the transfer stalled; " << s.dump();
  if (c.upload) {
    // The client's kernel retransmits what was lost; what it sent beyond the gap meanwhile was
    // held by tunstack and went to the socket once the gap was filled.
    EXPECT_GT(client_retrans, 0u);
    EXPECT_GE(s["bytes_to_sockets"], bytes) << s.dump();
    EXPECT_GT(s["bytes_reassembled"], 0u) << s.dump();
  } else {
    EXPECT_GT(s.retransmits(), 0u) << s.dump();
    EXPECT_GE(s["bytes_to_client"], bytes) << s.dump();
    // The client SACKs what arrived beyond a loss and only the holes are resent: 1.2-2.2 x the
    // transfer at 1 in 20 (debug build, AMD EPYC), where going back to the first lost byte every
    // time sent 89 MB for 16 (5.5 x).
    EXPECT_LT(s["bytes_to_client"], 4 * bytes) << s.dump();
  }
  EXPECT_EQ(s["tcp_opened"], 1u) << s.dump();
  EXPECT_EQ(s["tcp_reset"] + s["tcp_refused"] + s["tcp_expired"], 0u) << s.dump();
  // Loss makes data arrive beyond a gap, held unless it lies past our window (`out-of-order`),
  // and old segments and ACKs arrive again (`out-of-window`); nothing else may be dropped.
  EXPECT_EQ(s.drops_except({"protocol", "out-of-order", "out-of-window"}), "") << s.dump();
}

INSTANTIATE_TEST_SUITE_P(PeriodicLoss, StackLoss, ::testing::ValuesIn(loss_cases()), case_name);

}  // namespace
