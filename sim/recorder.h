// Recorder: per-message outcomes as the run produces them (timeline-format.md message fields).
// The producer, remoting and broker models report attempts, stored copies and results here; the
// run hands the records to reports at the end.
#ifndef RMQSIM_SIM_RECORDER_H_
#define RMQSIM_SIM_RECORDER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "sim/outcome.h"

namespace rmqsim::sim {

class Recorder {
 public:
  // Registers a message the application is sending; returns its index.
  int64_t NewMessage(std::string id, std::string producer, std::string topic, SendMode mode,
                     SimTime sent);
  // Starts attempt n+1 of message `m` and returns its number (1-based).
  int32_t BeginAttempt(int64_t m, std::string broker, int32_t queue, SimTime start,
                       std::string path, std::string thread);
  void EndAttempt(int64_t m, int32_t n, SimTime end, std::string result, std::string detail = "");
  void SetDecision(int64_t m, int32_t n, std::string decision);
  void Stored(int64_t m, std::string broker, int32_t queue, SimTime at);
  // A send request for message `m` reached a broker process (stored or not). A message is never
  // stored more often than its requests reached brokers (sim/invariants.h).
  void RequestArrived(int64_t m);
  // The application was told: ok (with a send status for sync) or failed (with the exception).
  void Resolve(int64_t m, Outcome outcome, SimTime at, std::string send_status,
               std::optional<ErrorInfo> error);

  MessageRecord& message(int64_t m) { return messages_[static_cast<size_t>(m)]; }
  const std::vector<MessageRecord>& messages() const { return messages_; }
  std::vector<MessageRecord> Take() { return std::move(messages_); }
  // Requests that reached a broker, per message index (kept by Take()).
  const std::vector<int32_t>& arrivals() const { return arrivals_; }

  // Whether the run's profile has a documented path that calls an async SendCallback again
  // (5.3.3 quirk Q9). Without it a second Resolve of any message is an invariant violation.
  void set_repeat_callback_allowed(bool allowed) { repeat_callback_allowed_ = allowed; }
  bool repeat_callback_allowed() const { return repeat_callback_allowed_; }

 private:
  std::vector<MessageRecord> messages_;
  std::vector<int32_t> arrivals_;
  bool repeat_callback_allowed_ = false;
};

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_RECORDER_H_
