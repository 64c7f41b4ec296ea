#include "sim/tally.h"

#include <algorithm>

#include "core/check.h"

namespace rmqsim::sim {
namespace {
// Nearest-rank rank (1-based) of percentile p among n values, as Summarize computes it.
uint64_t NearestRankOf(uint64_t n, int p) {
  uint64_t rank = (static_cast<uint64_t>(p) * n + 99) / 100;
  return rank == 0 ? 1 : rank;
}
}  // namespace

void OutcomeTally::StoredOnFarBroker(int64_t m, int32_t b) { far_broker_copies_.insert({m, b}); }

int32_t OutcomeTally::AddBroker(std::string_view broker) {
  broker_views_.push_back(brokers_.emplace_back(broker));
  return static_cast<int32_t>(brokers_.size()) - 1;
}


int32_t OutcomeTally::Resolve(int64_t m, Outcome outcome, core::SimDuration latency,
                              const ErrorInfo* error) {
  MessageTally& t = at(m);
  t.callbacks = MessageTally::Saturated(t.callbacks);
  if (t.callbacks == 2) ++double_callback_;
  if (t.callbacks > 1) return t.callbacks;  // the first outcome stands
  t.outcome = static_cast<uint8_t>(outcome);
  if (outcome == Outcome::kOk) ++ok_;
  if (outcome == Outcome::kFailed) ++failed_;
  if (outcome == Outcome::kFailed && error != nullptr) {
    size_t i = 0;
    while (i < error_types_.size() && error_types_[i] != error->type) ++i;
    if (i == error_types_.size()) {
      RMQ_CHECK(i < 255) << "more than 255 error types";
      error_types_.push_back(error->type);
      errors_by_type_.push_back(0);
    }
    ++errors_by_type_[i];
    t.error_type = static_cast<uint8_t>(i + 1);
  }
  int64_t ns = latency.ns();
  if (ns >= 0 && ns <= static_cast<int64_t>(UINT32_MAX)) {
    latencies_.push_back(static_cast<uint32_t>(ns));
  } else {
    long_latencies_.push_back(ns);
  }
  latency_max_ = std::max(latency_max_, ns);
  return t.callbacks;
}

std::array<int64_t, 2> OutcomeTally::LatenciesAtRanks(std::array<uint64_t, 2> ranks) const {
  const uint64_t small = latencies_.size();
  std::array<int64_t, 2> out{};
  // Ranks past the 32-bit latencies: among the others, sorted.
  std::vector<int64_t> sorted_long;
  for (size_t i = 0; i < 2; ++i) {
    if (ranks[i] <= small) continue;
    if (sorted_long.empty()) {
      sorted_long = long_latencies_;
      std::sort(sorted_long.begin(), sorted_long.end());
    }
    out[i] = sorted_long[ranks[i] - small - 1];
  }
  if (ranks[0] > small && ranks[1] > small) return out;
  // The others by radix selection over the 32-bit latencies, counting only: one pass counts the
  // high 16 bits (for both ranks), one more the low 16 bits of the values in each rank's bucket.
  constexpr uint32_t kNone = 1u << 16;  // no bucket: a rank past the 32-bit latencies
  std::vector<uint64_t> high(size_t{1} << 16, 0);
  latencies_.ForEach([&](uint32_t v) { ++high[v >> 16]; });
  std::array<uint32_t, 2> bucket{kNone, kNone};
  std::array<uint64_t, 2> k{};
  for (size_t i = 0; i < 2; ++i) {
    if (ranks[i] > small) continue;
    k[i] = ranks[i];
    uint32_t digit = 0;
    while (k[i] > high[digit]) k[i] -= high[digit++];
    bucket[i] = digit;
  }
  std::vector<uint64_t> low0(size_t{1} << 16, 0);
  std::vector<uint64_t> low1_own;
  std::vector<uint64_t>* low1 = &low0;
  if (bucket[1] != bucket[0]) {
    low1_own.assign(size_t{1} << 16, 0);
    low1 = &low1_own;
  }
  latencies_.ForEach([&](uint32_t v) {
    const uint32_t h = v >> 16;
    if (h == bucket[0]) {
      ++low0[v & 0xffff];
    } else if (h == bucket[1]) {
      ++(*low1)[v & 0xffff];
    }
  });
  const std::vector<uint64_t>* low[2] = {&low0, low1};
  for (size_t i = 0; i < 2; ++i) {
    if (bucket[i] == kNone) continue;
    uint32_t digit = 0;
    while (k[i] > (*low[i])[digit]) k[i] -= (*low[i])[digit++];
    out[i] = static_cast<int64_t>((bucket[i] << 16) | digit);
  }
  return out;
}

Summary OutcomeTally::ToSummary() const {
  Summary s;
  s.messages = static_cast<int64_t>(tallies_.size());
  s.ok = ok_;
  s.failed = failed_;
  s.unresolved = s.messages - ok_ - failed_;
  s.attempts = attempts_;
  s.attempts_max = attempts_max_;
  s.retries = s.attempts - s.messages;
  s.double_callback = double_callback_;
  for (size_t i = 0; i < error_types_.size(); ++i) s.errors_by_type[error_types_[i]] = errors_by_type_[i];
  // Stored copies can still arrive after a message's result: counted from the tallies, in locals
  // (this runs for every message; counters in `s` or a vector would be reloaded on each).
  int64_t lost = 0, silent_loss = 0, stored = 0, false_failure = 0, duplicated = 0;
  int64_t by_near_broker[16] = {};
  tallies_.ForEach([&](const MessageTally& t) {
    if (t.stored == 0) {
      ++lost;
      if (t.outcome_enum() == Outcome::kOk) ++silent_loss;
    } else {
      ++stored;
      if (t.outcome_enum() == Outcome::kFailed) ++false_failure;
    }
    if (t.stored >= 2) ++duplicated;
    for (uint32_t b = t.brokers; b != 0; b &= b - 1) ++by_near_broker[__builtin_ctz(b)];
  });
  s.lost = lost;
  s.silent_loss = silent_loss;
  s.stored = stored;
  s.false_failure = false_failure;
  s.duplicated = duplicated;
  std::vector<int64_t> by_broker(brokers_.size(), 0);
  for (size_t i = 0; i < 16 && i < brokers_.size(); ++i) by_broker[i] = by_near_broker[i];
  for (const auto& [m, b] : far_broker_copies_) ++by_broker[static_cast<size_t>(b)];
  for (size_t i = 0; i < brokers_.size(); ++i) {
    if (by_broker[i] > 0) s.stored_by_broker[brokers_[i]] = by_broker[i];
  }
  const uint64_t resolved = latencies_.size() + long_latencies_.size();
  if (resolved > 0) {
    const std::array<int64_t, 2> p =
        LatenciesAtRanks({NearestRankOf(resolved, 50), NearestRankOf(resolved, 99)});
    s.latency_p50_ms = static_cast<double>(p[0]) / 1e6;
    s.latency_p99_ms = static_cast<double>(p[1]) / 1e6;
    s.latency_max_ms = static_cast<double>(latency_max_) / 1e6;
  }
  return s;
}

Summary OutcomeTally::Recount() const {
  Summary s;
  std::vector<int64_t> by_broker(brokers_.size(), 0);
  std::vector<int64_t> by_error(error_types_.size(), 0);
  const size_t near_brokers = std::min<size_t>(16, brokers_.size());
  tallies_.ForEach([&](const MessageTally& t) {
    ++s.messages;
    switch (t.outcome_enum()) {
      case Outcome::kOk: ++s.ok; break;
      case Outcome::kFailed: ++s.failed; break;
      case Outcome::kUnresolved: ++s.unresolved; break;
    }
    if (t.stored == 0) {
      ++s.lost;
      if (t.outcome_enum() == Outcome::kOk) ++s.silent_loss;
    } else {
      ++s.stored;
      if (t.outcome_enum() == Outcome::kFailed) ++s.false_failure;
    }
    if (t.stored > 1) ++s.duplicated;
    if (t.callbacks > 1) ++s.double_callback;
    s.attempts += t.attempts;
    s.attempts_max = std::max<int64_t>(s.attempts_max, t.attempts);
    for (size_t b = 0; b < near_brokers; ++b) {
      if (t.brokers & (1u << b)) ++by_broker[b];
    }
    if (t.error_type != 0 && t.outcome_enum() == Outcome::kFailed) ++by_error[t.error_type - 1u];
  });
  for (const auto& [m, b] : far_broker_copies_) ++by_broker[static_cast<size_t>(b)];
  s.retries = s.attempts - s.messages;
  for (size_t i = 0; i < brokers_.size(); ++i) {
    if (by_broker[i] > 0) s.stored_by_broker[brokers_[i]] = by_broker[i];
  }
  for (size_t i = 0; i < error_types_.size(); ++i) {
    if (by_error[i] > 0) s.errors_by_type[error_types_[i]] = by_error[i];
  }
  return s;
}

}  // namespace rmqsim::sim
