#pragma once
// Planted slowdowns, test-only: they exist to show that ci/det-gate.sh catches a small regression
// in the code that has it, and only there (docs/det-gate.md). Chosen at configure time with
// -DTUNBENCH_PLANT=gso-csum-N|gro-copy-N|stack-rx-N|extra-write (CMakeLists.txt, which
// refuses a plant in the release preset); without it every constant below is 0/false and the
// `if constexpr` branches that read them compile to nothing, so the shipped binaries carry no trace.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace offload::plant {

#ifdef TUNBENCH_PLANT_NAME
inline constexpr std::string_view kName = TUNBENCH_PLANT_NAME;
#else
inline constexpr std::string_view kName = "none";
#endif

// Extra instructions, in per cent of what a whole offload mode spends per segment, added to
// gso_split's checksum step (per segment written) and to GroTable's merge copy (per segment merged).
#ifdef TUNBENCH_PLANT_GSO_CSUM
inline constexpr unsigned kGsoCsumPercent = TUNBENCH_PLANT_GSO_CSUM;
#else
inline constexpr unsigned kGsoCsumPercent = 0;
#endif
#ifdef TUNBENCH_PLANT_GRO_COPY
inline constexpr unsigned kGroCopyPercent = TUNBENCH_PLANT_GRO_COPY;
#else
inline constexpr unsigned kGroCopyPercent = 0;
#endif
// Extra instructions, in per cent of what tunstack spends per TCP segment it takes from the
// client, added to the stack's payload path (per inbound data packet, super-packet or not).
#ifdef TUNBENCH_PLANT_STACK_RX
inline constexpr unsigned kStackRxPercent = TUNBENCH_PLANT_STACK_RX;
#else
inline constexpr unsigned kStackRxPercent = 0;
#endif
// One more (empty) device write after every batch the blocking batch pipeline wrote.
#ifdef TUNBENCH_PLANT_EXTRA_WRITE
inline constexpr bool kExtraWrite = true;
#else
inline constexpr bool kExtraWrite = false;
#endif

// Rounds of burn() per per-cent point: calibrated so that 1 point is about 1 % of sync-gso's
// instructions per segment on the captured TCPv4 workload (tunreplay, docs/det-gate.md).
inline constexpr unsigned kRoundsPerPercent = 7;
// The same for the stack, against tunstack's instructions per inbound packet on the upload
// workloads (an MSS segment and a 64 KB super-packet cost about as much). Not linear: the compiler
// unrolls a short constant loop, so stack-rx-3 adds 2.2-2.7 % and stack-rx-5 6.7-8.1 % there
// (docs/det-gate.md).
inline constexpr unsigned kStackRoundsPerPercent = 4;

// Does `rounds` dependent multiply-add steps seeded from the data and hands the result to an empty
// asm statement that claims to read it: the compiler can neither drop nor fold the loop, and no
// output byte changes.
inline void burn(const std::uint8_t* data, std::size_t size, unsigned rounds) {
  std::uint64_t acc = size != 0 ? data[0] : 0;
  for (unsigned i = 0; i < rounds; ++i) {
    acc = acc * 6364136223846793005ULL + 1442695040888963407ULL;
    asm volatile("" : "+r"(acc));
  }
  asm volatile("" : : "r"(acc));
}

}  // namespace offload::plant
