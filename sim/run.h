// Running a scenario under one client profile.
//
//   absl::StatusOr<Scenario> s = LoadScenarioFile("scenarios/x.yaml");
//   RunResult r = RunScenario(*s, *FindProfile("4.9.0"), RunOptions{});
//
// A run depends only on (scenario, profile, seed): no clock, no environment, no threads.
#ifndef RMQSIM_SIM_RUN_H_
#define RMQSIM_SIM_RUN_H_

#include <cstdint>
#include <optional>

#include "core/event_log.h"
#include "sim/outcome.h"
#include "sim/profile.h"
#include "sim/scenario.h"

namespace rmqsim::sim {

struct RunOptions {
  // Keep the full event log in RunResult::events (`--events all`).
  bool record_events = true;
  // Also send every event to this sink (streaming writers, fingerprints). Not owned.
  core::EventSink* extra_sink = nullptr;
  // Overrides the scenario's seed.
  std::optional<uint64_t> seed;
};

RunResult RunScenario(const Scenario& scenario, const Profile& profile, const RunOptions& options);

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_RUN_H_
