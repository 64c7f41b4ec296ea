// Recorder: per-message outcomes as the run produces them (timeline-format.md message fields).
// The producer, remoting and broker models report attempts, stored copies and results here; the
// run hands the records to reports at the end.
//
// Two accounting modes (RunOptions::accounting):
//   kFull     a MessageRecord per message for the whole run (reports, per-message output);
//   kCompact  a LiveRecord only while the message is in flight: it is checked (invariants 1-4)
//             and dropped at the message's first result. What the summary needs is kept by the
//             OutcomeTally (sim/tally.h), a few bytes per message. Both modes feed the tally.
#ifndef RMQSIM_SIM_RECORDER_H_
#define RMQSIM_SIM_RECORDER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "sim/outcome.h"
#include "sim/tally.h"

namespace rmqsim::sim {

// kCompact: what the run invariants (sim/invariants.h, 1-4) read of a message in flight, under
// MessageRecord's field names, and nothing that only reports read (producer, topic, an attempt's
// path, thread, result, detail and decision, the send status, the error). Brokers are views of the
// tally's interned names, so an attempt or a stored copy copies no string (absl::string_view, which
// this absl build keeps distinct from std::string_view, so that absl::StrCat takes them).
struct LiveAttempt {
  int32_t n = 0;
  absl::string_view broker;
  int32_t queue = -1;
  SimTime start;
  std::optional<SimTime> end;
};
struct LiveCopy {
  absl::string_view broker;
  int32_t queue = 0;
  SimTime at;
};
struct LiveRecord {
  int64_t index = -1;  // the message's Recorder index
  std::string id;
  SendMode mode = SendMode::kSync;
  SimTime sent;
  std::optional<SimTime> resolved;
  Outcome outcome = Outcome::kUnresolved;
  int32_t callbacks = 0;
  std::vector<LiveAttempt> attempts;
  std::vector<LiveCopy> stored;

  // The record as a MessageRecord with the fields above (the end-of-run check of the messages
  // still in flight).
  MessageRecord ToMessageRecord() const;
};

class Recorder {
 public:
  explicit Recorder(Accounting accounting = Accounting::kFull) : accounting_(accounting) {}

  // Registers a message the application is sending; returns its index.
  int64_t NewMessage(std::string_view id, std::string_view producer, std::string_view topic,
                     SendMode mode, SimTime sent);
  // Starts attempt n+1 of message `m` and returns its number (1-based).
  //
  // Under kCompact the in-flight record (LiveRecord) keeps what the invariants read (times,
  // brokers, queues, outcome); the attempt's path, thread, result, detail and decision, the send
  // status and the error are only for reports, which a compact run has none of, and are not
  // copied.
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
  void RequestArrived(int64_t m) { tally_.RequestArrived(m); }
  // The application was told: ok (with a send status for sync) or failed (with the exception).
  void Resolve(int64_t m, Outcome outcome, SimTime at, std::string_view send_status,
               std::optional<ErrorInfo> error);

  Accounting accounting() const { return accounting_; }
  // Messages registered so far.
  size_t size() const { return tally_.size(); }
  // Times the application was told about message `m` so far (both modes).
  int32_t callbacks(int64_t m) const { return tally_.tally(m).callbacks; }
  SendMode mode(int64_t m) const { return tally_.tally(m).mode_enum(); }
  // Requests of message `m` that reached a broker (both modes; saturates at 255 in the tally).
  int32_t arrivals(int64_t m) const { return tally_.tally(m).arrivals; }

  // The record of message `m` (kFull only: a compact run keeps no MessageRecord).
  MessageRecord& message(int64_t m);
  const std::vector<MessageRecord>& messages() const { return messages_; }  // kFull
  std::vector<MessageRecord> Take() { return std::move(messages_); }        // kFull
  const OutcomeTally& tally() const { return tally_; }

  // kCompact: messages whose result never came (still in flight at the end), in index order, as
  // records with the fields LiveRecord keeps; and the invariant violations found in records when
  // they were dropped (at most 20).
  std::vector<MessageRecord> InFlight() const;
  const std::vector<std::string>& retired_violations() const { return retired_violations_; }
  // The horizon against which dropped records are checked (kCompact).
  void set_horizon(SimTime horizon) { horizon_ = horizon; }

  // Whether the run's profile has a documented path that calls an async SendCallback again
  // (5.3.3 quirk Q9). Without it a second Resolve of any message is an invariant violation.
  void set_repeat_callback_allowed(bool allowed) { repeat_callback_allowed_ = allowed; }
  bool repeat_callback_allowed() const { return repeat_callback_allowed_; }

 private:
  // kFull: the record of message `m` (CHECK-fails for an unknown index).
  MessageRecord& Full(int64_t m);
  // kCompact: the record of message `m`, or nullptr once it has been dropped.
  LiveRecord* FindLive(int64_t m) {
    LiveRecord* r = live_slots_[static_cast<size_t>(m) & (live_slots_.size() - 1)];
    if (r != nullptr && r->index == m) return r;
    return live_overflow_.empty() ? nullptr : FindLiveOverflow(m);
  }
  LiveRecord* FindLiveOverflow(int64_t m) const;
  void InsertLive(LiveRecord* r);
  void Retire(LiveRecord& r);

  Accounting accounting_;
  OutcomeTally tally_;
  std::vector<MessageRecord> messages_;  // kFull
  // kCompact: the records in flight by message index. Indices are dense and a message's result
  // comes within a bounded number of later sends, so a direct-mapped table (slot: index modulo
  // its power-of-two size) finds a record with one load and compare, where a hash map lookup
  // cost ~50 instructions on each of a message's 6-10 reports. The table doubles while a new
  // message's slot holds a record still in flight, up to kMaxLiveSlots; past that the older
  // record moves to `live_overflow_` (a message in flight far longer than the others).
  static constexpr size_t kInitialLiveSlots = 1024;
  static constexpr size_t kMaxLiveSlots = size_t{1} << 18;
  std::vector<LiveRecord*> live_slots_;
  absl::flat_hash_map<int64_t, LiveRecord*> live_overflow_;
  // kCompact: every LiveRecord ever made (at most the peak number in flight), and the dropped
  // ones, emptied but keeping their id's and vectors' storage, for the next messages (a busy run
  // retires as fast as it registers: no allocation per record).
  std::vector<std::unique_ptr<LiveRecord>> live_pool_;
  std::vector<LiveRecord*> spare_;
  std::vector<std::string> retired_violations_;
  SimTime horizon_ = SimTime::Zero();
  bool repeat_callback_allowed_ = false;
};

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_RECORDER_H_
