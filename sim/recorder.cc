#include "sim/recorder.h"

#include <algorithm>

#include "core/check.h"
#include "sim/invariants.h"

namespace rmqsim::sim {

namespace {
constexpr size_t kMaxRetiredViolations = 20;
}  // namespace

namespace {

// Empties a retired record for reuse, keeping the storage that the next message fills again (its
// id, attempts and stored copies): every other field starts out as in a new record.
void Clear(MessageRecord& r) {
  MessageRecord fresh;
  fresh.id = std::move(r.id);
  fresh.attempts = std::move(r.attempts);
  fresh.stored = std::move(r.stored);
  fresh.id.clear();
  fresh.attempts.clear();
  fresh.stored.clear();
  r = std::move(fresh);
}

}  // namespace

int64_t Recorder::NewMessage(std::string_view id, std::string_view producer,
                             std::string_view topic, SendMode mode, SimTime sent) {
  int64_t index = tally_.NewMessage(mode);
  MessageRecord* r;
  if (accounting_ == Accounting::kFull) {
    r = &messages_.emplace_back();
  } else {
    std::unique_ptr<MessageRecord> record;
    if (spare_.empty()) {
      record = std::make_unique<MessageRecord>();
    } else {
      record = std::move(spare_.back());
      spare_.pop_back();
    }
    r = record.get();
    live_.emplace(index, std::move(record));
  }
  r->id.assign(id);
  r->producer.assign(producer);
  r->topic.assign(topic);
  r->mode = mode;
  r->sent = sent;
  return index;
}

MessageRecord* Recorder::Find(int64_t m) {
  if (accounting_ == Accounting::kFull) {
    RMQ_CHECK(m >= 0 && static_cast<size_t>(m) < messages_.size()) << "no message " << m;
    return &messages_[static_cast<size_t>(m)];
  }
  auto it = live_.find(m);
  return it == live_.end() ? nullptr : it->second.get();
}

MessageRecord& Recorder::message(int64_t m) {
  MessageRecord* r = Find(m);
  RMQ_CHECK(r != nullptr) << "message " << m << " has no record (compact accounting drops it at "
                          << "its result)";
  return *r;
}

int32_t Recorder::BeginAttempt(int64_t m, const std::string& broker, int32_t queue,
                               SimTime start, const std::string& path, const std::string& thread) {
  int32_t n = tally_.BeginAttempt(m);
  MessageRecord* r = Find(m);
  if (r == nullptr) return n;
  AttemptRecord& a = r->attempts.emplace_back();
  a.n = n;
  a.broker = broker;
  a.queue = queue;
  a.start = start;
  if (accounting_ == Accounting::kFull) {
    a.path = path;
    a.thread = thread;
  }
  RMQ_CHECK(static_cast<int32_t>(r->attempts.size()) == n) << "attempt numbering";
  return n;
}

void Recorder::EndAttempt(int64_t m, int32_t n, SimTime end, const std::string& result,
                          const std::string& detail) {
  MessageRecord* r = Find(m);
  if (r == nullptr) return;
  RMQ_CHECK(n >= 1 && n <= static_cast<int32_t>(r->attempts.size())) << "no attempt " << n;
  AttemptRecord& a = r->attempts[static_cast<size_t>(n - 1)];
  if (a.end) return;  // first report wins (a late response after a timeout changes nothing)
  a.end = end;
  if (accounting_ == Accounting::kFull) {
    a.result = result;
    a.detail = detail;
  }
}

void Recorder::SetDecision(int64_t m, int32_t n, std::string decision) {
  MessageRecord* r = Find(m);
  if (r == nullptr) return;
  RMQ_CHECK(n >= 1 && n <= static_cast<int32_t>(r->attempts.size())) << "no attempt " << n;
  if (accounting_ == Accounting::kFull) {
    r->attempts[static_cast<size_t>(n - 1)].decision = std::move(decision);
  }
}

void Recorder::SetCallbackDecision(int64_t m, int32_t n, std::string decision) {
  MessageRecord* r = Find(m);
  if (r == nullptr) return;
  RMQ_CHECK(n >= 1 && n <= static_cast<int32_t>(r->attempts.size())) << "no attempt " << n;
  if (accounting_ == Accounting::kCompact) return;
  std::string& d = r->attempts[static_cast<size_t>(n - 1)].decision;
  if (r->callbacks > 0 && !d.empty()) {
    d = d + "; then again (Q9): " + decision;
  } else {
    d = std::move(decision);
  }
}

void Recorder::Stored(int64_t m, const std::string& broker, int32_t queue, SimTime at) {
  tally_.Stored(m, broker);
  const MessageTally& t = tally_.tally(m);
  if constexpr (kContinuousInvariantChecks) {
    RMQ_CHECK(t.stored <= t.arrivals)
        << "run invariant: message " << m << " stored " << int{t.stored}
        << " times but only " << int{t.arrivals} << " of its requests reached a broker (copy on "
        << broker << " at " << at.ms_double() << " ms)";
  }
  MessageRecord* r = Find(m);
  if (r == nullptr) return;
  StoredCopy& copy = r->stored.emplace_back();
  copy.broker = broker;
  copy.queue = queue;
  copy.at = at;
}

void Recorder::RequestArrived(int64_t m) { tally_.RequestArrived(m); }

void Recorder::Resolve(int64_t m, Outcome outcome, SimTime at, std::string send_status,
                       std::optional<ErrorInfo> error) {
  MessageRecord* r = Find(m);
  const MessageTally& t = tally_.tally(m);
  if constexpr (kContinuousInvariantChecks) {
    RMQ_CHECK(t.callbacks == 0 ||
              (repeat_callback_allowed_ && t.mode_enum() == SendMode::kAsync &&
               outcome == Outcome::kFailed))
        << "run invariant: message " << (r ? r->id : std::to_string(m)) << " ("
        << SendModeName(t.mode_enum()) << ") resolved " << t.callbacks + 1 << " times, again "
        << OutcomeName(outcome) << " at " << at.ms_double() << " ms (first: "
        << OutcomeName(t.outcome_enum()) << "); " << kRepeatCallbackRule;
  }
  const bool first = t.callbacks == 0;
  SimDuration latency = first && r != nullptr ? at - r->sent : SimDuration::Zero();
  tally_.Resolve(m, outcome, latency, error ? &*error : nullptr);
  if (r == nullptr) return;
  ++r->callbacks;
  if (!first) return;  // a second callback is counted, the first outcome stands
  r->outcome = outcome;
  r->resolved = at;
  if (accounting_ == Accounting::kCompact) {
    Retire(m, *r);
    return;
  }
  r->send_status = std::move(send_status);
  r->error = std::move(error);
}

void Recorder::Retire(int64_t m, MessageRecord& r) {
  if (retired_violations_.size() < kMaxRetiredViolations) {
    std::vector<std::string> v = FindMessageInvariantViolations(
        r, arrivals(m), horizon_, repeat_callback_allowed_,
        kMaxRetiredViolations - retired_violations_.size());
    for (std::string& s : v) retired_violations_.push_back(std::move(s));
  }
  auto it = live_.find(m);
  Clear(*it->second);
  spare_.push_back(std::move(it->second));
  live_.erase(it);
}

std::vector<const MessageRecord*> Recorder::InFlight() const {
  std::vector<std::pair<int64_t, const MessageRecord*>> v;
  for (const auto& [m, r] : live_) v.emplace_back(m, r.get());
  std::sort(v.begin(), v.end());
  std::vector<const MessageRecord*> out;
  for (const auto& [m, r] : v) out.push_back(r);
  return out;
}

}  // namespace rmqsim::sim
