#pragma once
// The stack's TCP engine and UDP relay over fakes (fake_sockets.h and a recording TUN), with a
// "client" that builds real packets (packet::encode) and reads back what the stack wrote. Time
// is the rig's own clock, advanced by the test. Links tb_stack.
#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include "packet/encode.h"
#include "packet/ip_packet.h"
#include "packet/tcp_header.h"
#include "packet/udp_header.h"
#include "stack/counters.h"
#include "stack/inbound.h"
#include "stack/packet_sink.h"
#include "stack/tcp_engine.h"
#include "stack/tcp_options.h"
#include "stack/udp_relay.h"
#include "support/client_flow.h"
#include "support/fake_sockets.h"
#include "support/syn_options.h"

namespace tbtest {

// Short names for the TCP flags the stack's tests spell their packets with.
inline constexpr std::uint8_t kSyn = packet::TcpHeader::kSyn, kAck = packet::TcpHeader::kAckFlag,
                              kFin = packet::TcpHeader::kFin, kRst = packet::TcpHeader::kRst,
                              kPsh = packet::TcpHeader::kPsh;
// The client's initial sequence number, where a test picks one.
inline constexpr std::uint32_t kIsn = 1000;
inline constexpr std::size_t kCapacity = FakeStreamSocket::kDefaultCapacity;

// Every packet the stack wrote to the TUN, with its virtio-net header.
class RecordingSink final : public stack::PacketSink {
 public:
  struct Written {
    vnet::VnetHeader header;
    Bytes bytes;
  };
  std::vector<Written> written;
  bool refuse = false;  // send() returns false (a TUN that refuses writes)

  std::span<std::uint8_t> buffer() override { return buffer_; }
  bool send(std::size_t length, const vnet::VnetHeader& header) override {
    EXPECT_LE(length, 65535u) << "a packet the TUN cannot take";
    if (refuse) return false;
    written.push_back({header, Bytes(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(length))});
    return true;
  }

 private:
  // On the heap, exactly as large as the real sink's (tunstack's TunSink): ASan catches a write
  // past it, which a std::array member would let run into the next member unnoticed.
  Bytes buffer_ = Bytes(65536);
};

// A TCP segment the stack wrote, taken apart.
struct TcpOut {
  vnet::VnetHeader header;
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;
  stack::TcpOptions options;
  Bytes payload;
  Bytes bytes;  // the whole IP packet
  bool has(std::uint8_t f) const { return (flags & f) == f; }
};

inline TcpOut parse_out(const RecordingSink::Written& w) {
  TcpOut o;
  o.header = w.header;
  o.bytes = w.bytes;
  const auto ip = packet::parse_ip(w.bytes);
  EXPECT_TRUE(ip.ok) << "the stack wrote an unparseable packet";
  EXPECT_EQ(ip.layers.l4_protocol, packet::kProtoTcp) << "take() found a packet that is not TCP";
  if (!ip.ok || ip.layers.l4_protocol != packet::kProtoTcp) return o;
  const packet::ConstTcpHeader t(std::span<const std::uint8_t>(w.bytes).subspan(ip.layers.l4_offset));
  o.seq = t.seq();
  o.ack = t.ack();
  o.flags = t.flags();
  o.window = t.window();
  EXPECT_TRUE(stack::parse_tcp_options(t.options(), o.options));
  o.payload.assign(w.bytes.begin() + static_cast<std::ptrdiff_t>(ip.layers.l4_offset + t.header_length()),
                   w.bytes.end());
  return o;
}

// A UDP packet the stack wrote, taken apart.
struct UdpOut {
  vnet::VnetHeader header;
  int version = 0;
  std::uint16_t src_port = 0, dst_port = 0;
  std::uint16_t udp_length = 0;  // the UDP header's length field
  std::uint16_t checksum = 0;
  Bytes payload;
  Bytes bytes;  // the whole IP packet
};

inline UdpOut parse_udp_out(const RecordingSink::Written& w) {
  UdpOut o;
  o.header = w.header;
  o.bytes = w.bytes;
  const auto ip = packet::parse_ip(w.bytes);
  EXPECT_TRUE(ip.ok) << "the stack wrote an unparseable packet";
  EXPECT_EQ(ip.layers.l4_protocol, packet::kProtoUdp) << "take_udp() found a packet that is not UDP";
  if (!ip.ok || ip.layers.l4_protocol != packet::kProtoUdp) return o;
  const auto l4 = std::span<const std::uint8_t>(w.bytes).subspan(ip.layers.l4_offset);
  if (!packet::ConstUdpHeader::fits(l4)) return o;
  const packet::ConstUdpHeader u(l4);
  o.version = ip.layers.version;
  o.src_port = u.src_port();
  o.dst_port = u.dst_port();
  o.udp_length = u.length();
  o.checksum = u.checksum();
  o.payload.assign(l4.begin() + packet::ConstUdpHeader::kSize, l4.end());
  return o;
}

// A TCP segment from the client, as bytes (full checksum): for tests that break it on purpose.
inline Bytes tcp_packet(const ClientFlow& f, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                        std::uint16_t window, const Bytes& payload = {}, const Bytes& options = {}) {
  packet::IpFields ip;
  ip.version = f.version;
  ip.src = f.client;
  ip.dst = f.server;
  packet::TcpFields t;
  t.src_port = f.client_port;
  t.dst_port = f.server_port;
  t.seq = seq;
  t.ack = ack;
  t.flags = flags;
  t.window = window;
  t.options = options;
  const std::size_t hl = packet::tcp_headers_size(f.version, options.size());
  Bytes b(hl + payload.size());
  std::copy(payload.begin(), payload.end(), b.begin() + static_cast<std::ptrdiff_t>(hl));
  const std::size_t len = packet::encode_tcp(b, ip, t, payload.size(), packet::L4Checksum::kFull);
  EXPECT_NE(len, 0u) << "tcp_packet(): the segment does not encode";
  b.resize(len);
  return b;
}

// A UDP datagram from the client (full checksum), or with gso_size a USO super-packet as a TUN
// read delivers it: {vnet header (NEEDS_CSUM, UDP_L4), packet with a partial checksum}.
struct ClientPacket {
  vnet::VnetHeader header;
  Bytes bytes;
};
inline ClientPacket udp_packet(const ClientFlow& f, const Bytes& payload, std::uint16_t gso_size = 0) {
  packet::IpFields ip;
  ip.version = f.version;
  ip.src = f.client;
  ip.dst = f.server;
  const packet::UdpFields u{f.client_port, f.server_port};
  const std::size_t hl = packet::udp_headers_size(f.version);
  ClientPacket p;
  p.bytes.resize(hl + payload.size());
  std::copy(payload.begin(), payload.end(), p.bytes.begin() + static_cast<std::ptrdiff_t>(hl));
  const std::size_t len = packet::encode_udp(p.bytes, ip, u, payload.size(),
                                             gso_size ? packet::L4Checksum::kPartial : packet::L4Checksum::kFull);
  EXPECT_NE(len, 0u) << "udp_packet(): the datagram does not encode";
  p.bytes.resize(len);
  if (gso_size != 0) {
    p.header.flags = vnet::kFlagNeedsCsum;
    p.header.gso_type = vnet::kGsoUdpL4;
    p.header.gso_size = gso_size;
    p.header.hdr_len = static_cast<std::uint16_t>(hl);
    p.header.csum_start = static_cast<std::uint16_t>(packet::ip_header_size(f.version));
    p.header.csum_offset = static_cast<std::uint16_t>(packet::UdpHeader::kChecksumOffset);
  }
  return p;
}

class StackRig {
 public:
  explicit StackRig(stack::TcpOptionsConfig tcp = {}, stack::UdpConfig udp = {})
      : tcp_(sockets_, sink_, counters_, tcp), udp_(sockets_, sink_, counters_, udp) {}

