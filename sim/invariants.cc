#include "sim/invariants.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "sim/recorder.h"

namespace rmqsim::sim {
namespace {

std::string Ms(core::SimTime t) { return absl::StrFormat("%.6f ms", t.ms_double()); }

// Violation lines, at most `limit` of them, in a vector of its own or appended to the caller's.
class Violations {
 public:
  explicit Violations(size_t limit) : limit_(limit), out_(&own_) {}
  Violations(size_t limit, std::vector<std::string>* out) : limit_(limit), out_(out) {}
  template <typename... Args>
  void Add(const Args&... args) {
    if (out_->size() < limit_) out_->push_back(absl::StrCat(args...));
  }
  bool full() const { return out_->size() >= limit_; }
  std::vector<std::string> Take() { return std::move(own_); }

 private:
  size_t limit_;
  std::vector<std::string> own_;
  std::vector<std::string>* out_;
};

// Invariants 1-4 on one record, a MessageRecord or a compact run's LiveRecord (the same fields by
// the same names); `arrived`: requests that reached a broker, if known.
template <typename Record>
void CheckMessage(const Record& m, const int32_t* arrived, core::SimTime end,
                  bool repeat_callback_allowed, Violations& v) {
  // Built only for a violation: this runs for every message.
  auto who = [&m] { return absl::StrCat("message ", m.id, " (", SendModeName(m.mode), ")"); };
  // 1, 2: time order and horizon.
  if (m.sent < core::SimTime::Zero() || m.sent > end) {
    v.Add("horizon: ", who(), " sent at ", Ms(m.sent), ", outside the run [0, ", Ms(end), "]");
  }
  for (const auto& a : m.attempts) {
    auto att = [&] { return absl::StrCat("attempt ", a.n, " of ", who(), " on ", a.broker); };
    if (a.start < m.sent) {
      v.Add("time order: ", att(), " starts at ", Ms(a.start), ", before the send at ", Ms(m.sent));
    }
    if (a.start > end) {
      v.Add("horizon: ", att(), " starts at ", Ms(a.start), ", after the run's end at ", Ms(end));
    }
    if (a.end && *a.end < a.start) {
      v.Add("time order: ", att(), " ends at ", Ms(*a.end), ", before it started at ", Ms(a.start));
    }
    if (a.end && *a.end > end) {
      v.Add("horizon: ", att(), " ends at ", Ms(*a.end), ", after the run's end at ", Ms(end));
    }
  }
  for (size_t i = 0; i < m.attempts.size(); ++i) {
    if (m.attempts[i].n != static_cast<int32_t>(i + 1)) {
      v.Add("attempts: ", who(), " attempt #", i + 1, " is numbered ", m.attempts[i].n);
      break;
    }
  }
  for (const auto& c : m.stored) {
    if (c.at < m.sent || c.at > end) {
      v.Add("time order: ", who(), " stored on ", c.broker, " at ", Ms(c.at),
            ", outside [send ", Ms(m.sent), ", run end ", Ms(end), "]");
    }
  }
  // 3: resolved at most once; a result iff a callback ran.
  if (m.callbacks < 0 || (m.callbacks > 1 && !RepeatCallbackAllowed(m, repeat_callback_allowed))) {
    v.Add("resolved at most once: ", who(), " resolved ", m.callbacks, " times (first ",
          OutcomeName(m.outcome), m.resolved ? absl::StrCat(" at ", Ms(*m.resolved)) : "", "); ",
          kRepeatCallbackRule);
  }
  if ((m.callbacks == 0) != (m.outcome == Outcome::kUnresolved) ||
      (m.callbacks == 0) != !m.resolved.has_value()) {
    v.Add("resolved at most once: ", who(), " has outcome ", OutcomeName(m.outcome), ", ",
          m.resolved ? "a" : "no", " result time and ", m.callbacks, " callbacks");
  }
  if (m.resolved && (*m.resolved < m.sent || *m.resolved > end)) {
    v.Add("time order: ", who(), " resolved at ", Ms(*m.resolved), ", outside [send ", Ms(m.sent),
          ", run end ", Ms(end), "]");
  }
  // 4: stored copies <= requests that reached a broker.
  if (arrived != nullptr) {
    if (static_cast<int64_t>(m.stored.size()) > *arrived) {
      v.Add("stored copies: ", who(), " stored ", m.stored.size(), " times but only ", *arrived,
            " of its requests reached a broker",
            m.stored.empty() ? "" : absl::StrCat(" (last copy on ", m.stored.back().broker, " at ",
                                                 Ms(m.stored.back().at), ")"));
    }
  }
}

void CompareSummaries(const Summary& got, const Summary& want, const char* source, Violations& v);

void CheckSummary(const RunResult& run, Violations& v) {
  Summary want;
  for (const MessageRecord& m : run.messages) {
    ++want.messages;
    if (m.outcome == Outcome::kOk) ++want.ok;
    if (m.outcome == Outcome::kFailed) ++want.failed;
    if (m.outcome == Outcome::kUnresolved) ++want.unresolved;
    if (m.stored.empty()) {
      ++want.lost;
      if (m.outcome == Outcome::kOk) ++want.silent_loss;
    } else {
      ++want.stored;
      if (m.outcome == Outcome::kFailed) ++want.false_failure;
    }
    if (m.stored.size() > 1) ++want.duplicated;
    if (m.callbacks > 1) ++want.double_callback;
    want.attempts += static_cast<int64_t>(m.attempts.size());
    want.attempts_max = std::max(want.attempts_max, static_cast<int64_t>(m.attempts.size()));
    std::set<std::string> brokers;
    for (const StoredCopy& c : m.stored) brokers.insert(c.broker);
    for (const std::string& b : brokers) ++want.stored_by_broker[b];
    if (m.outcome == Outcome::kFailed && m.error) ++want.errors_by_type[m.error->type];
  }
  want.retries = want.attempts - want.messages;
  CompareSummaries(run.summary, want, "the per-message data", v);
}

void CompareSummaries(const Summary& got, const Summary& want, const char* source, Violations& v) {
  struct Row { const char* name; int64_t got, want; };
  const Row rows[] = {
      {"messages", got.messages, want.messages}, {"ok", got.ok, want.ok},
      {"failed", got.failed, want.failed}, {"unresolved", got.unresolved, want.unresolved},
      {"lost", got.lost, want.lost}, {"silent_loss", got.silent_loss, want.silent_loss},
      {"duplicated", got.duplicated, want.duplicated},
      {"false_failure", got.false_failure, want.false_failure},
      {"stored", got.stored, want.stored}, {"attempts", got.attempts, want.attempts},
      {"retries", got.retries, want.retries}, {"attempts_max", got.attempts_max, want.attempts_max},
      {"double_callback", got.double_callback, want.double_callback}};
  for (const Row& r : rows) {
    if (r.got != r.want) {
      v.Add("summary: ", r.name, " is ", r.got, " but ", source, " give ", r.want);
    }
  }
  if (got.stored_by_broker != want.stored_by_broker) {
    v.Add("summary: stored.<broker> counts disagree with ", source);
  }
  if (got.errors_by_type != want.errors_by_type) {
    v.Add("summary: errors.<type> counts disagree with ", source);
  }
}

// Compact accounting: invariants 3 and 4 on every message's tally, 5 as a recount of them.
void CheckTallies(const RunResult& run, const OutcomeTally& tally, bool repeat_callback_allowed,
                  Violations& v) {
  for (size_t i = 0; i < tally.size() && !v.full(); ++i) {
    const MessageTally& t = tally.tally(static_cast<int64_t>(i));
    const bool allowed = repeat_callback_allowed && t.mode_enum() == SendMode::kAsync;
    if (t.callbacks > 1 && !allowed) {
      v.Add("resolved at most once: message #", i, " (", SendModeName(t.mode_enum()), ") resolved ",
            int{t.callbacks}, " times (first ", OutcomeName(t.outcome_enum()), "); ",
            kRepeatCallbackRule);
    }
    if ((t.callbacks == 0) != (t.outcome_enum() == Outcome::kUnresolved)) {
      v.Add("resolved at most once: message #", i, " has outcome ", OutcomeName(t.outcome_enum()),
            " and ", int{t.callbacks}, " callbacks");
    }
    if (t.stored > t.arrivals) {
      v.Add("stored copies: message #", i, " (", SendModeName(t.mode_enum()), ") stored ",
            int{t.stored}, " times but only ", int{t.arrivals}, " of its requests reached a broker");
    }
  }
  CompareSummaries(run.summary, tally.Recount(), "the per-message tallies", v);
}

}  // namespace

std::vector<std::string> FindMessageInvariantViolations(const MessageRecord& m, int32_t arrived,
                                                        core::SimTime end,
                                                        bool repeat_callback_allowed,
                                                        size_t limit) {
  Violations v(limit);
  CheckMessage(m, &arrived, end, repeat_callback_allowed, v);
  return v.Take();
}

void AppendMessageInvariantViolations(const LiveRecord& m, int32_t arrived, core::SimTime end,
                                      bool repeat_callback_allowed, size_t limit,
                                      std::vector<std::string>* out) {
  Violations v(limit, out);
  CheckMessage(m, &arrived, end, repeat_callback_allowed, v);
}

std::vector<std::string> FindRunInvariantViolations(const RunResult& run, const InvariantInputs& in,
                                                    size_t limit) {
  Violations v(limit);
  if (run.end > in.horizon) {
    v.Add("horizon: the run ended at ", Ms(run.end), ", after the horizon ", Ms(in.horizon));
  }
  for (size_t i = 0; i < run.events.size() && !v.full(); ++i) {
    const core::Event& e = run.events[i];
    bool backwards = i > 0 && e.t < run.events[i - 1].t;
    if (backwards || e.t > run.end || e.t < core::SimTime::Zero()) {
      v.Add(backwards ? "time order" : "horizon", ": event #", i + 1, " at ", Ms(e.t), " [",
            e.actor, " ", e.kind, e.msg.empty() ? "" : " " + e.msg, ": ", e.text, "] ",
            backwards ? absl::StrCat("comes after an event at ", Ms(run.events[i - 1].t))
                      : absl::StrCat("lies outside the run [0, ", Ms(run.end), "]"));
    }
  }
  if (in.arrivals != nullptr && in.arrivals->size() != run.messages.size()) {
    v.Add("stored copies: ", in.arrivals->size(), " arrival counters for ", run.messages.size(),
          " messages");
  }
  for (size_t i = 0; i < run.messages.size() && !v.full(); ++i) {
    const int32_t* arrived = nullptr;
    if (in.arrivals != nullptr && i < in.arrivals->size()) arrived = &(*in.arrivals)[i];
    int32_t none = 0;
    if (in.arrivals != nullptr && arrived == nullptr) arrived = &none;
    CheckMessage(run.messages[i], arrived, run.end, in.repeat_callback_allowed, v);
  }
  if (run.accounting == Accounting::kFull) CheckSummary(run, v);
  if (in.retired_violations != nullptr) {
    for (const std::string& s : *in.retired_violations) v.Add(s);
  }
  if (in.in_flight != nullptr) {
    for (const MessageRecord* m : *in.in_flight) {
      if (v.full()) break;
      CheckMessage(*m, nullptr, run.end, in.repeat_callback_allowed, v);
    }
  }
  if (in.tally != nullptr && run.accounting == Accounting::kCompact) {
    CheckTallies(run, *in.tally, in.repeat_callback_allowed, v);
  }
  return v.Take();
}

bool IsBreakInvariantKind(const std::string& kind) {
  return std::find(std::begin(kBreakInvariantKinds), std::end(kBreakInvariantKinds), kind) !=
         std::end(kBreakInvariantKinds);
}

}  // namespace rmqsim::sim
