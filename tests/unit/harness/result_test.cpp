#include "harness/result.h"

#include <gtest/gtest.h>

#include "support/run_rows.h"

using namespace harness;

TEST(Result, RatiosUseTheVethSampleOfTheSamePass) {
  RunResult run;
  RowResult veth = tbtest::baseline_row("kernel veth", kKernelVeth);
  RowResult fwd = tbtest::tunfwd_row("sync-gso", true, false);
  for (int pass = 1; pass <= 2; ++pass) {
    Sample v;
    v.pass = pass;
    v.ok = true;
    v.iperf.gbps = pass * 10.0;  // 10, then 20
    veth.samples.push_back(v);
    Sample f = v;
    f.iperf.gbps = 5.0;
    fwd.samples.push_back(f);
  }
  Sample failed;
  failed.pass = 3;
  failed.error = "boom";
  fwd.samples.push_back(failed);
  run.rows = {veth, fwd};
  run.compute_ratios();
  EXPECT_EQ(run.rows[1].ratios(), (std::vector<double>{0.5, 0.25}));
  EXPECT_EQ(run.rows[1].ok_samples().size(), 2u);
  EXPECT_EQ(run.find("sync-gso"), &run.rows[1]);
  EXPECT_EQ(run.find("nope"), nullptr);
}

TEST(Result, JsonRoundTripKeepsEverySample) {
  RunResult run;
  run.machine = {{"cpu_model", "X"}};
  run.settings = {{"duration_s", 3}};
  RowResult row = tbtest::forwarder_row("fast", "/bin/fwd --x", {}, "tun-rs", "sync-gso");
  row.traits = {{"offload", false}, {"channel", true}};
  Sample s;
  s.pass = 2;
  s.ok = true;
  s.iperf.gbps = 1.5;
  s.iperf.retransmits = 42;
  s.monitor.cpu_avg = 77;
  s.monitor.mem_max_mb = 3.5;
  s.ratio = 0.25;
  s.untrusted = "steal 9%";
  row.samples = {s};
  run.rows = {row};
  const auto back = nlohmann::json(run).get<RunResult>();
  ASSERT_EQ(back.rows.size(), 1u);
  const auto& r = back.rows[0];
  EXPECT_EQ(r.label, "fast");
  EXPECT_EQ(r.kind, "forwarder");
  EXPECT_TRUE(r.sampled);
  EXPECT_EQ(r.compare_with, kKernelVeth);
  EXPECT_EQ(r.implementation, "tun-rs");
  EXPECT_EQ(r.mode, "sync-gso");
  EXPECT_EQ(r.trait_yes_no("offload"), "no");
  EXPECT_EQ(r.trait_yes_no("channel"), "yes");
  EXPECT_EQ(r.trait_yes_no("pool"), "") << "unknown traits stay unknown";
  EXPECT_EQ(r.command, "/bin/fwd --x");
  ASSERT_EQ(r.samples.size(), 1u);
  EXPECT_EQ(r.samples[0].pass, 2);
  EXPECT_DOUBLE_EQ(r.samples[0].iperf.gbps, 1.5);
  EXPECT_EQ(r.samples[0].iperf.retransmits, 42);
  EXPECT_DOUBLE_EQ(r.samples[0].monitor.cpu_avg, 77);
  EXPECT_DOUBLE_EQ(r.samples[0].monitor.mem_max_mb, 3.5);
  EXPECT_EQ(r.samples[0].untrusted, "steal 9%");
  EXPECT_EQ(back.machine["cpu_model"], "X");
  EXPECT_THROW(nlohmann::json::object().get<RunResult>(), std::runtime_error);
}

// A UDP sample's Gbps is what arrived. Files saved before offered_gbps existed held the sender's
// rate as gbps; they read back with what arrived in its place, so old and new runs compare.
TEST(Result, UdpSamplesReadBackWithWhatArrivedAsTheirGbps) {
  Sample s;
  s.ok = true;
  s.iperf.udp = true;
  s.iperf.gbps = s.iperf.delivered_gbps = 0.6;
  s.iperf.offered_gbps = 1.2;
  s.iperf.loss_percent = 50;
  const auto back = nlohmann::json(s).get<Sample>();
  EXPECT_DOUBLE_EQ(back.iperf.gbps, 0.6);
  EXPECT_DOUBLE_EQ(back.iperf.offered_gbps, 1.2);

  const auto old =
      nlohmann::json::parse(
          R"({"pass": 1, "ok": true, "udp": true, "gbps": 1.2, "loss_percent": 50, "delivered_gbps": 0.6})")
          .get<Sample>();
  EXPECT_DOUBLE_EQ(old.iperf.gbps, 0.6);
  EXPECT_DOUBLE_EQ(old.iperf.offered_gbps, 1.2);
  const auto old_tcp =
      nlohmann::json::parse(R"({"pass": 1, "ok": true, "gbps": 9.5, "delivered_gbps": 9.5})").get<Sample>();
  EXPECT_DOUBLE_EQ(old_tcp.iperf.gbps, 9.5);
  EXPECT_DOUBLE_EQ(old_tcp.iperf.offered_gbps, 9.5);
}

