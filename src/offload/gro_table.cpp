#include "offload/gro_table.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <type_traits>
#include <vector>

#include "offload/plant.h"
#include "packet/checksum.h"
#include "packet/ip_packet.h"
#include "packet/ipv4_header.h"
#include "packet/ipv6_header.h"
#include "packet/tcp_header.h"
#include "packet/udp_header.h"
#include "packet/view.h"

// Choices beyond docs/offload.md §6, all made so that splitting a merged write (§5) gives back
// the original packets byte for byte:
// - IPv4 IDs must count up from the run's head (head ID + index), because §5 rewrites them
//   that way; the kernel's own GRO has the same rule for non-DF packets.
// - The whole TCP header except seq, flags and checksum must match the head (urgent pointer
//   and reserved bits too), because §5 copies the head's header into every segment.
// - A checksum field of 0xFFFF (TCP, IPv4 header) verifies like 0x0000 but §5 recomputes it
//   as 0x0000, so such a packet passes through rather than merge into something different.
// - A packet that may not merge but whose flow is known (pure ACK, FIN, bad checksum, IPv4
//   options...) closes every run of its flow, so nothing of that flow that arrives later is
//   moved in front of it.
// - Prepend (rule 9, optional) is not done: a segment must extend a run at its end.
namespace offload {

namespace {

using Bytes = std::span<const std::uint8_t>;
using packet::ConstIpv4Header;
using packet::ConstIpv6Header;
using packet::ConstTcpHeader;
using packet::ConstUdpHeader;

constexpr std::size_t kMaxIpPacket = 65535;
constexpr std::int32_t kNone = -1;
// TCP may extend any open run of its flow (rule 9); a flow rarely has more than one or two
// (a new ACK number starts a new run), so the search stops after a few to bound the cost.
constexpr int kMaxRunsSearched = 8;
constexpr std::uint8_t kTcpAck = packet::TcpHeader::kAckFlag;
constexpr std::uint8_t kTcpAckPsh = packet::TcpHeader::kAckFlag | packet::TcpHeader::kPsh;

// Rule 2's flow identity, laid out without padding holes so it compares and hashes as bytes.
struct FlowKey {
  std::array<std::uint8_t, 32> addrs{};  // source then destination; IPv4 fills the first 8
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  std::uint32_t flow_label = 0;
  std::uint8_t version = 0;
  std::uint8_t proto = 0;
  std::array<std::uint8_t, 6> pad{};
  bool operator==(const FlowKey&) const = default;
};
static_assert(sizeof(FlowKey) == 48 && std::has_unique_object_representations_v<FlowKey>);

std::uint64_t hash(const FlowKey& k) {
  std::array<std::uint64_t, sizeof(FlowKey) / 8> w;
  std::memcpy(w.data(), &k, sizeof k);
  std::uint64_t h = 0x243F6A8885A308D3ull;
  for (std::uint64_t x : w) h = (h ^ x) * 0x9E3779B97F4A7C15ull;
  return h ^ (h >> 29);
}

std::uint64_t pseudo_sum(const FlowKey& k, std::uint32_t l4_length) {
  const auto* a = k.addrs.data();
  if (k.version == 4)
    return packet::pseudo_header_sum_v4(std::span<const std::uint8_t, 4>(a, 4),
                                        std::span<const std::uint8_t, 4>(a + 4, 4), k.proto, l4_length);
  return packet::pseudo_header_sum_v6(std::span<const std::uint8_t, 16>(a, 16),
                                      std::span<const std::uint8_t, 16>(a + 16, 16), k.proto, l4_length);
}

enum class Kind : std::uint8_t {
  kOpaque,     // no usable flow: passes through, orders against nothing
  kBarrier,    // flow known but may not merge: passes through and closes its flow's runs
  kCandidate,  // may start or join a run
};

struct Classified {
  Kind kind = Kind::kOpaque;
  FlowKey key;
  std::uint16_t l3_len = 0;
  std::uint16_t hdr_len = 0;  // L3 + L4 headers
};

// Rules 1, 4, 5 and 6: everything that can be decided from one packet alone. `checksum`: a
// computed checksum satisfies rule 6 without summing; a partial one holds the pseudo-header sum,
// and so says nothing about the bytes, whatever its value.
Classified classify(const Segment& s, const GroOptions& o, std::uint8_t checksum) {
  const Bytes p = s.head;  // every header must lie here; the payload may go on in s.tail
  const std::size_t size = s.size();
  const bool checksum_ok = checksum != kChecksumVerify;
  const bool partial = checksum == kChecksumPartial;
  Classified c;
  if (p.empty()) return c;
  FlowKey& key = c.key;
  key.version = p[0] >> 4;
  std::size_t l3 = 0;
  bool ip_ok = false;
  if (key.version == 4) {
    if (!ConstIpv4Header::fits(p)) return c;
    ConstIpv4Header ip(p);
    l3 = ip.header_length();
    // A later fragment carries no ports: it belongs to no flow we can name.
    if (l3 < ConstIpv4Header::kMinSize || l3 > p.size() || ip.fragment_offset() != 0) return c;
    key.proto = ip.protocol();
    std::memcpy(key.addrs.data(), ip.src().data(), 4);
    std::memcpy(key.addrs.data() + 4, ip.dst().data(), 4);
    ip_ok = l3 == ConstIpv4Header::kMinSize && ip.total_length() == size && !ip.more_fragments() &&
            ip.checksum() != 0xFFFF && ip.checksum_valid();
  } else if (key.version == 6) {
    if (!ConstIpv6Header::fits(p)) return c;
    ConstIpv6Header ip(p);
    l3 = ConstIpv6Header::kSize;
    key.proto = ip.next_header();
    ip_ok = std::size_t{ip.payload_length()} + l3 == size;
    if (key.proto != packet::kProtoTcp && key.proto != packet::kProtoUdp) {
      // Extension headers (rule 1) never merge, but their flow still orders (barrier).
      auto parsed = packet::parse_ip(p, size);
      if (!parsed.ok) return c;
      l3 = parsed.layers.l4_offset;
      key.proto = parsed.layers.l4_protocol;
      ip_ok = false;
    }
    key.flow_label = ip.flow_label();
    std::memcpy(key.addrs.data(), ip.src().data(), 16);
    std::memcpy(key.addrs.data() + 16, ip.dst().data(), 16);
  } else {
    return c;
  }

  if (l3 > p.size()) return c;
  const Bytes l4 = p.subspan(l3);  // its headers; the whole L4 packet is l4_len long
  const auto l4_len = static_cast<std::uint32_t>(size - l3);
  // The checksum over both pieces; a sum carries on from one piece to the next only after an
  // even number of bytes (a head that ends at the headers always does).
  const auto verifies = [&] {
    if (s.tail.empty()) return packet::sum_verifies(packet::sum_bytes(l4, pseudo_sum(key, l4_len)));
    if (l4.size() % 2 != 0) return false;
    return packet::sum_verifies(packet::sum_bytes(s.tail, packet::sum_bytes(l4, pseudo_sum(key, l4_len))));
  };
  if (key.proto == packet::kProtoTcp) {
    if (!ConstTcpHeader::fits(l4)) return c;
    ConstTcpHeader tcp(l4);
    key.sport = tcp.src_port();
    key.dport = tcp.dst_port();
    c.kind = Kind::kBarrier;
    const std::size_t th = tcp.header_length();
    if (!ip_ok || !o.tcp || th < ConstTcpHeader::kMinSize || th >= l4_len || th > l4.size()) return c;
    if (tcp.flags() != kTcpAck && tcp.flags() != kTcpAckPsh) return c;
    if (!partial && tcp.checksum() == 0xFFFF) return c;
    if (!checksum_ok && !verifies()) return c;
    c.hdr_len = static_cast<std::uint16_t>(l3 + th);
  } else if (key.proto == packet::kProtoUdp) {
    if (!ConstUdpHeader::fits(l4)) return c;
    ConstUdpHeader udp(l4);
    key.sport = udp.src_port();
    key.dport = udp.dst_port();
    c.kind = Kind::kBarrier;
    if (!ip_ok || !o.udp || o.max_udp_segments < 2) return c;
    if (udp.length() != l4_len || l4_len == ConstUdpHeader::kSize) return c;
    if (!partial && udp.checksum() == 0) return c;
    if (!checksum_ok && !verifies()) return c;
    c.hdr_len = static_cast<std::uint16_t>(l3 + ConstUdpHeader::kSize);
  } else {
    return c;
  }
  c.l3_len = static_cast<std::uint16_t>(l3);
  c.kind = Kind::kCandidate;
  return c;
}

// The header of a packet written alone whose L4 checksum field holds the pseudo-header sum.
vnet::VnetHeader needs_csum_header(const Segment& s) {
  vnet::VnetHeader h;
  const auto parsed = packet::parse_ip(s.head, s.size());
  if (!parsed.ok) return h;  // not from gso_split: cannot happen, and the kernel would drop it anyway
  const auto& l = parsed.layers;
  h.flags = vnet::kFlagNeedsCsum;
  h.csum_start = static_cast<std::uint16_t>(l.l4_offset);
  h.csum_offset = static_cast<std::uint16_t>(l.l4_protocol == packet::kProtoTcp ? packet::TcpHeader::kChecksumOffset
                                                                                : packet::UdpHeader::kChecksumOffset);
  return h;
}

}  // namespace

struct GroTable::State {
  // Per input packet of the current batch.
  struct Member {
    std::uint16_t l3_len = 0;
    std::uint16_t hdr_len = 0;
    std::uint16_t payload_len = 0;
    std::int32_t next = kNone;  // next packet of the same run
  };
  // A pending output: a run of one or more packets. Runs are created in arrival order of
  // their first packet, which is the output order.
  struct Run {
    std::int32_t head = 0;
    std::int32_t tail = 0;
    std::uint32_t count = 1;
    std::uint32_t total_len = 0;  // IP length of the merged packet so far
    std::uint32_t next_seq = 0;   // TCP: sequence number the next segment must carry
    std::uint16_t gso_size = 0;
    std::int32_t older = kNone;    // previous run of the same flow
    const FlowKey* key = nullptr;  // into the slot table, which does not move during a batch
    bool closed = true;
    bool copied = false;            // merged: payload copied into the buffer, not gathered
    std::uint32_t first_piece = 0;  // merged and gathered: its entries in `pieces`
    std::uint32_t pieces = 0;
  };
  struct Slot {
    std::uint32_t stamp = 0;  // slot is live in the batch whose stamp matches
    std::int32_t newest = kNone;
    FlowKey key;
  };

