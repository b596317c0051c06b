#include "vnet/vnet_header.h"

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "support/test_names.h"

namespace vnet {
namespace {

using Raw = std::array<std::uint8_t, kHeaderSize>;

TEST(VnetHeader, DecodesLittleEndianFields) {
  // A TCPv4 read: NEEDS_CSUM, hdr_len 66, gso_size 1448, csum_start 20, csum_offset 16.
  const Raw raw{0x01, 0x01, 0x42, 0x00, 0xa8, 0x05, 0x14, 0x00, 0x10, 0x00};
  const VnetHeader h = decode(raw);
  EXPECT_EQ(h.flags, kFlagNeedsCsum);
  EXPECT_EQ(h.gso_type, kGsoTcpV4);
  EXPECT_EQ(h.hdr_len, 66);
  EXPECT_EQ(h.gso_size, 1448);
  EXPECT_EQ(h.csum_start, 20);
  EXPECT_EQ(h.csum_offset, 16);
  EXPECT_TRUE(h.is_gso());
  EXPECT_TRUE(h.needs_csum());
}

TEST(VnetHeader, EncodeDecodeRoundTrip) {
  const VnetHeader cases[] = {
      {},
      {kFlagNeedsCsum, kGsoTcpV6 | kGsoEcn, 0x1234, 0xFFFF, 0xABCD, 0x0102},
      {kFlagDataValid, kGsoUdpL4, 48, 1452, 40, 6},
      {0xFF, 0xFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF},
  };
  for (const VnetHeader& h : cases) {
    Raw raw{};
    encode(h, raw);
    EXPECT_EQ(decode(raw), h) << describe(h);
    Raw again{};
    encode(decode(raw), again);
    EXPECT_EQ(again, raw);
  }
  Raw raw{};
  encode(VnetHeader{0x01, 0x04, 0x0102, 0x0304, 0x0506, 0x0708}, raw);
  EXPECT_EQ(raw, (Raw{0x01, 0x04, 0x02, 0x01, 0x04, 0x03, 0x06, 0x05, 0x08, 0x07}));
}

TEST(VnetHeader, EcnBitIsNotPartOfTheBaseType) {
  VnetHeader h;
  h.gso_type = kGsoTcpV4 | kGsoEcn;
  EXPECT_EQ(h.base_gso_type(), kGsoTcpV4);
  EXPECT_TRUE(h.is_gso());
  h.gso_type = kGsoEcn;
  EXPECT_EQ(h.base_gso_type(), kGsoNone);
  EXPECT_FALSE(h.is_gso());
  EXPECT_FALSE(h.needs_csum());
}

struct ValidateCase {
  std::string name;
  VnetHeader header;
  std::size_t length;
  std::optional<Invalid> expected;
};

constexpr VnetHeader kTcp4{kFlagNeedsCsum, kGsoTcpV4, 52, 1448, 20, 16};
constexpr VnetHeader kUdp{kFlagNeedsCsum, kGsoUdpL4, 28, 1472, 20, 6};

VnetHeader tweak(VnetHeader h, void (*f)(VnetHeader&)) {
  f(h);
  return h;
}

std::vector<ValidateCase> validate_cases() {
  return {
      {"TcpV4Valid", kTcp4, 3000, std::nullopt},
      {"TcpV6EcnValid",
       tweak(kTcp4,
             [](VnetHeader& h) {
               h.gso_type = kGsoTcpV6 | kGsoEcn;
               h.csum_start = 40;
             }),
       3000, std::nullopt},
      {"UdpL4Valid", kUdp, 3000, std::nullopt},
      {"NoneAllZeroValid", VnetHeader{}, 1, std::nullopt},
      {"NoneNeedsCsumValid", VnetHeader{kFlagNeedsCsum, kGsoNone, 0, 0, 20, 16}, 38, std::nullopt},
      {"UfoRejected", tweak(kUdp, [](VnetHeader& h) { h.gso_type = kGsoUdp; }), 3000, Invalid::kGsoType},
      {"UnknownTypeRejected", tweak(kTcp4, [](VnetHeader& h) { h.gso_type = 2; }), 3000, Invalid::kGsoType},
      {"EcnOnUdpRejected", tweak(kUdp, [](VnetHeader& h) { h.gso_type |= kGsoEcn; }), 3000, Invalid::kGsoEcnOnUdp},
      {"GsoSizeZeroRejected", tweak(kTcp4, [](VnetHeader& h) { h.gso_size = 0; }), 3000, Invalid::kGsoSizeZero},
      {"GsoSizeMaxRejected", tweak(kTcp4, [](VnetHeader& h) { h.gso_size = 0xFFFF; }), 3000, Invalid::kGsoSizeMax},
      {"GsoWithoutNeedsCsumRejected", tweak(kTcp4, [](VnetHeader& h) { h.flags = kFlagDataValid; }), 3000,
       Invalid::kNoNeedsCsum},
      {"TcpCsumOffsetNot16Rejected", tweak(kTcp4, [](VnetHeader& h) { h.csum_offset = 6; }), 3000,
       Invalid::kCsumOffset},
      {"UdpCsumOffsetNot6Rejected", tweak(kUdp, [](VnetHeader& h) { h.csum_offset = 16; }), 3000, Invalid::kCsumOffset},
      {"CsumStartAtEndRejected", tweak(kTcp4, [](VnetHeader& h) { h.csum_start = 100; }), 100, Invalid::kCsumStart},
      {"TcpMinHeaderBeyondPacketRejected", kTcp4, 39, Invalid::kCsumOffset},
      {"TcpMinHeaderExactlyFits", tweak(kTcp4, [](VnetHeader& h) { h.hdr_len = 40; }), 40, std::nullopt},
      {"UdpHeaderBeyondPacketRejected", tweak(kUdp, [](VnetHeader& h) { h.hdr_len = 0; }), 27, Invalid::kCsumOffset},
      {"NoneCsumFieldBeyondPacketRejected", VnetHeader{kFlagNeedsCsum, kGsoNone, 0, 0, 20, 16}, 37,
       Invalid::kCsumOffset},
      {"NoneWithoutNeedsCsumIgnoresCsumFields", VnetHeader{0, kGsoNone, 0, 0, 0xFFFF, 0xFFFF}, 10, std::nullopt},
      {"HdrLenBeyondPacketRejected", tweak(kTcp4, [](VnetHeader& h) { h.hdr_len = 3001; }), 3000, Invalid::kHdrLen},
      {"HdrLenEqualPacketAccepted", tweak(kTcp4, [](VnetHeader& h) { h.hdr_len = 3000; }), 3000, std::nullopt},
  };
}

class Validate : public ::testing::TestWithParam<ValidateCase> {};

TEST_P(Validate, FirstFailingFieldIsReported) {
  const ValidateCase& c = GetParam();
  const std::optional<Invalid> r = validate(c.header, c.length);
  EXPECT_EQ(r, c.expected) << (r ? to_string(*r) : "valid") << " for " << describe(c.header);
}

INSTANTIATE_TEST_SUITE_P(Vnet, Validate, ::testing::ValuesIn(validate_cases()), tbtest::case_name);

TEST(VnetHeader, EveryInvalidReasonHasADistinctDescription) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < kInvalidCount; ++i) {
    const std::string s = to_string(static_cast<Invalid>(i));
    EXPECT_EQ(s.rfind("vnet ", 0), 0u) << s;
    EXPECT_TRUE(seen.insert(s).second) << s;
  }
  EXPECT_STREQ(to_string(static_cast<Invalid>(kInvalidCount)), "vnet header invalid");
}

