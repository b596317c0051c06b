// The gate over whole runs (src/detgate/gate_report.h): counts, the functions that moved, and
// what the report must always say.
#include "detgate/gate_report.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

detgate::RowRun row(const std::string& mode, std::uint64_t ir, std::uint64_t writes = 10) {
  detgate::RowRun r;
  r.mode = mode;
  r.workload = "tcp4-gso";
  r.label = mode + "/tcp4-gso";
  r.ok = true;
  r.segments = 1000;
  r.payload_bytes = 1448000;
  r.reads = 20;
  r.writes = writes;
  r.ir = ir;
  return r;
}

detgate::GateInput input(const detgate::RowRun& head_gso) {
  detgate::GateInput in;
  for (int i = 0; i < 2; ++i) {
    for (auto* run : {&in.base[i], &in.head[i]}) {
      run->rows["sync-normal/tcp4-gso"] = row("sync-normal", 1'000'000);
      run->self_ir = {{"f", 100}, {"g", 50}};
    }
    in.base[i].rows["sync-gso/tcp4-gso"] = row("sync-gso", 2'000'000);
    in.head[i].rows["sync-gso/tcp4-gso"] = head_gso;
  }
  in.head[0].self_ir = {{"f", 100}, {"g", 80}, {"h", 5}};
  return in;
}

TEST(GateReport, AFivePercentRowFailsOnlyItself) {
  const auto in = input(row("sync-gso", 2'100'000));
  const auto g = detgate::evaluate(in);
  EXPECT_FALSE(g.passed());
  EXPECT_EQ(g.failed, 1u);
  EXPECT_EQ(g.rows.size(), 2u);
  for (const auto& r : g.rows)
    EXPECT_EQ(r.verdict, r.mode == "sync-gso" ? detgate::Verdict::kFail : detgate::Verdict::kUnchanged) << r.label;
}

TEST(GateReport, AnExtraWriteIsFlaggedAndAsksForTheIperf3Gate) {
  const auto in = input(row("sync-gso", 2'000'000, 11));
  const auto g = detgate::evaluate(in);
  EXPECT_TRUE(g.passed());
  EXPECT_EQ(g.flagged, 1u);
  const std::string md = detgate::markdown_report(in, g);
  EXPECT_NE(md.find("run the iperf3 gate"), std::string::npos);
}

TEST(GateReport, FunctionsThatMovedMostComeFirst) {
  const auto g = detgate::evaluate(input(row("sync-gso", 2'000'000)));
  ASSERT_EQ(g.functions.size(), 2u);  // f did not move
  EXPECT_EQ(g.functions[0].function, "g");
  EXPECT_EQ(g.functions[1].function, "h");
}

TEST(GateReport, ReportStatesWhatTheMethodCannotSee) {
  const auto in = input(row("sync-gso", 2'000'000));
  const std::string md = detgate::markdown_report(in, detgate::evaluate(in));
  for (const char* limit : {"system calls", "lock contention", "cache", "slower"})
    EXPECT_NE(md.find(limit), std::string::npos) << limit;
  EXPECT_NE(md.find("### sync-gso"), std::string::npos);
}

TEST(GateReport, StackRowsShowTheirSocketCalls) {
  auto in = input(row("sync-gso", 2'000'000));
  for (int i = 0; i < 2; ++i)
    for (auto* run : {&in.base[i], &in.head[i]}) {
      detgate::RowRun s = row("tunstack", 500'000);
      s.workload = "tcp4-up-gso";
      s.label = "tunstack/tcp4-up-gso";
      s.socket_calls = 45;
      run->rows[s.label] = s;
    }
  const std::string md = detgate::markdown_report(in, detgate::evaluate(in));
  EXPECT_NE(md.find("### tunstack"), std::string::npos);
  EXPECT_NE(md.find("20 / 10 / 0 + 45 socket calls"), std::string::npos) << md;
  EXPECT_EQ(md.find("20 / 10 / 0 + 0 socket calls"), std::string::npos) << "forwarder rows have no socket calls";
}

TEST(GateReport, JsonCarriesEveryRowAndTheSummary) {
  const auto in = input(row("sync-gso", 2'100'000));
  const auto j = detgate::json_report(in, detgate::evaluate(in));
  EXPECT_EQ(j.at("format"), "tb-detgate/1");
  EXPECT_EQ(j.at("rows").size(), 2u);
  EXPECT_EQ(j.at("summary").at("failed"), 1u);
  EXPECT_FALSE(j.at("passed").get<bool>());
}

}  // namespace
