#include "stack/tcp_options.h"

#include <algorithm>

#include "packet/bytes.h"

namespace stack {

bool parse_tcp_options(std::span<const std::uint8_t> b, TcpOptions& out) {
  std::size_t i = 0;
  while (i < b.size()) {
    const std::uint8_t kind = b[i];
    if (kind == kOptEnd) break;
    if (kind == kOptNop) {
      ++i;
      continue;
    }
    if (i + 1 >= b.size()) return false;
    const std::size_t len = b[i + 1];
    if (len < 2 || i + len > b.size()) return false;
    const std::uint8_t* v = b.data() + i + 2;
    switch (kind) {
      case kOptMss:
        if (len != 4) return false;
        out.mss = packet::load_be16(v);
        break;
      case kOptWindowScale:
        if (len != 3) return false;
        out.window_scale = std::min<std::uint8_t>(v[0], kMaxWindowScale);
        break;
      case kOptSackPermitted:
        if (len != 2) return false;
        out.sack_permitted = true;
        break;
      case kOptTimestamps:
        if (len != 10) return false;
        out.ts_val = packet::load_be32(v);
        out.ts_ecr = packet::load_be32(v + 4);
        break;
      case kOptSack:
        if ((len - 2) % 8 != 0) return false;
        out.sack_count = 0;
        for (std::size_t k = 0; k < (len - 2) / 8 && k < out.sack.size(); ++k) {
          out.sack[k] = {packet::load_be32(v + k * 8), packet::load_be32(v + k * 8 + 4)};
          ++out.sack_count;
        }
        break;
      default: break;  // unknown kinds are skipped by their length
    }
    i += len;
  }
  return true;
}

std::size_t write_syn_ack_options(const SynAckOptions& o, std::span<std::uint8_t, 40> out) {
  std::size_t n = 0;
  out[n++] = kOptMss;
  out[n++] = 4;
  packet::store_be16(out.data() + n, o.mss);
  n += 2;
  if (o.sack_permitted) {
    out[n++] = kOptSackPermitted;
    out[n++] = 2;
  }
  if (o.ts_val) {
    out[n++] = kOptTimestamps;
    out[n++] = 10;
    packet::store_be32(out.data() + n, *o.ts_val);
    packet::store_be32(out.data() + n + 4, o.ts_ecr);
    n += 8;
  }
  if (o.window_scale) {
    out[n++] = kOptNop;
    out[n++] = kOptWindowScale;
    out[n++] = 3;
    out[n++] = *o.window_scale;
  }
  while (n % 4 != 0) out[n++] = kOptNop;
  return n;
}

void write_timestamps(std::uint32_t ts_val, std::uint32_t ts_ecr, std::span<std::uint8_t, kTimestampOptionSize> out) {
  out[0] = kOptNop;
  out[1] = kOptNop;
  out[2] = kOptTimestamps;
  out[3] = 10;
  packet::store_be32(out.data() + 4, ts_val);
  packet::store_be32(out.data() + 8, ts_ecr);
}

std::size_t write_sack(std::span<const SackBlock> blocks, std::span<std::uint8_t> out) {
  const std::size_t fit = out.size() < 4 ? 0 : (out.size() - 4) / 8;
  const std::size_t n = std::min({blocks.size(), fit, std::size_t{4}});
  if (n == 0) return 0;
  out[0] = kOptNop;
  out[1] = kOptNop;
  out[2] = kOptSack;
  out[3] = static_cast<std::uint8_t>(2 + 8 * n);
  for (std::size_t i = 0; i < n; ++i) {
    packet::store_be32(out.data() + 4 + 8 * i, blocks[i].left);
    packet::store_be32(out.data() + 8 + 8 * i, blocks[i].right);
  }
  return 4 + 8 * n;
}

}  // namespace stack
