// PcapReader and PcapWriter against each other and against the on-disk format.
#include <cstdint>
#include <fstream>
#include <iterator>
#include <vector>

#include <gtest/gtest.h>

#include "pcapio/link_type.h"
#include "pcapio/pcap_error.h"
#include "pcapio/pcap_reader.h"
#include "pcapio/pcap_writer.h"
#include "support/scratch_dir.h"
#include "support/test_names.h"

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

struct LinkCase {
  const char* name;
  int dlt;
  std::uint32_t on_disk;  // LINKTYPE_ value in the file header (offset 20, little-endian here)
};

class PcapLinkTypes : public testing::TestWithParam<LinkCase> {};

TEST_P(PcapLinkTypes, RecordsTimestampsAndLinkTypeSurviveAWriteReadCycle) {
  const auto& c = GetParam();
  tbtest::ScratchDir dir("tbpcap");
  const std::string path = dir.file("x.pcap");
  const std::vector<Bytes> records = {{0x45, 1, 2, 3}, {}, Bytes(65545, 0xAB), {0x60}};
  {
    pcapio::PcapWriter w(path, c.dlt);
    for (std::size_t i = 0; i < records.size(); ++i) w.write(records[i], timeval{static_cast<time_t>(100 + i), 7});
    EXPECT_EQ(w.records(), records.size());
    w.close();
  }
  const Bytes raw = file_bytes(path);
  ASSERT_GE(raw.size(), 24u);
  const std::uint32_t linktype = raw[20] | raw[21] << 8 | raw[22] << 16 | std::uint32_t{raw[23]} << 24;
  EXPECT_EQ(linktype, c.on_disk);

  pcapio::PcapReader r(path);
  EXPECT_EQ(r.linktype(), c.dlt);
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto rec = r.next();
    ASSERT_TRUE(rec) << "record " << i + 1;
    EXPECT_EQ(rec->number, i + 1);
    EXPECT_EQ(Bytes(rec->bytes.begin(), rec->bytes.end()), records[i]);
    EXPECT_EQ(rec->timestamp.tv_sec, static_cast<time_t>(100 + i));
    EXPECT_EQ(rec->timestamp.tv_usec, 7);
  }
  EXPECT_FALSE(r.next());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, PcapLinkTypes,
                         testing::Values(LinkCase{"Raw", pcapio::kLinkRaw, 101},
                                         LinkCase{"User0", pcapio::kLinkUser0, 147}),
                         tbtest::case_name);

TEST(PcapLinkTypeName, NamesOurTwoTypesWithTheirFileValues) {
  EXPECT_EQ(pcapio::link_type_name(pcapio::kLinkRaw), "RAW (101)");
  EXPECT_EQ(pcapio::link_type_name(pcapio::kLinkUser0), "USER0 (147)");
  EXPECT_NE(pcapio::link_type_name(1).find("EN10MB"), std::string::npos);
}

TEST(PcapWriter, RefusesARecordBeyondTheSnapLength) {
  tbtest::ScratchDir dir("tbpcap");
  pcapio::PcapWriter w(dir.file("big.pcap"), pcapio::kLinkRaw);
  EXPECT_THROW(w.write(Bytes(pcapio::PcapWriter::kSnapLen + 1)), pcapio::PcapError);
  EXPECT_EQ(w.records(), 0u);
}

TEST(PcapWriter, ErrorNamesTheFileItCannotCreate) {
  try {
    pcapio::PcapWriter w("/nonexistent-dir/out.pcap", pcapio::kLinkRaw);
    FAIL() << "no error";
  } catch (const pcapio::PcapError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/out.pcap: "), std::string::npos) << e.what();
  }
}

// Each broken file must fail with a message naming the file, and the record when there is one.
struct BadFileCase {
  const char* name;
  // Produces the file's bytes from a valid two-record RAW file.
  Bytes (*mangle)(Bytes);
  bool at_open;              // the error comes from the constructor
  const char* message_part;  // besides the path
};

// The whole file replaced by text (longer than a pcap file header).
Bytes not_pcap(Bytes b) {
  b = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!', '!',
       '!', '!', '!', '!', '!', '!', '!', '!', '!', '!', '!', '!'};
  return b;
}
Bytes cut_in_second_record(Bytes b) {
  b.resize(b.size() - 2);
  return b;
}
// Record 1's caplen (offset 24 + 8) made smaller than its len: a snap-length-truncated record.
Bytes snapped_first_record(Bytes b) {
  b[24 + 8] = 3;
  return b;
}

class PcapReaderErrors : public testing::TestWithParam<BadFileCase> {};

TEST_P(PcapReaderErrors, MessageNamesFileAndRecord) {
  const auto& c = GetParam();
  tbtest::ScratchDir dir("tbpcap");
  const std::string good = dir.file("good.pcap"), bad = dir.file("bad.pcap");
  {
    pcapio::PcapWriter w(good, pcapio::kLinkRaw);
    w.write(Bytes(20, 0x45));
    w.write(Bytes(30, 0x45));
    w.close();
  }
  {
    const Bytes b = c.mangle(file_bytes(good));
    std::ofstream(bad, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  }
  std::string message;
  try {
    pcapio::PcapReader r(bad);
    EXPECT_FALSE(c.at_open) << "open succeeded";
    while (r.next()) {
    }
  } catch (const pcapio::PcapError& e) {
    message = e.what();
  }
  EXPECT_EQ(message.rfind(bad + ": ", 0), 0u) << message;
  EXPECT_NE(message.find(c.message_part), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(Files, PcapReaderErrors,
                         testing::Values(BadFileCase{"NotAPcap", not_pcap, true, ""},
                                         BadFileCase{"CutInSecondRecord", cut_in_second_record, false, "record 2: "},
                                         BadFileCase{"SnapLengthTruncated", snapped_first_record, false,
                                                     "record 1: truncated"}),
                         tbtest::case_name);

TEST(PcapReader, MissingFileErrorCarriesLibpcapReason) {
  try {
    pcapio::PcapReader r("/nonexistent-dir/in.pcap");
    FAIL() << "no error";
  } catch (const pcapio::PcapError& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.rfind("/nonexistent-dir/in.pcap: ", 0), 0u) << m;
    EXPECT_NE(m.find("No such file"), std::string::npos) << m;
  }
}

}  // namespace
