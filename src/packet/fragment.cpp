#include "packet/fragment.h"

#include <algorithm>
#include <array>

#include "packet/bytes.h"
#include "packet/ipv4_header.h"
#include "packet/ipv6_header.h"
#include "packet/tcp_header.h"
#include "packet/udp_header.h"
#include "packet/view.h"

namespace packet {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t kMaxIpLength = 65535;
constexpr std::uint8_t kIpv4OptionEnd = 0;
constexpr std::uint8_t kIpv4OptionNop = 1;
constexpr std::uint8_t kIpv4OptionCopied = 0x80;
constexpr std::uint16_t kIpv6MoreFragments = 1;

bool valid_fragment_size(std::size_t size) { return size > 0 && size % 8 == 0; }

// IHL ≥ 5 within the bytes and a total length equal to them: the header length, else 0.
std::size_t ipv4_header_length(std::span<const std::uint8_t> p) {
  if (!ConstIpv4Header::fits(p)) return 0;
  const ConstIpv4Header h(p);
  if (h.version() != 4 || h.header_length() < ConstIpv4Header::kMinSize || h.header_length() > p.size() ||
      h.total_length() != p.size())
    return 0;
  return h.header_length();
}

// The options RFC 791 copies into every fragment (the copied flag set), in order; false when the
// options do not parse (a length below 2 or past the header).
bool copied_ipv4_options(std::span<const std::uint8_t> options, Bytes* copied) {
  for (std::size_t i = 0; i < options.size();) {
    const std::uint8_t type = options[i];
    if (type == kIpv4OptionEnd) break;
    if (type == kIpv4OptionNop) {
      ++i;
      continue;
    }
    if (i + 1 >= options.size()) return false;
    const std::size_t length = options[i + 1];
    if (length < 2 || i + length > options.size()) return false;
    if (type & kIpv4OptionCopied)
      copied->insert(copied->end(), options.begin() + static_cast<std::ptrdiff_t>(i),
                     options.begin() + static_cast<std::ptrdiff_t>(i + length));
    i += length;
  }
  return true;
}

// The IPv6 header chain of a packet: where its parts are.
struct Ipv6Chain {
  std::size_t unfragmentable_end = Ipv6Header::kSize;  // after the last hop-by-hop / routing header
  std::size_t unfragmentable_next = 6;                 // the next-header field that ends that part
  std::size_t end = Ipv6Header::kSize;                 // where the first header not walked starts
  std::size_t end_next = 6;                            // the next-header field that names it
  std::uint8_t next = 0;                               // which header that is
};

// Walks hop-by-hop, routing and destination-options headers; nullopt when the packet is not a
// well-formed IPv6 packet or a header runs past it.
std::optional<Ipv6Chain> walk_ipv6(std::span<const std::uint8_t> p) {
  if (!ConstIpv6Header::fits(p)) return std::nullopt;
  const ConstIpv6Header h(p);
  if (h.version() != 6 || std::size_t{h.payload_length()} + Ipv6Header::kSize != p.size()) return std::nullopt;
  Ipv6Chain c;
  c.next = h.next_header();
  while (c.next == kProtoHopByHop || c.next == kProtoRouting || c.next == kProtoDestOpts) {
    if (c.end + 2 > p.size()) return std::nullopt;
    const std::size_t length = (std::size_t{p[c.end + 1]} + 1) * 8;
    if (c.end + length > p.size()) return std::nullopt;
    // RFC 8200 §4.5: what routers en route process stays in front of the Fragment header.
    if (c.next != kProtoDestOpts) {
      c.unfragmentable_end = c.end + length;
      c.unfragmentable_next = c.end;
    }
    c.end_next = c.end;
    c.next = p[c.end];
    c.end += length;
  }
  return c;
}

// Where the TCP or UDP header at `at` ends (the whole header chain the first fragment must hold);
// `at` for another protocol; 0 when the header does not fit the packet.
std::size_t upper_layer_end(std::span<const std::uint8_t> p, std::size_t at, std::uint8_t protocol) {
  if (protocol == kProtoUdp) return at + UdpHeader::kSize <= p.size() ? at + UdpHeader::kSize : 0;
  if (protocol != kProtoTcp) return at;
  if (at + TcpHeader::kMinSize > p.size()) return 0;
  const std::size_t length = ConstTcpHeader(p.subspan(at)).header_length();
  return length >= TcpHeader::kMinSize && at + length <= p.size() ? at + length : 0;
}

// One piece of a fragmented datagram as reassembly sees it.
struct Piece {
  std::span<const std::uint8_t> bytes;
  std::size_t header = 0;  // bytes in front of the data
  std::size_t offset = 0;  // in bytes
  bool more = false;
};

// The data of `pieces` end to end from offset 0, each exactly once, the last without "more";
// false otherwise. Sorts `pieces` by offset.
bool covers_once(std::vector<Piece>& pieces, Bytes* data) {
  std::sort(pieces.begin(), pieces.end(), [](const Piece& a, const Piece& b) { return a.offset < b.offset; });
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const auto& p = pieces[i];
    const bool last = i + 1 == pieces.size();
    if (p.offset != data->size() || p.more == last) return false;
    if (!last && p.bytes.size() == p.header) return false;  // an empty piece in the middle
    data->insert(data->end(), p.bytes.begin() + static_cast<std::ptrdiff_t>(p.header), p.bytes.end());
  }
  return true;
}

}  // namespace

