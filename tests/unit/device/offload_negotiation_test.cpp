#include "device/offload_negotiation.h"

#include <cerrno>
#include <vector>

#include <gtest/gtest.h>

#include "support/test_names.h"

namespace device {
namespace {

constexpr unsigned kTso = kTunFCsum | kTunFTso4 | kTunFTso6;
constexpr unsigned kAll = kTso | kTunFUso4 | kTunFUso6;

struct NegotiationCase {
  const char* name;
  bool want_vnet;
  bool want_uso;
  unsigned features;
  std::vector<unsigned> refused;  // masks the fake kernel answers EINVAL to
  int other_error;                // errno for every mask not in `refused` (0 = accept)
  std::vector<unsigned> expected_calls;
  Offloads expected;
  int expected_error;
};

class NegotiationTest : public ::testing::TestWithParam<NegotiationCase> {};

TEST_P(NegotiationTest, FallsBackAsTheKernelAnswers) {
  const NegotiationCase& c = GetParam();
  std::vector<unsigned> calls;
  const Negotiation n = negotiate_offloads(c.want_vnet, c.want_uso, c.features, [&](unsigned mask) {
    calls.push_back(mask);
    for (unsigned r : c.refused)
      if (r == mask) return EINVAL;
    return c.other_error;
  });
  EXPECT_EQ(calls, c.expected_calls);
  EXPECT_EQ(n.offloads, c.expected) << describe(n.offloads);
  EXPECT_EQ(n.error, c.expected_error);
  if (n.error == 0) {
    EXPECT_EQ(n.mask, calls.back());
  }
}

const Offloads kNone{};
const Offloads kVnetOnly{.vnet_hdr = true};
const Offloads kTcp{true, true, true, true, false};
const Offloads kFull{true, true, true, true, true};

INSTANTIATE_TEST_SUITE_P(
    Table, NegotiationTest,
    ::testing::Values(
        NegotiationCase{"everything_granted", true, true, kIffVnetHdr, {}, 0, {kAll}, kFull, 0},
        NegotiationCase{"uso_refused_tso_only", true, true, kIffVnetHdr, {kAll}, 0, {kAll, kTso}, kTcp, 0},
        NegotiationCase{"tso_refused_none", true, true, kIffVnetHdr, {kAll, kTso}, 0, {kAll, kTso, 0u}, kVnetOnly, 0},
        NegotiationCase{"uso_not_wanted", true, false, kIffVnetHdr, {}, 0, {kTso}, kTcp, 0},
        NegotiationCase{"vnet_not_supported_clears_mask", true, true, 0u, {}, 0, {0u}, kNone, 0},
        NegotiationCase{"vnet_not_wanted_clears_mask", false, true, kIffVnetHdr, {}, 0, {0u}, kNone, 0},
        NegotiationCase{"even_zero_refused_is_error",
                        true,
                        true,
                        kIffVnetHdr,
                        {kAll, kTso, 0u},
                        0,
                        {kAll, kTso, 0u},
                        kVnetOnly,
                        EINVAL},
        NegotiationCase{"other_errno_stops_probe", true, true, kIffVnetHdr, {}, EBADFD, {kAll}, kVnetOnly, EBADFD},
        NegotiationCase{"clear_failure_reported", false, true, kIffVnetHdr, {}, EPERM, {0u}, kNone, EPERM}),
    tbtest::case_name);

}  // namespace
}  // namespace device
