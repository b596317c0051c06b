#pragma once
// Counts the measured code's heap allocations (every operator new outside the replay devices and
// fakes) while a row runs: tunreplay replaces the global operator new (alloc_hooks.cpp), which
// calls note_allocation(). Without those hooks linked (the unit tests) the count stays 0.
#include <cstdint>

namespace replay {

// Starts counting from zero.
void start_counting_allocations();
// Stops counting; returns the allocations made since start.
std::uint64_t stop_counting_allocations();
// One allocation (counted while counting, outside a DeviceScope).
void note_allocation();

}  // namespace replay
