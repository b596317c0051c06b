#include "harness/iperf_result.h"

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace harness {

IperfResult parse_iperf_json(std::string_view text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(std::string("iperf3 output is not JSON: ") + e.what());
  }
  if (j.contains("error")) throw std::runtime_error("iperf3: " + j["error"].get<std::string>());
  const auto& end = j.value("end", nlohmann::json::object());
  if (!end.contains("sum_sent") || !end.contains("sum_received"))
    throw std::runtime_error("iperf3 report has no end.sum_sent/sum_received summary");
  const auto& sent = end["sum_sent"];
  const auto& received = end["sum_received"];

  IperfResult r;
  const std::string protocol = j["start"]["test_start"].value("protocol", "TCP");
  r.udp = protocol == "UDP" || end.contains("sum");
  r.seconds = sent.value("seconds", 0.0);
  if (r.udp) {
    // The receiver's loss figure and bitrate; the offered rate is what the client pushed into the path.
    r.offered_gbps = sent.value("bits_per_second", 0.0) / 1e9;
    r.loss_percent =
        received.value("lost_percent", end.value("sum", nlohmann::json::object()).value("lost_percent", 0.0));
    r.gbps = received.value("bits_per_second", r.offered_gbps * 1e9 * (1.0 - r.loss_percent / 100.0)) / 1e9;
    r.delivered_gbps = r.gbps;
    // What arrived, not what was sent: a datagram dropped on the way (a full TUN queue, the
    // receiver's socket buffer) never crossed the whole path.
    const auto sent_bytes = sent.value("bytes", std::uint64_t{0});
    r.bytes = received.value(
        "bytes", static_cast<std::uint64_t>(static_cast<double>(sent_bytes) * (1.0 - r.loss_percent / 100.0)));
  } else {
    // For TCP the receiver's figure is what really crossed the forwarder.
    r.gbps = received.value("bits_per_second", 0.0) / 1e9;
    r.retransmits = sent.value("retransmits", std::int64_t{0});
    r.offered_gbps = r.gbps;
    r.delivered_gbps = r.gbps;
    r.bytes = received.value("bytes", std::uint64_t{0});
  }
  return r;
}

}  // namespace harness
