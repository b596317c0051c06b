#include "harness/sut.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

namespace harness {

namespace {

bool known_role(const std::string& role) {
  return std::any_of(std::begin(kRoles), std::end(kRoles), [&](const char* r) { return role == r; });
}

// Reads optional field `key` of object `j` (at `where`) into `out`, with an error that names the
// field when it has the wrong type.
template <class T>
void read(const nlohmann::json& j, const char* key, T& out, const std::string& where) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  try {
    out = it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw std::invalid_argument(fmt::format("{}.{}: unexpected {} value", where, key, it->type_name()));
  }
}

template <class T>
void read_optional(const nlohmann::json& j, const char* key, std::optional<T>& out, const std::string& where) {
  T v{};
  if (j.contains(key) && !j.at(key).is_null()) {
    read(j, key, v, where);
    out = v;
  }
}

nlohmann::json to_json_interface(const Interface& i) {
  nlohmann::json routes = nlohmann::json::array();
  for (const auto& r : i.routes) routes.push_back({{"prefix", r.prefix}, {"via", r.via}});
  nlohmann::json j = {{"ns", i.ns}, {"name", i.name}, {"addresses", i.addresses}, {"routes", routes}};
  if (i.mtu) j["mtu"] = *i.mtu;
  return j;
}

Interface interface_from(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw std::invalid_argument(where + ": expected an object");
  Interface i;
  read(j, "ns", i.ns, where);
  read(j, "name", i.name, where);
  read(j, "addresses", i.addresses, where);
  read_optional(j, "mtu", i.mtu, where);
  if (const auto it = j.find("routes"); it != j.end()) {
    if (!it->is_array()) throw std::invalid_argument(where + ".routes: expected an array");
    for (std::size_t k = 0; k < it->size(); ++k) {
      const auto at = fmt::format("{}.routes[{}]", where, k);
      Route r;
      read((*it)[k], "prefix", r.prefix, at);
      read((*it)[k], "via", r.via, at);
      i.routes.push_back(r);
    }
  }
  return i;
}

const nlohmann::json& array_field(const nlohmann::json& j, const char* key, const std::string& where) {
  static const nlohmann::json empty = nlohmann::json::array();
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return empty;
  if (!it->is_array()) throw std::invalid_argument(fmt::format("{}.{}: expected an array", where, key));
  return *it;
}

void check_interface(const Interface& i, const std::string& where) {
  if (!known_role(i.ns))
    throw std::invalid_argument(fmt::format("{}: unknown namespace role '{}' (a, fwd, b)", where, i.ns));
  if (i.name.empty()) throw std::invalid_argument(where + ": interface without a name");
  for (const auto& r : i.routes)
    if (r.prefix.empty()) throw std::invalid_argument(where + ": route without a prefix");
}

}  // namespace

bool SutSpec::sampled() const {
  return std::any_of(processes.begin(), processes.end(), [](const SutProcess& p) { return p.sampled; });
}

