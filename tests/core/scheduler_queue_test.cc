// The scheduler's bucket queue against a plain ordered map of (time, seq): the same random
// workloads (ties, times across every level of the buckets, cancels, runs stopped by horizon or
// event count and resumed, events scheduled before the last look-ahead) run events in the same
// order at the same times.
#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "core/random.h"
#include "core/scheduler.h"

namespace rmqsim::core {
namespace {

// The reference: events ordered by (time, scheduling order), nothing clever.
class RefScheduler {
 public:
  using Id = uint64_t;
  SimTime now() const { return now_; }
  Id ScheduleAt(SimTime when, std::function<void()> fn) {
    REQUIRE(when >= now_);
    uint64_t seq = next_seq_++;
    queue_.emplace(std::make_pair(when.ns(), seq), std::move(fn));
    return seq;
  }
  bool Cancel(Id id) {
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if (it->first.second == id) {
        queue_.erase(it);
        return true;
      }
    }
    return false;
  }
  void Run(SimTime horizon, uint64_t max_events) {
    for (uint64_t ran = 0; !queue_.empty() && ran < max_events; ++ran) {
      auto it = queue_.begin();
      if (it->first.first > horizon.ns()) {
        if (horizon > now_) now_ = horizon;
        return;
      }
      now_ = SimTime::FromNanos(it->first.first);
      std::function<void()> fn = std::move(it->second);
      queue_.erase(it);
      fn();
    }
  }

 private:
  SimTime now_;
  uint64_t next_seq_ = 0;
  std::map<std::pair<int64_t, uint64_t>, std::function<void()>> queue_;
};

// Delays that exercise every bucket level: zero (ties), a few ns, and up to 2^40 ns.
int64_t RandomDelay(Rng& rng) {
  switch (rng.Below(6)) {
    case 0:
      return 0;
    case 1:
      return static_cast<int64_t>(rng.Below(4));
    case 2:
      return static_cast<int64_t>(rng.Below(300));
    case 3:
      return static_cast<int64_t>(rng.Below(70000));
    case 4:
      return static_cast<int64_t>(rng.Below(uint64_t{1} << 24));
    default:
      return static_cast<int64_t>(rng.Below(uint64_t{1} << 40));
  }
}

// Delays around a millisecond with some near ones: with a few thousand pending events, buckets of
// level 2 (65 us) hold tens to hundreds of entries and are radix sorted into the run, and events
// scheduled into the run's span go to late_, sometimes enough of them to place both back.
int64_t MillisecondDelay(Rng& rng) {
  switch (rng.Below(8)) {
    case 0:
      return 0;
    case 1:
      return static_cast<int64_t>(rng.Below(3000));
    case 2:
      return static_cast<int64_t>(rng.Below(70000));
    default:
      return static_cast<int64_t>(rng.Below(uint64_t{1} << 21));
  }
}

// Runs one random workload on scheduler `S` (Scheduler or RefScheduler, whose ids are kept in
// scheduling order so that both cancel the same events) and returns the log of (event, time):
// `initial` events, then up to `max_events` in all, with delays drawn by `delay`.
template <typename S, typename Id>
std::vector<std::pair<int, int64_t>> RunWorkload(uint64_t seed, int initial = 200,
                                                 int max_events = 3000,
                                                 int64_t (*draw)(Rng&) = RandomDelay) {
  S s;
  Rng rng(seed);
  std::vector<std::pair<int, int64_t>> log;
  std::vector<Id> ids;
  int next_name = 0;
  // What the events read, behind one reference: the callback has 64 bytes for its captures.
  struct {
    uint64_t seed;
    int max_events;
    int64_t (*draw)(Rng&);
  } shape{seed, max_events, draw};
  std::function<void(int64_t)> schedule = [&](int64_t delay) {
    int name = next_name++;
    ids.push_back(s.ScheduleAt(s.now() + SimDuration::Nanos(delay), [&, name] {
      log.emplace_back(name, s.now().ns());
      Rng r(shape.seed * 1000003 + static_cast<uint64_t>(name));
      for (uint64_t k = r.Below(3); k > 0; --k) {
        if (next_name < shape.max_events) schedule(shape.draw(r));
      }
      if (r.Chance(1, 5) && !ids.empty()) s.Cancel(ids[r.Below(ids.size())]);
    }));
  };
  for (int i = 0; i < initial; ++i) schedule(draw(rng));
  for (int round = 0; round < 60; ++round) {
    // Stop by horizon or by count, then schedule from outside, possibly before the next event.
    if (rng.Chance(1, 2)) {
      s.Run(s.now() + SimDuration::Nanos(RandomDelay(rng)), UINT64_MAX);
    } else {
      s.Run(SimTime::Max(), rng.Below(80));
    }
    for (uint64_t k = rng.Below(4); k > 0; --k) schedule(draw(rng));
    if (rng.Chance(1, 3) && !ids.empty()) s.Cancel(ids[rng.Below(ids.size())]);
  }
  s.Run(SimTime::Max(), UINT64_MAX);
  log.emplace_back(-1, s.now().ns());
  return log;
}

TEST_CASE("Scheduler queue runs random workloads in (time, scheduling order) like a sorted map",
          "[core][scheduler]") {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    INFO("seed " << seed);
    auto got = RunWorkload<Scheduler, Scheduler::EventId>(seed);
    auto want = RunWorkload<RefScheduler, RefScheduler::Id>(seed);
    REQUIRE(got.size() > 100);
    CHECK(got == want);
  }
}

