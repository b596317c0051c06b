// What tunfwd writes (forward/counters/counters_json.cpp, forward/registry.cpp) is what the
// harness reads (forwarder_stats.h, tunfwd_modes.h): one format, checked from both ends.
#include "harness/forwarder_stats.h"

#include <set>

#include <gtest/gtest.h>

#include "forward/counters/counters.h"
#include "forward/counters/counters_json.h"
#include "forward/registry.h"
#include "harness/tunfwd_modes.h"

namespace {

TEST(ForwarderStats, WhatTunfwdWritesReadsBack) {
  forward::Counters c("tun11", "tun22");
  forward::Tally t;
  t.reads = 3;
  t.packets = 10;
  t.written = 7;
  t.writes = 2;
  t.bytes = 9000;
  t.batches = 3;
  t.gso_fallbacks = 1;
  t.drop(forward::DropReason::kWriteQueueFull, 2);
  t.drop(forward::drop_reason(offload::Error::kIpv4Fragment));
  c.direction(0).flush(t);
  auto j = forward::counters_json(c);
  j["mode"] = "sync-gso";
  j["ok"] = true;
  j["error"] = "";
  const auto s = harness::parse_forwarder_stats(j);
  EXPECT_EQ(s.mode, "sync-gso");
  EXPECT_TRUE(s.ok);
  ASSERT_EQ(s.directions.size(), 2u);
  const auto& d = s.directions[0];
  EXPECT_EQ(d.from, "tun11");
  EXPECT_EQ(d.to, "tun22");
  EXPECT_EQ(d.packets, 10u);
  EXPECT_EQ(d.written, 7u);
  EXPECT_EQ(d.dropped, 3u);
  EXPECT_EQ(d.dropped_for("write-queue-full"), 2u);
  EXPECT_EQ(d.dropped_for("ipv4-fragment"), 1u);
  EXPECT_EQ(d.gso_fallbacks, 1u);
  EXPECT_TRUE(d.balanced());
  EXPECT_EQ(s.directions[1].from, "tun22");
  EXPECT_EQ(s.directions[1].packets, 0u);
  EXPECT_EQ(s.dropped(), 3u);
}

TEST(ForwarderStats, EveryDropReasonHasItsOwnKey) {
  std::set<std::string> keys;
  for (std::size_t i = 0; i < forward::kDropReasonCount; ++i) {
    const std::string k = forward::key(static_cast<forward::DropReason>(i));
    EXPECT_FALSE(k.empty());
    EXPECT_EQ(k.find(' '), std::string::npos) << k;
    EXPECT_TRUE(keys.insert(k).second) << "duplicate key " << k;
  }
}

TEST(ForwarderStats, ABadFileIsRefusedNamingTheField) {
  forward::Counters c("tun11", "tun22");
  auto j = forward::counters_json(c);
  j["directions"][1].erase("written");
  try {
    (void)harness::parse_forwarder_stats(j);
    ADD_FAILURE() << "accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "tunfwd stats: directions[1].written: missing or not a count");
  }
  EXPECT_THROW((void)harness::parse_forwarder_stats(nlohmann::json::object()), std::runtime_error);
}

TEST(TunfwdModes, TheRegistryJsonIsWhatTheHarnessReads) {
  const auto catalog = harness::TunfwdModes::parse(forward::registry_json().dump());
  ASSERT_FALSE(forward::modes().empty()) << "an empty registry and an empty catalog would agree";
  ASSERT_EQ(catalog.names().size(), forward::modes().size());
  for (const auto& m : forward::modes()) {
    const auto t = catalog.require(std::string(m.name));
    EXPECT_EQ(t.at("offload"), m.offload) << m.name;
    EXPECT_EQ(t.at("channel"), m.channel) << m.name;
    EXPECT_EQ(t.at("name").get<std::string>(), std::string(m.name));
  }
  try {
    (void)catalog.require("teleport");
    ADD_FAILURE() << "unknown mode accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).rfind("unknown mode 'teleport' (tunfwd has: ", 0), 0u) << e.what();
  }
  EXPECT_THROW(harness::TunfwdModes::parse("{}"), std::runtime_error);
  EXPECT_THROW(harness::TunfwdModes::parse("not json"), std::runtime_error);
}

}  // namespace
