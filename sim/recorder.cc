#include "sim/recorder.h"

#include "core/check.h"
#include "sim/invariants.h"

namespace rmqsim::sim {

int64_t Recorder::NewMessage(std::string id, std::string producer, std::string topic,
                             SendMode mode, SimTime sent) {
  MessageRecord r;
  r.id = std::move(id);
  r.producer = std::move(producer);
  r.topic = std::move(topic);
  r.mode = mode;
  r.sent = sent;
  messages_.push_back(std::move(r));
  arrivals_.push_back(0);
  return static_cast<int64_t>(messages_.size()) - 1;
}

int32_t Recorder::BeginAttempt(int64_t m, std::string broker, int32_t queue, SimTime start,
                               std::string path, std::string thread) {
  MessageRecord& r = message(m);
  AttemptRecord a;
  a.n = static_cast<int32_t>(r.attempts.size()) + 1;
  a.broker = std::move(broker);
  a.queue = queue;
  a.start = start;
  a.path = std::move(path);
  a.thread = std::move(thread);
  r.attempts.push_back(std::move(a));
  return r.attempts.back().n;
}

void Recorder::EndAttempt(int64_t m, int32_t n, SimTime end, std::string result,
                          std::string detail) {
  MessageRecord& r = message(m);
  RMQ_CHECK(n >= 1 && n <= static_cast<int32_t>(r.attempts.size())) << "no attempt " << n;
  AttemptRecord& a = r.attempts[static_cast<size_t>(n - 1)];
  if (a.end) return;  // first report wins (a late response after a timeout changes nothing)
  a.end = end;
  a.result = std::move(result);
  a.detail = std::move(detail);
}

void Recorder::SetDecision(int64_t m, int32_t n, std::string decision) {
  MessageRecord& r = message(m);
  RMQ_CHECK(n >= 1 && n <= static_cast<int32_t>(r.attempts.size())) << "no attempt " << n;
  r.attempts[static_cast<size_t>(n - 1)].decision = std::move(decision);
}

void Recorder::Stored(int64_t m, std::string broker, int32_t queue, SimTime at) {
  MessageRecord& r = message(m);
  r.stored.push_back(StoredCopy{std::move(broker), queue, at});
  if constexpr (kContinuousInvariantChecks) {
    int32_t arrived = arrivals_[static_cast<size_t>(m)];
    RMQ_CHECK(static_cast<int64_t>(r.stored.size()) <= arrived)
        << "run invariant: message " << r.id << " stored " << r.stored.size()
        << " times but only " << arrived << " of its requests reached a broker (copy on "
        << r.stored.back().broker << " at " << at.ms_double() << " ms)";
  }
}

void Recorder::RequestArrived(int64_t m) {
  RMQ_CHECK(m >= 0 && static_cast<size_t>(m) < arrivals_.size()) << "no message " << m;
  ++arrivals_[static_cast<size_t>(m)];
}

void Recorder::Resolve(int64_t m, Outcome outcome, SimTime at, std::string send_status,
                       std::optional<ErrorInfo> error) {
  MessageRecord& r = message(m);
  ++r.callbacks;
  if constexpr (kContinuousInvariantChecks) {
    RMQ_CHECK(r.callbacks == 1 ||
              (RepeatCallbackAllowed(r, repeat_callback_allowed_) && outcome == Outcome::kFailed))
        << "run invariant: message " << r.id << " (" << SendModeName(r.mode) << ") resolved "
        << r.callbacks << " times, again " << OutcomeName(outcome) << " at " << at.ms_double()
        << " ms (first: " << OutcomeName(r.outcome) << " at "
        << (r.resolved ? r.resolved->ms_double() : -1.0) << " ms); " << kRepeatCallbackRule;
  }
  if (r.callbacks > 1) return;  // a second callback is counted, the first outcome stands
  r.outcome = outcome;
  r.resolved = at;
  r.send_status = std::move(send_status);
  r.error = std::move(error);
}

}  // namespace rmqsim::sim
