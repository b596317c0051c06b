// tunstack carries real kernel TCP both ways (upload: the client in a sends; download: the
// server in b sends to the client that connected) over IPv4 and IPv6 at TUN MTU 1280, 1500 and
// 9000, every stream checked end to end by size and SHA-256; it exits 0 on SIGINT and its
// counters show the bytes and no drop but the harmless one (the kernel's own ICMPv6 on tun0).
// One tunstack per MTU and family carries the upload, then the download: bringing a stack up
// and down (three namespaces) costs about two seconds, the transfer itself one.
#include <iostream>

#include <fmt/format.h>

#include "support/stack_tun_rig.h"
#include "support/test_names.h"

namespace {

using namespace tbtest;

// TB_STACK_MB shrinks the transfers for a quick local run; the default is 64 MB each.
std::uint64_t transfer_bytes() { return env_or("TB_STACK_MB", 64) << 20; }

struct TransferCase {
  int mtu;
  int version;
  std::string name;
};
// What ctest lists for the case: its name, not its bytes.
void PrintTo(const TransferCase& c, std::ostream* os) { *os << c.name; }

std::vector<TransferCase> transfer_cases() {
  std::vector<TransferCase> cases;
  for (const int mtu : {1280, 1500, 9000})
    for (const int version : {4, 6}) cases.push_back({mtu, version, fmt::format("Mtu{}Ipv{}", mtu, version)});
  return cases;
}

class StackTransfer : public ::testing::TestWithParam<TransferCase> {
 protected:
  void SetUp() override {
    std::string why;
    if (!can_run_stack(&why)) GTEST_SKIP() << why;
  }
};

TEST_P(StackTransfer, UploadAndDownloadArriveIntactAndAreCountedWithoutDrops) {
  const auto& c = GetParam();
  const std::uint64_t bytes = transfer_bytes();
  StackTunRig rig(c.mtu);
  for (const bool upload : {true, false}) {
    SCOPED_TRACE(upload ? "upload" : "download");
    const auto t = upload ? rig.upload(bytes, c.version, 5401, "11") : rig.download(bytes, c.version, 5402, "22");
    StackTunRig::expect_intact(t, bytes);
    const double gbps = static_cast<double>(bytes) * 8 / t.seconds / 1e9;
    std::cout << fmt::format("[ figures  ] {} {}: {} MB in {:.2f} s ({:.2f} Gbit/s), tunstack max RSS {} kB\n", c.name,
                             upload ? "upload" : "download", bytes >> 20, t.seconds, gbps, t.max_rss_kb);
    RecordProperty(upload ? "upload_seconds" : "download_seconds", fmt::format("{:.3f}", t.seconds));
  }

  ASSERT_EQ(rig.stop_stack(), 0) << "tunstack exit status after SIGINT\n" << rig.logs();
  const auto s = rig.stats();
  ASSERT_TRUE(s.written());
  std::cout << "[ counters ] " << s.dump() << "\n";
  // The kernel greets the new IPv6 link on tun0 with router solicitations and MLD reports:
  // ICMPv6, not relayed (`protocol`). Anything else dropped is a finding.
  EXPECT_EQ(s.drops_except({"protocol"}), "") << s.dump() << "\n" << rig.logs();
  EXPECT_GE(s["bytes_to_sockets"], bytes) << s.dump();
  EXPECT_GE(s["bytes_to_client"], bytes) << s.dump();
  EXPECT_EQ(s["tcp_opened"], 2u) << s.dump();
  EXPECT_EQ(s["tcp_closed"], 2u) << "a connection did not end with FINs both ways: " << s.dump();
  EXPECT_EQ(s["tcp_reset"] + s["tcp_refused"] + s["tcp_expired"], 0u) << s.dump();
}

INSTANTIATE_TEST_SUITE_P(MtuFamilyDirection, StackTransfer, ::testing::ValuesIn(transfer_cases()), case_name);

}  // namespace
