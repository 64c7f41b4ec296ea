// Trace export (`--trace FILE`): the runs as Chrome Trace Event JSON, for ui.perfetto.dev and
// chrome://tracing.
//
//   std::ofstream f("run.trace.json");
//   WriteTraceJson(f, scenario, runs, TraceOptions{.generator = "rmqsim 0.1.0"});
//
// Layout (object form: {"traceEvents": [...], "displayTimeUnit": "ms", "otherData": {...}}):
//   * one process per profile (pid 1, 2, ... in run order), named after the profile;
//   * one thread per actor: name servers, brokers, producers (scenario order, then any other actor
//     the run mentions, sorted), and "fault"; every pid and tid is named by `M` metadata events;
//   * each attempt twice:
//       - an async span `b`/`e` (cat "attempt", unique id) on its broker's thread, named
//         "send <broker>", so concurrent requests to one broker stack on one async track;
//       - a complete slice `X` (cat "attempt", named after the message id) on one of the broker's
//         "<broker> attempts #N" lane threads. Lanes are packed so slices never overlap, because
//         viewers bind flow events only to thread slices, never to async spans;
//     the slice carries args {msg, n, queue, result, path, decision, detail, thread}, the span
//     {msg, n, result, decision}. Unfinished attempts end at the run's end (slice
//     args.unfinished = true); slices last at least 1 us.
//   * flow events `s` -> `f` (cat "retry", bp "e") from each attempt's lane slice to the next
//     attempt of the same message, placed mid-slice;
//   * fault intervals: global instants `i` (s "g") at their begin and end, and an async span
//     (cat "fault") on the "fault" thread;
//   * counters `C` "in-flight <broker>" {"requests": n} from attempts' start/end;
//   * per message an instant on its producer's thread when the application got the result;
//   * with include_events, every other logged event as a thread instant on its actor.
// Timestamps are microseconds with up to 3 decimals (exact nanoseconds). Output is deterministic.
#ifndef RMQSIM_REPORTS_TRACE_EXPORT_H_
#define RMQSIM_REPORTS_TRACE_EXPORT_H_

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/sim_time.h"
#include "sim/outcome.h"
#include "sim/scenario.h"

namespace rmqsim::reports {

struct TraceOptions {
  // Written to otherData.generator. Default "rmqsim".
  std::string generator = "rmqsim";
  // Also export every logged event (other than faults) as an instant. Default true.
  bool include_events = true;
};

void WriteTraceJson(std::ostream& out, const sim::Scenario& s,
                    const std::vector<sim::RunResult>& runs, const TraceOptions& opts);

// A fault as a time interval (shared by the trace and the HTML timeline).
struct FaultInterval {
  core::SimTime begin;
  std::optional<core::SimTime> end;  // unset: still active at the horizon
  std::string text;                  // begin text: "kill broker broker-a"
  std::string end_text;              // end text, empty when unset
};

// The run's fault intervals. From the run's events with actor "fault": each "fault_begin" opens an
// interval; each "fault_end" closes the oldest open interval with the same key, else the oldest
// open one. The key is the event's "target" field when present, else the last word of its text
// (the target's name). A run without fault events (`--events none`) falls back to the scenario's
// fault list: kill/crash/partition/slow/error/drop_responses open, start/heal close the open fault
// on the same target, `for` closes after its duration. Sorted by begin time (stable).
std::vector<FaultInterval> FaultIntervals(const sim::Scenario& s, const sim::RunResult& run);

// Virtual nanoseconds as trace microseconds: "10000000.0", "1.25".
std::string FormatUs(int64_t ns);

}  // namespace rmqsim::reports

#endif  // RMQSIM_REPORTS_TRACE_EXPORT_H_
