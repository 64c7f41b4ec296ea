// Recorder: per-message outcomes as the run produces them (timeline-format.md message fields).
// The producer, remoting and broker models report attempts, stored copies and results here; the
// run hands the records to reports at the end.
//
// Two accounting modes (RunOptions::accounting):
//   kFull     a MessageRecord per message for the whole run (reports, per-message output);
//   kCompact  a MessageRecord only while the message is in flight: it is checked (invariants 1-3)
//             and dropped at the message's first result. What the summary needs is kept by the
//             OutcomeTally (sim/tally.h), a few bytes per message. Both modes feed the tally.
#ifndef RMQSIM_SIM_RECORDER_H_
#define RMQSIM_SIM_RECORDER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "sim/outcome.h"
#include "sim/tally.h"

namespace rmqsim::sim {

class Recorder {
 public:
  explicit Recorder(Accounting accounting = Accounting::kFull) : accounting_(accounting) {}

  // Registers a message the application is sending; returns its index.
  int64_t NewMessage(std::string_view id, std::string_view producer, std::string_view topic,
                     SendMode mode, SimTime sent);
  // Starts attempt n+1 of message `m` and returns its number (1-based).
  //
  // Under kCompact the in-flight record keeps what the invariants read (times, brokers, queues,
  // outcome); the attempt's path, thread, result, detail and decision and the send status are
  // only for reports, which a compact run has none of, and are not copied.
  int32_t BeginAttempt(int64_t m, const std::string& broker, int32_t queue, SimTime start,
                       const std::string& path, const std::string& thread);
  void EndAttempt(int64_t m, int32_t n, SimTime end, const std::string& result,
                  const std::string& detail = std::string());
  void SetDecision(int64_t m, int32_t n, std::string decision);
  // The decision that ends a send with a callback. If the SendCallback already ran (5.3.3 Q9)
  // and attempt n had a decision, this one is appended to it ("...; then again (Q9): ...").
  void SetCallbackDecision(int64_t m, int32_t n, std::string decision);
  void Stored(int64_t m, const std::string& broker, int32_t queue, SimTime at);
  // A send request for message `m` reached a broker process (stored or not). A message is never
  // stored more often than its requests reached brokers (sim/invariants.h).
  void RequestArrived(int64_t m);
  // The application was told: ok (with a send status for sync) or failed (with the exception).
  void Resolve(int64_t m, Outcome outcome, SimTime at, std::string send_status,
               std::optional<ErrorInfo> error);

  Accounting accounting() const { return accounting_; }
  // Messages registered so far.
  size_t size() const { return tally_.size(); }
  // Times the application was told about message `m` so far (both modes).
  int32_t callbacks(int64_t m) const { return tally_.tally(m).callbacks; }
  SendMode mode(int64_t m) const { return tally_.tally(m).mode_enum(); }
  // Requests of message `m` that reached a broker (both modes; saturates at 255 in the tally).
  int32_t arrivals(int64_t m) const { return tally_.tally(m).arrivals; }

  // kFull: every record. kCompact: the record of a message in flight (CHECK-fails otherwise).
  MessageRecord& message(int64_t m);
  const std::vector<MessageRecord>& messages() const { return messages_; }  // kFull
  std::vector<MessageRecord> Take() { return std::move(messages_); }        // kFull
  const OutcomeTally& tally() const { return tally_; }

  // kCompact: messages whose result never came (still in flight at the end), in index order; and
  // the invariant violations found in records when they were dropped (at most `limit`).
  std::vector<const MessageRecord*> InFlight() const;
  const std::vector<std::string>& retired_violations() const { return retired_violations_; }
  // The horizon against which dropped records are checked (kCompact).
  void set_horizon(SimTime horizon) { horizon_ = horizon; }

  // Whether the run's profile has a documented path that calls an async SendCallback again
  // (5.3.3 quirk Q9). Without it a second Resolve of any message is an invariant violation.
  void set_repeat_callback_allowed(bool allowed) { repeat_callback_allowed_ = allowed; }
  bool repeat_callback_allowed() const { return repeat_callback_allowed_; }

 private:
  // The record of message `m`, or nullptr once a compact run has dropped it.
  MessageRecord* Find(int64_t m);
  void Retire(int64_t m, MessageRecord& r);

  Accounting accounting_;
  OutcomeTally tally_;
  std::vector<MessageRecord> messages_;                           // kFull
  absl::flat_hash_map<int64_t, std::unique_ptr<MessageRecord>> live_;  // kCompact
  // kCompact: retired records, cleared but keeping their strings' and vectors' storage, for the
  // next messages (a busy run retires as fast as it registers: no allocation per record).
  std::vector<std::unique_ptr<MessageRecord>> spare_;
  std::vector<std::string> retired_violations_;
  SimTime horizon_ = SimTime::Zero();
  bool repeat_callback_allowed_ = false;
};

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_RECORDER_H_
