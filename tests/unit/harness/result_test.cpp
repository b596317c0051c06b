#include "harness/result.h"

#include <gtest/gtest.h>

using namespace harness;

TEST(Result, ModeNamesTellOffloadAndChannel) {
  RowResult row;
  classify_mode("async-gso-channel-pool", row);
  EXPECT_EQ(row.offload, "yes");
  EXPECT_EQ(row.channel, "yes");
  classify_mode("sync-normal", row);
  EXPECT_EQ(row.offload, "no");
  EXPECT_EQ(row.channel, "no");
  classify_mode("async-framed", row);
  EXPECT_EQ(row.channel, "yes");
  classify_mode("passthrough-mq", row);
  EXPECT_EQ(row.offload, "yes");
  EXPECT_EQ(row.channel, "no");
}

TEST(Result, RatiosUseTheVethSampleOfTheSamePass) {
  RunResult run;
  RowResult veth{"kernel veth", RowKind::veth, "", "", "", {}};
  RowResult fwd{"sync-gso", RowKind::tunfwd, "", "", "", {}};
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
  RowResult row{"fast", RowKind::forwarder, "/bin/fwd --x", "no", "yes", {}};
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
  EXPECT_EQ(r.kind, RowKind::forwarder);
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