  std::uint64_t now = 1000;
  FakeSocketFactory& sockets() { return sockets_; }
  RecordingSink& sink() { return sink_; }
  stack::StackCounters& counters() { return counters_; }
  stack::TcpEngine& tcp() { return tcp_; }
  stack::UdpRelay& udp() { return udp_; }

  // Builds a TCP segment from the client and feeds it through parse_inbound() and the engine
  // (then flush(), as the event loop does after a batch). Returns the drop reason, if any.
  std::optional<stack::Drop> client_sends(const ClientFlow& f, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                                          std::uint16_t window, const Bytes& payload = {}, const Bytes& options = {},
                                          bool corrupt_checksum = false) {
    Bytes b = tcp_packet(f, seq, ack, flags, window, payload, options);
    if (corrupt_checksum && !b.empty()) b.back() ^= 0xFF;
    return feed({}, b);
  }
  // A UDP datagram (or, with gso_size, a USO super-packet) from the client.
  std::optional<stack::Drop> client_sends_udp(const ClientFlow& f, const Bytes& payload, std::uint16_t gso_size = 0) {
    const auto p = udp_packet(f, payload, gso_size);
    return feed(p.header, p.bytes);
  }

  // Any packet bytes with a virtio-net header, as if read from the TUN.
  std::optional<stack::Drop> feed(const vnet::VnetHeader& h, std::span<const std::uint8_t> bytes) {
    ++counters_.packets_in;
    stack::Inbound in;
    if (const auto drop = stack::parse_inbound(h, bytes, in)) {
      counters_.drop(*drop);
      return drop;
    }
    if (in.flow.protocol == packet::kProtoTcp)
      tcp_.on_segment(in, now);
    else
      udp_.on_datagram(in, now);
    if (!in_batch_) end_batch();
    return std::nullopt;
  }
  // Everything `packets` feeds as one batch read from the TUN, then the end of the batch.
  void batch(const std::function<void()>& packets) {
    in_batch_ = true;
    packets();
    in_batch_ = false;
    end_batch();
  }

  // What the event loop does after a batch (StackLoop::finish()).
  void end_batch() {
    udp_.flush();
    tcp_.flush(now);
  }

