// tunreplay's JSON as the gate reads it (src/detgate/run.h): the stack rows' socket calls, and
// documents without them (the forwarder rows, older drivers).
#include "detgate/run.h"

#include <stdexcept>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

nlohmann::json row(const std::string& mode, const std::string& workload) {
  return {{"label", mode + "/" + workload},
          {"mode", mode},
          {"workload", workload},
          {"ok", true},
          {"segments", 1530},
          {"payload_bytes", 2215440},
          {"in", {{"reads", 34}, {"bytes_in", 2217208}}},
          {"out", {{"writes", 9}, {"gso_writes", 0}, {"bytes_out", 576}}},
          {"allocations", 3}};
}

TEST(Run, ReadsSocketCallsWhereARowHasThemAndZeroWhereNot) {
  nlohmann::json stack = row("tunstack", "tcp4-up-gso");
  stack["socket_calls"] = 43;
  const nlohmann::json doc = {{"format", "tunreplay/1"}, {"rows", {stack, row("sync-gso", "tcp4-gso")}}};
  const detgate::Run run = detgate::make_run(doc, {});
  ASSERT_EQ(run.rows.size(), 2u);
  const detgate::RowRun& s = run.rows.at("tunstack/tcp4-up-gso");
  EXPECT_EQ(s.socket_calls, 43u);
  EXPECT_EQ(s.reads, 34u);
  EXPECT_EQ(s.writes, 9u);
  EXPECT_EQ(run.rows.at("sync-gso/tcp4-gso").socket_calls, 0u);
}

TEST(Run, RefusesAnotherFormat) {
  EXPECT_THROW(detgate::make_run({{"format", "tunreplay/0"}, {"rows", nlohmann::json::array()}}, {}),
               std::runtime_error);
}

}  // namespace
