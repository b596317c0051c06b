#include <cstdint>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "harness/command.h"
#include "report/chart.h"
#include "report/compare_report.h"
#include "report/json_file.h"
#include "report/summary.h"
#include "report/table.h"
#include "support/run_rows.h"
#include "support/scratch_dir.h"

using namespace harness;

namespace {

Sample sample(int pass, double gbps, double cpu = 0, double mem = 0, double machine = 0) {
  Sample s;
  s.pass = pass;
  s.ok = true;
  s.iperf.gbps = gbps;
  s.iperf.retransmits = std::int64_t{10} * pass;
  s.monitor.cpu_avg = cpu;
  s.monitor.cpu_max = cpu * 1.5;
  s.monitor.mem_avg_mb = mem;
  s.monitor.mem_max_mb = mem + 1;
  s.monitor.machine_cpu = machine;
  return s;
}

RunResult example_run() {
  RunResult run;
  run.machine = {{"cpu_model", "Test CPU"}, {"cores", 2}, {"kernel", "Linux 6.x"}};
  run.settings = {{"duration_s", 2}, {"repeat", 3}, {"udp", false}};
  // The baseline has the machine's CPU sampled; sync-gso has none, as in runs saved before it was.
  RowResult veth = tbtest::baseline_row("kernel veth", kKernelVeth,
                                        {sample(1, 10, 0, 0, 140), sample(2, 12, 0, 0, 150), sample(3, 11, 0, 0, 145)});
  RowResult gso =
      tbtest::tunfwd_row("sync-gso", true, false, {sample(1, 5, 80, 6), sample(2, 6, 90, 6), sample(3, 5.5, 85, 6)});
  Sample failed;
  failed.pass = 1;
  failed.error = "forwarder exited";
  RowResult broken = tbtest::tunfwd_row("async-normal", false, false, {failed});
  run.rows = {veth, gso, broken};
  run.compute_ratios();
  return run;
}

}  // namespace

TEST(Summary, NumbersKeepThreeSignificantDigits) {
  EXPECT_EQ(report::number(110.4), "110");
  EXPECT_EQ(report::number(35.71), "35.7");
  EXPECT_EQ(report::number(8.844), "8.84");
  EXPECT_EQ(report::number(0.1234), "0.123");
  EXPECT_EQ(report::number(0), "0");
  EXPECT_EQ(report::number(std::nan("")), "–");
}

TEST(Summary, MediansRatioAndCpuPerGbps) {
  const auto run = example_run();
  const auto s = report::summarize(run.rows[1]);
  EXPECT_DOUBLE_EQ(s.gbps, 5.5);
  EXPECT_DOUBLE_EQ(s.gbps_min, 5.0);
  EXPECT_DOUBLE_EQ(s.gbps_max, 6.0);
  ASSERT_TRUE(s.ratio);
  EXPECT_DOUBLE_EQ(*s.ratio, 0.5);  // 5/10, 6/12, 5.5/11
  EXPECT_DOUBLE_EQ(s.cpu_avg, 85);
  ASSERT_TRUE(s.cpu_per_gbps);
  EXPECT_NEAR(*s.cpu_per_gbps, 15.4545, 1e-3);  // median of 16, 15, 15.45
  EXPECT_EQ(s.ok, 3u);
  const auto veth = report::summarize(run.rows[0]);
  EXPECT_FALSE(veth.forwarder);
  EXPECT_FALSE(veth.cpu_per_gbps);
}

TEST(Summary, MachineCpuIsTheMedianOfTheSamplesThatHaveIt) {
  const auto run = example_run();
  const auto veth = report::summarize(run.rows[0]);
  ASSERT_TRUE(veth.machine_cpu);
  EXPECT_DOUBLE_EQ(*veth.machine_cpu, 145);
  ASSERT_TRUE(veth.machine_cpu_per_gbps);
  EXPECT_NEAR(*veth.machine_cpu_per_gbps, 145.0 / 11, 1e-9);  // median of 14, 12.5, 13.18
  const auto unsampled = report::summarize(run.rows[1]);
  EXPECT_FALSE(unsampled.machine_cpu);
  EXPECT_FALSE(unsampled.machine_cpu_per_gbps);
}