  std::vector<Member> members;
  std::vector<Run> runs;
  std::vector<Slot> slots;
  std::uint32_t stamp = 0;
  std::vector<std::uint8_t> buffer;
  std::vector<Bytes> pieces;     // the payload pieces gathered outputs point into
  std::vector<Segment> wrapped;  // the whole-packet overload's input, as segments
  std::vector<GroOutput> outputs;

  void begin(std::size_t n) {
    members.resize(n);
    runs.clear();
    outputs.clear();
    std::size_t want = std::bit_ceil(std::max<std::size_t>(16, 2 * n));
    if (slots.size() < want) {
      slots.assign(want, Slot{});
      stamp = 0;
    }
    if (++stamp == 0) {  // wrapped: old stamps could look live again
      for (auto& s : slots) s.stamp = 0;
      stamp = 1;
    }
  }

  // Rules 3 and 7-14 for appending packet `p` (already classified as `m`) to `run`.
  bool can_join(const Run& run, Bytes head, Bytes p, const Member& m, const GroOptions& o) const {
    if (run.closed || m.payload_len > run.gso_size || run.total_len + m.payload_len > kMaxIpPacket) return false;
    if (members[static_cast<std::size_t>(run.head)].hdr_len != m.hdr_len) return false;
    if (run.key->version == 4) {
      ConstIpv4Header a(head), b(p);
      if (a.tos() != b.tos() || a.ttl() != b.ttl() || a.flags_fragment() != b.flags_fragment() ||
          b.id() != static_cast<std::uint16_t>(a.id() + run.count))
        return false;
    } else {
      ConstIpv6Header a(head), b(p);
      if (a.traffic_class() != b.traffic_class() || a.hop_limit() != b.hop_limit()) return false;
    }
    if (run.key->proto == packet::kProtoUdp) return run.count < o.max_udp_segments;
    ConstTcpHeader a(head.subspan(m.l3_len)), b(p.subspan(m.l3_len));
    if (b.seq() != run.next_seq || a.ack() != b.ack() || a.window() != b.window() || a.urgent() != b.urgent() ||
        a.data_offset() != b.data_offset() || a.reserved_bits() != b.reserved_bits())
      return false;
    const auto ao = a.options(), bo = b.options();
    return std::memcmp(ao.data(), bo.data(), ao.size()) == 0;
  }

