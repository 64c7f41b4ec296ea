#include "sim/recorder.h"

#include <algorithm>

#include "core/check.h"
#include "sim/invariants.h"

namespace rmqsim::sim {

namespace {
constexpr size_t kMaxRetiredViolations = 20;
}  // namespace

MessageRecord LiveRecord::ToMessageRecord() const {
  MessageRecord r;
  r.id = id;
  r.mode = mode;
  r.sent = sent;
  r.resolved = resolved;
  r.outcome = outcome;
  r.callbacks = callbacks;
  for (const LiveAttempt& a : attempts) {
    AttemptRecord& to = r.attempts.emplace_back();
    to.n = a.n;
    to.broker = std::string(a.broker);
    to.queue = a.queue;
    to.start = a.start;
    to.end = a.end;
  }
  for (const LiveCopy& c : stored) {
    r.stored.push_back(StoredCopy{std::string(c.broker), c.queue, c.at});
  }
  return r;
}

int64_t Recorder::NewMessage(std::string_view id, std::string_view producer,
                             std::string_view topic, SendMode mode, SimTime sent) {
  int64_t index = tally_.NewMessage(mode);
  if (accounting_ == Accounting::kFull) {
    MessageRecord& r = messages_.emplace_back();
    r.id.assign(id);
    r.producer.assign(producer);
    r.topic.assign(topic);
    r.mode = mode;
    r.sent = sent;
    return index;
  }
  LiveRecord* r;
  if (spare_.empty()) {
    r = live_pool_.emplace_back(std::make_unique<LiveRecord>()).get();
  } else {
    r = spare_.back();
    spare_.pop_back();
  }
  r->index = index;
  r->id.assign(id);
  r->mode = mode;
  r->sent = sent;
  InsertLive(r);
  return index;
}

MessageRecord& Recorder::Full(int64_t m) {
  RMQ_CHECK(m >= 0 && static_cast<size_t>(m) < messages_.size()) << "no message " << m;
  return messages_[static_cast<size_t>(m)];
}

LiveRecord* Recorder::FindLiveOverflow(int64_t m) const {
  auto it = live_overflow_.find(m);
  return it == live_overflow_.end() ? nullptr : it->second;
}

void Recorder::InsertLive(LiveRecord* r) {
  if (live_slots_.empty()) live_slots_.resize(kInitialLiveSlots, nullptr);
  for (;;) {
    LiveRecord*& slot = live_slots_[static_cast<size_t>(r->index) & (live_slots_.size() - 1)];
    if (slot == nullptr) {
      slot = r;
      return;
    }
    if (live_slots_.size() >= kMaxLiveSlots) {
      live_overflow_.emplace(slot->index, slot);
      slot = r;
      return;
    }
    // Double the table: a record in slot s moves to s or s + old size, so none collide.
    std::vector<LiveRecord*> bigger(live_slots_.size() * 2, nullptr);
    for (LiveRecord* old : live_slots_) {
      if (old != nullptr) bigger[static_cast<size_t>(old->index) & (bigger.size() - 1)] = old;
    }
    live_slots_ = std::move(bigger);
  }
}

MessageRecord& Recorder::message(int64_t m) {
  RMQ_CHECK(accounting_ == Accounting::kFull)
      << "message " << m << " has no MessageRecord (compact accounting keeps none)";
  return Full(m);
}

int32_t Recorder::BeginAttempt(int64_t m, const std::string& broker, int32_t queue,
                               SimTime start, const std::string& path, const std::string& thread) {
  int32_t n = tally_.BeginAttempt(m);
  if (accounting_ == Accounting::kFull) {
    MessageRecord& r = Full(m);
    AttemptRecord& a = r.attempts.emplace_back();
    a.n = n;
    a.broker = broker;
    a.queue = queue;
    a.start = start;
    a.path = path;
    a.thread = thread;
    RMQ_CHECK(static_cast<int32_t>(r.attempts.size()) == n) << "attempt numbering";
    return n;
  }
  LiveRecord* r = FindLive(m);
  if (r == nullptr) return n;
  r->attempts.push_back(
      LiveAttempt{n, tally_.broker_name(tally_.BrokerIndex(broker)), queue, start, std::nullopt});
  RMQ_CHECK(static_cast<int32_t>(r->attempts.size()) == n) << "attempt numbering";
  return n;
}

void Recorder::EndAttempt(int64_t m, int32_t n, SimTime end, const std::string& result,
                          const std::string& detail) {
  if (accounting_ == Accounting::kFull) {
    MessageRecord& r = Full(m);
    RMQ_CHECK(n >= 1 && n <= static_cast<int32_t>(r.attempts.size())) << "no attempt " << n;
    AttemptRecord& a = r.attempts[static_cast<size_t>(n - 1)];
    if (a.end) return;  // first report wins (a late response after a timeout changes nothing)
    a.end = end;
    a.result = result;
    a.detail = detail;
    return;
  }
  LiveRecord* r = FindLive(m);
  if (r == nullptr) return;
  RMQ_CHECK(n >= 1 && n <= static_cast<int32_t>(r->attempts.size())) << "no attempt " << n;
  LiveAttempt& a = r->attempts[static_cast<size_t>(n - 1)];
  if (!a.end) a.end = end;  // first report wins, as above
}

void Recorder::SetDecision(int64_t m, int32_t n, std::string decision) {
  if (accounting_ == Accounting::kFull) {
    MessageRecord& r = Full(m);
    RMQ_CHECK(n >= 1 && n <= static_cast<int32_t>(r.attempts.size())) << "no attempt " << n;
    r.attempts[static_cast<size_t>(n - 1)].decision = std::move(decision);
    return;
  }
  LiveRecord* r = FindLive(m);
  if (r == nullptr) return;
  RMQ_CHECK(n >= 1 && n <= static_cast<int32_t>(r->attempts.size())) << "no attempt " << n;
}

void Recorder::SetCallbackDecision(int64_t m, int32_t n, std::string decision) {
  if (accounting_ == Accounting::kCompact) {
    LiveRecord* r = FindLive(m);
    if (r == nullptr) return;
    RMQ_CHECK(n >= 1 && n <= static_cast<int32_t>(r->attempts.size())) << "no attempt " << n;
    return;
  }
  MessageRecord& r = Full(m);
  RMQ_CHECK(n >= 1 && n <= static_cast<int32_t>(r.attempts.size())) << "no attempt " << n;
  std::string& d = r.attempts[static_cast<size_t>(n - 1)].decision;
  if (r.callbacks > 0 && !d.empty()) {
    d = d + "; then again (Q9): " + decision;
  } else {
    d = std::move(decision);
  }
}

void Recorder::Stored(int64_t m, const std::string& broker, int32_t queue, SimTime at) {
  const int32_t b = tally_.BrokerIndex(broker);
  tally_.Stored(m, b);
  const MessageTally& t = tally_.tally(m);
  if constexpr (kContinuousInvariantChecks) {
    RMQ_CHECK(t.stored <= t.arrivals)
        << "run invariant: message " << m << " stored " << int{t.stored}
        << " times but only " << int{t.arrivals} << " of its requests reached a broker (copy on "
        << broker << " at " << at.ms_double() << " ms)";
  }
  if (accounting_ == Accounting::kFull) {
    StoredCopy& copy = Full(m).stored.emplace_back();
    copy.broker = broker;
    copy.queue = queue;
    copy.at = at;
    return;
  }
  LiveRecord* r = FindLive(m);
  if (r != nullptr) r->stored.push_back(LiveCopy{tally_.broker_name(b), queue, at});
}

void Recorder::Resolve(int64_t m, Outcome outcome, SimTime at, std::string_view send_status,
                       std::optional<ErrorInfo> error) {
  MessageRecord* full = accounting_ == Accounting::kFull ? &Full(m) : nullptr;
  LiveRecord* live = accounting_ == Accounting::kCompact ? FindLive(m) : nullptr;
  const MessageTally& t = tally_.tally(m);
  if constexpr (kContinuousInvariantChecks) {
    RMQ_CHECK(t.callbacks == 0 ||
              (repeat_callback_allowed_ && t.mode_enum() == SendMode::kAsync &&
               outcome == Outcome::kFailed))
        << "run invariant: message "
        << (full ? full->id : live ? live->id : std::to_string(m)) << " ("
        << SendModeName(t.mode_enum()) << ") resolved " << t.callbacks + 1 << " times, again "
        << OutcomeName(outcome) << " at " << at.ms_double() << " ms (first: "
        << OutcomeName(t.outcome_enum()) << "); " << kRepeatCallbackRule;
  }
  const bool first = t.callbacks == 0;
  const SimTime sent = full ? full->sent : live ? live->sent : at;
  SimDuration latency = first ? at - sent : SimDuration::Zero();
  tally_.Resolve(m, outcome, latency, error ? &*error : nullptr);
  if (live != nullptr) {
    ++live->callbacks;
    if (!first) return;  // a second callback is counted, the first outcome stands
    live->outcome = outcome;
    live->resolved = at;
    Retire(*live);
    return;
  }
  if (full == nullptr) return;
  ++full->callbacks;
  if (!first) return;
  full->outcome = outcome;
  full->resolved = at;
  full->send_status.assign(send_status);
  full->error = std::move(error);
}

void Recorder::Retire(LiveRecord& r) {
  if (retired_violations_.size() < kMaxRetiredViolations) {
    AppendMessageInvariantViolations(r, arrivals(r.index), horizon_, repeat_callback_allowed_,
                                     kMaxRetiredViolations, &retired_violations_);
  }
  LiveRecord*& slot = live_slots_[static_cast<size_t>(r.index) & (live_slots_.size() - 1)];
  if (slot == &r) {
    slot = nullptr;
  } else {
    live_overflow_.erase(r.index);
  }
  // Emptied for the next message, keeping the id's and the vectors' storage (NewMessage sets the
  // index, id, mode and send time).
  r.resolved.reset();
  r.outcome = Outcome::kUnresolved;
  r.callbacks = 0;
  r.attempts.clear();
  r.stored.clear();
  spare_.push_back(&r);
}

std::vector<MessageRecord> Recorder::InFlight() const {
  std::vector<const LiveRecord*> v;
  for (const LiveRecord* r : live_slots_) {
    if (r != nullptr) v.push_back(r);
  }
  for (const auto& [m, r] : live_overflow_) v.push_back(r);
  std::sort(v.begin(), v.end(),
            [](const LiveRecord* a, const LiveRecord* b) { return a->index < b->index; });
  std::vector<MessageRecord> out;
  out.reserve(v.size());
  for (const LiveRecord* r : v) out.push_back(r->ToMessageRecord());
  return out;
}

}  // namespace rmqsim::sim