  void advance(std::uint64_t ms) {
    now += ms;
    tcp_.on_timer(now);
    udp_.on_timer(now);
    tcp_.flush(now);
  }
  void socket_event(std::uint64_t token, stack::Readiness r) {
    if (token & stack::kUdpTokenBit)
      udp_.on_socket(token, r, now);
    else
      tcp_.on_socket(token, r, now);
    tcp_.flush(now);
  }

  // The packets written since the last take*() call, as written.
  std::vector<RecordingSink::Written> take_written() {
    std::vector<RecordingSink::Written> out(sink_.written.begin() + static_cast<std::ptrdiff_t>(seen_),
                                            sink_.written.end());
    seen_ = sink_.written.size();
    return out;
  }
  // The TCP segments written since the last call.
  std::vector<TcpOut> take() {
    std::vector<TcpOut> out;
    for (const auto& w : take_written()) out.push_back(parse_out(w));
    return out;
  }
  // The UDP packets written since the last call.
  std::vector<UdpOut> take_udp() {
    std::vector<UdpOut> out;
    for (const auto& w : take_written()) out.push_back(parse_udp_out(w));
    return out;
  }

  // SYN (with `syn_options`), the server accepts, SYN-ACK, ACK: an established connection.
  // Returns the socket's token; `syn_ack` gets the SYN-ACK.
  std::uint64_t establish(const ClientFlow& f, std::uint32_t isn, const Bytes& syn_options, TcpOut* syn_ack = nullptr,
                          std::uint16_t window = 65535) {
    client_sends(f, isn, 0, packet::TcpHeader::kSyn, window, {}, syn_options);
    EXPECT_EQ(sockets_.streams.size(), streams_before_ + 1) << "no socket was opened for the SYN";
    const std::uint64_t token = sockets_.last_stream;
    streams_before_ = sockets_.streams.size();
    socket_event(token, {false, true, false});
    const auto out = take();
    EXPECT_EQ(out.size(), 1u);
    if (out.empty()) return token;
    EXPECT_TRUE(out[0].has(packet::TcpHeader::kSyn | packet::TcpHeader::kAckFlag));
    if (syn_ack) *syn_ack = out[0];
    client_sends(f, isn + 1, out[0].seq + 1, packet::TcpHeader::kAckFlag, window);
    take();
    return token;
  }

  // An established connection as a test drives it: its token, the fake socket (the server),
  // our initial sequence number (data to the client starts at iss + 1) and the SYN-ACK.
  struct Connection {
    std::uint64_t token = 0;
    FakeStreamSocket* socket = nullptr;
    std::uint32_t iss = 0;
    TcpOut syn_ack;
  };
  Connection open(const ClientFlow& f, std::uint32_t isn, const Bytes& syn_options, std::uint16_t window = 65535) {
    Connection c;
    c.token = establish(f, isn, syn_options, &c.syn_ack, window);
    c.socket = sockets_.streams.at(c.token);
    c.iss = c.syn_ack.seq;
    return c;
  }

 private:
  FakeSocketFactory sockets_;
  RecordingSink sink_;
  stack::StackCounters counters_;
  stack::TcpEngine tcp_;
  stack::UdpRelay udp_;
  std::size_t seen_ = 0;
  bool in_batch_ = false;  // inside batch(): feed() leaves the end of the batch to it
  std::size_t streams_before_ = 0;
};

// SYN option bytes with each offer on or off, NOP-padded to a multiple of 4.
inline Bytes syn_options(std::optional<std::uint16_t> mss, std::optional<std::uint8_t> wscale, bool sack,
                         std::optional<std::uint32_t> ts_val) {
  Bytes b;
  if (mss)
    b.insert(b.end(), {stack::kOptMss, 4, static_cast<std::uint8_t>(*mss >> 8), static_cast<std::uint8_t>(*mss)});
  if (sack) b.insert(b.end(), {stack::kOptNop, stack::kOptNop, stack::kOptSackPermitted, 2});
  if (ts_val) {
    const std::uint32_t v = *ts_val;
    b.insert(b.end(), {stack::kOptNop, stack::kOptNop, stack::kOptTimestamps, 10, static_cast<std::uint8_t>(v >> 24),
                       static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 8),
                       static_cast<std::uint8_t>(v), 0, 0, 0, 0});
  }
  if (wscale) b.insert(b.end(), {stack::kOptNop, stack::kOptWindowScale, 3, *wscale});
  return b;
}

// The timestamps option of a non-SYN segment (NOP, NOP, TS val ecr): 12 bytes.
inline Bytes ts_option(std::uint32_t val, std::uint32_t ecr) {
  Bytes b(stack::kTimestampOptionSize);
  stack::write_timestamps(val, ecr, std::span<std::uint8_t, stack::kTimestampOptionSize>(b.data(), b.size()));
  return b;
}

// MSS 1460 and nothing else: no timestamps (so no RTT samples and a fixed RTO), no scaling.
inline Bytes plain_options() { return syn_options(1460, std::nullopt, false, std::nullopt); }

// Bytes [from, to) of b.
inline Bytes slice(const Bytes& b, std::size_t from, std::size_t to) {
  return Bytes(b.begin() + static_cast<std::ptrdiff_t>(from), b.begin() + static_cast<std::ptrdiff_t>(to));
}

}  // namespace tbtest
