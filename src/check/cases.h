#pragma once
// The case functions the registry's table points at, one file per family: cases_tcp.cpp,
// cases_udp.cpp, cases_crafted.cpp, cases_robustness.cpp.
#include "check/crafted_packets.h"
#include "check/target.h"
#include "check/verdict.h"

namespace check::cases {

// The addresses and port the crafted packets of a case travel between.
CraftedEnds crafted_ends(const Target& t);

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
Verdict crafted_fragments(const Target& t);
Verdict crafted_tcp_flags(const Target& t);
Verdict crafted_sizes(const Target& t);
Verdict gso_tcp_v4_split(const Target& t);
Verdict gso_tcp_v6_split(const Target& t);
Verdict gso_udp_split(const Target& t);
Verdict robustness_receiver_stopped(const Target& t);
Verdict robustness_sigterm(const Target& t);
Verdict robustness_tun_deleted(const Target& t);

}  // namespace check::cases
