#pragma once
// What every event-loop mode shares: running the io_context on --threads threads, and stopping
// every pending device operation from any thread.
//
// Threads: each direction's operations complete on the executor of the device it reads (the app
// gives every direction its own strand when --threads > 1), so one direction's handlers never
// run concurrently with each other, while the two directions may run in parallel.
#include <functional>

#include <boost/asio/io_context.hpp>

#include "forward/endpoint.h"

namespace forward {

// Runs `io` until it has no more work, on the calling thread and threads - 1 more.
void run_io(boost::asio::io_context& io, std::size_t threads);
// Cancels every async device of `setup` on its own executor (cancel is not thread-safe), then
// runs `also(d)` for each direction d on the executor of the device that direction reads.
void post_cancel_all(const Setup& setup, const std::function<void(std::size_t direction)>& also = {});

}  // namespace forward
