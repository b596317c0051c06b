#pragma once
// Planted slowdowns, test-only: they exist to show that ci/det-gate.sh catches a small regression
// in the code that has it, and only there (docs/det-gate.md). Chosen at configure time with
// -DTUNBENCH_PLANT=gso-csum-3|gso-csum-5|gro-copy-3|gro-copy-5|extra-write (CMakeLists.txt, which
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
// One more (empty) device write after every batch the blocking batch pipeline wrote.
#ifdef TUNBENCH_PLANT_EXTRA_WRITE
inline constexpr bool kExtraWrite = true;
#else
inline constexpr bool kExtraWrite = false;
#endif

// Rounds of burn() per per-cent point: calibrated so that 1 point is about 1 % of sync-gso's
// instructions per segment on the captured TCPv4 workload (tunreplay, docs/det-gate.md).
inline constexpr unsigned kRoundsPerPercent = 7;

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
