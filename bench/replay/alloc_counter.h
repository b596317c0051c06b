#pragma once
// Counts the forwarder's heap allocations (every operator new outside the replay devices) while
// a row runs: tunreplay replaces the global operator new (alloc_counter.cpp).
#include <cstdint>

namespace replay {

// Starts counting from zero.
void start_counting_allocations();
// Stops counting; returns the allocations made since start.
std::uint64_t stop_counting_allocations();

}  // namespace replay
