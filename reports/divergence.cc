#include "reports/divergence.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace rmqsim::reports {
namespace {

using sim::AttemptRecord;
using sim::MessageRecord;
using sim::RunResult;

bool ContainsAnyCaseless(std::string_view text, std::initializer_list<std::string_view> needles) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view n : needles) {
    if (lower.find(n) != std::string::npos) return true;
  }
  return false;
}

bool IsNonOkStatus(std::string_view r) {
  return r == "FLUSH_DISK_TIMEOUT" || r == "FLUSH_SLAVE_TIMEOUT" || r == "SLAVE_NOT_AVAILABLE";
}

bool Failed(const AttemptRecord& a) {
  ResultClass c = ClassifyResult(a);
  return c == ResultClass::kError || c == ResultClass::kTimeout;
}

// ---- First divergence ---------------------------------------------------------------------------

bool SameAttempt(const AttemptRecord& x, const AttemptRecord& y) {
  return x.broker == y.broker && x.result == y.result && x.decision == y.decision;
}

// Lowest index at which the present messages differ; the common attempt count if none.
size_t FirstDifference(const std::vector<const MessageRecord*>& ms) {
  size_t max_attempts = 0;
  for (const MessageRecord* m : ms) {
    if (m) max_attempts = std::max(max_attempts, m->attempts.size());
  }
  for (size_t k = 0; k < max_attempts; ++k) {
    const AttemptRecord* first = nullptr;
    for (const MessageRecord* m : ms) {
      if (!m) continue;
      if (k >= m->attempts.size()) return k;
      if (!first) {
        first = &m->attempts[k];
      } else if (!SameAttempt(*first, m->attempts[k])) {
        return k;
      }
    }
  }
  return max_attempts;
}

// True if the present messages disagree on `field` of attempt k (a missing attempt disagrees).
template <typename Field>
bool Disagree(const std::vector<const MessageRecord*>& ms, size_t k, Field field) {
  const std::string* first = nullptr;
  for (const MessageRecord* m : ms) {
    if (!m) continue;
    if (k >= m->attempts.size()) return true;
    const std::string& v = field(m->attempts[k]);
    if (!first) first = &v;
    if (*first != v) return true;
  }
  return false;
}

std::string Plural(size_t n, const char* one, const char* many) {
  return absl::StrCat(n, " ", n == 1 ? one : many);
}

// `identical`: every run made the same attempts, so k is past the end for all of them.
std::string DescribeStep(const MessageRecord& m, size_t k, bool show_result, bool identical) {
  if (identical) {
    return absl::StrCat("same attempts, then ", sim::OutcomeName(m.outcome), ", stored ",
                        Plural(m.stored.size(), "copy", "copies"));
  }
  if (k >= m.attempts.size()) {
    return absl::StrCat("no attempt ", k + 1, ": ", sim::OutcomeName(m.outcome), " after ",
                        Plural(m.attempts.size(), "attempt", "attempts"));
  }
  const AttemptRecord& a = m.attempts[k];
  std::string text = show_result ? absl::StrCat(a.result, " on ", a.broker, ": ") : "";
  text += a.decision.empty() ? a.result : a.decision;
  if (k + 1 < m.attempts.size()) {
    const std::string& next = m.attempts[k + 1].broker;
    if (a.decision.find(next) == std::string::npos) absl::StrAppend(&text, ", retried on ", next);
  } else if (a.decision.empty()) {
    absl::StrAppend(&text, " -> ", sim::OutcomeName(m.outcome));
  }
  return text;
}

bool Diverges(const std::vector<const MessageRecord*>& ms) {
  const MessageRecord* first = nullptr;
  for (const MessageRecord* m : ms) {
    if (!m) return true;
    if (!first) first = m;
    if (m->outcome != first->outcome || m->stored.size() != first->stored.size()) return true;
  }
  return false;
}

