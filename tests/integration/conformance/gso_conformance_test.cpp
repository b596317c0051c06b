// Differential conformance of offload::gso_split against the kernel's software GSO (issue 6).
//
// Inside a throw-away namespace: TUN A (vnet header + offloads) and TUN B (plain, so the stack
// must segment before handing packets to it). A generated super-packet written into A with its
// virtio_net_hdr is forwarded out of B as MTU-sized segments; gso_split on the same input must
// give the same segments, except for what forwarding changes (TTL/hop limit and the IPv4 header
// checksum). Sequence numbers are arbitrary: a router does not validate TCP, and conntrack is
// not loaded in a fresh namespace.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "conformance_env.h"
#include "device/tun_device.h"
#include "offload/gso_split.h"
#include "packet_diff.h"
#include "pcapio/link_type.h"
#include "support/engine_split.h"
#include "support/netns.h"
#include "support/packet_builder.h"

namespace {

using tbtest::Bytes;
using tbtest::Failures;
using tbtest::Rng;

constexpr std::uint16_t kMarkerPort = 9;   // discard: the end-of-case marker's port
constexpr int kSplitReadTimeoutMs = 3000;  // hang guard only; every case ends with its marker

tbtest::PacketSpec addressed(int version) {
  tbtest::PacketSpec s;
  if (version == 4) {
    s.src = {10, 10, 1, 2};
    s.dst = {10, 10, 2, 2};
  } else {
    s = tbtest::v6(s);
    s.src = {0xfd, 0x10, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    s.dst = {0xfd, 0x10, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  }
  return s;
}

struct GsoCase {
  tbtest::PacketSpec spec;
  std::uint16_t mss = 0;
  std::string text;  // for reports: "v6 TCP mss 1220 payload 4000 opts TS flags 0x18 ext 1"
};

// One random case. Segments are kept to what a burst can carry (B's tx ring is raised to 4096)
// and UDP to UDP_MAX_SEGMENTS (64), beyond which the write itself is refused (docs/offload.md §4).
GsoCase generate_case(Rng& rng, std::size_t index) {
  GsoCase c;
  const int version = rng.chance(50) ? 4 : 6;
  tbtest::PacketSpec& s = c.spec;
  s = addressed(version);
  s.proto = rng.chance(60) ? packet::kProtoTcp : packet::kProtoUdp;
  s.sport = static_cast<std::uint16_t>(20000 + index % 40000);
  s.dport = tbtest::kConformanceDataPort;
  s.ttl = static_cast<std::uint8_t>(rng.range(2, 255));
  static constexpr std::uint8_t kTos[] = {0x00, 0x10, 0xb8, 0x02, 0x01, 0x03};
  s.tos = kTos[rng.range(0, std::size(kTos) - 1)];
  std::string ext;
  if (version == 4) {
    s.id = static_cast<std::uint16_t>(rng.next());
    s.df = rng.chance(70);
  } else {
    s.flow_label = static_cast<std::uint32_t>(rng.next() & 0xFFFFF);
    if (rng.chance(8)) s.ipv6_ext_headers.push_back({packet::kProtoHopByHop, 8});
    if (rng.chance(20)) s.ipv6_ext_headers.push_back({packet::kProtoDestOpts, rng.chance(50) ? 8u : 16u});
    for (const auto& e : s.ipv6_ext_headers) ext += " ext" + std::to_string(e.type) + "/" + std::to_string(e.size);
  }
  std::string opts = "none";
  if (s.proto == packet::kProtoTcp) {
    s.seq = static_cast<std::uint32_t>(rng.next());
    s.ack = static_cast<std::uint32_t>(rng.next());
    s.window = static_cast<std::uint16_t>(rng.next());
    static constexpr std::uint8_t kFlags[] = {0x10, 0x18, 0x19, 0x90, 0x50, 0xd8, 0x11};
    s.flags = kFlags[rng.range(0, std::size(kFlags) - 1)];
    const auto kind = rng.range(0, 2);
    if (kind >= 1) {  // NOP NOP timestamps
      s.tcp_options = {1, 1, 8, 10};
      for (int i = 0; i < 8; ++i) s.tcp_options.push_back(rng.byte());
      opts = "TS";
    }
    if (kind == 2) {  // NOP NOP SACK with one block
      s.tcp_options.insert(s.tcp_options.end(), {1, 1, 5, 10});
      for (int i = 0; i < 8; ++i) s.tcp_options.push_back(rng.byte());
      opts = "TS+SACK";
    }
  }
  const std::size_t hlen = tbtest::ip_header_size(s) + tbtest::l4_header_size(s);
  const std::size_t max_mss = tbtest::kConformanceMtu - hlen;
  static constexpr std::size_t kCommon[] = {536, 1220, 1400, 1448, 1460};
  std::size_t mss = rng.range(8, max_mss);
  if (rng.chance(40)) mss = std::min(max_mss, kCommon[rng.range(0, std::size(kCommon) - 1)]);
  std::size_t payload = rng.chance(10) ? rng.range(1, mss) : rng.range(1, 60000);
  payload = std::min(
      {payload, std::size_t{65535} - hlen, mss * (s.proto == packet::kProtoUdp ? std::size_t{64} : std::size_t{1000})});
  c.mss = static_cast<std::uint16_t>(mss);
  s.payload.resize(payload);
  for (auto& b : s.payload) b = rng.byte();
  c.text = "v" + std::to_string(version) + (s.proto == packet::kProtoTcp ? " TCP" : " UDP") + " mss " +
           std::to_string(mss) + " payload " + std::to_string(payload) + " hdr " + std::to_string(hlen) +
           (s.proto == packet::kProtoTcp ? " opts " + opts + " flags " + std::to_string(s.flags) : "") + ext;
  return c;
}

// The end-of-case marker: a small plain UDP datagram routed the same way. B's ring is FIFO and
// the write path is synchronous, so once it is read every segment of the case has been read.
Bytes marker(std::size_t index) {
  tbtest::PacketSpec s = addressed(4);
  s.proto = packet::kProtoUdp;
  s.sport = s.dport = kMarkerPort;
  s.payload = Bytes(8);
  packet::store_be32(s.payload.data(), static_cast<std::uint32_t>(index));
  return tbtest::build(s);
}

bool is_marker(const Bytes& p, std::size_t index) {
  const auto f = tbtest::flow_info(p);
  return f.ok && f.proto == packet::kProtoUdp && f.dport == kMarkerPort && p.size() >= f.payload_offset + 4 &&
         packet::load_be32(p.data() + f.payload_offset) == static_cast<std::uint32_t>(index);
}

// Known, explained ways in which the kernel's result differs from ours (README table). Empty
// when the difference is not one of them, i.e. a failure. Each predicate is exact, so an
// unrelated drop in the same kind of packet still fails.
std::string documented_reason(const GsoCase& c, std::span<const std::uint8_t> input, const std::vector<Bytes>& kernel,
                              const std::vector<Bytes>& ours) {
  if (!kernel.empty() || c.spec.proto != packet::kProtoTcp) return {};
  const std::size_t payload = c.spec.payload.size();
  const std::size_t options = tbtest::round4(c.spec.tcp_options.size());
  // virtio_net_hdr_to_skb() calls a write GSO when len - (csum_start + 20) > gso_size, i.e. it
  // counts TCP option bytes as payload; tcp_gso_segment() then finds payload <= mss and returns
  // -EINVAL, so the packet is dropped. gso_split emits the one segment.
  if (ours.size() == 1 && payload <= c.mss && payload + options > c.mss)
    return "TCP GSO write with payload <= gso_size < payload + option bytes: kernel drops it, gso_split sends one "
           "segment";
  // ip6_forward()'s GSO MTU check (skb_gso_validate_network_len) takes the transport header at
  // network + 40 on the forwarding path, so with extension headers it reads the TCP data offset
  // from the wrong bytes (12 bytes past the first extension header) and drops packets whose
  // computed segment length 40 + 4*that_nibble + mss exceeds the MTU.
  if (c.spec.version == 6 && !c.spec.ipv6_ext_headers.empty()) {
    const std::size_t misread_doff = input[packet::Ipv6Header::kSize + 12] >> 4;
    if (packet::Ipv6Header::kSize + 4 * misread_doff + c.mss > static_cast<std::size_t>(tbtest::kConformanceMtu))
      return "IPv6 TCP GSO with extension headers: forwarding MTU check misreads the TCP header, kernel drops it";
  }
  return {};
}

TEST(GsoConformance, KernelSegmentationMatchesGsoSplit) {
  TB_REQUIRE_ROOT();
  const std::uint64_t seed = tbtest::seed_from_env(20250601);
  const std::size_t cases = tbtest::cases_from_env(400);
  tbtest::expect_in_new_netns([&](Failures& f) {
    std::string err;
    if (!f.expect(tbtest::enable_forwarding(err), err)) return;
    const auto a = device::TunDevice::open({.name = "tbcgA",
                                            .vnet_hdr = true,
                                            .mtu = tbtest::kConformanceMtu,
                                            .ipv4 = "10.10.1.1/24",
                                            .ipv6 = "fd10:1::1/64"});
    const auto b = device::TunDevice::open({.name = "tbcgB",
                                            .vnet_hdr = false,
                                            .mtu = tbtest::kConformanceMtu,
                                            .ipv4 = "10.10.2.1/24",
                                            .ipv6 = "fd10:2::1/64"});
    if (!f.expect(a->offloads().tcp_gso() && a->offloads().udp_gso(), "A lacks TSO/USO: " + describe(a->offloads())))
      return;
    if (!f.expect(tbtest::set_txqueuelen("tbcgB", 4096, err), err)) return;
    const int afd = a->queue(0).fd(), bfd = b->queue(0).fd();

    Rng rng(seed);
    tbtest::Tally t;
    for (std::size_t i = 0; i < cases; ++i) {
      const GsoCase c = generate_case(rng, i);
      const tbtest::GsoPacket g = tbtest::make_gso(c.spec, c.mss);
      ++t.cases;
      // What gso_split makes of the case.
      auto split = tbtest::engine_split(g.header, g.bytes);
      const std::vector<Bytes>& ours = split.segments;
      std::string problem;
      std::vector<Bytes> kernel;  // as read from B (forwarded)
      if (!split.ok()) problem = std::string("gso_split refused: ") + offload::to_string(*split.error);
      const Bytes record = tbtest::with_vnet(g.header, g.bytes);
      std::string werr;
      if (!tbtest::write_packet(afd, record, werr)) problem += "kernel refused the write: " + werr + "; ";
      const Bytes mark = tbtest::with_vnet({}, marker(i));
      if (!f.expect(tbtest::write_packet(afd, mark, werr), "marker write: " + werr)) return;
      bool marked = false;
      while (!marked) {
        auto p = tbtest::read_packet(bfd, kSplitReadTimeoutMs);
        if (!f.expect(p.has_value(), "case " + std::to_string(i) + ": marker never arrived")) return;
        if (is_marker(*p, i)) {
          marked = true;
          continue;
        }
        const auto fi = tbtest::flow_info(*p);
        // Anything else (IPv6 noise, stragglers of an earlier case) is not this case's segment.
        if (fi.ok && fi.version == (c.spec.version) && fi.proto == c.spec.proto && fi.sport == c.spec.sport &&
            fi.dport == tbtest::kConformanceDataPort)
          kernel.push_back(std::move(*p));
      }
      if (problem.empty()) {
        if (kernel.size() != ours.size()) {
          problem =
              "segment count: kernel " + std::to_string(kernel.size()) + " vs ours " + std::to_string(ours.size());
        }
        for (std::size_t k = 0; k < kernel.size() && problem.empty(); ++k) {
          Bytes kk = kernel[k];
          std::string why;
          if (!tbtest::unforward(kk, why)) {
            problem = "segment " + std::to_string(k) + ": " + why;
            break;
          }
          const std::string d = tbtest::describe_diff(kk, ours[k]);
          if (!d.empty()) problem = "segment " + std::to_string(k) + " (kernel vs ours): " + d;
        }
      }
      if (problem.empty()) {
        ++t.agree;
        continue;
      }
      if (const std::string reason = documented_reason(c, g.bytes, kernel, ours); !reason.empty()) {
        ++t.documented;
        t.document(reason);
        continue;
      }
      ++t.failures;
      const std::string base = "gso-seed" + std::to_string(seed) + "-case" + std::to_string(i);
      const std::string in = tbtest::save_case(base, pcapio::kLinkUser0, {record}, pcapio::kLinkRaw, kernel, ours);
      std::string text = "case " + std::to_string(i) + " [" + c.text + "]: ";
      text.append(problem).append(" (saved ").append(in).append(")");
      t.fail(text);
    }
    t.print("gso", seed);
    t.expect_conformance(f, "GSO", seed);
  });
}

}  // namespace