// A row compares with the kind its description names, not always with veth.
TEST(Result, RatiosUseTheRowsOwnBaseline) {
  RunResult run;
  Sample veth_s, routed_s, row_s;
  veth_s.pass = routed_s.pass = row_s.pass = 1;
  veth_s.ok = routed_s.ok = row_s.ok = true;
  veth_s.iperf.gbps = 20;
  routed_s.iperf.gbps = 10;
  row_s.iperf.gbps = 5;
  RowResult stack = tbtest::forwarder_row("stack", "stack");
  stack.compare_with = "kernel-routed";
  stack.samples = {row_s};
  run.rows = {tbtest::baseline_row("kernel veth", kKernelVeth, {veth_s}),
              tbtest::baseline_row("kernel routed", "kernel-routed", {routed_s}), stack};
  run.compute_ratios();
  EXPECT_EQ(run.rows[2].ratios(), std::vector<double>{0.5});
  EXPECT_EQ(run.rows[1].ratios(), std::vector<double>{0.5}) << "routed itself compares with veth";
  EXPECT_EQ(run.find_kind("kernel-routed"), &run.rows[1]);
  EXPECT_EQ(run.find_kind("none"), nullptr);
}

// Run files of format tunbench-run/1 (closed row kinds, traits as yes/no strings) still read.
TEST(Result, ReadsFormatOneFiles) {
  const auto j = nlohmann::json::parse(R"({"format": "tunbench-run/1", "machine": {}, "settings": {}, "rows": [
      {"label": "kernel veth", "kind": "veth", "command": "", "offload": "", "channel": "", "samples": []},
      {"label": "sync-gso", "kind": "tunfwd", "command": "tunfwd --mode sync-gso", "offload": "yes", "channel": "no",
       "samples": [{"pass": 1, "ok": true, "gbps": 3.5}]},
      {"label": "twin", "kind": "forwarder", "command": "/bin/twin", "offload": "", "channel": "", "samples": []}]})");
  const auto run = j.get<RunResult>();
  ASSERT_EQ(run.rows.size(), 3u);
  EXPECT_EQ(run.rows[0].kind, kKernelVeth);
  EXPECT_FALSE(run.rows[0].sampled);
  EXPECT_EQ(run.rows[1].kind, "forwarder");
  EXPECT_TRUE(run.rows[1].sampled);
  EXPECT_EQ(run.rows[1].trait_yes_no("offload"), "yes");
  EXPECT_EQ(run.rows[1].trait_yes_no("channel"), "no");
  EXPECT_EQ(run.rows[0].implementation, "kernel");
  EXPECT_EQ(run.rows[1].implementation, "tunbench");
  EXPECT_EQ(run.rows[1].mode, "sync-gso");
  EXPECT_FALSE(run.rows[1].traits.contains("implementation")) << "the row's field says it, not a trait";
  EXPECT_EQ(run.rows[2].implementation, "twin");
  EXPECT_EQ(run.rows[2].mode, "");
  EXPECT_EQ(run.rows[2].trait_yes_no("offload"), "") << "unknown, not guessed";
  EXPECT_DOUBLE_EQ(run.rows[1].samples.at(0).iperf.gbps, 3.5);
  auto bad = j;
  bad["rows"][0]["kind"] = "teleport";
  EXPECT_THROW(bad.get<RunResult>(), std::runtime_error);
}

// Rows of run files written before rows named their implementation get one from what the file
// says: the kernel kinds, the traits tunfwd modes and stacks carried, else the label rule.
TEST(Result, OlderRowsGetTheirImplementationFromKindTraitsOrLabel) {
  struct Case {
    const char* row;  // a tunbench-run/2 row without "implementation"
    const char* implementation;
    const char* mode;
  };
  const Case cases[] = {
      {R"({"label": "kernel veth down", "kind": "kernel-veth", "direction": "down", "traits": {}})", "kernel", ""},
      {R"({"label": "kernel routed up", "kind": "kernel-routed", "traits": null})", "kernel", ""},
      {R"({"label": "sync-gso", "kind": "forwarder", "traits": {"name": "sync-gso", "implementation": "tunfwd"}})",
       "tunbench", "sync-gso"},
      {R"({"label": "tunstack up", "kind": "stack", "traits": {"implementation": "tunstack"}})", "tunbench", ""},
      {R"({"label": "pasta down", "kind": "stack", "direction": "down", "traits": {"implementation": "pasta"}})",
       "pasta", ""},
      {R"({"label": "tun-rs/sync-gso", "kind": "forwarder", "traits": {}})", "tun-rs", "sync-gso"},
      {R"({"label": "tun-rs/sync-gso down", "kind": "forwarder", "direction": "down", "traits": {}})", "tun-rs",
       "sync-gso"},
      {R"({"label": "base-sync-gso", "kind": "forwarder", "traits": {}})", "base-sync-gso", ""},
      {R"({"label": "a/b/c", "kind": "forwarder", "traits": {}})", "a/b/c", ""},
  };
  for (const auto& c : cases) {
    const auto r = nlohmann::json::parse(c.row).get<RowResult>();
    EXPECT_EQ(r.implementation, c.implementation) << c.row;
    EXPECT_EQ(r.mode, c.mode) << c.row;
    EXPECT_FALSE(r.traits.is_object() && r.traits.contains("implementation")) << c.row;
  }
  // A row that names its implementation is taken at its word, whatever its label.
  const auto named =
      nlohmann::json::parse(
          R"({"label": "x/y", "kind": "forwarder", "implementation": "boringtun", "mode": "", "traits": {}})")
          .get<RowResult>();
  EXPECT_EQ(named.implementation, "boringtun");
  EXPECT_EQ(named.mode, "");
}