TEST(Table, HasTheReferenceColumnsAndOneLinePerRow) {
  const auto table = report::markdown_table(example_run());
  EXPECT_NE(table.find("| # | Mode | Offload | Channel | Gbps |"), std::string::npos) << table;
  for (const char* column :
       {"Retr", "CPU avg", "CPU max", "Mem avg", "Mem max", "ratio", "CPU/Gbps", "Machine CPU", "Machine CPU/Gbps"})
    EXPECT_NE(table.find(column), std::string::npos) << column;
  EXPECT_NE(table.find("| 2 | sync-gso | yes | no | 5.50 | 5.00–6.00 | 0.500 | 20 | 85.0 | 128 | 6.00 | 7.00 | 15.5 | "
                       "– | – | 3/3 |"),
            std::string::npos)
      << table;
  // Baselines have no forwarder: CPU and memory are dashes, the machine's CPU is not.
  EXPECT_NE(
      table.find("| 1 | kernel veth | – | – | 11.0 | 10.0–12.0 | 1.00 | 20 | – | – | – | – | – | 145 | 13.2 | 3/3 |"),
      std::string::npos)
      << table;
  EXPECT_NE(table.find("| 3 | async-normal | no | no | FAILED |"), std::string::npos) << table;
}

TEST(Table, ReportListsFailuresAndMachine) {
  const auto md = report::markdown_report(example_run());
  EXPECT_NE(md.find("Test CPU"), std::string::npos);
  EXPECT_NE(md.find("async-normal pass 1: FAILED: forwarder exited"), std::string::npos) << md;
}

TEST(Table, LiveSampleLine) {
  const auto run = example_run();
  const auto line = report::sample_line(run.rows[1], run.rows[1].samples[0]);
  EXPECT_NE(line.find("sync-gso"), std::string::npos);
  EXPECT_NE(line.find("5.00 Gbps"), std::string::npos) << line;
  EXPECT_NE(line.find("ratio 0.500"), std::string::npos) << line;
  EXPECT_NE(line.find("CPU  80.0%"), std::string::npos) << line;
  EXPECT_EQ(line.find("machine"), std::string::npos) << line;  // not sampled: nothing to show
  const auto baseline = report::sample_line(run.rows[0], run.rows[0].samples[1]);
  EXPECT_NE(baseline.find("machine  150%"), std::string::npos) << baseline;
  EXPECT_NE(report::sample_line(run.rows[2], run.rows[2].samples[0]).find("FAILED: forwarder exited"),
            std::string::npos);
}

TEST(Table, UdpLineShowsWhatArrivedAndWhatWasOffered) {
  Sample s = sample(1, 0.6);
  s.iperf.udp = true;
  s.iperf.offered_gbps = 1.2;
  s.iperf.loss_percent = 50;
  const auto row = tbtest::baseline_row("kernel veth", kKernelVeth, {s});
  const auto line = report::sample_line(row, row.samples[0]);
  EXPECT_NE(line.find("0.600 Gbps"), std::string::npos) << line;
  EXPECT_NE(line.find("loss 50.0% of 1.20 offered"), std::string::npos) << line;
}

TEST(JsonFile, RoundTripThroughAFile) {
  const tbtest::ScratchDir dir("tb-report-test");
  const auto path = dir.file("run.json");
  report::write_json(example_run(), path);
  const auto back = report::read_json(path);
  ASSERT_EQ(back.rows.size(), 3u);
  EXPECT_EQ(back.rows[1].gbps(), (std::vector<double>{5, 6, 5.5}));
  EXPECT_EQ(back.rows[0].machine_cpu(), (std::vector<double>{140, 150, 145}));
  EXPECT_TRUE(back.rows[1].machine_cpu().empty());
  EXPECT_EQ(back.rows[2].samples[0].error, "forwarder exited");
  EXPECT_THROW(report::read_json(dir.file("missing.json")), std::runtime_error);
}