  Slot* find(const FlowKey& k, bool insert) {
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = hash(k) & mask;; i = (i + 1) & mask) {
      Slot& s = slots[i];
      if (s.stamp != stamp) {
        if (!insert) return nullptr;
        s.stamp = stamp;
        s.newest = kNone;
        s.key = k;
        return &s;
      }
      if (s.key == k) return &s;
    }
  }
};

void GroTable::StateDeleter::operator()(State* s) const { delete s; }

GroTable::GroTable(GroOptions options) : options_(options), state_(new State) {}

std::span<const GroOutput> GroTable::coalesce(std::span<const std::span<const std::uint8_t>> packets,
                                              std::span<const std::uint8_t> checksum_ok) {
  auto& wrapped = state_->wrapped;
  wrapped.resize(packets.size());
  for (std::size_t i = 0; i < packets.size(); ++i) wrapped[i] = Segment{packets[i], {}};
  return run(wrapped, checksum_ok, /*gather=*/false);
}

std::span<const GroOutput> GroTable::coalesce(std::span<const Segment> segments,
                                              std::span<const std::uint8_t> checksum_ok) {
  return run(segments, checksum_ok, /*gather=*/true);
}

std::span<const GroOutput> GroTable::run(std::span<const Segment> packets, std::span<const std::uint8_t> checksum_ok,
                                         bool gather) {
  State& st = *state_;
  st.begin(packets.size());
  for (std::size_t i = 0; i < packets.size(); ++i) {
    const Segment& p = packets[i];
    const auto idx = static_cast<std::int32_t>(i);
    const Classified c = classify(p, options_, i < checksum_ok.size() ? checksum_ok[i] : std::uint8_t{kChecksumVerify});
    State::Run single{idx, idx, 1, static_cast<std::uint32_t>(p.size()), 0, 0, kNone, nullptr, true};
    if (c.kind != Kind::kCandidate) {
      if (c.kind == Kind::kBarrier) {
        if (State::Slot* s = st.find(c.key, false)) s->newest = kNone;
      }
      st.runs.push_back(single);
      continue;
    }
    State::Member& m = st.members[i];
    m = State::Member{c.l3_len, c.hdr_len, static_cast<std::uint16_t>(p.size() - c.hdr_len), kNone};
    const bool tcp = c.key.proto == packet::kProtoTcp;
    bool psh = false;
    std::uint32_t seq = 0;
    if (tcp) {
      ConstTcpHeader t(p.head.subspan(c.l3_len));
      psh = t.flags() & packet::TcpHeader::kPsh;
      seq = t.seq();
    }

    State::Slot& slot = *st.find(c.key, true);
    // UDP may only extend the newest run of its flow (rule 14); TCP any open one (rule 9).
    const int limit = tcp ? kMaxRunsSearched : 1;
    std::int32_t r = slot.newest;
    bool joined = false;
    for (int k = 0; r != kNone && k < limit; ++k, r = st.runs[static_cast<std::size_t>(r)].older) {
      State::Run& run = st.runs[static_cast<std::size_t>(r)];
      if (!st.can_join(run, packets[static_cast<std::size_t>(run.head)].head, p.head, m, options_)) continue;
      st.members[static_cast<std::size_t>(run.tail)].next = idx;
      run.tail = idx;
      ++run.count;
      run.total_len += m.payload_len;
      run.next_seq += m.payload_len;
      run.closed = psh || m.payload_len < run.gso_size;  // rules 10 and 11
      joined = true;
      break;
    }
    if (joined) continue;

    State::Run fresh = single;
    fresh.next_seq = seq + m.payload_len;
    fresh.gso_size = m.payload_len;
    fresh.older = slot.newest;
    fresh.key = &slot.key;
    fresh.closed = psh;
    slot.newest = static_cast<std::int32_t>(st.runs.size());
    st.runs.push_back(fresh);
  }

  // Gathered, each merged run's payload becomes pieces: each member's rest of head, then its tail,
  // a piece that starts where the previous one ends extending it. A run that would take too many
  // pieces is copied instead. The piece list is reserved first so the spans handed out never move.
  std::size_t most_pieces = 0;
  for (const auto& run : st.runs) most_pieces += 2 * run.count;
  st.pieces.clear();
  if (gather && st.pieces.capacity() < most_pieces) st.pieces.reserve(most_pieces);
  const auto each_piece = [&](const State::Run& run, auto&& take) {
    for (std::int32_t i = run.head; i != kNone; i = st.members[static_cast<std::size_t>(i)].next) {
      const Segment& seg = packets[static_cast<std::size_t>(i)];
      const auto& m = st.members[static_cast<std::size_t>(i)];
      for (const Bytes b : {seg.head.subspan(m.hdr_len), seg.tail})
        if (!b.empty()) take(b);
      // Test-only (offload/plant.h): compiles to nothing unless configured with -DTUNBENCH_PLANT=gro-copy-N.
      if constexpr (plant::kGroCopyPercent != 0)
        plant::burn(seg.head.data(), m.payload_len, plant::kGroCopyPercent * plant::kRoundsPerPercent);
    }
  };
  // The merge buffer holds each merged run's headers, and its payload too when it is copied: sized
  // once, so the spans handed out never move either.
  std::size_t need = 0;
  for (auto& run : st.runs) {
    if (run.count == 1) continue;
    run.first_piece = static_cast<std::uint32_t>(st.pieces.size());
    if (gather) {
      each_piece(run, [&](Bytes b) {
        const bool joins =
            st.pieces.size() > run.first_piece && st.pieces.back().data() + st.pieces.back().size() == b.data();
        if (joins)
          st.pieces.back() = Bytes(st.pieces.back().data(), st.pieces.back().size() + b.size());
        else
          st.pieces.push_back(b);
      });
    }
    run.pieces = static_cast<std::uint32_t>(st.pieces.size() - run.first_piece);
    run.copied = !gather || run.pieces > kMaxGroPieces;
    if (run.copied) st.pieces.resize(run.first_piece);
    need += run.copied ? run.total_len : st.members[static_cast<std::size_t>(run.head)].hdr_len;
  }
  if (st.buffer.size() < need) st.buffer.resize(need);

  std::uint8_t* dst = st.buffer.data();
  for (const auto& run : st.runs) {
    const Segment& head = packets[static_cast<std::size_t>(run.head)];
    if (run.count == 1) {
      // A fresh header every time: never a stale one from an earlier merge attempt. All zero,
      // unless the checksum is partial and the kernel is to complete it.
      const auto h = static_cast<std::size_t>(run.head);
      const bool partial = h < checksum_ok.size() && checksum_ok[h] == kChecksumPartial;
      const std::span<const Bytes> more = head.tail.empty() ? std::span<const Bytes>{} : std::span(&head.tail, 1);
      st.outputs.push_back(GroOutput{partial ? needs_csum_header(head) : vnet::VnetHeader{}, head.head, more, 1});
      continue;
    }
    const auto& hm = st.members[static_cast<std::size_t>(run.head)];
    std::memcpy(dst, head.head.data(), hm.hdr_len);
    const std::size_t off = run.total_len;
    std::span<const Bytes> more;
    if (run.copied) {
      std::size_t at = hm.hdr_len;
      each_piece(run, [&](Bytes b) {
        std::memcpy(dst + at, b.data(), b.size());
        at += b.size();
      });
    } else {
      more = std::span<const Bytes>(st.pieces).subspan(run.first_piece, run.pieces);
    }
    const std::span<std::uint8_t> out(dst, run.copied ? off : hm.hdr_len);
    dst += out.size();

    const FlowKey& key = *run.key;
    const auto l4_len = static_cast<std::uint32_t>(off - hm.l3_len);
    if (key.version == 4) {
      packet::Ipv4Header ip(out.first(hm.l3_len));
      ip.set_total_length(static_cast<std::uint16_t>(off));
      ip.update_checksum();
    } else {
      packet::Ipv6Header ip(out.first(hm.l3_len));
      ip.set_payload_length(static_cast<std::uint16_t>(off - hm.l3_len));
    }
    // The kernel completes the checksum from csum_start: the field holds the folded,
    // non-inverted pseudo-header sum of the whole L4 length.
    const std::uint16_t partial = packet::fold(pseudo_sum(key, l4_len));
    vnet::VnetHeader h;
    h.flags = vnet::kFlagNeedsCsum;
    h.hdr_len = hm.hdr_len;
    h.gso_size = run.gso_size;
    h.csum_start = hm.l3_len;
    if (key.proto == packet::kProtoTcp) {
      packet::TcpHeader tcp(out.subspan(hm.l3_len));
      const Bytes last = packets[static_cast<std::size_t>(run.tail)].head;
      tcp.set_flags(ConstTcpHeader(last.subspan(hm.l3_len)).flags());  // PSH only ever on the last
      tcp.set_checksum(partial);
      h.gso_type = key.version == 4 ? vnet::kGsoTcpV4 : vnet::kGsoTcpV6;
      h.csum_offset = static_cast<std::uint16_t>(packet::TcpHeader::kChecksumOffset);
    } else {
      packet::UdpHeader udp(out.subspan(hm.l3_len));
      udp.set_length(static_cast<std::uint16_t>(l4_len));
      udp.set_checksum(partial);
      h.gso_type = vnet::kGsoUdpL4;
      h.csum_offset = static_cast<std::uint16_t>(packet::UdpHeader::kChecksumOffset);
    }
    st.outputs.push_back(GroOutput{h, out, more, run.count});
  }
  return st.outputs;
}

}  // namespace offload
