#pragma once
// The UDP half of the stack: every flow the client sends on gets a connected kernel socket to
// the same server address and port; datagrams go out as they came (a USO super-packet as one
// UDP_SEGMENT send), and consecutive datagrams of one flow and one size read in one batch
// leave together as one UDP_SEGMENT send (flush()); replies come back coalesced by UDP_GRO
// into USO super-packets. A flow idle for idle_ms is closed.
#include <cstdint>
#include <memory>
#include <queue>
#include <unordered_map>
#include <vector>

#include "stack/counters.h"
#include "stack/flow.h"
#include "stack/inbound.h"
#include "stack/packet_sink.h"
#include "stack/slot_table.h"
#include "stack/socket.h"

namespace stack {

struct UdpConfig {
  std::size_t max_flows = 4096;
  std::uint32_t idle_ms = 60000;
};

class UdpRelay {
 public:
  UdpRelay(SocketFactory& sockets, PacketSink& sink, StackCounters& counters, UdpConfig config = {});
  ~UdpRelay();
  UdpRelay(const UdpRelay&) = delete;
  UdpRelay& operator=(const UdpRelay&) = delete;

  // A UDP packet from the client (parse_inbound() succeeded, flow.protocol == UDP).
  void on_datagram(const Inbound& in, std::uint64_t now_ms);
  void on_socket(std::uint64_t token, Readiness r, std::uint64_t now_ms);
  void on_timer(std::uint64_t now_ms);
  // Sends the datagrams on_datagram() held to send together; the event loop calls it after each
  // batch of packets from the client, before the timers.
  void flush();
  std::uint64_t next_deadline();
  std::size_t flows() const { return by_flow_.size(); }

 private:
  struct Flow;
  Flow* find(std::uint64_t token) const;
  void remove(Flow& f);
  void to_client(Flow& f, std::size_t payload, std::uint16_t gso_size);
  // One send of `datagrams` datagrams (gso_size 0: one datagram), counted either way.
  void send(Flow& f, std::span<const std::uint8_t> payload, std::uint16_t gso_size, std::size_t datagrams);
  // What a send of `datagrams` datagrams did: counted in, or dropped with the send's reason.
  void count_send(const IoResult& r, std::size_t datagrams);
  void send_train();

  // A train: consecutive datagrams of one flow, all `size` bytes but the last, which may be
  // shorter and then ends the train. Sent as one UDP_SEGMENT send, it costs one system call
  // and one trip through the kernel's UDP, IP and veth paths instead of one per datagram. One
  // train at a time (a datagram of another flow sends the train first), so the memory it holds
  // is one buffer of kMaxTrainBytes, whatever the number of flows.
  struct Train {
    std::uint64_t token = 0;
    std::uint16_t size = 0;
    std::size_t count = 0;
    bool closed = false;  // ended by a shorter datagram
    std::vector<std::uint8_t> bytes;
  };
  // UDP_MAX_SEGMENTS of kernels before 6.9 (include/linux/udp.h); later ones take 128.
  static constexpr std::size_t kMaxTrain = 64;
  static constexpr std::size_t kMaxTrainBytes = 65507;  // an IPv4 datagram's largest payload
  Train train_;

  SocketFactory& sockets_;
  PacketSink& sink_;
  StackCounters& counters_;
  UdpConfig config_;
  SlotTable<Flow> slots_;
  std::unordered_map<FlowKey, std::uint32_t, FlowKeyHash> by_flow_;
  using Timer = std::pair<std::uint64_t, std::uint64_t>;  // (idle deadline, token)
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
};

// Tokens of UDP flows carry this bit, so an event loop can tell them from TCP connections.
inline constexpr std::uint64_t kUdpTokenBit = std::uint64_t{1} << 63;

}  // namespace stack
