// The kernel oracle's comparisons (check/kernel_comparison.h): a forwarder may merge what the
// kernel's GRO merged, never across a boundary the kernel kept; its segments must equal the
// kernel's segmentation byte for byte, and a segment missing or cut elsewhere is named.
#include "check/kernel_comparison.h"

#include <gtest/gtest.h>

#include "check/crafted_crossing.h"
#include "check/crafted_packets.h"
#include "support/packet_builder.h"

// A named namespace: the unity build puts this file beside the other check tests.
namespace kernel_comparison_test {

using check::CapturedPacket;
using tbtest::Bytes;

constexpr std::uint16_t kPort = 5600;

const std::vector<std::string> kNames = {"a", "b", "c", "d"};

// A TCP segment whose payload is tag `index` and 92 zero bytes.
tbtest::PacketSpec segment_spec(std::uint16_t index) {
  tbtest::PacketSpec s;
  s.dport = kPort;
  s.id = static_cast<std::uint16_t>(100 + index);
  s.seq = 1 + 100u * index;
  s.payload = Bytes(100, 0);
  const auto tag = check::crafted_tag(kPort, index);
  std::copy(tag.begin(), tag.end(), s.payload.begin());
  return s;
}

Bytes segment(std::uint16_t index) { return tbtest::build(segment_spec(index)); }

CapturedPacket delivered(Bytes b, vnet::VnetHeader h = {}) { return {"x", true, h, std::move(b), false}; }

// A delivery holding several tagged segments: for the merge rule only the tags it holds count.
CapturedPacket merged(std::initializer_list<std::uint16_t> indices) {
  Bytes b;
  for (const auto i : indices) {
    const auto s = segment(i);
    b.insert(b.end(), s.begin(), s.end());
  }
  return delivered(b);
}

TEST(KernelMerges, AForwarderMayMergeWhatTheKernelMergedOrLess) {
  const std::vector<CapturedPacket> kernel = {merged({0, 1, 2}), delivered(segment(3))};
  for (const auto& forwarder :
       {std::vector<CapturedPacket>{merged({0, 1}), delivered(segment(2)), delivered(segment(3))},
        std::vector<CapturedPacket>{delivered(segment(0)), delivered(segment(1)), delivered(segment(2)),
                                    delivered(segment(3))}}) {
    const auto r = check::compare_merges(kNames, kPort, forwarder, kernel);
    EXPECT_EQ(r.failures, 0u) << r.problems.front();
    EXPECT_EQ(r.kernel_merges, 1u);
    EXPECT_EQ(r.compared, 4u);
  }
}

TEST(KernelMerges, AMergeAcrossABoundaryTheKernelKeptFailsNamingThePackets) {
  const std::vector<CapturedPacket> kernel = {merged({0, 1}), delivered(segment(2)), delivered(segment(3))};
  const std::vector<CapturedPacket> forwarder = {merged({0, 1, 2}), delivered(segment(3))};
  const auto r = check::compare_merges(kNames, kPort, forwarder, kernel);
  ASSERT_EQ(r.failures, 1u);
  EXPECT_EQ(r.forwarder_merges, 1u);
  EXPECT_EQ(r.problems[0],
            "the forwarder wrote #0 a, #1 b, #2 c as one packet; the kernel's GRO kept #2 c apart from #0");
}

TEST(KernelMerges, AMergeOfPacketsTheKernelNeverDeliveredIsNotJudged) {
  const std::vector<CapturedPacket> kernel = {delivered(segment(0))};
  const std::vector<CapturedPacket> forwarder = {merged({0, 1})};
  const auto r = check::compare_merges(kNames, kPort, forwarder, kernel);
  EXPECT_EQ(r.failures, 0u);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("#1 b never came out of the kernel's path"), std::string::npos) << r.notes[0];
}

TEST(KernelSegments, TheSameSegmentsPassWhetherWrittenAloneOrAsASuperPacket) {
  auto whole = segment_spec(0);
  whole.payload.resize(200);
  const auto tag = check::crafted_tag(kPort, 1);
  std::copy(tag.begin(), tag.end(), whole.payload.begin() + 100);
  const auto gso = tbtest::make_gso(whole, 100);
  const CapturedPacket super = delivered(gso.bytes, gso.header);
  // The kernel's side: the same super-packet's segments, delivered one by one.
  std::vector<CapturedPacket> kernel;
  for (auto& piece : check::packets_of(super)) kernel.push_back(delivered(piece));
  ASSERT_EQ(kernel.size(), 2u);
  const std::vector<std::string> names = {"first", "second"};
  const auto r = check::compare_segments(names, kPort, std::vector<CapturedPacket>{super}, kernel);
  EXPECT_EQ(r.failures, 0u) << r.problems.front();
  EXPECT_EQ(r.compared, 2u);
  const auto alone = check::compare_segments(names, kPort, kernel, kernel);
  EXPECT_EQ(alone.failures, 0u);
}

TEST(KernelSegments, ADifferentFieldIsNamedWithTheKernelsByte) {
  const std::vector<CapturedPacket> kernel = {delivered(segment(0)), delivered(segment(1))};
  auto changed = segment(1);
  changed[5] ^= 0x01;  // IPv4 ID low byte
  tbtest::refresh_ipv4_checksum(changed);
  const std::vector<CapturedPacket> forwarder = {delivered(segment(0)), delivered(changed)};
  const auto r = check::compare_segments({"first", "second"}, kPort, forwarder, kernel);
  ASSERT_EQ(r.failures, 1u);
  EXPECT_NE(r.problems[0].find("#1 second: differs from the kernel's segment at byte 5 (IPv4 ID)"), std::string::npos)
      << r.problems[0];
}

TEST(KernelSegments, AMissingSegmentAndOneCutElsewhereAreProblems) {
  const std::vector<CapturedPacket> kernel = {delivered(segment(0)), delivered(segment(1)), delivered(segment(2))};
  // Segments 0 and 1 written as one plain packet (cut at the wrong place), segment 2 never.
  const std::vector<CapturedPacket> forwarder = {merged({0, 1})};
  const auto r = check::compare_segments({"first", "second", "third"}, kPort, forwarder, kernel);
  EXPECT_GE(r.failures, 3u);
  std::string all;
  for (const auto& p : r.problems) all += p + "\n";
  EXPECT_NE(all.find("holds 2 tagged segments, from #0"), std::string::npos) << all;
  EXPECT_NE(all.find("#1 second: the kernel's segmentation makes it, the forwarder never wrote it"), std::string::npos)
      << all;
  EXPECT_NE(all.find("#2 third: the kernel's segmentation makes it, the forwarder never wrote it"), std::string::npos)
      << all;
}

}  // namespace kernel_comparison_test
