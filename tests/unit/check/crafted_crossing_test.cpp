// Judging crafted packets that crossed a forwarder (check/crafted_crossing.h) from captured
// packets: bit-exact passes, a changed field or a repaired checksum is named, a loss is a loss,
// a super-packet is cut by the offload engine first, so a right merge passes and a wrong one
// fails on the field the split rebuilt from the run's head.
#include "check/crafted_crossing.h"

#include <gtest/gtest.h>

#include "check/crafted_packets.h"
#include "support/packet_builder.h"

namespace {

using check::CapturedPacket;
using tbtest::Bytes;

constexpr std::uint16_t kPort = 5400;

CapturedPacket read_copy(Bytes b) { return {"tun11", false, {}, std::move(b), false}; }
CapturedPacket written_copy(Bytes b, vnet::VnetHeader h = {}) { return {"tun22", true, h, std::move(b), false}; }

// A TCP segment whose payload is tag `index` followed by zeros, IPv4 ID `id`.
tbtest::PacketSpec segment(std::uint16_t index, std::uint16_t id, std::uint32_t seq) {
  tbtest::PacketSpec s;
  s.dport = kPort;
  s.id = id;
  s.seq = seq;
  s.payload = Bytes(100, 0);
  const auto tag = check::crafted_tag(kPort, index);
  std::copy(tag.begin(), tag.end(), s.payload.begin());
  return s;
}

std::vector<check::ExpectedCrossing> expected(const std::vector<Bytes>& packets) {
  std::vector<check::ExpectedCrossing> e;
  for (std::size_t i = 0; i < packets.size(); ++i) e.push_back({"segment " + std::to_string(i), packets[i]});
  return e;
}

TEST(CraftedCrossing, PacketsWrittenAsReadPass) {
  const std::vector<Bytes> sent = {tbtest::build(segment(0, 1, 1)), tbtest::build(segment(1, 9, 101))};
  const std::vector<CapturedPacket> entry = {read_copy(sent[0]), read_copy(sent[1])};
  const std::vector<CapturedPacket> exit = {written_copy(sent[1]), written_copy(sent[0])};
  const auto r = check::compare_crossings(expected(sent), kPort, entry, exit);
  EXPECT_EQ(r.failures, 0u) << r.problems.front();
  EXPECT_EQ(r.read, 2u);
  EXPECT_EQ(r.exact, 2u);
  EXPECT_TRUE(r.kernel_notes.empty());
  EXPECT_EQ(check::tags_written(exit, kPort, 2), 2u);
  EXPECT_EQ(check::tags_written(entry, kPort, 2), 0u) << "what was read is not what was written";
}

TEST(CraftedCrossing, AChangedFieldIsNamed) {
  const std::vector<Bytes> sent = {tbtest::build(segment(0, 1, 1))};
  auto changed = sent[0];
  changed[8] = 63;
  tbtest::refresh_ipv4_checksum(changed);
  const std::vector<CapturedPacket> entry = {read_copy(sent[0])};
  const std::vector<CapturedPacket> exit = {written_copy(changed)};
  const auto r = check::compare_crossings(expected(sent), kPort, entry, exit);
  ASSERT_EQ(r.failures, 1u);
  EXPECT_EQ(r.problems[0], "#0 segment 0: byte 8 (IPv4 TTL): 0x40 written as 0x3f");
  EXPECT_EQ(r.exact, 0u);
}

TEST(CraftedCrossing, ARepairedChecksumFails) {
  auto bad = tbtest::build(segment(0, 1, 1));
  bad[20 + 16] ^= 0x10;
  auto repaired = bad;
  ASSERT_TRUE(tbtest::refresh_l4_checksum(repaired));
  const std::vector<CapturedPacket> entry = {read_copy(bad)};
  const std::vector<CapturedPacket> exit = {written_copy(repaired)};
  const auto r = check::compare_crossings(expected({bad}), kPort, entry, exit);
  ASSERT_EQ(r.failures, 1u);
  EXPECT_NE(r.problems[0].find("(TCP checksum)"), std::string::npos) << r.problems[0];
}

TEST(CraftedCrossing, ALossAndADuplicateAreProblems) {
  const std::vector<Bytes> sent = {tbtest::build(segment(0, 1, 1)), tbtest::build(segment(1, 2, 101))};
  const std::vector<CapturedPacket> entry = {read_copy(sent[0]), read_copy(sent[1])};
  const std::vector<CapturedPacket> exit = {written_copy(sent[0]), written_copy(sent[0])};
  const auto r = check::compare_crossings(expected(sent), kPort, entry, exit);
  EXPECT_EQ(r.failures, 2u);
  EXPECT_EQ(r.exact, 0u);
  EXPECT_NE(r.problems[0].find("written 2 times"), std::string::npos) << r.problems[0];
  EXPECT_NE(r.problems[1].find("never written"), std::string::npos) << r.problems[1];
}

// What the kernel changed before the forwarder read it is a note, and the reference is the copy read.
TEST(CraftedCrossing, TheReferenceIsWhatTheForwarderRead) {
  const auto sent = tbtest::build(segment(0, 1, 1));
  auto read = sent;
  read[8] = 63;
  tbtest::refresh_ipv4_checksum(read);
  const std::vector<CapturedPacket> entry = {read_copy(read)};
  const std::vector<CapturedPacket> exit = {written_copy(read)};
  const auto r = check::compare_crossings(expected({sent}), kPort, entry, exit);
  EXPECT_EQ(r.failures, 0u);
  ASSERT_EQ(r.kernel_notes.size(), 1u);
  EXPECT_NE(r.kernel_notes[0].find("IPv4 TTL"), std::string::npos) << r.kernel_notes[0];
}

// Two consecutive segments of one flow (IDs counting up, the second with TTL `second_ttl`), read
// one by one and written as one super-packet under the first's headers: what compare_crossings
// says of it, and the write.
struct MergedPair {
  check::CrossingReport result;
  std::vector<CapturedPacket> exit;
};
MergedPair merged_pair(std::uint8_t second_ttl) {
  auto first = segment(0, 7, 1), second = segment(1, 8, 101);
  second.ttl = second_ttl;
  const std::vector<Bytes> sent = {tbtest::build(first), tbtest::build(second)};
  auto merged = first;
  merged.payload.insert(merged.payload.end(), second.payload.begin(), second.payload.end());
  const auto gso = tbtest::make_gso(merged, 100);
  const std::vector<CapturedPacket> entry = {read_copy(sent[0]), read_copy(sent[1])};
  std::vector<CapturedPacket> exit = {written_copy(gso.bytes, gso.header)};
  return {check::compare_crossings(expected(sent), kPort, entry, exit), exit};
}

// Two segments a forwarder may merge (IDs counting up, all else equal): the split gives them back.
TEST(CraftedCrossing, ASuperPacketTheSplitUndoesPasses) {
  const auto [r, exit] = merged_pair(64);
  EXPECT_EQ(r.failures, 0u) << r.problems.front();
  EXPECT_EQ(r.exact, 2u);
  EXPECT_EQ(r.super_packets, 1u);
  EXPECT_EQ(check::tags_written(exit, kPort, 2), 2u);
}

// The second segment had TTL 63: merged under the head, the split gives it the head's 64.
TEST(CraftedCrossing, AWrongMergeFailsOnTheFieldItLost) {
  const auto [r, exit] = merged_pair(63);
  ASSERT_EQ(r.failures, 1u);
  EXPECT_EQ(r.problems[0], "#1 segment 1: byte 8 (IPv4 TTL): 0x3f written as 0x40");
}

// Two crafted packets in one plain write: merged without GSO.
TEST(CraftedCrossing, TwoPacketsInOnePlainWriteFail) {
  auto first = segment(0, 7, 1), second = segment(1, 8, 101);
  const std::vector<Bytes> sent = {tbtest::build(first), tbtest::build(second)};
  auto merged = first;
  merged.payload.insert(merged.payload.end(), second.payload.begin(), second.payload.end());
  const std::vector<CapturedPacket> entry = {read_copy(sent[0]), read_copy(sent[1])};
  const std::vector<CapturedPacket> exit = {written_copy(tbtest::build(merged))};
  const auto r = check::compare_crossings(expected(sent), kPort, entry, exit);
  EXPECT_GE(r.failures, 2u);
  EXPECT_NE(r.problems[0].find("written as one"), std::string::npos) << r.problems[0];
}

// A kernel's packet (an echo reply: nothing injected) is judged against the copy read; never
// handed to the forwarder, or its read copy not captured, it is a note, not a failure.
TEST(CraftedCrossing, AKernelsPacketWithoutACopyReadIsNotJudged) {
  const auto reply = tbtest::build(segment(0, 1, 1));
  const std::vector<check::ExpectedCrossing> replies = {{"reply 0", {}}, {"reply 1", {}}};
  const std::vector<CapturedPacket> exit = {written_copy(reply)};
  const auto r = check::compare_crossings(replies, kPort, {}, exit);
  EXPECT_EQ(r.failures, 0u);
  EXPECT_EQ(r.arrived, 0u);
  ASSERT_EQ(r.kernel_notes.size(), 2u);
  EXPECT_NE(r.kernel_notes[0].find("not judged"), std::string::npos) << r.kernel_notes[0];
  EXPECT_NE(r.kernel_notes[1].find("never handed it to the forwarder"), std::string::npos) << r.kernel_notes[1];
}

}  // namespace
