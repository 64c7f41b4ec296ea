// OutcomeTally: the run's outcome accounting in a few bytes per message (issue #7).
//
// The Recorder feeds it every message, attempt, arrival, stored copy and callback, in both
// accounting modes. What is final when it happens (a message's first result, its latency, its
// final error, an attempt) is folded into running counters at once; what a message can still gain
// after its result (stored copies and arrivals of requests still in the network, a second
// callback, a retry started by a Q9 chain) stays in a 10-byte MessageTally. ToSummary() combines
// both and equals Summarize() over the full records (tests/sim/tally_test.cc); Recount() derives
// every counter again from the tallies alone, for the run invariants (sim/invariants.h).
//
// Memory: 10 bytes of tally per message in 64 Ki-entry chunks (no reallocation peaks), 4 bytes of
// latency per resolved message (8 for latencies of 2^32 ns or more), and per broker and error type.
#ifndef RMQSIM_SIM_TALLY_H_
#define RMQSIM_SIM_TALLY_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "core/check.h"
#include "core/sim_time.h"
#include "sim/outcome.h"

namespace rmqsim::sim {

// A vector that grows by fixed chunks: no copy and no 2x capacity peak when it grows.
template <typename T, size_t kChunkBits = 16>
class ChunkedVector {
 public:
  static constexpr size_t kChunk = size_t{1} << kChunkBits;
  size_t size() const { return size_; }
  T& operator[](size_t i) { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }
  const T& operator[](size_t i) const { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }
  void push_back(const T& v) {
    if ((size_ & (kChunk - 1)) == 0) chunks_.push_back(std::make_unique<T[]>(kChunk));
    (*this)[size_++] = v;
  }
  template <typename F>
  void ForEach(F&& f) const {
    for (size_t c = 0; c < chunks_.size(); ++c) {
      size_t n = std::min(kChunk, size_ - c * kChunk);
      const T* p = chunks_[c].get();
      for (size_t i = 0; i < n; ++i) f(p[i]);
    }
  }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  size_t size_ = 0;
};

// What the summary and the run invariants need of one message once its record is gone. Counts of
// arrivals, stored copies and callbacks saturate at 255 (only 0, 1 and "2 or more" reach the
// summary; invariant 4 compares exact counts below that).
struct MessageTally {
  uint16_t attempts = 0;
  uint16_t brokers = 0;    // bit b: a copy is stored on broker b (b < 16; more in a side set)
  uint8_t arrivals = 0;    // requests that reached a broker process
  uint8_t stored = 0;      // stored copies
  uint8_t callbacks = 0;   // times the application was told
  uint8_t outcome = 0;     // Outcome
  uint8_t mode = 0;        // SendMode
  uint8_t error_type = 0;  // 0: no error, else 1 + index into OutcomeTally's error types