void SutSpec::validate() const {
  const auto where = "system under test '" + kind + "'";
  if (kind.empty()) throw std::invalid_argument("system under test without a kind");
  if (!mode.empty() && implementation.empty())
    throw std::invalid_argument(fmt::format("{}: mode '{}' without an implementation", where, mode));
  const std::set<std::string> created(namespaces.begin(), namespaces.end());
  for (const auto& ns : namespaces)
    if (!known_role(ns))
      throw std::invalid_argument(fmt::format("{}: unknown namespace role '{}' (a, fwd, b)", where, ns));
  const auto need = [&](const std::string& role, const std::string& what) {
    if (!created.count(role))
      throw std::invalid_argument(
          fmt::format("{}: {} uses namespace '{}', which the spec does not create", where, what, role));
  };
  for (const auto& [role, setting] : sysctls) {
    need(role, "sysctl " + setting);
    if (setting.find('=') == std::string::npos)
      throw std::invalid_argument(fmt::format("{}: sysctl '{}' is not key=value", where, setting));
  }
  for (const auto& v : veths)
    for (const auto* end : {&v.a, &v.b}) {
      check_interface(*end, where + " veth " + end->name);
      need(end->ns, "veth " + end->name);
    }
  std::set<std::string> names;
  for (const auto& p : processes) {
    if (p.name.empty() || !names.insert(p.name).second)
      throw std::invalid_argument(fmt::format("{}: process names must be given and unique ('{}')", where, p.name));
    if (p.argv.empty() || p.argv.front().empty())
      throw std::invalid_argument(fmt::format("{}: process '{}' has no command", where, p.name));
    need(p.ns, "process " + p.name);
  }
  for (const auto& d : devices) {
    check_interface(d.iface, where + " device " + d.iface.name);
    need(d.created_in, "device " + d.iface.name);
    need(d.iface.ns, "device " + d.iface.name);
    if (!names.count(d.by))
      throw std::invalid_argument(fmt::format("{}: device {} is created by '{}', which is not one of its processes",
                                              where, d.iface.name, d.by));
  }
  need(endpoints.client_ns, "the iperf3 client");
  need(endpoints.server_ns, "the iperf3 server");
  if (endpoints.server_address.empty()) throw std::invalid_argument(where + ": no server address");
  if (!stats_format.empty() && processes.empty())
    throw std::invalid_argument(where + ": stats_format without a process to write them");
  if (guard) {
    need(guard->ns, "the traffic guard");
    if (guard->device.empty()) throw std::invalid_argument(where + ": traffic guard without a device");
    if (!(guard->min_share > 0 && guard->min_share <= 1))
      throw std::invalid_argument(where + ": traffic guard min_share must be in (0, 1]");
  }
}

std::vector<std::string> expand_placeholders(const std::vector<std::string>& argv,
                                             const std::map<std::string, std::string>& values) {
  std::vector<std::string> out;
  for (const auto& arg : argv) {
    std::string s;
    for (std::size_t i = 0; i < arg.size();) {
      if (arg[i] != '{') {
        s += arg[i++];
        continue;
      }
      const auto close = arg.find('}', i);
      if (close == std::string::npos) throw std::invalid_argument(fmt::format("'{}': '{{' without '}}'", arg));
      const auto key = arg.substr(i + 1, close - i - 1);
      const auto it = values.find(key);
      if (it == values.end()) {
        std::string known;
        for (const auto& [k, _] : values) known += (known.empty() ? "" : ", ") + ("{" + k + "}");
        throw std::invalid_argument(fmt::format("'{}': unknown placeholder {{{}}} (known: {})", arg, key, known));
      }
      s += it->second;
      i = close + 1;
    }
    out.push_back(std::move(s));
  }
  return out;
}

void to_json(nlohmann::json& j, const SutSpec& s) {
  nlohmann::json sysctls = nlohmann::json::array();
  for (const auto& [role, setting] : s.sysctls) sysctls.push_back({{"ns", role}, {"setting", setting}});
  nlohmann::json veths = nlohmann::json::array();
  for (const auto& v : s.veths) veths.push_back({{"a", to_json_interface(v.a)}, {"b", to_json_interface(v.b)}});
  nlohmann::json processes = nlohmann::json::array();
  for (const auto& p : s.processes) {
    nlohmann::json pj = {
        {"name", p.name}, {"argv", p.argv}, {"ns", p.ns}, {"sampled", p.sampled}, {"stop_grace_ms", p.stop_grace_ms}};
    if (p.ready_port) pj["ready_port"] = *p.ready_port;
    processes.push_back(pj);
  }
  nlohmann::json devices = nlohmann::json::array();
  for (const auto& d : s.devices)
    devices.push_back({{"by", d.by}, {"created_in", d.created_in}, {"iface", to_json_interface(d.iface)}});
  j = {{"format", "tunbench-sut/1"},
       {"kind", s.kind},
       {"description", s.description},
       {"implementation", s.implementation},
       {"mode", s.mode},
       {"namespaces", s.namespaces},
       {"sysctls", sysctls},
       {"veths", veths},
       {"processes", processes},
       {"devices", devices},
       {"endpoints",
        {{"client_ns", s.endpoints.client_ns},
         {"server_ns", s.endpoints.server_ns},
         {"server_address", s.endpoints.server_address},
         {"server_address6", s.endpoints.server_address6}}},
       {"compare_with", s.compare_with},
       {"stats_format", s.stats_format}};
  if (s.guard) j["guard"] = {{"ns", s.guard->ns}, {"device", s.guard->device}, {"min_share", s.guard->min_share}};
}

