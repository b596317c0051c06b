// What a row's label says (harness/label.h): `IMPL/MODE` names an implementation and the mode of
// ours it mirrors, any other label is its own implementation; a label with an empty part is
// refused naming it; and a label used as a path component never makes a sub-directory.
#include "harness/label.h"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace {

using harness::Implementation;

TEST(LabelRule, ImplSlashModeNamesImplementationAndMode) {
  struct Case {
    const char* label;
    Implementation want;
  };
  const Case cases[] = {
      {"tun-rs/sync-gso", {"tun-rs", "sync-gso"}},
      {"tun-rs/async-gso-channel-pool", {"tun-rs", "async-gso-channel-pool"}},
      {"wireguard-go/passthrough", {"wireguard-go", "passthrough"}},
      // No slash: the label is its own implementation, with no mode.
      {"boringtun", {"boringtun", ""}},
      {"base-sync-gso", {"base-sync-gso", ""}},
      {"tun-rs sync-gso", {"tun-rs sync-gso", ""}},
  };
  for (const auto& c : cases) EXPECT_EQ(harness::implementation_from_label(c.label), c.want) << c.label;
}

TEST(LabelRule, EmptyPartOrSecondSlashIsRefusedNamingTheLabel) {
  for (const std::string label : {"tun-rs/", "/sync-gso", "/", "a/b/c", "tun-rs//sync-gso"}) {
    try {
      (void)harness::implementation_from_label(label);
      ADD_FAILURE() << label << " accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("label '" + label + "'"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("IMPL/MODE"), std::string::npos) << e.what();
    }
  }
}

TEST(LabelPath, SlashAndOtherBytesBecomeUnderscoresNeverADirectory) {
  struct Case {
    const char* label;
    const char* want;
  };
  const Case cases[] = {
      {"tun-rs/sync-gso", "tun-rs_sync-gso"},
      {"kernel veth", "kernel_veth"},
      {"../../etc", "______etc"},
      {"sync-gso", "sync-gso"},
      {"a_b-C9", "a_b-C9"},
  };
  for (const auto& c : cases) {
    const auto safe = harness::file_safe(c.label);
    EXPECT_EQ(safe, c.want) << c.label;
    EXPECT_EQ(safe.find('/'), std::string::npos) << c.label;
  }
}

}  // namespace
