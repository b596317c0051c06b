#pragma once
// Sockets inside the harness's namespaces without moving the whole process: a socket belongs to
// the namespace of the thread that created it, so each is created on a short-lived thread that
// entered the namespace with setns() first, and then used from anywhere in tunbench. The
// process's own threads never leave the root namespace, where nothing is ever configured.
#include <cstddef>
#include <functional>
#include <string>

#include "device/unique_fd.h"

namespace check {

// Runs `fn` on a thread inside namespace `ns` (a name under /run/netns) and waits for it; an
// exception from `fn` is rethrown here. Throws std::runtime_error when the namespace cannot be
// entered.
void run_in_netns(const std::string& ns, const std::function<void()>& fn);

// socket(2) in namespace `ns`; throws with errno's text.
device::UniqueFd socket_in(const std::string& ns, int domain, int type, int protocol);

// The MTU of `device` in namespace `ns`; throws when it is not there.
std::size_t device_mtu(const std::string& ns, const std::string& device);

// The bytes in front of the IP packet in a frame of `device` as a SOCK_RAW packet socket sees
// it: 14 on Ethernet (the kernel oracle's veth), 0 on a TUN. Throws when it is not there.
std::size_t link_header_size(const std::string& ns, const std::string& device);

}  // namespace check
