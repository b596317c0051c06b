#include "device/ip_prefix.h"

#include <sys/socket.h>

#include <gtest/gtest.h>

namespace device {
namespace {

struct Case {
  const char* text;
  int family;
  bool valid;
  unsigned prefix_len;
  std::array<std::uint8_t, 4> head;  // first address bytes
};

class IpPrefixTest : public ::testing::TestWithParam<Case> {};

TEST_P(IpPrefixTest, Parses) {
  const Case& c = GetParam();
  const auto p = parse_prefix(c.text, c.family);
  ASSERT_EQ(p.has_value(), c.valid) << c.text;
  if (!p) return;
  EXPECT_EQ(p->family, c.family);
  EXPECT_EQ(p->prefix_len, c.prefix_len);
  EXPECT_EQ(p->addr_len(), c.family == AF_INET ? 4u : 16u);
  for (std::size_t i = 0; i < c.head.size(); ++i) EXPECT_EQ(p->addr[i], c.head[i]) << i;
}

INSTANTIATE_TEST_SUITE_P(
    Table, IpPrefixTest,
    ::testing::Values(Case{"10.0.1.1/24", AF_INET, true, 24, {10, 0, 1, 1}},
                      Case{"10.0.1.1", AF_INET, true, 32, {10, 0, 1, 1}},
                      Case{"10.0.1.1/0", AF_INET, true, 0, {10, 0, 1, 1}}, Case{"10.0.1.1/33", AF_INET, false, 0, {}},
                      Case{"10.0.1.1/", AF_INET, false, 0, {}}, Case{"10.0.1.1/2x", AF_INET, false, 0, {}},
                      Case{"10.0.1/24", AF_INET, false, 0, {}}, Case{"fd00:1::1/64", AF_INET, false, 0, {}},
                      Case{"fd00:1::1/64", AF_INET6, true, 64, {0xfd, 0x00, 0x00, 0x01}},
                      Case{"fd00:1::1", AF_INET6, true, 128, {0xfd, 0x00, 0x00, 0x01}},
                      Case{"fd00:1::1/129", AF_INET6, false, 0, {}}, Case{"10.0.1.1/24", AF_INET6, false, 0, {}},
                      Case{"10.0.1.1/24", AF_UNIX, false, 0, {}}));

}  // namespace
}  // namespace device