Fragments fragment_ipv4(std::span<const std::uint8_t> packet, std::size_t fragment_data_size) {
  const std::size_t header = ipv4_header_length(packet);
  if (header == 0 || !valid_fragment_size(fragment_data_size)) return {};
  const ConstIpv4Header in(packet);
  Bytes copied;
  if (!copied_ipv4_options(in.options(), &copied)) return {};
  const std::size_t data = packet.size() - header;
  if (data <= fragment_data_size) return {Bytes(packet.begin(), packet.end())};
  if (in.flags_fragment() & Ipv4Header::kFlagDF) return {};
  const std::size_t base = std::size_t{in.fragment_offset()} * 8;
  if ((base + data - 1) / 8 > Ipv4Header::kFragOffsetMask) return {};
  // The header of every later fragment: the fixed part and the copied options, EOL-padded.
  Bytes later(packet.begin(), packet.begin() + Ipv4Header::kMinSize);
  later.insert(later.end(), copied.begin(), copied.end());
  later.resize((later.size() + 3) / 4 * 4, kIpv4OptionEnd);
  Ipv4Header(later).set_version_ihl(4, static_cast<std::uint8_t>(later.size() / 4));

  const auto kept = static_cast<std::uint16_t>(in.flags_fragment() & Ipv4Header::kFlagReserved);
  Fragments out;
  for (std::size_t at = 0; at < data; at += fragment_data_size) {
    const std::size_t n = std::min(fragment_data_size, data - at);
    const auto head = at == 0 ? packet.first(header) : std::span<const std::uint8_t>(later);
    Bytes f(head.begin(), head.end());
    f.insert(f.end(), packet.begin() + static_cast<std::ptrdiff_t>(header + at),
             packet.begin() + static_cast<std::ptrdiff_t>(header + at + n));
    const Ipv4Header h(f);
    const bool more = at + n < data || in.more_fragments();
    h.set_total_length(static_cast<std::uint16_t>(f.size()));
    h.set_flags_fragment(static_cast<std::uint16_t>(kept | (more ? Ipv4Header::kFlagMF : 0) | ((base + at) / 8)));
    h.update_checksum();
    out.push_back(std::move(f));
  }
  return out;
}

Fragments fragment_ipv6(std::span<const std::uint8_t> packet, std::size_t fragment_data_size,
                        std::uint32_t identification) {
  const auto chain = walk_ipv6(packet);
  if (!chain || chain->next == kProtoFragment || !valid_fragment_size(fragment_data_size)) return {};
  const std::size_t chain_end = upper_layer_end(packet, chain->end, chain->next);
  if (chain_end == 0) return {};
  const std::size_t unfragmentable = chain->unfragmentable_end;
  const std::size_t fragmentable = packet.size() - unfragmentable;
  if (fragmentable <= fragment_data_size) return {Bytes(packet.begin(), packet.end())};
  // RFC 8200 §4.5 (and RFC 7112): the first fragment holds the whole header chain.
  if (chain_end - unfragmentable > fragment_data_size) return {};
  if (unfragmentable - Ipv6Header::kSize + kIpv6FragmentHeaderSize + fragment_data_size > kMaxIpLength) return {};

  const std::uint8_t first_fragmentable = packet[chain->unfragmentable_next];
  Fragments out;
  for (std::size_t at = 0; at < fragmentable; at += fragment_data_size) {
    const std::size_t n = std::min(fragment_data_size, fragmentable - at);
    Bytes f(packet.begin(), packet.begin() + static_cast<std::ptrdiff_t>(unfragmentable));
    f[chain->unfragmentable_next] = kProtoFragment;
    std::array<std::uint8_t, kIpv6FragmentHeaderSize> fh{};
    fh[0] = first_fragmentable;
    const bool more = at + n < fragmentable;
    store_be16(&fh[2], static_cast<std::uint16_t>((at / 8) << 3 | (more ? kIpv6MoreFragments : 0)));
    store_be32(&fh[4], identification);
    f.insert(f.end(), fh.begin(), fh.end());
    f.insert(f.end(), packet.begin() + static_cast<std::ptrdiff_t>(unfragmentable + at),
             packet.begin() + static_cast<std::ptrdiff_t>(unfragmentable + at + n));
    Ipv6Header(f).set_payload_length(static_cast<std::uint16_t>(f.size() - Ipv6Header::kSize));
    out.push_back(std::move(f));
  }
  return out;
}

