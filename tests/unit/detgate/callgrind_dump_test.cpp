// Reading callgrind dumps (src/detgate/callgrind_dump.h): the label, totals, and self costs that
// leave out what a function's callees cost.
#include "detgate/callgrind_dump.h"

#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>

namespace {

// A cut-down dump as callgrind 3.19 writes it with --compress-strings=yes (names defined once as
// "(id) name", then referred to by id) and --cache-sim=yes.
constexpr const char* kDump = R"(# callgrind format
version: 1
creator: callgrind-3.19.0
pid: 4490
cmd:  tunreplay --fixtures x
part: 15

desc: I1 cache: 
desc: Timerange: Basic block 17706670 - 18431005
desc: Trigger: Client Request: sync-gso/tcp4-gso

positions: line
events: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw
summary: 0

ob=(1) /bin/tunreplay
fl=(1) ???
fn=(1) offload::gso_split(x)
0 100 1 0 10 2 1 5 0 0
cfn=(2) packet::sum_bytes(y)
calls=3 0
0 900 0 0 50
0 20
fn=(2)
0 900 0 0 50
fn=(1)
0 5
totals: 1025 1 0 60 2 1 5 0 0
)";

TEST(CallgrindDump, LabelIsTheClientRequestTrigger) {
  std::istringstream in(kDump);
  EXPECT_EQ(detgate::parse_callgrind(in).label, "sync-gso/tcp4-gso");
}

TEST(CallgrindDump, SelfCostLeavesOutTheCalleesInclusiveCost) {
  std::istringstream in(kDump);
  const auto d = detgate::parse_callgrind(in);
  EXPECT_EQ(d.self_ir.at("offload::gso_split(x)"), 125u);  // 100 + 20 + 5, not the call's 900
  EXPECT_EQ(d.self_ir.at("packet::sum_bytes(y)"), 900u);   // the compressed name resolved
}

TEST(CallgrindDump, TotalsAndEstimatedCycles) {
  std::istringstream in(kDump);
  const auto d = detgate::parse_callgrind(in);
  EXPECT_EQ(d.total("Ir"), 1025u);
  EXPECT_FALSE(d.total("Bc").has_value());
  // Ir + 10 × (I1mr + D1mr + D1mw) + 100 × (ILmr + DLmr + DLmw) = 1025 + 10 × 3 + 100 × 1
  EXPECT_EQ(d.estimated_cycles(), 1155u);
}

TEST(CallgrindDump, NoCyclesWithoutCacheSimulation) {
  std::istringstream in("events: Ir\nfn=f\n3 7\ntotals: 7\n");
  const auto d = detgate::parse_callgrind(in);
  EXPECT_EQ(d.total("Ir"), 7u);
  EXPECT_FALSE(d.estimated_cycles().has_value());
}

TEST(CallgrindDump, RejectsWhatIsNotCallgrindFormat) {
  std::istringstream garbage("hello world\n");
  EXPECT_THROW(detgate::parse_callgrind(garbage), std::runtime_error);
  std::istringstream no_events("version: 1\n");
  EXPECT_THROW(detgate::parse_callgrind(no_events), std::runtime_error);
}

}  // namespace
