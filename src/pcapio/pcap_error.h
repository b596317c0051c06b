#pragma once
// One exception type for every pcap failure, so a CLI turns them all into "exit 1 + message".
// The message always names the file (and the record, when one is involved) and carries
// libpcap's own text.
#include <stdexcept>
#include <string>

namespace pcapio {

class PcapError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace pcapio
