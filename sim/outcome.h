// Outcomes of a run, as ../shared/docs/timeline-format.md defines them.
//
// The model records these; reports and `rmqsim check` read them. Nothing here knows about the
// model's internals, and nothing in the model formats output.
#ifndef RMQSIM_SIM_OUTCOME_H_
#define RMQSIM_SIM_OUTCOME_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_log.h"
#include "core/sim_time.h"
#include "sim/scenario.h"

namespace rmqsim::sim {

// One send request the client tried to issue for a message, including ones that never left the
// client (connect refused, connect timed out, semaphore exhausted, budget exhausted).
struct AttemptRecord {
  int32_t n = 0;              // 1-based
  std::string broker;         // broker the attempt was addressed to
  int32_t queue = -1;         // queueId in the request header
  SimTime start;
  std::optional<SimTime> end; // unset if the attempt never finished before the horizon
  // "ok", a SendStatus (SEND_OK ...), an upstream exception class, or a response code name.
  std::string result;
  // The upstream code path that made the attempt: "sendDefaultImpl" or "onExceptionImpl".
  std::string path;
  std::string thread;         // simulated thread that issued it
  std::string detail;         // error text, if any
  // What the client decided after this attempt, in upstream terms, e.g. "retry on another broker
  // (sendDefaultImpl loop)" or "connect exception escaped to sendDefaultImpl, 1 attempt allowed".
  // Reports compare these across profiles to name the first divergence.
  std::string decision;
};

struct StoredCopy {
  std::string broker;
  int32_t queue = 0;
  SimTime at;
};

struct ErrorInfo {
  std::string type;     // upstream class name: "MQClientException"
  std::string message;  // upstream wording
  std::string cause;    // "RemotingConnectException: connect to <...> failed", or empty
  int32_t response_code = 0;  // MQClientException.getResponseCode(), MQBrokerException code
};

enum class Outcome { kOk, kFailed, kUnresolved };
const char* OutcomeName(Outcome o);

struct MessageRecord {
  std::string id;        // "pg#0/17"
  std::string producer;  // "pg#0"
  std::string topic;
  SendMode mode = SendMode::kSync;
  SimTime sent;          // when the application called send
  std::optional<SimTime> resolved;
  Outcome outcome = Outcome::kUnresolved;
  std::string send_status;   // SEND_OK, FLUSH_DISK_TIMEOUT, ... when ok (and sync); else empty
  std::optional<ErrorInfo> error;
  std::vector<StoredCopy> stored;
  std::vector<AttemptRecord> attempts;
  // Times the application callback ran (onSuccess/onException). More than one is a client bug
  // the model reproduces (5.3.3 Q9), kept visible rather than collapsed.
  int32_t callbacks = 0;
};

// The summary metrics of timeline-format.md.
struct Summary {
  int64_t messages = 0, ok = 0, failed = 0, unresolved = 0, lost = 0, silent_loss = 0;
  int64_t duplicated = 0, false_failure = 0, stored = 0, attempts = 0, retries = 0;
  // Messages whose SendCallback ran more than once (5.3.3 quirk Q9: onException twice).
  int64_t double_callback = 0;
  int64_t attempts_max = 0;
  double latency_p50_ms = 0, latency_p99_ms = 0, latency_max_ms = 0;
  std::map<std::string, int64_t> stored_by_broker;  // messages stored on that broker
  std::map<std::string, int64_t> errors_by_type;    // final errors by exception type
};

// Computes the summary from per-message data (nearest-rank percentiles over resolved messages).
Summary Summarize(const std::vector<MessageRecord>& messages);

// Names of the plain metrics (`stored.BROKER` and `errors.TYPE` are prefixed forms).
const std::vector<std::string_view>& MetricNames();
// True if `name` is a metric `expect` may use ("stored.<anything>", "errors.<anything>" included).
bool IsKnownMetric(std::string_view name);
// The metric's value for this summary; nullopt for an unknown name.
std::optional<double> MetricValue(const Summary& s, std::string_view name);

// Everything one profile's run of a scenario produced.
struct RunResult {
  std::string profile;
  Summary summary;
  std::vector<MessageRecord> messages;  // in send order per producer, producers in scenario order
  std::vector<core::Event> events;      // empty with --events none
  SimTime end;                          // virtual time when the run stopped
  uint64_t events_executed = 0;         // scheduler events
  bool event_limit_reached = false;     // stopped by RunOptions::max_events before the horizon
};

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_OUTCOME_H_
