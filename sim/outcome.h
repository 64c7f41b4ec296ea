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

// One listener invocation that included this message (timeline-format.md `deliveries`).
struct DeliveryRecord {
  SimTime t;                   // when the listener was called
  std::optional<SimTime> end;  // when it returned (unset: still running at the horizon)
  std::string group;
  std::string consumer;        // "cg#0"
  std::string topic;           // pulled from: the original topic or %RETRY%<group>
  std::string broker;          // the queue's broker
  int32_t queue = 0;
  int64_t queue_offset = 0;
  int32_t reconsume_times = 0;
  // CONSUME_SUCCESS, RECONSUME_LATER, EXCEPTION, NULL, TIMEOUT (ConsumeReturnType: a call that
  // returned a status after consumeTimeout), or SUSPEND_CURRENT_QUEUE_A_MOMENT (orderly); empty
  // while unfinished.
  std::string result;
  // Whether the application finished the work (status CONSUME_SUCCESS / SUCCESS, also behind a
  // TIMEOUT result).
  bool success = false;
  std::string thread;
};

enum class Fate { kPending, kConsumed, kDeadLettered, kDropped };
const char* FateName(Fate f);  // "pending", "consumed", "dead_lettered", "dropped"

// A consumer group's fate of this message (timeline-format.md `fates`): one per group subscribed
// to the message's topic. The first decisive event seals it.
struct FateRecord {
  std::string group;
  Fate fate = Fate::kPending;
  std::optional<SimTime> at;              // when sealed (unset while pending)
  std::optional<SimTime> first_consumed;  // the group's first successful consumption
  int32_t duplicates = 0;                 // successful consumptions beyond the first (per instance
                                          // for a broadcasting group)
};

// A copy the brokers stored on the message's way through a consumer group's retry machinery:
// %RETRY%<group>, SCHEDULE_TOPIC_XXXX (a delay level) and %DLQ%<group>.
struct JourneyRecord {
  SimTime at;
  std::string group;
  std::string broker;
  std::string topic;
  int32_t queue = 0;
  int64_t queue_offset = 0;
  int32_t reconsume_times = 0;
  int32_t delay_level = 0;     // the level a SCHEDULE_TOPIC_XXXX copy waits (0 otherwise)
  std::optional<SimTime> due;  // SCHEDULE_TOPIC_XXXX: deliver timestamp
  // How it got there: "send-back" (CONSUMER_SEND_MSG_BACK), "fallback" (inner producer), "orderly"
  // (orderly copy), "cleaner" (consume-timeout send-back), "re-put" (schedule service).
  std::string via;
  // ORIGIN_MESSAGE_ID of the stored copy ("" when absent: a fallback copy, and 4.9.0 / 4.9.3's
  // orderly copy, lose it, §7.8).
  std::string origin_msg_id;
};

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
  // With consumers: listener invocations, per-group fates, and the retry journey, in time order.
  std::vector<DeliveryRecord> deliveries;
  std::vector<FateRecord> fates;
  std::vector<JourneyRecord> journey;
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
  // With consumers (some message has a fate): fates summed over groups, listener invocations.
  bool has_consumers = false;
  int64_t consumed = 0, dead_lettered = 0, dropped = 0, pending = 0;
  int64_t deliveries = 0, redeliveries = 0, consumer_duplicates = 0;
  double delivery_latency_p99_ms = 0;  // first store to the group's first successful consumption
};

// Computes the summary from per-message data (nearest-rank percentiles over resolved messages).
Summary Summarize(const std::vector<MessageRecord>& messages);

// Names of the plain metrics (`stored.BROKER` and `errors.TYPE` are prefixed forms).
const std::vector<std::string_view>& MetricNames();
// True for the metrics that only a run with consumers gives meaning (consumed, deliveries, ...).
bool IsConsumerMetric(std::string_view name);
// True if `name` is a metric `expect` may use ("stored.<anything>", "errors.<anything>" included).
bool IsKnownMetric(std::string_view name);
// The metric's value for this summary; nullopt for an unknown name.
std::optional<double> MetricValue(const Summary& s, std::string_view name);

// How a run keeps its outcomes (RunOptions::accounting, sim/recorder.h): kFull keeps every
// message's record for the reports; kCompact keeps a record only while the message is in flight
// and a few bytes per message for the summary (RunResult::messages stays empty).
enum class Accounting { kFull, kCompact };

// Everything one profile's run of a scenario produced.
struct RunResult {
  std::string profile;
  Summary summary;
  std::vector<MessageRecord> messages;  // in send order per producer, producers in scenario order
  std::vector<core::Event> events;      // empty with --events none
  SimTime end;                          // virtual time when the run stopped
  uint64_t events_executed = 0;         // scheduler events
  bool event_limit_reached = false;     // stopped by RunOptions::max_events before the horizon
  Accounting accounting = Accounting::kFull;
};

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_OUTCOME_H_