TEST(Chart, DataHasOneLinePerRowAndGnuplotDrawsAPng) {
  const auto run = example_run();
  const auto data = report::chart_data(run);
  // Groups stand 0.6 bar apart; ours in blue (0x3a7bd5), the kernel grey (0x9e9e9e); ratio 0.5.
  EXPECT_NE(
      data.find("0.0 \"kernel veth\" \"kernel\" 11.0000 10.0000 12.0000 1.0000 0.00 10395294 1 \"11.0\" \"1.00\"\n"),
      std::string::npos)
      << data;
  EXPECT_NE(data.find("1.6 \"sync-gso\" \"tunbench\" 5.5000 5.0000 6.0000 0.5000 85.00 3832789 1 \"5.50\" \"0.500\"\n"),
            std::string::npos)
      << data;
  EXPECT_NE(
      data.find("3.2 \"async-normal\" \"tunbench\" 0.0000 0.0000 0.0000 0.0000 0.00 3832789 0 \"failed\" \"-\"\n"),
      std::string::npos)
      << data;
  const tbtest::ScratchDir dir("tb-report-test");
  const auto png = dir.file("chart.png");
  report::write_chart(run, png);
  const auto bytes = harness::read_file(png.string());
  ASSERT_GT(bytes.size(), 8u);
  EXPECT_EQ(bytes.substr(1, 3), "PNG");
  EXPECT_FALSE(harness::read_file(dir.file("chart.gp").string()).empty()) << "the script stays next to the PNG";
  EXPECT_EQ(harness::read_file(dir.file("chart.dat").string()), data);
}

// Our row and its tun-rs twin stand side by side, each in its implementation's colour, and the
// legend names both; the bar labels carry the ratio under the Gbps.
TEST(Chart, TwinStandsBesideOurModeAndTheLegendNamesImplementations) {
  auto run = example_run();
  auto twin = tbtest::forwarder_row("tun-rs/sync-gso", "/bin/tun-rs", {sample(1, 4), sample(2, 4.8), sample(3, 4.4)},
                                    "tun-rs", "sync-gso");
  run.rows.insert(run.rows.begin() + 1, tbtest::tunfwd_row("async-gso", true, false, {sample(1, 7, 60, 5)}));
  run.rows.push_back(twin);
  run.compute_ratios();
  const auto data = report::chart_data(run);
  const auto at = [&](const char* label) { return data.find(std::string("\"") + label + "\""); };
  ASSERT_NE(at("tun-rs/sync-gso"), std::string::npos) << data;
  EXPECT_LT(at("async-gso"), at("sync-gso")) << data;
  EXPECT_LT(at("sync-gso"), at("tun-rs/sync-gso")) << data;
  EXPECT_LT(at("tun-rs/sync-gso"), at("async-normal")) << "the twin comes right after its mode\n" << data;
  EXPECT_NE(data.find("4.2 \"tun-rs/sync-gso\" \"tun-rs\" 4.4000 4.0000 4.8000 0.4000"), std::string::npos)
      << "one bar after sync-gso, no group gap\n"
      << data;
  const auto script = report::chart_script(run, "run.dat", "run.png");
  for (const char* title : {"title \"tunbench\"", "title \"kernel\"", "title \"tun-rs\""})
    EXPECT_NE(script.find(title), std::string::npos) << title << "\n" << script;
  EXPECT_NE(script.find("lc rgb variable"), std::string::npos) << script;
  EXPECT_NE(script.find("strcol(11).\"\\n×\".strcol(12)"), std::string::npos) << "the ratio labels the bar\n" << script;
}

TEST(CompareReport, RegressionIsAnnounced) {
  const auto base = example_run();
  auto head = base;
  for (auto& s : head.rows[1].samples) s.iperf.gbps *= 0.5;
  head.compute_ratios();
  harness::GateOptions options;
  options.min_samples = 3;
  const auto comparison = harness::compare_runs(base, head, options);
  const auto md = report::compare_markdown(comparison, base, head, options);
  EXPECT_NE(md.find("sync-gso | throughput ÷ veth"), std::string::npos) << md;
  EXPECT_NE(md.find("-50.0%"), std::string::npos) << md;
}
