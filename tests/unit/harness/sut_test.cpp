// Systems under test as descriptions: the built-ins are valid and say what they wire, a bad
// description is refused naming the problem, placeholders expand or fail clearly, and a
// description survives JSON (what `tunbench run --sut FILE` reads).
#include "harness/sut.h"

#include <stdexcept>

#include <gtest/gtest.h>

#include "harness/suts.h"
#include "support/test_names.h"

namespace {

using namespace harness;

// The message of the std::invalid_argument `f` throws, or "" when it throws none.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(Sut, BuiltInsAreValid) {
  ASSERT_FALSE(suts::baseline_names().empty()) << "no built-in baseline: nothing would be checked";
  for (const auto& name : suts::baseline_names()) {
    const auto s = suts::baseline(name);
    ASSERT_TRUE(s) << name;
    EXPECT_NO_THROW(s->validate()) << name;
    EXPECT_FALSE(s->sampled()) << name << ": a kernel baseline has nothing to sample";
    EXPECT_FALSE(s->description.empty()) << name;
  }
  EXPECT_FALSE(suts::baseline("teleport"));
  const auto f = suts::forwarder({"/bin/fwd", "--x"});
  EXPECT_NO_THROW(f.validate());
  EXPECT_TRUE(f.sampled());
}

TEST(Sut, ForwarderMovesBothTunsOutOfTheMiddle) {
  const auto f = suts::forwarder({"/bin/fwd"});
  ASSERT_EQ(f.devices.size(), 2u);
  for (const auto& d : f.devices) {
    EXPECT_EQ(d.created_in, "fwd");
    EXPECT_EQ(d.by, "forwarder");
    EXPECT_NE(d.iface.ns, "fwd") << d.iface.name;
    EXPECT_FALSE(d.iface.addresses.empty()) << d.iface.name;
  }
  EXPECT_EQ(f.devices[0].iface.ns, f.endpoints.client_ns);
  EXPECT_EQ(f.devices[1].iface.ns, f.endpoints.server_ns);
  EXPECT_EQ(f.compare_with, "kernel-veth");
}

TEST(Sut, RoutedBaselineHasTheForwardersHopCount) {
  const auto r = suts::kernel_routed();
  EXPECT_EQ(r.namespaces, (std::vector<std::string>{"a", "fwd", "b"}));
  ASSERT_EQ(r.veths.size(), 2u);
  EXPECT_EQ(r.veths[0].b.ns, "fwd");
  EXPECT_EQ(r.veths[1].a.ns, "fwd");
  bool forwarding = false;
  for (const auto& [role, setting] : r.sysctls)
    forwarding = forwarding || (role == "fwd" && setting == "net.ipv4.ip_forward=1");
  EXPECT_TRUE(forwarding);
}

struct BadCase {
  const char* name;
  void (*spoil)(SutSpec&);
  const char* message;  // a substring of the error
};

