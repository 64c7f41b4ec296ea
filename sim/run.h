// Running a scenario under one client profile.
//
//   absl::StatusOr<Scenario> s = LoadScenarioFile("scenarios/x.yaml");
//   RunResult r = RunScenario(*s, *FindProfile("4.9.0"), RunOptions{});
//
// A run depends only on (scenario, profile, seed): no clock, no environment, no threads.
#ifndef RMQSIM_SIM_RUN_H_
#define RMQSIM_SIM_RUN_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

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
  // Event budget: the run stops after this many scheduler events even if the horizon is not
  // reached, and RunResult::event_limit_reached says so (fuzzing, `rmqsim run --max-events`).
  uint64_t max_events = std::numeric_limits<uint64_t>::max();
  // kCompact: no per-message records in the result (RunResult::messages stays empty), memory
  // bounded by the messages in flight plus a few bytes per message; the summary is identical.
  // For runs whose output is the summary only (`rmqsim check`, `rmqsim run --summary-only`).
  Accounting accounting = Accounting::kFull;
  // Test-only: breaks one run invariant on purpose (sim/invariants.h, kBreakInvariantKinds) so a
  // test can see the run stop with exit status 3 (`rmqsim run --test-break-invariant KIND`).
  std::string break_invariant;
};

// Runs the scenario. The run invariants (sim/invariants.h) are checked at the end of every run,
// and as the run goes in debug builds; a violation is a bug in rmqsim: it prints the invariant,
// the message or event that broke it, the scenario, seed and profile, and exits with status 3.
RunResult RunScenario(const Scenario& scenario, const Profile& profile, const RunOptions& options);

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_RUN_H_