Divergence Describe(const std::string& id, const std::vector<const MessageRecord*>& ms,
                    const std::vector<RunResult>& runs) {
  Divergence d;
  d.message_id = id;
  size_t k = FirstDifference(ms);
  d.attempt = static_cast<int32_t>(k + 1);
  auto broker = [](const AttemptRecord& a) -> const std::string& { return a.broker; };
  auto result = [](const AttemptRecord& a) -> const std::string& { return a.result; };
  bool show_result = Disagree(ms, k, broker) || Disagree(ms, k, result);
  bool identical = std::all_of(ms.begin(), ms.end(), [k](const MessageRecord* m) {
    return m == nullptr || m->attempts.size() == k;
  });
  std::vector<std::string> parts;
  for (size_t i = 0; i < runs.size(); ++i) {
    ProfileStep step;
    step.profile = runs[i].profile;
    if (const MessageRecord* m = ms[i]) {
      step.present = true;
      step.outcome = sim::OutcomeName(m->outcome);
      step.stored = static_cast<int32_t>(m->stored.size());
      step.attempts = static_cast<int32_t>(m->attempts.size());
      step.text = DescribeStep(*m, k, show_result && k < m->attempts.size(), identical);
    } else {
      step.text = "not sent";
    }
    parts.push_back(absl::StrCat(step.profile, ": ", step.text));
    d.steps.push_back(std::move(step));
  }
  d.sentence = absl::StrJoin(parts, "; ");
  return d;
}

// ---- Causes -------------------------------------------------------------------------------------

// Index of the attempt that owns the earliest stored copy, or -1.
int OwnerOfFirstCopy(const MessageRecord& m) {
  const sim::StoredCopy* first = nullptr;
  for (const sim::StoredCopy& c : m.stored) {
    if (!first || c.at < first->at) first = &c;
  }
  if (!first) return -1;
  int owner = -1;
  for (size_t i = 0; i < m.attempts.size(); ++i) {
    const AttemptRecord& a = m.attempts[i];
    if (a.broker == first->broker && a.start <= first->at) owner = static_cast<int>(i);
  }
  return owner;
}

}  // namespace

std::vector<Divergence> FindDivergences(const std::vector<RunResult>& runs, size_t limit) {
  std::vector<Divergence> out;
  if (runs.size() < 2) return out;
  std::vector<std::map<std::string_view, const MessageRecord*>> by_id(runs.size());
  std::vector<std::string_view> order;
  std::set<std::string_view> seen;
  for (size_t i = 0; i < runs.size(); ++i) {
    for (const MessageRecord& m : runs[i].messages) {
      by_id[i].emplace(m.id, &m);
      if (seen.insert(m.id).second) order.push_back(m.id);
    }
  }
  std::vector<const MessageRecord*> ms(runs.size());
  for (std::string_view id : order) {
    for (size_t i = 0; i < runs.size(); ++i) {
      auto it = by_id[i].find(id);
      ms[i] = it == by_id[i].end() ? nullptr : it->second;
    }
    if (!Diverges(ms)) continue;
    out.push_back(Describe(std::string(id), ms, runs));
    if (limit != 0 && out.size() >= limit) break;
  }
  return out;
}

const char* CauseName(Cause c) {
  switch (c) {
    case Cause::kNoRetryAllowed: return "no retry allowed in this mode";
    case Cause::kRetryBudgetExhausted: return "retry budget exhausted";
    case Cause::kRetryToFailedBroker: return "retry returned to a failed broker";
    case Cause::kResponseLostAfterStore: return "response lost after store";
    case Cause::kRetryAfterNonOkStatus: return "retry after non-OK status";
    case Cause::kTimeoutThenRetryStoredTwice: return "timeout then retry stored twice";
    case Cause::kUnresolvedAtHorizon: return "unresolved at horizon";
    case Cause::kOther: return "other";
  }
  return "other";
}

const std::array<Cause, kCauseCount>& AllCauses() {
  static const std::array<Cause, kCauseCount> all = {
      Cause::kNoRetryAllowed,         Cause::kRetryBudgetExhausted,
      Cause::kRetryToFailedBroker,    Cause::kResponseLostAfterStore,
      Cause::kRetryAfterNonOkStatus,  Cause::kTimeoutThenRetryStoredTwice,
      Cause::kUnresolvedAtHorizon,    Cause::kOther};
  return all;
}