TEST_CASE("Scheduler queue runs dense millisecond workloads like a sorted map",
          "[core][scheduler]") {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    INFO("seed " << seed);
    int initial = seed % 2 == 0 ? 1500 : 6000;
    auto got = RunWorkload<Scheduler, Scheduler::EventId>(seed, initial, 40000, MillisecondDelay);
    auto want = RunWorkload<RefScheduler, RefScheduler::Id>(seed, initial, 40000, MillisecondDelay);
    REQUIRE(got.size() > 1000);
    CHECK(got == want);
  }
}

TEST_CASE("Scheduler takes an event scheduled before the one a stopped run looked at",
          "[core][scheduler]") {
  Scheduler s;
  std::vector<int> order;
  s.ScheduleAt(SimTime::FromNanos(5'000'000'000), [&] { order.push_back(2); });
  s.ScheduleAt(SimTime::FromNanos(5'000'000'000), [&] { order.push_back(3); });
  // The run looks at the 5 s events and stops at the horizon, before them.
  CHECK(s.RunUntil(SimTime::FromNanos(1000)) == Scheduler::StopReason::kHorizon);
  s.ScheduleAt(SimTime::FromNanos(2000), [&] { order.push_back(1); });
  s.ScheduleAt(SimTime::FromNanos(5'000'000'000), [&] { order.push_back(4); });
  CHECK(s.RunUntilEmpty() == Scheduler::StopReason::kEmpty);
  CHECK(order == std::vector<int>{1, 2, 3, 4});
}

TEST_CASE("Scheduler keeps FIFO order through a long stream of same-instant events",
          "[core][scheduler]") {
  Scheduler s;
  std::vector<int> order;
  int next = 0;
  // Each event schedules two more at the same instant until 5000 exist: the current bucket keeps
  // growing while it is consumed. Names are taken in scheduling order.
  std::function<void(int)> spawn = [&](int name) {
    order.push_back(name);
    for (int k = 0; k < 2 && next < 5000; ++k) {
      int child = next++;
      s.ScheduleAfter(SimDuration::Zero(), [&spawn, child] { spawn(child); });
    }
  };
  int first = next++;
  s.ScheduleAt(SimTime::FromNanos(7), [&spawn, first] { spawn(first); });
  CHECK(s.RunUntilEmpty() == Scheduler::StopReason::kEmpty);
  REQUIRE(order.size() == 5000);
  for (int i = 0; i < 5000; ++i) REQUIRE(order[static_cast<size_t>(i)] == i);
  CHECK(s.now() == SimTime::FromNanos(7));
}

}  // namespace
}  // namespace rmqsim::core
