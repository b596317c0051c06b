// USER0 records: 10-byte little-endian virtio_net_hdr, then the IP packet.
#include "pcapio/vnet_record.h"

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "support/test_names.h"

namespace {

using Bytes = std::vector<std::uint8_t>;

struct RecordCase {
  const char* name;
  vnet::VnetHeader header;
  Bytes packet;
  Bytes expected_header_bytes;  // little-endian layout of docs/offload.md §2
};

class VnetRecords : public testing::TestWithParam<RecordCase> {};

TEST_P(VnetRecords, BuildLaysOutHeaderLittleEndianThenPacket) {
  const auto& c = GetParam();
  const Bytes rec = pcapio::build_vnet_record(c.header, c.packet);
  ASSERT_EQ(rec.size(), 10 + c.packet.size());
  EXPECT_EQ(Bytes(rec.begin(), rec.begin() + 10), c.expected_header_bytes);
  EXPECT_EQ(Bytes(rec.begin() + 10, rec.end()), c.packet);
}

TEST_P(VnetRecords, SplitGivesBackHeaderAndPacket) {
  const auto& c = GetParam();
  const Bytes rec = pcapio::build_vnet_record(c.header, c.packet);
  const auto vr = pcapio::split_vnet_record(rec);
  ASSERT_TRUE(vr);
  EXPECT_EQ(vr->header, c.header);
  EXPECT_EQ(Bytes(vr->packet.begin(), vr->packet.end()), c.packet);
  EXPECT_EQ(vr->packet.data(), rec.data() + 10);  // borrows, no copy
}

INSTANTIATE_TEST_SUITE_P(Headers, VnetRecords,
                         testing::Values(RecordCase{"AllZeroEmptyPacket", {}, {}, Bytes(10, 0)},
                                         RecordCase{"TcpV4Gso",
                                                    {vnet::kFlagNeedsCsum, vnet::kGsoTcpV4, 66, 1448, 20, 16},
                                                    {0x45, 0, 0, 20},
                                                    {0x01, 0x01, 66, 0, 0xA8, 0x05, 20, 0, 16, 0}},
                                         RecordCase{"UsoWideFields",
                                                    {vnet::kFlagNeedsCsum, vnet::kGsoUdpL4, 0x1234, 0xFFFE, 0x0102, 6},
                                                    {0x60, 1},
                                                    {0x01, 0x05, 0x34, 0x12, 0xFE, 0xFF, 0x02, 0x01, 6, 0}}),
                         tbtest::case_name);

TEST(VnetRecordSplit, RecordShorterThanTheHeaderIsRefused) {
  for (std::size_t n = 0; n < 10; ++n) {
    const Bytes rec(n, 1);
    EXPECT_FALSE(pcapio::split_vnet_record(rec)) << n << " bytes";
  }
  EXPECT_TRUE(pcapio::split_vnet_record(Bytes(10, 0)));
}

TEST(VnetRecordBuild, ReusesTheOutputVectorAndReplacesItsContents) {
  Bytes out(100, 0xEE);
  pcapio::build_vnet_record(vnet::VnetHeader{}, Bytes{0x45}, out);
  EXPECT_EQ(out, (Bytes{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x45}));
}

}  // namespace