std::optional<Bytes> reassemble_ipv4(const Fragments& fragments) {
  if (fragments.empty()) return std::nullopt;
  std::vector<Piece> pieces;
  for (const auto& f : fragments) {
    const std::size_t header = ipv4_header_length(f);
    if (header == 0) return std::nullopt;
    const ConstIpv4Header h(f);
    const ConstIpv4Header first(fragments.front());
    if (!std::equal(h.src().begin(), h.src().end(), first.src().begin()) ||
        !std::equal(h.dst().begin(), h.dst().end(), first.dst().begin()) || h.protocol() != first.protocol() ||
        h.id() != first.id())
      return std::nullopt;
    pieces.push_back({f, header, std::size_t{h.fragment_offset()} * 8, h.more_fragments()});
  }
  if (pieces.size() == 1 && !ConstIpv4Header(fragments.front()).is_fragment()) return fragments.front();
  Bytes data;
  if (!covers_once(pieces, &data)) return std::nullopt;
  const auto& first = pieces.front();
  Bytes out(first.bytes.begin(), first.bytes.begin() + static_cast<std::ptrdiff_t>(first.header));
  out.insert(out.end(), data.begin(), data.end());
  if (out.size() > kMaxIpLength) return std::nullopt;
  const Ipv4Header h(out);
  h.set_total_length(static_cast<std::uint16_t>(out.size()));
  h.set_flags_fragment(
      static_cast<std::uint16_t>(h.flags_fragment() & (Ipv4Header::kFlagDF | Ipv4Header::kFlagReserved)));
  h.update_checksum();
  return out;
}

std::optional<Bytes> reassemble_ipv6(const Fragments& fragments) {
  if (fragments.empty()) return std::nullopt;
  std::vector<Piece> pieces;
  std::size_t first_next_field = 0;
  std::uint8_t first_next = 0;
  std::uint32_t identification = 0;
  for (const auto& f : fragments) {
    const auto chain = walk_ipv6(f);
    if (!chain) return std::nullopt;
    if (chain->next != kProtoFragment) {
      if (fragments.size() == 1) return f;  // no fragment: the datagram itself
      return std::nullopt;
    }
    const std::size_t at = chain->end;
    if (at + kIpv6FragmentHeaderSize > f.size()) return std::nullopt;
    const std::uint16_t offset_m = load_be16(&f[at + 2]);
    const std::uint32_t id = load_be32(&f[at + 4]);
    if (pieces.empty()) {
      identification = id;
    } else if (id != identification || !std::equal(f.begin() + 8, f.begin() + 40, fragments.front().begin() + 8)) {
      return std::nullopt;
    }
    const std::size_t offset = static_cast<std::size_t>(offset_m >> 3) * 8;
    if (offset == 0) {
      first_next_field = chain->end_next;
      first_next = f[at];
    }
    pieces.push_back({f, at + kIpv6FragmentHeaderSize, offset, (offset_m & kIpv6MoreFragments) != 0});
  }
  Bytes data;
  if (!covers_once(pieces, &data)) return std::nullopt;
  const auto& first = pieces.front();
  Bytes out(first.bytes.begin(),
            first.bytes.begin() + static_cast<std::ptrdiff_t>(first.header - kIpv6FragmentHeaderSize));
  out[first_next_field] = first_next;
  out.insert(out.end(), data.begin(), data.end());
  if (out.size() - Ipv6Header::kSize > kMaxIpLength) return std::nullopt;
  Ipv6Header(out).set_payload_length(static_cast<std::uint16_t>(out.size() - Ipv6Header::kSize));
  return out;
}

}  // namespace packet
