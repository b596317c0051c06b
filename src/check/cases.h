#pragma once
// The case functions the registry's table points at, one file per family: cases_tcp.cpp,
// cases_udp.cpp, cases_crafted.cpp, cases_robustness.cpp.
#include "check/target.h"
#include "check/verdict.h"

namespace check::cases {

Verdict tcp_v4_bulk_up(const Target& t);
Verdict tcp_v4_bulk_down(const Target& t);
Verdict tcp_v4_bulk_both(const Target& t);
Verdict tcp_v6_bulk_up(const Target& t);
Verdict tcp_v6_bulk_down(const Target& t);
Verdict tcp_v6_bulk_both(const Target& t);
Verdict udp_v4(const Target& t);
Verdict udp_v6(const Target& t);
Verdict udp_v4_gso(const Target& t);
Verdict udp_v6_gso(const Target& t);
Verdict crafted_v4_options(const Target& t);
Verdict crafted_v6_ext_headers(const Target& t);
Verdict crafted_icmp_echo(const Target& t);
Verdict crafted_bad_checksums(const Target& t);
Verdict crafted_no_coalesce(const Target& t);
Verdict robustness_receiver_stopped(const Target& t);
Verdict robustness_sigterm(const Target& t);
Verdict robustness_tun_deleted(const Target& t);

}  // namespace check::cases
