// GSO split throughput: payload bits per second per core for the super-packets a TUN reads
// under bulk TCP (64 KB, MSS 1448) and UDP. Goal: >= 40 Gbps for TCPv4.
#include <vector>

#include <benchmark/benchmark.h>

#include "offload/gso_split.h"
#include "support/packet_builder.h"

namespace {

void run(benchmark::State& state, const tbtest::PacketSpec& spec, std::uint16_t gso_size) {
  const tbtest::GsoPacket g = tbtest::make_gso(spec, gso_size);
  const offload::SplitResult count = offload::gso_segment_count(g.header, g.bytes);
  if (!count.ok()) {
    state.SkipWithError(offload::to_string(*count.error));
    return;
  }
  std::vector<std::vector<std::uint8_t>> buffers(count.segments, std::vector<std::uint8_t>(2048));
  std::vector<std::span<std::uint8_t>> slots(buffers.begin(), buffers.end());
  std::vector<std::size_t> lengths(count.segments);
  for (auto _ : state) {
    const offload::SplitResult r = offload::gso_split(g.header, g.bytes, slots, lengths);
    benchmark::DoNotOptimize(r);
    benchmark::ClobberMemory();
  }
  const auto payload = static_cast<std::int64_t>(spec.payload.size());
  state.SetBytesProcessed(state.iterations() * payload);
  state.counters["payload_bps"] = benchmark::Counter(
      static_cast<double>(payload) * 8, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
  state.counters["segments"] = static_cast<double>(count.segments);
}

tbtest::PacketSpec bulk_tcp(int version, std::size_t payload) {
  tbtest::PacketSpec s;
  if (version == 6) s = tbtest::v6(s);
  s.tcp_options = {0x01, 0x01, 0x08, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8};  // timestamps, as Linux sends
  s.payload = tbtest::pattern(payload);
  return s;
}

void BM_GsoSplit_TcpV4_64K_Mss1448(benchmark::State& state) {
  // 20 IP + 32 TCP (timestamps): the payload fills the IPv4 total length to 65535.
  run(state, bulk_tcp(4, 65535 - 52), 1448);
}
void BM_GsoSplit_TcpV6_64K_Mss1428(benchmark::State& state) {
  // IPv6 payload length counts from byte 40, so the super-packet may reach 40 + 65535.
  run(state, bulk_tcp(6, 65535 - 32), 1428);
}
void BM_GsoSplit_UdpV4_64Seg_1472(benchmark::State& state) {
  tbtest::PacketSpec s;
  s.proto = packet::kProtoUdp;
  s.payload = tbtest::pattern(1472 * 44);
  run(state, s, 1472);
}

BENCHMARK(BM_GsoSplit_TcpV4_64K_Mss1448);
BENCHMARK(BM_GsoSplit_TcpV6_64K_Mss1428);
BENCHMARK(BM_GsoSplit_UdpV4_64Seg_1472);

}  // namespace
