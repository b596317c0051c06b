// A run's flame graphs as files (report/flame_files.h) and their section of the markdown report.
#include "report/flame_files.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "harness/command.h"
#include "report/table.h"
#include "support/scratch_dir.h"

namespace {

namespace fs = std::filesystem;

struct NameCase {
  const char* label;
  const char* file;
};

class FlameFileNames : public ::testing::TestWithParam<NameCase> {};

TEST_P(FlameFileNames, AreTheStemAndTheLabelMadeOnePathComponent) {
  EXPECT_EQ(report::flame_file_name("run", GetParam().label), GetParam().file);
}

INSTANTIATE_TEST_SUITE_P(Labels, FlameFileNames,
                         ::testing::Values(NameCase{"sync-normal", "run.flame-sync-normal.svg"},
                                           NameCase{"tun-rs/sync gso", "run.flame-tun-rs_sync_gso.svg"},
                                           NameCase{"../etc/passwd", "run.flame-___etc_passwd.svg"},
                                           NameCase{"tunstack up", "run.flame-tunstack_up.svg"}));

TEST(FlameFiles, OneSvgPerProfiledRowLinkedRelativeToTheMarkdown) {
  tbtest::ScratchDir scratch("tb-flame");
  fs::create_directories(scratch.path() / "json");
  fs::create_directories(scratch.path() / "md");
  const std::vector<report::RowFlame> rows{
      {"sync-normal", {{"tunfwd;__readv;do_readv_[k]", 3}}, 2},
      {"kernel veth", {}, 0},  // nothing profiled: no file
      {"a b", {{"x;y", 1}}, 1},
      {"a_b", {{"x;z", 1}}, 1},  // same file name as "a b": numbered
  };
  const auto links = report::write_flame_graphs(rows, scratch.path() / "json", "run", scratch.path() / "md");
  ASSERT_EQ(links.size(), 3u);
  EXPECT_EQ(links[0].row, "sync-normal");
  EXPECT_EQ(links[0].file, "../json/run.flame-sync-normal.svg");
  EXPECT_EQ(links[1].file, "../json/run.flame-a_b.svg");
  EXPECT_EQ(links[2].file, "../json/run.flame-a_b-2.svg");
  for (const auto& link : links) EXPECT_TRUE(fs::exists(scratch.path() / "md" / link.file)) << link.file;
  const auto svg = harness::read_file((scratch.path() / "json" / "run.flame-sync-normal.svg").string());
  EXPECT_NE(svg.find("Flame graph: sync-normal"), std::string::npos);
  EXPECT_NE(svg.find("3 CPU samples of the sampled processes over 2 benchmark sample(s)"), std::string::npos);
  EXPECT_NE(svg.find("<title>do_readv_[k] (3 samples, 100.00%)</title>"), std::string::npos);
}

TEST(FlameFiles, AnUnwritableDirectoryIsAnErrorNamingTheFile) {
  try {
    report::write_flame_graphs({{"r", {{"a", 1}}, 1}}, "/nonexistent-dir", "run", "/nonexistent-dir");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/run.flame-r.svg"), std::string::npos) << e.what();
  }
}

TEST(FlameFiles, TheMarkdownReportLinksEachRowsGraphOnlyWhenThereAreSome) {
  harness::RunResult run;
  run.machine = {{"cpu_model", "Test CPU"}, {"cores", 2}};
  run.settings = {{"duration_s", 2}, {"repeat", 1}};
  const auto without = report::markdown_report(run);
  EXPECT_EQ(without.find("Flame graphs"), std::string::npos);
  const auto with = report::markdown_report(run, {{"sync-normal", "run.flame-sync-normal.svg"}});
  EXPECT_NE(with.find("\n## Flame graphs\n"), std::string::npos);
  EXPECT_NE(with.find("\n- sync-normal: [run.flame-sync-normal.svg](run.flame-sync-normal.svg)\n"), std::string::npos)
      << with;
}

}  // namespace
