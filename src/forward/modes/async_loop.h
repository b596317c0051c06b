#pragma once
// What every event-loop mode shares: running the event loops, and stopping every pending device
// operation from any thread.
//
// Threads: each direction's operations complete on its own loop (Setup::loop), so one
// direction's handlers never run concurrently with each other; with two loops (--threads 2)
// the two directions run in parallel, each on its own thread.
#include <functional>

#include <boost/asio/io_context.hpp>

#include "forward/endpoint.h"

namespace forward {

// Runs the setup's loops until they have no more work: the first on the calling thread, the
// second (if any) on a thread of its own.
void run_loops(const Setup& setup);
// Cancels every async device of `setup` on its own executor (cancel is not thread-safe), then
// runs `also(d)` for each direction d on the executor of the device that direction reads.
void post_cancel_all(const Setup& setup, const std::function<void(std::size_t direction)>& also = {});

}  // namespace forward
