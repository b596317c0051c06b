#include "forward/async_forwarder.h"

#include <stdexcept>

#include <boost/asio/post.hpp>

namespace forward {

void run_io(boost::asio::io_context& io) {
  io.restart();
  io.run();
}

void post_cancel_all(const Setup& setup, std::function<void()> also) {
  boost::asio::post(*setup.io, [setup, also = std::move(also)] {
    for (auto* e : {&setup.first, &setup.second})
      for (auto* a : e->async) a->cancel();
    if (also) also();
  });
}

AsyncForwarder::AsyncForwarder(const Setup& setup, bool passthrough) : ForwarderBase(setup), setup_(setup) {
  if (!setup.io || setup.first.async.empty() || setup.second.async.empty())
    throw std::invalid_argument("async forwarder needs an io_context and async devices");
  for (std::size_t d = 0; d < 2; ++d) {
    const Endpoint& in = d == 0 ? setup_.first : setup_.second;
    const Endpoint& out = d == 0 ? setup_.second : setup_.first;
    pipes_[d] = std::make_unique<AsyncPipeline>(*in.async[0], *out.async[0], passthrough, segment_size(setup.options),
                                                counters_.direction(d), stop_flag(),
                                                [this, name = in.name](int e) { return on_read_error(name, e); });
  }
}

void AsyncForwarder::interrupt_all() { post_cancel_all(setup_); }

Status AsyncForwarder::run() {
  for (auto& p : pipes_) boost::asio::post(*setup_.io, [p = p.get()] { p->start(); });
  run_io(*setup_.io);
  return status();
}

}  // namespace forward