  Outcome outcome_enum() const { return static_cast<Outcome>(outcome); }
  SendMode mode_enum() const { return static_cast<SendMode>(mode); }
  static uint8_t Saturated(uint8_t v) { return v == 255 ? v : static_cast<uint8_t>(v + 1); }
};
static_assert(sizeof(MessageTally) == 10, "a few bytes per message");

// The per-message reports are inline: each runs once or more for every message.
class OutcomeTally {
 public:
  // Returns the new message's index.
  int64_t NewMessage(SendMode mode) {
    MessageTally t;
    t.mode = static_cast<uint8_t>(mode);
    t.outcome = static_cast<uint8_t>(Outcome::kUnresolved);
    tallies_.push_back(t);
    return static_cast<int64_t>(tallies_.size()) - 1;
  }
  // Returns the attempt's number (1-based).
  int32_t BeginAttempt(int64_t m) {
    MessageTally& t = at(m);
    RMQ_CHECK(t.attempts < UINT16_MAX) << "message " << m << ": more than 65535 attempts";
    ++t.attempts;
    ++attempts_;
    attempts_max_ = std::max<int64_t>(attempts_max_, t.attempts);
    return t.attempts;
  }
  void RequestArrived(int64_t m) {
    RMQ_CHECK(m >= 0 && static_cast<size_t>(m) < tallies_.size()) << "no message " << m;
    MessageTally& t = at(m);
    t.arrivals = MessageTally::Saturated(t.arrivals);
  }
  // The index of a broker name (interned on first sight; the Recorder interns an attempt's broker
  // too, so the order is by first report) and its name, which stays where it is for the tally's
  // life.
  int32_t BrokerIndex(std::string_view broker) {
    for (size_t i = 0; i < broker_views_.size(); ++i) {
      if (SameName(broker_views_[i], broker)) return static_cast<int32_t>(i);
    }
    return AddBroker(broker);
  }
  const std::string& broker_name(int32_t b) const { return brokers_[static_cast<size_t>(b)]; }
  // A copy of message `m` is stored on broker `b` (a BrokerIndex), or on the named broker.
  void Stored(int64_t m, int32_t b) {
    MessageTally& t = at(m);
    t.stored = MessageTally::Saturated(t.stored);
    if (b < 16) {
      t.brokers = static_cast<uint16_t>(t.brokers | (1u << b));
    } else {
      StoredOnFarBroker(m, b);
    }
  }
  void Stored(int64_t m, std::string_view broker) { Stored(m, BrokerIndex(broker)); }
  // Returns the number of callbacks so far, this one included. The first decides the outcome,
  // latency (resolved - sent) and final error type; later ones are only counted.
  int32_t Resolve(int64_t m, Outcome outcome, core::SimDuration latency, const ErrorInfo* error);

  size_t size() const { return tallies_.size(); }
  const MessageTally& tally(int64_t m) const { return tallies_[static_cast<size_t>(m)]; }

  // The summary metrics: running counters plus what only the tallies know at the end.
  Summary ToSummary() const;
  // Every counter of the summary derived again from the tallies alone, for invariant 5 (the
  // latencies, which exist only as running data, are left 0).
  Summary Recount() const;

 private:
  MessageTally& at(int64_t m) { return tallies_[static_cast<size_t>(m)]; }
  int32_t AddBroker(std::string_view broker);
  void StoredOnFarBroker(int64_t m, int32_t b);
  // a == b, 8 bytes at a time inline. BrokerIndex runs on every attempt and stored copy, and a
  // call to memcmp per candidate cost more than the rest of the lookup.
  static bool SameName(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    size_t i = 0;
    for (; i + 8 <= a.size(); i += 8) {
      uint64_t x, y;
      std::memcpy(&x, a.data() + i, 8);
      std::memcpy(&y, b.data() + i, 8);
      if (x != y) return false;
    }
    for (; i < a.size(); ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
  // The latencies at two nearest ranks (1-based; as Summarize's sorted latencies give them), by
  // radix selection.
  std::array<int64_t, 2> LatenciesAtRanks(std::array<uint64_t, 2> ranks) const;

  ChunkedVector<MessageTally> tallies_;
  std::deque<std::string> brokers_;       // by BrokerIndex (a deque: the names never move)
  std::vector<std::string_view> broker_views_;  // the same, contiguous, for BrokerIndex's scan
  std::vector<std::string> error_types_;  // by first occurrence
  // Copies on brokers with index >= 16: (message, broker index).
  absl::flat_hash_set<std::pair<int64_t, int32_t>> far_broker_copies_;
  // Running counters, final when counted.
  int64_t ok_ = 0, failed_ = 0, attempts_ = 0, attempts_max_ = 0, double_callback_ = 0;
  std::vector<int64_t> errors_by_type_;   // by error_types_ index
  ChunkedVector<uint32_t> latencies_;     // ns, of resolved messages below 2^32 ns
  std::vector<int64_t> long_latencies_;   // ns, the others
  int64_t latency_max_ = 0;
};

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_TALLY_H_
