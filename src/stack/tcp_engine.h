#pragma once
// The TCP half of the stack: terminates every TCP connection the client opens through the TUN
// and relays its bytes over a kernel socket to the same address and port (transparently).
//
// Design (docs/stack.md):
// - Nothing is buffered in user space but data beyond a gap. Client → server: a segment's payload
//   goes straight into the kernel socket; we acknowledge only what the socket accepted and
//   advertise the room left in its send buffer as our window. Data beyond a gap is held (bounded,
//   ReassemblyQueue), reported in SACK blocks, and written to the socket once the gap is filled. Server → client: bytes
//   stay in the socket's receive buffer until the client acknowledges them; we peek them at a running offset into the
//   packet we are building, consume what was acknowledged, and rewind the offset to retransmit.
// - Large frames: data to the client leaves as GSO super-packets (up to 64 KB, gso_size = the
//   client's MSS), data from the client arrives as super-packets from its TSO; checksums are
//   left partial (NEEDS_CSUM) for the kernel.
// - The handshake completes towards the client only once the server accepted the connection;
//   a refused or unreachable server is answered with RST.
// - Loss recovery towards the client: on the third duplicate ACK, the holes between the blocks the
//   client SACKed are resent, each once per recovery (SackScoreboard; go-back-N from the first
//   unacknowledged byte when it sent none); the retransmission timer (RFC 6298 with timestamps)
//   goes back to the first unacknowledged byte; a persist timer with zero-window probes, and
//   bounded retries.
// - Single-threaded; time comes in as milliseconds from the caller, so tests drive it.
#include <cstdint>
#include <memory>
#include <queue>
#include <random>
#include <unordered_map>
#include <vector>

#include "stack/counters.h"
#include "stack/flow.h"
#include "stack/inbound.h"
#include "stack/packet_sink.h"
#include "stack/reassembly.h"
#include "stack/slot_table.h"
#include "stack/socket.h"

namespace stack {

struct TcpOptionsConfig {
  std::size_t max_connections = 65536;
  std::uint16_t mss_v4 = 1460;    // advertised to the client: TUN MTU − 40
  std::uint16_t mss_v6 = 1440;    // TUN MTU − 60
  std::uint8_t window_scale = 7;  // our shift when the client offers window scaling
  std::uint32_t initial_rto_ms = 1000;
  std::uint32_t min_rto_ms = 200;
  std::uint32_t max_rto_ms = 60000;
  std::uint32_t syn_ack_retries = 5;
  std::uint32_t max_retries = 15;  // timeouts in a row without progress before a reset
  std::uint32_t connect_timeout_ms = 30000;
  std::uint32_t linger_ms = 2000;  // a finished connection answers retransmitted FINs this long
  std::uint32_t dupack_threshold = 3;
  // Data beyond a gap held per connection, in at most this many pieces, and across all of them.
  // 8 MiB is the largest window we can advertise (0xFFFF << 7), so one connection can hold all
  // the client may send past a gap; the total bounds what many lossy connections hold at once.
  std::size_t held_bytes = std::size_t{8} << 20;
  std::size_t held_pieces = 64;
  std::size_t held_bytes_total = std::size_t{64} << 20;
  std::uint32_t isn_seed = 0;  // seeds our initial sequence numbers; 0: std::random_device
                               // (a fixed seed replays a run: tests, the fuzz target)
};

class TcpEngine {
 public:
  TcpEngine(SocketFactory& sockets, PacketSink& sink, StackCounters& counters, TcpOptionsConfig config = {});
  ~TcpEngine();
  TcpEngine(const TcpEngine&) = delete;
  TcpEngine& operator=(const TcpEngine&) = delete;

  // A TCP segment from the client (parse_inbound() succeeded, flow.protocol == TCP).
  void on_segment(const Inbound& in, std::uint64_t now_ms);
  // Readiness of the socket created with `token`.
  void on_socket(std::uint64_t token, Readiness r, std::uint64_t now_ms);
  // Sends what the last batch of segments and events made due (one ACK per connection at most).
  void flush(std::uint64_t now_ms);
  // Runs the timers that are due.
  void on_timer(std::uint64_t now_ms);
  // The earliest timer deadline in ms, or 0 when no timer is armed.
  std::uint64_t next_deadline();

  std::size_t connections() const { return by_flow_.size(); }
  // Bytes held beyond gaps, over all connections.
  std::size_t held_bytes() const { return held_budget_.used; }
  // Whether `token` belongs to a live connection (tests; the event loop routes by token).
  bool knows(std::uint64_t token) const { return find(token) != nullptr; }

 private:
  struct Connection;

  Connection* find(std::uint64_t token) const;
  Connection* create(const Inbound& in, std::uint64_t now_ms);
  void remove(Connection& c);

  void on_syn(const Inbound& in, std::uint64_t now_ms);
  void on_connected(Connection& c, std::uint64_t now_ms);
  void on_ack(Connection& c, const Inbound& in, std::uint64_t now_ms);
  void on_payload(Connection& c, const Inbound& in);
  // Data beyond a gap: held for later, or counted as dropped.
  void hold(Connection& c, const Inbound& in);
  // Writes bytes at rcv_nxt to the socket; false when the connection was reset (c is gone).
  bool deliver(Connection& c, std::span<const std::uint8_t> data);
  // Writes the held bytes the gap no longer separates, then a held FIN; false when c is gone.
  bool deliver_held(Connection& c);
  void client_finished(Connection& c);
  void send_data(Connection& c, std::uint64_t now_ms);
  // Rewinds to the first unacknowledged byte (and ends a SACK recovery).
  void go_back(Connection& c);
  // In a SACK recovery: resends the holes at or after rexmit_nxt below the highest SACKed byte.
  void resend_holes(Connection& c, std::uint64_t now_ms);
  void on_rto(Connection& c, std::uint64_t now_ms);
  void on_persist(Connection& c, std::uint64_t now_ms);
  void on_window_check(Connection& c, std::uint64_t now_ms);
  // The server refused or never answered: RST to the client's SYN, the connection removed.
  void refuse(Connection& c);
  void maybe_finish(Connection& c, std::uint64_t now_ms);
  // RST to the client, the socket aborted, the connection removed.
  void reset(Connection& c, bool abort_socket);

  // Packets to the client.
  std::size_t header_size(const Connection& c) const;
  // The largest payload of one super-packet to the client: whole segments within 64 KB of IP.
  std::size_t max_payload(const Connection& c) const;
  void emit(Connection& c, std::uint8_t flags, std::uint32_t seq, std::size_t payload, std::uint64_t now_ms);
  void emit_syn_ack(Connection& c, std::uint64_t now_ms);
  void send_rst_for(const Inbound& in);
  std::uint32_t advertised_window(Connection& c);

  void mark_due(Connection& c);  // an ACK is due at flush()
  void arm(Connection& c);       // (re)schedules c's earliest deadline

  SocketFactory& sockets_;
  PacketSink& sink_;
  StackCounters& counters_;
  TcpOptionsConfig config_;
  std::mt19937 random_;
  HeldBudget held_budget_;  // before slots_: the connections give their bytes back as they go

  SlotTable<Connection> slots_;
  std::unordered_map<FlowKey, std::uint32_t, FlowKeyHash> by_flow_;
  std::vector<std::uint32_t> due_;  // slots with an ACK to send at flush()
  std::uint64_t epoch_ = 1;         // loop iterations (flush() calls): ages cached send_space()
  // (deadline, token): stale entries are skipped when popped.
  using Timer = std::pair<std::uint64_t, std::uint64_t>;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
};

}  // namespace stack
