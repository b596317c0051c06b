#include "forward/modes/async_forwarder.h"

#include <cassert>
#include <stdexcept>

#include <boost/asio/post.hpp>

#include "forward/modes/async_loop.h"

namespace forward {

AsyncForwarder::AsyncForwarder(const Setup& setup, const Mode& mode) : ForwarderBase(setup), setup_(setup) {
  if (!setup.io || !setup.has_async_devices())
    throw std::invalid_argument("async forwarder needs an io_context and async devices");
  for (std::size_t d = 0; d < 2; ++d) {
    const Endpoint& in = setup_.in(d);
    const Endpoint& out = setup_.out(d);
    pipes_[d] = std::make_unique<AsyncPipeline>(*in.async_read[0], *out.async_write[0], mode.passthrough,
                                                segment_size(setup.options), counters_.direction(d), stop_flag(),
                                                [this, name = in.name](int e) { return on_read_error(name, e); });
  }
}

void AsyncForwarder::interrupt_all() { post_cancel_all(setup_); }

Status AsyncForwarder::run() {
  for (std::size_t d = 0; d < 2; ++d) {
    const auto ex = setup_.in(d).async_read[0]->executor();
    assert(ex);  // a device always has an executor; posting to an empty one would dereference null
    boost::asio::post(ex, [p = pipes_[d].get()] { p->start(); });
  }
  run_loops(setup_);
  return status();
}

}  // namespace forward