const char* AnomalyName(Anomaly a) { return a == Anomaly::kLoss ? "loss" : "duplicate"; }

ResultClass ClassifyResult(const AttemptRecord& a) {
  if (!a.end) return ResultClass::kPending;
  if (a.result == "ok" || a.result == "SEND_OK") return ResultClass::kOk;
  if (IsNonOkStatus(a.result)) return ResultClass::kNonOkStatus;
  if (a.result.find("Timeout") != std::string::npos ||
      a.result.find("timeout") != std::string::npos) {
    return ResultClass::kTimeout;
  }
  return ResultClass::kError;
}

const char* ResultClassName(ResultClass c) {
  switch (c) {
    case ResultClass::kOk: return "ok";
    case ResultClass::kNonOkStatus: return "status";
    case ResultClass::kTimeout: return "timeout";
    case ResultClass::kError: return "error";
    case ResultClass::kPending: return "pending";
  }
  return "error";
}

Cause ClassifyLoss(const MessageRecord& m) {
  if (m.outcome == sim::Outcome::kUnresolved) return Cause::kUnresolvedAtHorizon;
  if (m.attempts.empty()) return Cause::kOther;
  const AttemptRecord& last = m.attempts.back();
  if (m.mode == sim::SendMode::kOneway ||
      ContainsAnyCaseless(last.decision,
                          {"attempt allowed", "no retry", "not retried", "retry disabled"})) {
    return Cause::kNoRetryAllowed;
  }
  std::set<std::string_view> failed_brokers;
  for (const AttemptRecord& a : m.attempts) {
    if (failed_brokers.count(a.broker)) return Cause::kRetryToFailedBroker;
    if (Failed(a)) failed_brokers.insert(a.broker);
  }
  if (ClassifyResult(last) == ResultClass::kTimeout ||
      ContainsAnyCaseless(last.decision,
                          {"budget", "timeout", "timed out", "time left", "exhausted"})) {
    return Cause::kRetryBudgetExhausted;
  }
  return m.attempts.size() == 1 ? Cause::kNoRetryAllowed : Cause::kRetryBudgetExhausted;
}

Cause ClassifyDuplicate(const MessageRecord& m) {
  int owner = OwnerOfFirstCopy(m);
  if (owner < 0 || static_cast<size_t>(owner) + 1 >= m.attempts.size()) return Cause::kOther;
  const AttemptRecord& a = m.attempts[static_cast<size_t>(owner)];
  ResultClass c = ClassifyResult(a);
  if (c == ResultClass::kNonOkStatus) return Cause::kRetryAfterNonOkStatus;
  if (ContainsAnyCaseless(a.result, {"drop", "lost"}) ||
      ContainsAnyCaseless(a.detail, {"drop", "lost"}) ||
      ContainsAnyCaseless(a.decision, {"drop", "lost"})) {
    return Cause::kResponseLostAfterStore;
  }
  if (c == ResultClass::kTimeout) return Cause::kTimeoutThenRetryStoredTwice;
  if (c == ResultClass::kError) return Cause::kResponseLostAfterStore;
  return Cause::kOther;
}

RunCauses ClassifyCauses(const RunResult& run) {
  RunCauses rc;
  rc.profile = run.profile;
  for (const MessageRecord& m : run.messages) {
    if (m.stored.empty()) {
      Cause c = ClassifyLoss(m);
      rc.messages.push_back({m.id, Anomaly::kLoss, c});
      ++rc.losses[static_cast<size_t>(c)];
    } else if (m.stored.size() >= 2) {
      Cause c = ClassifyDuplicate(m);
      rc.messages.push_back({m.id, Anomaly::kDuplicate, c});
      ++rc.duplicates[static_cast<size_t>(c)];
    }
  }
  return rc;
}

}  // namespace rmqsim::reports