void from_json(const nlohmann::json& j, SutSpec& s) {
  const std::string where = "sut";
  if (!j.is_object()) throw std::invalid_argument("a system under test must be a JSON object");
  if (j.value("format", "") != "tunbench-sut/1") throw std::invalid_argument("sut.format: expected \"tunbench-sut/1\"");
  s = SutSpec{};
  read(j, "kind", s.kind, where);
  read(j, "description", s.description, where);
  read(j, "implementation", s.implementation, where);
  read(j, "mode", s.mode, where);
  read(j, "namespaces", s.namespaces, where);
  read(j, "compare_with", s.compare_with, where);
  read(j, "stats_format", s.stats_format, where);
  const auto& sysctls = array_field(j, "sysctls", where);
  for (std::size_t k = 0; k < sysctls.size(); ++k) {
    std::string ns, setting;
    read(sysctls[k], "ns", ns, fmt::format("sut.sysctls[{}]", k));
    read(sysctls[k], "setting", setting, fmt::format("sut.sysctls[{}]", k));
    s.sysctls.emplace_back(ns, setting);
  }
  const auto& veths = array_field(j, "veths", where);
  for (std::size_t k = 0; k < veths.size(); ++k) {
    const auto at = fmt::format("sut.veths[{}]", k);
    s.veths.push_back({interface_from(veths[k].value("a", nlohmann::json()), at + ".a"),
                       interface_from(veths[k].value("b", nlohmann::json()), at + ".b")});
  }
  const auto& processes = array_field(j, "processes", where);
  for (std::size_t k = 0; k < processes.size(); ++k) {
    const auto at = fmt::format("sut.processes[{}]", k);
    SutProcess p;
    read(processes[k], "name", p.name, at);
    read(processes[k], "argv", p.argv, at);
    read(processes[k], "ns", p.ns, at);
    read(processes[k], "sampled", p.sampled, at);
    read(processes[k], "stop_grace_ms", p.stop_grace_ms, at);
    read_optional(processes[k], "ready_port", p.ready_port, at);
    s.processes.push_back(std::move(p));
  }
  const auto& devices = array_field(j, "devices", where);
  for (std::size_t k = 0; k < devices.size(); ++k) {
    const auto at = fmt::format("sut.devices[{}]", k);
    CreatedDevice d;
    read(devices[k], "by", d.by, at);
    read(devices[k], "created_in", d.created_in, at);
    d.iface = interface_from(devices[k].value("iface", nlohmann::json()), at + ".iface");
    s.devices.push_back(std::move(d));
  }
  if (const auto it = j.find("guard"); it != j.end() && !it->is_null()) {
    TrafficGuard g;
    read(*it, "ns", g.ns, "sut.guard");
    read(*it, "device", g.device, "sut.guard");
    read(*it, "min_share", g.min_share, "sut.guard");
    s.guard = g;
  }
  if (const auto it = j.find("endpoints"); it != j.end()) {
    read(*it, "client_ns", s.endpoints.client_ns, "sut.endpoints");
    read(*it, "server_ns", s.endpoints.server_ns, "sut.endpoints");
    read(*it, "server_address", s.endpoints.server_address, "sut.endpoints");
    read(*it, "server_address6", s.endpoints.server_address6, "sut.endpoints");
  }
  s.validate();
}

}  // namespace harness
