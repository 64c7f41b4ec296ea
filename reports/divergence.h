// Comparison of the runs of one scenario under several profiles: where they first diverge, and
// why each run lost or duplicated messages.
//
// Both answers are built from recorded data only (sim/outcome.h): messages correspond across runs
// by `id`, and each AttemptRecord carries the broker, the result and the client's `decision`.
//
//   std::vector<Divergence> d = FindDivergences(runs);
//   // d[0].sentence: "4.9.0: connect exception escaped to sendDefaultImpl, 1 attempt allowed;
//   //                 4.9.3: caught in sendMessageAsync, retried on broker-b"
//   RunCauses c = ClassifyCauses(runs[0]);
//
// FIRST DIVERGENCE RULES
//   * A message diverges when its outcome or its number of stored copies differs between runs, or
//     when some run does not have it at all.
//   * Its first divergent attempt is the lowest 0-based index k at which two runs differ: one run
//     has no attempt k while another has, or the attempts differ in broker, result or decision.
//     When every run made identical attempts (the outcome differs for another reason, e.g. a late
//     store), k is the attempt count and the sentence describes the outcome instead.
//   * Per run the sentence is "<profile>: <what happened at k>":
//       - the attempt's decision (or "<result>" when the model recorded none),
//       - prefixed by "<result> on <broker>: " when the runs disagree on result or broker at k,
//       - followed by ", retried on <next broker>" when there is a next attempt whose broker the
//         decision does not already name, or by " -> <outcome>" when it was the last attempt and
//         no decision was recorded;
//       - "no attempt <k+1>: <outcome> after <n> attempt(s)" when the run stopped earlier;
//       - "same attempts, then <outcome>, stored <n> copies" when no attempt differs;
//       - "not sent" when the run has no such message.
//     Runs are joined with "; " in the given order.
//
// CAUSE RULES (checked in this order; "failed" below is a failed attempt, i.e. a result that is
// neither "ok", "SEND_OK" nor a non-OK SendStatus)
//   Loss = stored nowhere at the end, whatever the outcome (the `lost` metric).
//     1. outcome unresolved                                  -> "unresolved at horizon"
//     2. no attempts                                         -> "other"
//     3. the last decision says only one attempt / no retry was allowed ("attempt allowed",
//        "no retry", "not retried", "retry disabled"), or the mode is oneway  -> "no retry allowed
//        in this mode"
//     4. a retry went to a broker on which an earlier attempt of this message failed
//                                                            -> "retry returned to a failed broker"
//     5. the last attempt timed out, or the last decision speaks of the time budget or of
//        exhausted retries ("budget", "timeout", "timed out", "time left", "exhausted")
//                                                            -> "retry budget exhausted"
//     6. exactly one attempt                                 -> "no retry allowed in this mode"
//     7. otherwise (every allowed attempt failed)            -> "retry budget exhausted"
//   Duplicate = stored two or more times. Each stored copy is attributed to the latest attempt on
//   its broker that started no later than the copy; the attempt owning the earliest copy is the one
//   whose failure report caused the extra copies.
//     1. no attempt owns a copy, or it is the last attempt    -> "other"
//     2. its result is a non-OK SendStatus (FLUSH_DISK_TIMEOUT, FLUSH_SLAVE_TIMEOUT,
//        SLAVE_NOT_AVAILABLE)                                 -> "retry after non-OK status"
//     3. its result, detail or decision says the response was dropped or lost ("drop", "lost")
//                                                            -> "response lost after store"
//     4. its result is a timeout (contains "Timeout"/"timeout", not a SendStatus)
//                                                            -> "timeout then retry stored twice"
//     5. any other failed result (connection closed, broker error after the store)
//                                                            -> "response lost after store"
//     6. otherwise                                           -> "other"
#ifndef RMQSIM_REPORTS_DIVERGENCE_H_
#define RMQSIM_REPORTS_DIVERGENCE_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/outcome.h"

namespace rmqsim::reports {

// ---- First divergence ---------------------------------------------------------------------------

struct ProfileStep {
  std::string profile;
  bool present = false;     // the run has this message
  std::string outcome;      // "ok", "failed", "unresolved"; empty when absent
  int32_t stored = 0;       // stored copies
  int32_t attempts = 0;     // attempts made
  std::string text;         // what happened at the divergent attempt (no profile prefix)
};

struct Divergence {
  std::string message_id;
  // 1-based number of the first attempt at which the runs differ; attempts + 1 when the attempts
  // were identical everywhere (then `steps[i].text` describes the outcome).
  int32_t attempt = 0;
  std::vector<ProfileStep> steps;  // one per run, in run order
  std::string sentence;            // "<profile>: <text>; <profile>: <text>"
};

// Every diverging message, in the order the first run sent them (then messages only later runs
// have, in their order). `limit` caps the result (0 = no cap).
std::vector<Divergence> FindDivergences(const std::vector<sim::RunResult>& runs, size_t limit = 0);

// ---- Loss and duplicate causes ------------------------------------------------------------------

enum class Cause : int {
  kNoRetryAllowed,
  kRetryBudgetExhausted,
  kRetryToFailedBroker,
  kResponseLostAfterStore,
  kRetryAfterNonOkStatus,
  kTimeoutThenRetryStoredTwice,
  kUnresolvedAtHorizon,
  kOther,
};
inline constexpr int kCauseCount = 8;
// "no retry allowed in this mode", "retry budget exhausted", ... (the names in the rules above).
const char* CauseName(Cause c);
// All causes in declaration order, for tables.
const std::array<Cause, kCauseCount>& AllCauses();

enum class Anomaly { kLoss, kDuplicate };
const char* AnomalyName(Anomaly a);  // "loss", "duplicate"

struct MessageCause {
  std::string message_id;
  Anomaly anomaly = Anomaly::kLoss;
  Cause cause = Cause::kOther;
};

struct RunCauses {
  std::string profile;
  std::vector<MessageCause> messages;  // in send order; a message can be neither, never both
  std::array<int64_t, kCauseCount> losses{};      // indexed by static_cast<int>(Cause)
  std::array<int64_t, kCauseCount> duplicates{};
};

// The cause of a lost message (stored nowhere). REQUIRES: m.stored.empty().
Cause ClassifyLoss(const sim::MessageRecord& m);
// The cause of a duplicated message. REQUIRES: m.stored.size() >= 2.
Cause ClassifyDuplicate(const sim::MessageRecord& m);
// Classifies every lost and every duplicated message of the run.
RunCauses ClassifyCauses(const sim::RunResult& run);

// ---- Result vocabulary (shared with the HTML and trace colouring) -------------------------------

enum class ResultClass { kOk, kNonOkStatus, kTimeout, kError, kPending };
// kPending for an unfinished attempt; otherwise from `result`: "ok"/"SEND_OK" -> kOk, the three
// non-OK SendStatus names -> kNonOkStatus, names containing "Timeout"/"timeout" -> kTimeout,
// anything else -> kError.
ResultClass ClassifyResult(const sim::AttemptRecord& a);
const char* ResultClassName(ResultClass c);  // "ok", "status", "timeout", "error", "pending"

}  // namespace rmqsim::reports

#endif  // RMQSIM_REPORTS_DIVERGENCE_H_
