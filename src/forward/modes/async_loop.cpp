#include "forward/modes/async_loop.h"

#include <thread>
#include <vector>

#include <boost/asio/post.hpp>

namespace forward {

void run_io(boost::asio::io_context& io, std::size_t threads) {
  io.restart();
  std::vector<std::thread> extra;
  for (std::size_t i = 1; i < threads; ++i) extra.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : extra) t.join();
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
