#include "harness/cleanup.h"

#include <gtest/gtest.h>

#include "harness/command.h"
#include "harness/run_state.h"
#include "support/scratch_dir.h"

using namespace harness;

TEST(Cleanup, OnlyTunbenchNamespacesAreCandidates) {
  EXPECT_TRUE(is_tunbench_namespace("tb-fwd-1234abc-1"));
  EXPECT_TRUE(is_tunbench_namespace("tb-a-1234abc-1"));
  EXPECT_TRUE(is_tunbench_namespace("tb-b-x"));
  EXPECT_FALSE(is_tunbench_namespace("tb-other"));
  EXPECT_FALSE(is_tunbench_namespace("docker-ns"));
  EXPECT_FALSE(is_tunbench_namespace("tb"));
}

TEST(RunState, RecordsNamespacesAndChildrenAndRemovesItsFile) {
  const tbtest::ScratchDir scratch("tb-state-test");
  const auto& dir = scratch.path();
  ::setenv("TUNBENCH_STATE_DIR", dir.c_str(), 1);
  std::filesystem::path file;
  {
    RunState state("unit1");
    file = dir / "unit1.json";
    state.add_namespace("tb-a-unit1-1");
    state.add_child(::getpid());
    const auto j = nlohmann::json::parse(read_file(file.string()));
    EXPECT_EQ(j["run_id"], "unit1");
    EXPECT_EQ(j["namespaces"], nlohmann::json::array({"tb-a-unit1-1"}));
    ASSERT_EQ(j["children"].size(), 1u);
    EXPECT_EQ(j["children"][0]["pid"], ::getpid());
    state.remove_namespace("tb-a-unit1-1");
    EXPECT_TRUE(nlohmann::json::parse(read_file(file.string()))["namespaces"].empty());
  }
  EXPECT_FALSE(std::filesystem::exists(file));
  ::unsetenv("TUNBENCH_STATE_DIR");
}

TEST(RunState, ProcessIdentityIncludesStartTime) {
  const auto self = identify_process(::getpid());
  ASSERT_TRUE(self);
  EXPECT_TRUE(is_alive(*self));
  auto recycled = *self;
  recycled.starttime += 1;  // same pid, another process
  EXPECT_FALSE(is_alive(recycled));
}