struct DescribeCase {
  VnetHeader header;
  const char* text;
};

TEST(VnetHeader, DescribeNamesEveryField) {
  const DescribeCase cases[] = {
      {kTcp4, "flags=0x01 gso_type=TCPV4 hdr_len=52 gso_size=1448 csum_start=20 csum_offset=16"},
      {VnetHeader{}, "flags=0x00 gso_type=NONE hdr_len=0 gso_size=0 csum_start=0 csum_offset=0"},
      {VnetHeader{0x03, kGsoTcpV6 | kGsoEcn, 1, 2, 3, 4},
       "flags=0x03 gso_type=TCPV6|ECN hdr_len=1 gso_size=2 csum_start=3 csum_offset=4"},
      {VnetHeader{0, kGsoUdp, 0, 0, 0, 0}, "flags=0x00 gso_type=UDP hdr_len=0 gso_size=0 csum_start=0 csum_offset=0"},
      {kUdp, "flags=0x01 gso_type=UDP_L4 hdr_len=28 gso_size=1472 csum_start=20 csum_offset=6"},
      {VnetHeader{0, 0x42, 0, 0, 0, 0}, "flags=0x00 gso_type=? hdr_len=0 gso_size=0 csum_start=0 csum_offset=0"},
  };
  for (const auto& c : cases) EXPECT_EQ(describe(c.header), c.text);
}

}  // namespace
}  // namespace vnet
