#pragma once
// One wake-up of tunstack's event loop, minus the system calls: what each packet read from the
// TUN, each socket event and the end of the wake-up do. tunstack (src/app/tunstack/main.cpp) and
// the deterministic gate's replay rows (bench/replay/stack_row.cpp) both run this, so the gate
// counts the instructions of the loop tunstack runs, not of a copy of it.
#include <cstdint>
#include <span>

#include "stack/counters.h"
#include "stack/socket.h"
#include "stack/tcp_engine.h"
#include "stack/udp_relay.h"
#include "vnet/vnet_header.h"

namespace stack {

class StackLoop {
 public:
  // Packets read from the TUN per wake-up before the sockets get their turn.
  static constexpr int kReadBudget = 64;

  StackLoop(TcpEngine& tcp, UdpRelay& udp, StackCounters& counters) : tcp_(tcp), udp_(udp), counters_(counters) {}

  // The earliest timer of either engine (ms since the clock's epoch), 0 when none: how long the
  // loop may sleep.
  std::uint64_t next_deadline();
  // A packet read from the TUN: parsed, then handed to the TCP engine or the UDP relay, or
  // dropped and counted with its reason.
  void on_packet(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet, std::uint64_t now_ms);
  // A readiness event of one of the engines' sockets (its token says which).
  void on_socket(std::uint64_t token, Readiness readiness, std::uint64_t now_ms);
  // The end of a wake-up: the timers, then the ACKs and window updates that became due. True when
  // the caller should give freed memory back to the system (malloc_trim): after a burst of
  // connections ended, glibc keeps the freed connection objects resident (10,000 left 3.5 MB).
  bool finish(std::uint64_t now_ms);

 private:
  // Connections that must have ended since the table's high-water mark before memory is trimmed,
  // or, once the table is empty, that it must have held.
  static constexpr std::size_t kTrimAfterClosing = 1000;
  static constexpr std::size_t kTrimWhenEmptyAfter = 64;

  TcpEngine& tcp_;
  UdpRelay& udp_;
  StackCounters& counters_;
  std::size_t connections_peak_ = 0;
};

}  // namespace stack
