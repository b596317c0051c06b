#pragma once
// One tunreplay row of tunstack's engine (src/stack): the TCP engine and the UDP relay driven as
// tunstack's event loop drives them (src/app/tunstack/main.cpp: parse_inbound → on_segment /
// on_datagram, on_socket, on_timer, flush, once per wake-up), over in-memory fakes: a TUN that
// hands over what the client wrote and counts what the stack writes, and kernel sockets that take
// everything sent to them (upload) or hold the server's bytes (download). Every fake method runs
// inside a DeviceScope, so under callgrind only the stack and its loop are counted.
//
// A row: the client's handshake (TCP) or first datagram (UDP, which opens the flow) runs first,
// unmeasured; then the measured region moves the workload's segments through, one wake-up after
// the other, until nothing is left to read or to report (epoll_wait would sleep). Time is the
// row's own clock, 1 ms per wake-up; the stack's initial sequence numbers come from a fixed seed.
#include "row_result.h"
#include "stack_workload.h"

namespace replay {

// The mode name of every stack row ("tunstack/WORKLOAD").
inline constexpr const char* kStackMode = "tunstack";

// `measured`: the data phase is the measured region (dumped under "tunstack/WORKLOAD"); else it
// only warms up. The row is not ok when the stack did not move exactly the workload's bytes
// (a drop, a reset, a retransmission, bytes missing on either side).
RowResult run_stack_row(const StackWorkload& workload, bool measured = true);

}  // namespace replay
