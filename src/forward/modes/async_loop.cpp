#include "forward/modes/async_loop.h"

#include <thread>

#include <boost/asio/post.hpp>

namespace forward {

void run_loops(const Setup& setup) {
  boost::asio::io_context& first = setup.loop(0);
  boost::asio::io_context& second = setup.loop(1);
  first.restart();
  if (&second == &first) {
    first.run();
    return;
  }
  second.restart();
  std::thread other([&second] { second.run(); });
  first.run();
  other.join();
}

void post_cancel_all(const Setup& setup, const std::function<void(std::size_t)>& also) {
  for (const Endpoint* e : {&setup.first, &setup.second})
    for (const auto& views : {e->async_read, e->async_write})
      for (device::AsyncBatchDevice* d : views) boost::asio::post(d->executor(), [d] { d->cancel(); });
  if (!also) return;
  for (std::size_t d = 0; d < 2; ++d) {
    const Endpoint& in = setup.in(d);
    boost::asio::post(in.async_read.at(0)->executor(), [also, d] { also(d); });
  }
}

}  // namespace forward
