#include "sim/outcome.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace rmqsim::sim {

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kOk: return "ok";
    case Outcome::kFailed: return "failed";
    case Outcome::kUnresolved: return "unresolved";
  }
  return "?";
}

const char* FateName(Fate f) {
  switch (f) {
    case Fate::kPending: return "pending";
    case Fate::kConsumed: return "consumed";
    case Fate::kDeadLettered: return "dead_lettered";
    case Fate::kDropped: return "dropped";
  }
  return "?";
}

namespace {
// Nearest-rank percentile: the smallest value with at least p% of values at or below it.
double NearestRank(const std::vector<int64_t>& sorted_ns, int p) {
  if (sorted_ns.empty()) return 0;
  size_t n = sorted_ns.size();
  size_t rank = (static_cast<size_t>(p) * n + 99) / 100;  // ceil(p/100 * n)
  if (rank == 0) rank = 1;
  return static_cast<double>(sorted_ns[rank - 1]) / 1e6;
}
}  // namespace

void SummarizeConsumers(const MessageRecord& m, Summary& s, std::vector<int64_t>& latencies) {
  if (!m.fates.empty()) s.has_consumers = true;
  for (const FateRecord& f : m.fates) {
    switch (f.fate) {
      case Fate::kPending: ++s.pending; break;
      case Fate::kConsumed: ++s.consumed; break;
      case Fate::kDeadLettered: ++s.dead_lettered; break;
      case Fate::kDropped: ++s.dropped; break;
    }
    s.consumer_duplicates += f.duplicates;
    if (f.first_consumed && !m.stored.empty()) {
      latencies.push_back((*f.first_consumed - m.stored.front().at).ns());
    }
  }
  for (const DeliveryRecord& d : m.deliveries) {
    ++s.deliveries;
    if (d.reconsume_times > 0) ++s.redeliveries;
  }
}

Summary Summarize(const std::vector<MessageRecord>& messages) {
  Summary s;
  std::vector<int64_t> latencies;
  std::vector<int64_t> delivery_latencies;
  for (const MessageRecord& m : messages) {
    SummarizeConsumers(m, s, delivery_latencies);
    ++s.messages;
    switch (m.outcome) {
      case Outcome::kOk: ++s.ok; break;
      case Outcome::kFailed: ++s.failed; break;
      case Outcome::kUnresolved: ++s.unresolved; break;
    }
    bool stored = !m.stored.empty();
    if (stored) ++s.stored;
    if (!stored) ++s.lost;
    if (!stored && m.outcome == Outcome::kOk) ++s.silent_loss;
    if (m.stored.size() >= 2) ++s.duplicated;
    if (stored && m.outcome == Outcome::kFailed) ++s.false_failure;
    if (m.callbacks >= 2) ++s.double_callback;
    s.attempts += static_cast<int64_t>(m.attempts.size());
    s.attempts_max = std::max<int64_t>(s.attempts_max, static_cast<int64_t>(m.attempts.size()));
    std::set<std::string> brokers;
    for (const StoredCopy& c : m.stored) brokers.insert(c.broker);
    for (const std::string& b : brokers) ++s.stored_by_broker[b];
    if (m.outcome == Outcome::kFailed && m.error) ++s.errors_by_type[m.error->type];
    if (m.resolved) latencies.push_back((*m.resolved - m.sent).ns());
  }
  s.retries = s.attempts - s.messages;
  std::sort(latencies.begin(), latencies.end());
  s.latency_p50_ms = NearestRank(latencies, 50);
  s.latency_p99_ms = NearestRank(latencies, 99);
  s.latency_max_ms = latencies.empty() ? 0 : static_cast<double>(latencies.back()) / 1e6;
  std::sort(delivery_latencies.begin(), delivery_latencies.end());
  s.delivery_latency_p99_ms = NearestRank(delivery_latencies, 99);
  return s;
}

const std::vector<std::string_view>& MetricNames() {
  static const std::vector<std::string_view> names = {
      "messages", "ok", "failed", "unresolved", "lost", "silent_loss", "duplicated",
      "false_failure", "stored", "attempts", "retries", "attempts_max", "latency_p50_ms",
      "latency_p99_ms", "latency_max_ms", "double_callback",
      // consumer metrics (meaningful with a `consumers` section)
      "consumed", "dead_lettered", "dropped", "pending", "deliveries", "redeliveries",
      "consumer_duplicates", "delivery_latency_p99_ms"};
  return names;
}

bool IsConsumerMetric(std::string_view name) {
  static const std::string_view kNames[] = {"consumed",     "dead_lettered", "dropped",
                                            "pending",      "deliveries",    "redeliveries",
                                            "consumer_duplicates", "delivery_latency_p99_ms"};
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

bool IsKnownMetric(std::string_view name) {
  if (name.substr(0, 7) == "stored." && name.size() > 7) return true;
  if (name.substr(0, 7) == "errors." && name.size() > 7) return true;
  const auto& n = MetricNames();
  return std::find(n.begin(), n.end(), name) != n.end();
}

std::optional<double> MetricValue(const Summary& s, std::string_view name) {
  if (name.substr(0, 7) == "stored." && name.size() > 7) {
    auto it = s.stored_by_broker.find(std::string(name.substr(7)));
    return it == s.stored_by_broker.end() ? 0.0 : static_cast<double>(it->second);
  }
  if (name.substr(0, 7) == "errors." && name.size() > 7) {
    auto it = s.errors_by_type.find(std::string(name.substr(7)));
    return it == s.errors_by_type.end() ? 0.0 : static_cast<double>(it->second);
  }
  struct Entry { std::string_view n; double v; };
  const Entry entries[] = {
      {"messages", double(s.messages)}, {"ok", double(s.ok)}, {"failed", double(s.failed)},
      {"unresolved", double(s.unresolved)}, {"lost", double(s.lost)},
      {"silent_loss", double(s.silent_loss)}, {"duplicated", double(s.duplicated)},
      {"false_failure", double(s.false_failure)}, {"stored", double(s.stored)},
      {"attempts", double(s.attempts)}, {"retries", double(s.retries)},
      {"attempts_max", double(s.attempts_max)}, {"latency_p50_ms", s.latency_p50_ms},
      {"latency_p99_ms", s.latency_p99_ms}, {"latency_max_ms", s.latency_max_ms},
      {"double_callback", double(s.double_callback)}};
  for (const Entry& e : entries) {
    if (e.n == name) return e.v;
  }
  // Consumer metrics (the loader allows them in `expect` only with a `consumers` section; reports
  // show them when Summary::has_consumers).
  const Entry consumer_entries[] = {
      {"consumed", double(s.consumed)}, {"dead_lettered", double(s.dead_lettered)},
      {"dropped", double(s.dropped)}, {"pending", double(s.pending)},
      {"deliveries", double(s.deliveries)}, {"redeliveries", double(s.redeliveries)},
      {"consumer_duplicates", double(s.consumer_duplicates)},
      {"delivery_latency_p99_ms", s.delivery_latency_p99_ms}};
  for (const Entry& e : consumer_entries) {
    if (e.n == name) return e.v;
  }
  return std::nullopt;
}

}  // namespace rmqsim::sim