const BadCase kBad[] = {
    {"UnknownRole", [](SutSpec& s) { s.namespaces.push_back("mars"); }, "unknown namespace role 'mars'"},
    {"ProcessInMissingNamespace",
     [](SutSpec& s) {
       s = SutSpec{.kind = "x", .namespaces = {"a"}, .processes = {{"forwarder", {"/bin/fwd"}, "b", true, {}}}};
       s.endpoints.server_ns = "a";
     },
     "process forwarder uses namespace 'b', which the spec does not create"},
    {"EmptyCommand", [](SutSpec& s) { s.processes[0].argv.clear(); }, "process 'forwarder' has no command"},
    {"DuplicateProcess", [](SutSpec& s) { s.processes.push_back(s.processes[0]); },
     "process names must be given and unique"},
    {"DeviceOfNoProcess", [](SutSpec& s) { s.devices[0].by = "ghost"; }, "device tun11 is created by 'ghost'"},
    {"RouteWithoutPrefix",
     [](SutSpec& s) {
       s.devices[0].iface.routes.push_back({"", "10.0.1.2"});
     },
     "route without a prefix"},
    {"SysctlWithoutValue",
     [](SutSpec& s) {
       s.sysctls.push_back({"fwd", "net.ipv4.ip_forward"});
     },
     "is not key=value"},
    {"NoKind", [](SutSpec& s) { s.kind.clear(); }, "without a kind"},
    {"ModeWithoutImplementation", [](SutSpec& s) { s.mode = "sync-gso"; }, "mode 'sync-gso' without an implementation"},
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class BadSut : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadSut, IsRefusedNamingTheProblem) {
  auto s = suts::forwarder({"/bin/fwd"});
  GetParam().spoil(s);
  const auto message = error_of([&] { s.validate(); });
  EXPECT_NE(message.find(GetParam().message), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(Sut, BadSut, ::testing::ValuesIn(kBad), tbtest::case_name);

TEST(Sut, PlaceholdersExpandAndUnknownOnesAreNamed) {
  const std::map<std::string, std::string> values{{"ns:a", "tb-a-1"}, {"stats_json", "/tmp/s.json"}};
  EXPECT_EQ(expand_placeholders({"--netns", "{ns:a}", "--stats={stats_json}", "plain"}, values),
            (std::vector<std::string>{"--netns", "tb-a-1", "--stats=/tmp/s.json", "plain"}));
  EXPECT_EQ(error_of([&] { expand_placeholders({"{mtu}"}, values); }),
            "'{mtu}': unknown placeholder {mtu} (known: {ns:a}, {stats_json})");
  EXPECT_NE(error_of([&] { expand_placeholders({"{ns:a"}, values); }).find("without"), std::string::npos);
}

TEST(Sut, JsonRoundTripKeepsTheDescription) {
  auto s = suts::forwarder({"/bin/fwd", "--stats", "{stats_json}"}, "tunfwd-stats/1");
  s.processes.push_back({"helper", {"/bin/socks", "-p", "1080"}, "fwd", false, 1080});
  s.devices[0].iface.mtu = 9000;
  const nlohmann::json j = s;
  const auto back = j.get<SutSpec>();
  EXPECT_EQ(nlohmann::json(back), j);
  EXPECT_EQ(back.processes.at(1).ready_port, 1080);
  EXPECT_FALSE(back.processes.at(1).sampled);
  EXPECT_EQ(back.devices.at(0).iface.mtu, 9000);
  EXPECT_EQ(back.stats_format, "tunfwd-stats/1");
}

// What `--sut FILE.json` may say about the implementation it measures survives a round trip;
// a file that says nothing leaves both empty (tunbench run then names the row after its label).
TEST(Sut, JsonRoundTripKeepsImplementationAndMode) {
  struct Case {
    const char* implementation;
    const char* mode;
  };
  for (const Case c : {Case{"tun-rs", "sync-gso"}, Case{"boringtun", ""}, Case{"", ""}}) {
    auto s = suts::forwarder({"/bin/fwd"});
    s.implementation = c.implementation;
    s.mode = c.mode;
    const nlohmann::json j = s;
    EXPECT_EQ(j.at("implementation"), c.implementation);
    EXPECT_EQ(j.at("mode"), c.mode);
    const auto back = j.get<SutSpec>();
    EXPECT_EQ(back.implementation, c.implementation);
    EXPECT_EQ(back.mode, c.mode);
  }
  nlohmann::json older = suts::forwarder({"/bin/fwd"});
  older.erase("implementation");
  older.erase("mode");
  const auto back = older.get<SutSpec>();
  EXPECT_EQ(back.implementation, "");
  EXPECT_EQ(back.mode, "");
  nlohmann::json wrong = suts::forwarder({"/bin/fwd"});
  wrong["implementation"] = 3;
  EXPECT_EQ(error_of([&] { (void)wrong.get<SutSpec>(); }), "sut.implementation: unexpected number value");
}

// The rows tunbench builds itself name their implementation: the kernel baselines "kernel",
// tunstack "tunbench" (ours), the other stacks their own names.
TEST(Sut, BuiltInsNameTheirImplementation) {
  for (const auto& name : suts::baseline_names()) {
    EXPECT_EQ(suts::baseline(name)->implementation, "kernel") << name;
    EXPECT_EQ(suts::baseline(name)->mode, "") << name;
  }
  struct Case {
    const char* stack;
    const char* implementation;
  };
  for (const Case c : {Case{"ours", "tunbench"}, Case{"pasta", "pasta"}, Case{"pasta-m9000", "pasta"},
                       Case{"slirp4netns", "slirp4netns"}}) {
    const auto s = suts::builtin_stack(c.stack, "/bin/tunstack");
    ASSERT_TRUE(s) << c.stack;
    EXPECT_EQ(s->implementation, c.implementation) << c.stack;
  }
}

// The upload-fair pasta recipe is pasta's own plus MTU 9000 and Reno in its namespace, nothing else.
TEST(Sut, PastaM9000IsPastaAtMtu9000WithRenoInItsNamespace) {
  const auto plain = suts::builtin_stack("pasta", "");
  const auto m9000 = suts::builtin_stack("pasta-m9000", "");
  ASSERT_TRUE(plain && m9000);
  auto argv = plain->processes.at(0).argv;
  argv.insert(argv.end(), {"-m", "9000"});
  EXPECT_EQ(m9000->processes.at(0).argv, argv);
  auto sysctls = plain->sysctls;
  sysctls.emplace_back("fwd", "net.ipv4.tcp_congestion_control=reno");
  EXPECT_EQ(m9000->sysctls, sysctls);
}

TEST(Sut, JsonErrorsNameTheField) {
  nlohmann::json j = suts::kernel_veth();
  j["veths"][0]["a"]["addresses"] = 7;
  EXPECT_EQ(error_of([&] { (void)j.get<SutSpec>(); }), "sut.veths[0].a.addresses: unexpected number value");
  nlohmann::json k = suts::kernel_veth();
  k["format"] = "something/else";
  EXPECT_EQ(error_of([&] { (void)k.get<SutSpec>(); }), "sut.format: expected \"tunbench-sut/1\"");
  nlohmann::json m = suts::kernel_veth();
  m["namespaces"] = {"a"};  // veth-b's namespace is gone
  EXPECT_NE(error_of([&] { (void)m.get<SutSpec>(); }).find("'b', which the spec does not create"), std::string::npos);
}

}  // namespace
