#include "check/runner.h"

#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include "check/netns.h"
#include "harness/interrupt.h"
#include "harness/run_state.h"
#include "harness/sut_instance.h"
#include "harness/suts.h"

namespace check {
namespace {

// The side of the topology in role `role` (the client's or the server's namespace): the device
// the system under test created and the harness moved there.
Side side_of(const harness::SutInstance& instance, const std::string& role, const std::string& address,
             const std::string& address6) {
  for (const auto& d : instance.spec().devices)
    if (d.iface.ns == role) {
      Side s{instance.topology().ns(role), d.iface.name, address, address6, 0, {}};
      s.mtu = device_mtu(s.ns, s.device);
      s.offloads = negotiated_offloads(s.ns, s.device);
      return s;
    }
  throw std::runtime_error(fmt::format("the system creates no device in the {} namespace", role));
}

std::string file_name(std::string label) {
  for (char& c : label)
    if (c == '/' || c == ' ') c = '_';
  return label;
}

}  // namespace

CheckReport run_checks(const std::vector<SystemUnderCheck>& systems, const std::vector<const Case*>& cases,
                       const RunOptions& options, harness::RunState* state, const RunEvents& events) {
  CheckReport report;
  int bring_ups = 0;
  for (const auto& system : systems) {
    SystemResult result{system.label, {}, {}, {}};
    std::unique_ptr<harness::SutInstance> instance;
    std::string suffix;
    const std::string main_process = system.sut.processes.empty() ? "" : system.sut.processes.front().name;
    for (const Case* c : cases) {
      if (instance && !main_process.empty() && !instance->process(main_process).running()) instance.reset();
      Target target;
      try {
        if (!instance) {
          ++bring_ups;
          suffix = fmt::format("{}-{}", state ? state->run_id() : "check", bring_ups);
          instance = std::make_unique<harness::SutInstance>(
              system.sut, suffix, options.log_dir / fmt::format("{}-{}", file_name(system.label), bring_ups), state,
              options.ready_timeout);
        }
        const auto& ends = system.sut.endpoints;
        target.label = system.label;
        target.client = side_of(*instance, ends.client_ns, harness::kClientAddress, harness::kClientAddress6);
        target.server = side_of(*instance, ends.server_ns, ends.server_address, ends.server_address6);
        // What the forwarder negotiated, once per system (the first bring-up's: the same binary).
        if (result.offloads.empty())
          result.offloads = fmt::format("{}: {}; {}: {}", target.client.device, target.client.offloads.describe(),
                                        target.server.device, target.server.offloads.describe());
      } catch (const harness::Interrupted&) {
        throw;
      } catch (const std::exception& e) {
        result.setup_error = e.what();
        break;
      }
      target.forwarder = main_process.empty() ? nullptr : &instance->process(main_process);
      if (!main_process.empty()) target.forwarder_stderr = instance->stderr_path(main_process);
      target.name_suffix = suffix;
      target.state = state;
      target.bulk_bytes = options.bulk_bytes;
      target.transfer_timeout = options.transfer_timeout;
      // Ports by the case's place in the table, so a case keeps its ports whatever is selected.
      target.port = static_cast<std::uint16_t>(5300 + 10 * (c - all_cases().data()));
      if (events.case_started) events.case_started(system.label, *c);
      const auto start = std::chrono::steady_clock::now();
      CaseResult r{c->name, {}, 0};
      try {
        r.verdict = c->run(target);
      } catch (const harness::Interrupted&) {
        throw;
      } catch (const std::exception& e) {
        r.verdict.fail(fmt::format("error: {}", e.what()));
      }
      // A signal ends the run here, whatever the case made of its cut-short traffic: a verdict
      // reached while interrupted is not one.
      harness::throw_if_interrupted();
      if (!c->stops_forwarder) {
        try {
          instance->check_running();
        } catch (const std::exception& e) {
          r.verdict.fail(e.what());
        }
      }
      if (c->stops_forwarder) instance.reset();
      r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (events.case_done) events.case_done(system.label, r);
      result.cases.push_back(std::move(r));
    }
    report.systems.push_back(std::move(result));
  }
  return report;
}

}  // namespace check
