// GRO coalescing throughput: payload bits per second per core for a batch of MTU-sized
// segments as a forwarder hands them to the TUN write path. Goal: >= 40 Gbps for 45 TCPv4
// segments of 1448 bytes (one 64 KB super-packet per batch).
#include <span>
#include <vector>

#include <benchmark/benchmark.h>

#include "offload/gro_table.h"
#include "support/packet_builder.h"

namespace {

using tbtest::Bytes;
using tbtest::PacketSpec;

// `flows` interleaved flows, `per_flow` adjacent segments each, `size` payload bytes apiece.
std::vector<Bytes> batch(PacketSpec s, std::size_t flows, std::size_t per_flow, std::size_t size) {
  std::vector<Bytes> out;
  for (std::size_t i = 0; i < per_flow; ++i) {
    for (std::size_t f = 0; f < flows; ++f) {
      PacketSpec p = s;
      p.sport = static_cast<std::uint16_t>(s.sport + f);
      p.seq = s.seq + static_cast<std::uint32_t>(i * size);
      p.id = static_cast<std::uint16_t>(s.id + i);
      p.payload = tbtest::pattern(size, static_cast<std::uint32_t>(i * 31 + f));
      out.push_back(tbtest::build(p));
    }
  }
  return out;
}

void run(benchmark::State& state, const std::vector<Bytes>& packets, std::size_t payload_per_batch,
         std::size_t want_outputs) {
  const std::vector<std::span<const std::uint8_t>> spans(packets.begin(), packets.end());
  offload::GroTable table;
  if (table.coalesce(spans).size() != want_outputs) {
    state.SkipWithError("batch did not coalesce as expected");
    return;
  }
  for (auto _ : state) {
    auto out = table.coalesce(spans);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  const auto payload = static_cast<std::int64_t>(payload_per_batch);
  state.SetBytesProcessed(state.iterations() * payload);
  state.counters["payload_bps"] = benchmark::Counter(
      static_cast<double>(payload) * 8, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
  state.counters["packets"] = static_cast<double>(packets.size());
}

PacketSpec tcp(int version) {
  PacketSpec s;
  if (version == 6) s = tbtest::v6(s);
  return s;
}

void BM_GroTable_TcpV4_45x1448(benchmark::State& state) { run(state, batch(tcp(4), 1, 45, 1448), 45 * 1448, 1); }
void BM_GroTable_TcpV4_Timestamps_45x1448(benchmark::State& state) {
  PacketSpec s = tcp(4);
  s.tcp_options = {0x01, 0x01, 0x08, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8};  // as Linux sends
  run(state, batch(s, 1, 45, 1448), 45 * 1448, 1);
}
void BM_GroTable_TcpV6_45x1428(benchmark::State& state) { run(state, batch(tcp(6), 1, 45, 1428), 45 * 1428, 1); }
void BM_GroTable_UdpV4_46x1400(benchmark::State& state) {
  PacketSpec s;
  s.proto = packet::kProtoUdp;
  run(state, batch(s, 1, 46, 1400), 46 * 1400, 1);
}
void BM_GroTable_TcpV4_4Flows_Interleaved(benchmark::State& state) {
  run(state, batch(tcp(4), 4, 16, 1448), 64 * 1448, 4);
}
void BM_GroTable_PureAcks_64(benchmark::State& state) {
  // Nothing merges: the cost of classifying and passing through the reverse direction.
  run(state, batch(tcp(4), 64, 1, 0), 0, 64);
}

BENCHMARK(BM_GroTable_TcpV4_45x1448);
BENCHMARK(BM_GroTable_TcpV4_Timestamps_45x1448);
BENCHMARK(BM_GroTable_TcpV6_45x1428);
BENCHMARK(BM_GroTable_UdpV4_46x1400);
BENCHMARK(BM_GroTable_TcpV4_4Flows_Interleaved);
BENCHMARK(BM_GroTable_PureAcks_64);

}  // namespace
