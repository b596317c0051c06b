// split_pcap / coalesce_pcap: records in, records out, rejections with their 1-based number.
#include "pcapio/offload_tool.h"

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "offload/error.h"
#include "pcapio/link_type.h"
#include "pcapio/pcap_error.h"
#include "pcapio/vnet_record.h"
#include "support/packet_builder.h"
#include "support/pcap_files.h"
#include "support/scratch_dir.h"
#include "support/test_names.h"

namespace {

using Bytes = std::vector<std::uint8_t>;

using tbtest::read_pcap_records;
using tbtest::write_pcap_records;

tbtest::PacketSpec tcp_spec(std::uint32_t seq, std::size_t payload) {
  tbtest::PacketSpec s;
  s.seq = seq;
  s.id = static_cast<std::uint16_t>(0x1234 + seq / 500);  // consecutive IDs, as one sender emits them
  s.payload = tbtest::pattern(payload, seq);
  return s;
}

struct MismatchCase {
  const char* name;
  int in_dlt;
  int out_dlt;
  bool split;
  const char* which;  // "in" or "out": the file the message must name
};

class OffloadToolLinkTypes : public testing::TestWithParam<MismatchCase> {};

TEST_P(OffloadToolLinkTypes, WrongLinkTypeIsAnErrorNamingTheFile) {
  const auto& c = GetParam();
  tbtest::ScratchDir dir("tbpcap");
  const std::string in = dir.file("in.pcap"), out = dir.file("out.pcap");
  write_pcap_records(in, c.in_dlt, {});
  pcapio::PcapReader r(in);
  pcapio::PcapWriter w(out, c.out_dlt);
  std::string message;
  try {
    if (c.split)
      pcapio::split_pcap(r, w);
    else
      pcapio::coalesce_pcap(r, w);
  } catch (const pcapio::PcapError& e) {
    message = e.what();
  }
  const std::string& named = std::string(c.which) == "in" ? in : out;
  EXPECT_EQ(message.rfind(named + ": link type ", 0), 0u) << message;
}

INSTANTIATE_TEST_SUITE_P(
    Files, OffloadToolLinkTypes,
    testing::Values(MismatchCase{"SplitOfRaw", pcapio::kLinkRaw, pcapio::kLinkRaw, true, "in"},
                    MismatchCase{"SplitIntoUser0", pcapio::kLinkUser0, pcapio::kLinkUser0, true, "out"},
                    MismatchCase{"CoalesceOfUser0", pcapio::kLinkUser0, pcapio::kLinkUser0, false, "in"},
                    MismatchCase{"CoalesceIntoRaw", pcapio::kLinkRaw, pcapio::kLinkRaw, false, "out"}),
    tbtest::case_name);

TEST(SplitPcap, WritesEverySegmentAndRejectsBadRecordsByNumber) {
  tbtest::ScratchDir dir("tbpcap");
  const std::string in = dir.file("in.pcap"), out = dir.file("out.pcap");
  auto good = tbtest::make_gso(tcp_spec(1000, 3000), 1000);
  auto ufo = good;
  ufo.header.gso_type = vnet::kGsoUdp;
  write_pcap_records(in, pcapio::kLinkUser0,
                     {tbtest::with_vnet(good.header, good.bytes), Bytes(9, 0), tbtest::with_vnet(ufo.header, ufo.bytes),
                      tbtest::with_vnet(good.header, good.bytes), Bytes(vnet::kHeaderSize, 0)});
  pcapio::PcapReader r(in);
  pcapio::PcapWriter w(out, pcapio::kLinkRaw);
  const auto report = pcapio::split_pcap(r, w);
  w.close();
  EXPECT_EQ(report.records_in, 5u);
  EXPECT_EQ(report.records_out, 6u);
  ASSERT_EQ(report.rejected.size(), 3u);
  EXPECT_EQ(report.rejected[0].record, 2u);
  EXPECT_NE(report.rejected[0].reason.find("shorter than the 10-byte vnet header"), std::string::npos);
  EXPECT_EQ(report.rejected[1].record, 3u);
  EXPECT_EQ(report.rejected[1].reason, offload::to_string(offload::Error::kVnetGsoType));
  // A header with no packet behind it is no packet: not written out as an empty record.
  EXPECT_EQ(report.rejected[2].record, 5u);
  EXPECT_EQ(report.rejected[2].reason, "a virtio-net header and no packet behind it");
  const auto segments = read_pcap_records(out);
  ASSERT_EQ(segments.size(), 6u);
  for (const auto& s : segments) {
    EXPECT_TRUE(tbtest::l4_checksum_ok(s));
    EXPECT_EQ(tbtest::l4_payload(s).size(), 1000u);
  }
}

struct BatchCase {
  const char* name;
  std::size_t batch;
  std::vector<std::size_t> merged;  // segments per output record, in order
};

class CoalescePcapBatches : public testing::TestWithParam<BatchCase> {};

TEST_P(CoalescePcapBatches, BatchSizeBoundsWhatMerges) {
  const auto& c = GetParam();
  tbtest::ScratchDir dir("tbpcap");
  const std::string in = dir.file("in.pcap"), out = dir.file("out.pcap");
  std::vector<Bytes> packets;
  for (std::uint32_t i = 0; i < 4; ++i) packets.push_back(tbtest::build(tcp_spec(1 + i * 500, 500)));
  packets.insert(packets.begin() + 2, Bytes{0x00, 0x01});  // record 3: not IP
  write_pcap_records(in, pcapio::kLinkRaw, packets);
  pcapio::PcapReader r(in);
  pcapio::PcapWriter w(out, pcapio::kLinkUser0);
  const auto report = pcapio::coalesce_pcap(r, w, c.batch);
  w.close();
  ASSERT_EQ(report.rejected.size(), 1u);
  EXPECT_EQ(report.rejected[0].record, 3u);
  EXPECT_EQ(report.rejected[0].reason, "not an IPv4/IPv6 packet");
  const auto records = read_pcap_records(out);
  ASSERT_EQ(records.size(), c.merged.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto vr = pcapio::split_vnet_record(records[i]);
    ASSERT_TRUE(vr);
    EXPECT_EQ(tbtest::l4_payload(vr->packet).size(), 500 * c.merged[i]) << "record " << i + 1;
    EXPECT_EQ(vr->header.is_gso(), c.merged[i] > 1) << "record " << i + 1;
  }
}

INSTANTIATE_TEST_SUITE_P(Batches, CoalescePcapBatches,
                         testing::Values(BatchCase{"WholeFile", 0, {4}}, BatchCase{"OneByOne", 1, {1, 1, 1, 1}},
                                         BatchCase{"Pairs", 2, {2, 2}}),
                         tbtest::case_name);

}  // namespace
