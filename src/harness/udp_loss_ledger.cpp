#include "harness/udp_loss_ledger.h"

#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "harness/command.h"
#include "harness/proc_parse.h"

namespace harness {
namespace {

std::uint64_t snmp(const std::string& ns, bool ipv6, const std::string& protocol, const std::string& field) {
  // Read by a process inside the namespace: /proc/net is the namespace of the reader.
  const auto text = run_checked({"cat", ipv6 ? "/proc/net/snmp6" : "/proc/net/snmp"}, ns);
  const auto value =
      ipv6 ? parse_snmp6_counter(text, protocol + "6" + field) : parse_snmp_counter(text, protocol, field);
  if (!value)
    throw std::runtime_error(fmt::format("namespace {}: no counter {}{} in /proc/net/snmp{}", ns, protocol,
                                         ipv6 ? "6" + field : " " + field, ipv6 ? "6" : ""));
  return *value;
}

// tx.dropped / rx.dropped of `ip -s -j link show dev DEV` in the namespace.
std::uint64_t device_dropped(const std::string& ns, const std::string& dev, const char* direction) {
  const auto out = run_checked({"ip", "-n", ns, "-s", "-j", "link", "show", "dev", dev});
  try {
    return nlohmann::json::parse(out).at(0).at("stats64").at(direction).at("dropped").get<std::uint64_t>();
  } catch (const std::exception& e) {
    throw std::runtime_error(
        fmt::format("namespace {}: no {} dropped count for {} in `ip -s -j link`: {}", ns, direction, dev, e.what()));
  }
}

}  // namespace

UdpLossLedger UdpLossLedger::operator-(const UdpLossLedger& before) const {
  UdpLossLedger d;
  d.sender_sndbuf_errors = sender_sndbuf_errors - before.sender_sndbuf_errors;
  d.sender_tun_tx_dropped = sender_tun_tx_dropped - before.sender_tun_tx_dropped;
  d.receiver_tun_rx_dropped = receiver_tun_rx_dropped - before.receiver_tun_rx_dropped;
  d.receiver_ip_discards = receiver_ip_discards - before.receiver_ip_discards;
  d.receiver_udp_in_errors = receiver_udp_in_errors - before.receiver_udp_in_errors;
  d.receiver_rcvbuf_errors = receiver_rcvbuf_errors - before.receiver_rcvbuf_errors;
  return d;
}

std::string UdpLossLedger::describe() const {
  return fmt::format(
      "  sender's stack, TUN qdisc full (Udp SndbufErrors):   {} packets\n"
      "  sender's TUN, queue to the forwarder full (tx_dropped): {} packets\n"
      "  receiver's TUN, refused what was written (rx_dropped):  {} packets\n"
      "  receiver's IP (InDiscards):                             {} packets\n"
      "  receiver's socket (Udp InErrors):                       {} datagrams, {} of them buffer full\n",
      sender_sndbuf_errors, sender_tun_tx_dropped, receiver_tun_rx_dropped, receiver_ip_discards,
      receiver_udp_in_errors, receiver_rcvbuf_errors);
}

UdpLossLedger read_udp_loss_ledger(const std::string& sender_ns, const std::string& sender_tun,
                                   const std::string& receiver_ns, const std::string& receiver_tun, bool ipv6) {
  UdpLossLedger l;
  l.sender_sndbuf_errors = snmp(sender_ns, ipv6, "Udp", "SndbufErrors");
  l.sender_tun_tx_dropped = device_dropped(sender_ns, sender_tun, "tx");
  l.receiver_tun_rx_dropped = device_dropped(receiver_ns, receiver_tun, "rx");
  l.receiver_ip_discards = snmp(receiver_ns, ipv6, "Ip", "InDiscards");
  l.receiver_udp_in_errors = snmp(receiver_ns, ipv6, "Udp", "InErrors");
  l.receiver_rcvbuf_errors = snmp(receiver_ns, ipv6, "Udp", "RcvbufErrors");
  return l;
}

}  // namespace harness
