// Run invariants: what must hold for every run of every scenario under every profile.
//
// A violation is a bug in rmqsim, never a model outcome: RunScenario stops with exit status 3,
// naming the invariant, the message or event that broke it, the scenario, the seed and the
// profile (core/check.h). They are checked at the end of every run (FindRunInvariantViolations)
// and, in debug builds (kContinuousInvariantChecks), as the run goes: the scheduler refuses time
// going backwards in every build; the recorder checks each callback and each stored copy.
//
//   1. Virtual time never goes backwards: logged events are in time order; every attempt ends no
//      earlier than it started, every result and stored copy comes no earlier than the send.
//   2. Nothing runs past the horizon: the run's end, every event, attempt, result and stored copy
//      is at or before the scenario's duration.
//   3. Every message is resolved at most once (one SendCallback / one return to the caller),
//      except an async message under a profile with the documented double-callback path
//      (5.3.3 quirk Q9, counted by the `double_callback` metric); a message has a result iff
//      some callback ran.
//   4. A message is stored at most as many times as its requests reached a broker.
//   5. The summary counts equal the per-message data (recounted independently of Summarize).
#ifndef RMQSIM_SIM_INVARIANTS_H_
#define RMQSIM_SIM_INVARIANTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/sim_time.h"
#include "sim/outcome.h"
#include "sim/tally.h"

namespace rmqsim::sim {

#ifdef NDEBUG
inline constexpr bool kContinuousInvariantChecks = false;
#else
inline constexpr bool kContinuousInvariantChecks = true;
#endif

// Invariant 3's exception, in words (printed with a violation).
inline constexpr const char kRepeatCallbackRule[] =
    "only an async send under a profile with the documented double-callback path (5.3.3 quirk "
    "Q9) may be resolved more than once";

// True if message `m` (a MessageRecord or a LiveRecord) may be resolved more than once: async,
// under a profile whose documented path calls the SendCallback again
// (Recorder::repeat_callback_allowed).
template <typename Record>
bool RepeatCallbackAllowed(const Record& m, bool profile_allows) {
  return profile_allows && m.mode == SendMode::kAsync;
}

struct InvariantInputs {
  core::SimTime horizon;              // SimTime::Zero() + scenario duration
  bool repeat_callback_allowed = false;
  const std::vector<int32_t>* arrivals = nullptr;  // per message: requests that reached a broker
  // Compact accounting (RunResult::accounting): the tallies instead of the records, the
  // violations found in each record when it was dropped at its result, and the records of the
  // messages still in flight at the end.
  const OutcomeTally* tally = nullptr;
  const std::vector<std::string>* retired_violations = nullptr;
  const std::vector<const MessageRecord*>* in_flight = nullptr;
};

// Every violated invariant of a finished run, one line each naming the message or event that
// broke it (at most `limit` lines); empty when all hold. Under compact accounting invariants 1-3
// are checked on each record when it is dropped, 3 and 4 on every tally, and 5 compares the
// summary's running counters with a recount of the tallies.

std::vector<std::string> FindRunInvariantViolations(const RunResult& run, const InvariantInputs& in,
                                                    size_t limit = 20);
// Invariants 1-4 on one message's record, against the run's end (or horizon) and the number of
// its requests that reached a broker.
std::vector<std::string> FindMessageInvariantViolations(const MessageRecord& m, int32_t arrived,
                                                        core::SimTime end,
                                                        bool repeat_callback_allowed,
                                                        size_t limit);
// The same checks, with the same lines, on a compact run's record as it is dropped at the
// message's first result (sim/recorder.h); they are appended to `out` while it holds fewer than
// `limit` lines. Nothing is allocated unless an invariant is violated: this runs for every message.
struct LiveRecord;
void AppendMessageInvariantViolations(const LiveRecord& m, int32_t arrived, core::SimTime end,
                                      bool repeat_callback_allowed, size_t limit,
                                      std::vector<std::string>* out);

// Test-only fault injection (RunOptions::break_invariant, `--test-break-invariant KIND`):
//   time-backwards   schedules an event in the past in mid-run (the scheduler's check)
//   double-resolve   resolves a resolved sync (or oneway) message again after the run
//   stored          records a stored copy no request delivered
//   past-horizon     moves an attempt's end past the horizon
//   summary          makes the summary disagree with the per-message data
inline constexpr const char* kBreakInvariantKinds[] = {"time-backwards", "double-resolve", "stored",
                                                      "past-horizon", "summary"};
bool IsBreakInvariantKind(const std::string& kind);

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_INVARIANTS_H_
