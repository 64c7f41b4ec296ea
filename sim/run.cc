#include "sim/run.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/check.h"
#include "sim/invariants.h"
#include "sim/world.h"

namespace rmqsim::sim {
namespace {

// RunOptions::break_invariant kinds acting in mid-run (see sim/invariants.h).
void BreakDuringRun(const std::string& kind, World& world, SimTime horizon) {
  if (kind != "time-backwards") return;
  core::Scheduler& s = world.scheduler();
  s.ScheduleAt(SimTime::FromNanos(horizon.ns() / 2),
               [&s] { s.ScheduleAt(s.now() - SimDuration::Nanos(1), [] {}); });
}

// Kinds acting on the recorder once the run is over (continuous checks catch these in debug
// builds, the end-of-run check in every build).
void BreakAfterRun(const std::string& kind, World& world) {
  Recorder& r = world.recorder();
  for (size_t i = 0; i < r.size(); ++i) {
    int64_t idx = static_cast<int64_t>(i);
    if (kind == "double-resolve" && r.callbacks(idx) == 1 && r.mode(idx) != SendMode::kAsync) {
      r.Resolve(idx, Outcome::kFailed, world.scheduler().now(), "", std::nullopt);
      return;
    }
    if (kind == "stored") {
      int32_t arrived = r.arrivals(idx);
      for (int32_t k = 0; k <= arrived; ++k) {
        r.Stored(idx, "no-such-broker", 0, world.scheduler().now());
      }
      return;
    }
  }
}

// Kinds acting on the result.
void BreakResult(const std::string& kind, RunResult& result, SimTime horizon) {
  if (kind == "summary") ++result.summary.ok;
  if (kind == "past-horizon") {
    for (MessageRecord& m : result.messages) {
      if (!m.attempts.empty()) {
        m.attempts.front().end = horizon + SimDuration::Millis(1);
        return;
      }
    }
  }
}

}  // namespace

RunResult RunScenario(const Scenario& scenario, const Profile& profile, const RunOptions& options) {
  uint64_t seed = options.seed.value_or(scenario.seed);
  core::SetRunContext(absl::StrCat("scenario ", scenario.path.empty() ? scenario.id : scenario.path,
                                   " seed ", seed, " profile ", std::string(profile.name)));
  RMQ_CHECK(options.break_invariant.empty() || IsBreakInvariantKind(options.break_invariant))
      << "unknown break_invariant kind '" << options.break_invariant << "'";
  const SimTime horizon = SimTime::Zero() + scenario.duration;
  // Full accounting where records are needed after a message's result: "past-horizon" edits one
  // after the run, and consumers (#10) record deliveries and fates on the message long after it
  // was sent and compute their metrics from them.
  const Accounting accounting =
      options.break_invariant == "past-horizon" || !scenario.consumers.empty()
          ? Accounting::kFull
          : options.accounting;
  core::VectorSink vector_sink;
  std::vector<core::EventSink*> sinks;
  if (options.record_events) sinks.push_back(&vector_sink);
  if (options.extra_sink != nullptr) sinks.push_back(options.extra_sink);
  core::TeeSink tee(sinks);
  RunResult result;
  result.profile = std::string(profile.name);
  result.accounting = accounting;
  auto world = std::make_unique<World>(scenario, profile, seed, sinks.empty() ? nullptr : &tee,
                                       accounting);
  BreakDuringRun(options.break_invariant, *world, horizon);
  core::Scheduler::StopReason stop = world->Run(options.max_events);
  result.event_limit_reached = stop == core::Scheduler::StopReason::kEventLimit;
  BreakAfterRun(options.break_invariant, *world);
  result.end = world->scheduler().now();
  result.events_executed = world->scheduler().executed_events();
  Recorder& recorder = world->recorder();
  InvariantInputs inputs;
  inputs.horizon = horizon;
  inputs.repeat_callback_allowed = recorder.repeat_callback_allowed();
  std::vector<int32_t> arrivals;
  std::vector<MessageRecord> in_flight_records;
  std::vector<const MessageRecord*> in_flight;
  if (accounting == Accounting::kFull) {
    arrivals.reserve(recorder.size());
    for (size_t i = 0; i < recorder.size(); ++i) {
      arrivals.push_back(recorder.arrivals(static_cast<int64_t>(i)));
    }
    inputs.arrivals = &arrivals;
    result.messages = recorder.Take();
    result.summary = Summarize(result.messages);
  } else {
    in_flight_records = recorder.InFlight();
    for (const MessageRecord& m : in_flight_records) in_flight.push_back(&m);
    inputs.tally = &recorder.tally();
    inputs.retired_violations = &recorder.retired_violations();
    inputs.in_flight = &in_flight;
    result.summary = recorder.tally().ToSummary();
  }
  result.events = vector_sink.Take();
  BreakResult(options.break_invariant, result, horizon);
  std::vector<std::string> violations = FindRunInvariantViolations(result, inputs);
  RMQ_CHECK(violations.empty()) << "run invariant violated: " << absl::StrJoin(violations, "; ");
  world.reset();
  core::SetRunContext("");
  return result;
}

}  // namespace rmqsim::sim
