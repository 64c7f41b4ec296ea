#include "core/scheduler.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace rmqsim::core {
namespace {

SimTime Ms(int64_t ms) { return SimTime::Zero() + SimDuration::Millis(ms); }

TEST_CASE("Scheduler runs events at the same instant in FIFO order", "[core][scheduler]") {
  Scheduler s;
  std::vector<int> order;
  for (int i = 0; i < 5; ++i)
    s.ScheduleAt(SimTime::Zero() + SimDuration::Millis(5), [&, i] { order.push_back(i); });
  s.ScheduleAt(SimTime::Zero() + SimDuration::Millis(1), [&] { order.push_back(-1); });
  CHECK(s.RunUntilEmpty() == Scheduler::StopReason::kEmpty);
  CHECK(order == std::vector<int>{-1, 0, 1, 2, 3, 4});
  CHECK(s.now() == SimTime::Zero() + SimDuration::Millis(5));
}

TEST_CASE("Scheduler keeps FIFO order for same-instant events scheduled from a running event",
          "[core][scheduler]") {
  Scheduler s;
  std::vector<int> order;
  s.ScheduleAt(Ms(1), [&] {
    order.push_back(0);
    // Scheduled now for now: runs after the event already queued for this instant.
    s.ScheduleAfter(SimDuration::Zero(), [&] { order.push_back(2); });
  });
  s.ScheduleAt(Ms(1), [&] { order.push_back(1); });
  s.ScheduleAt(Ms(2), [&] { order.push_back(3); });
  CHECK(s.RunUntilEmpty() == Scheduler::StopReason::kEmpty);
  CHECK(order == std::vector<int>{0, 1, 2, 3});
  CHECK(s.executed_events() == 4);
}

TEST_CASE("Scheduler cancel before firing drops the event", "[core][scheduler]") {
  Scheduler s;
  int ran = 0;
  Scheduler::EventId id = s.ScheduleAt(Ms(10), [&] { ++ran; });
  s.ScheduleAt(Ms(20), [&] { ran += 100; });
  REQUIRE(id.valid());
  CHECK(s.pending() == 2);
  CHECK(s.IsPending(id));
  CHECK(s.Cancel(id));
  CHECK(s.pending() == 1);
  CHECK_FALSE(s.IsPending(id));
  CHECK_FALSE(s.Cancel(id));  // second cancel is a no-op
  CHECK(s.pending() == 1);
  CHECK(s.RunUntilEmpty() == Scheduler::StopReason::kEmpty);
  CHECK(ran == 100);
  CHECK(s.executed_events() == 1);
  CHECK(s.now() == Ms(20));
}

TEST_CASE("Scheduler cancel after firing returns false and is harmless", "[core][scheduler]") {
  Scheduler s;
  std::vector<int> order;
  Scheduler::EventId first = s.ScheduleAt(Ms(1), [&] { order.push_back(1); });
  CHECK(s.RunUntilEmpty() == Scheduler::StopReason::kEmpty);
  CHECK_FALSE(s.IsPending(first));
  CHECK_FALSE(s.Cancel(first));
  CHECK(s.pending() == 0);
  // The freed slot is reused by the next event: the stale id must not cancel it.
  Scheduler::EventId second = s.ScheduleAt(Ms(2), [&] { order.push_back(2); });
  CHECK_FALSE(s.Cancel(first));
  CHECK(s.IsPending(second));
  CHECK(s.pending() == 1);
  CHECK(s.RunUntilEmpty() == Scheduler::StopReason::kEmpty);
  CHECK(order == std::vector<int>{1, 2});
  CHECK_FALSE(Scheduler::EventId().valid());
  CHECK_FALSE(s.Cancel(Scheduler::EventId()));
}

TEST_CASE("Scheduler cancel from within another event at the same instant", "[core][scheduler]") {
  Scheduler s;
  std::vector<int> order;
  Scheduler::EventId a;
  Scheduler::EventId b;
  bool cancel_b = false;
  bool cancel_a = true;
  a = s.ScheduleAt(Ms(5), [&] {
    order.push_back(1);
    cancel_b = s.Cancel(b);
  });
  b = s.ScheduleAt(Ms(5), [&] { order.push_back(2); });
  s.ScheduleAt(Ms(5), [&] {
    order.push_back(3);
    cancel_a = s.Cancel(a);  // already ran
  });
  CHECK(s.RunUntilEmpty() == Scheduler::StopReason::kEmpty);
  CHECK(order == std::vector<int>{1, 3});
  CHECK(cancel_b);
  CHECK_FALSE(cancel_a);
  CHECK(s.executed_events() == 2);
  CHECK(s.pending() == 0);
}

TEST_CASE("Scheduler event cancelling itself gets false", "[core][scheduler]") {
  Scheduler s;
  Scheduler::EventId self;
  bool result = true;
  self = s.ScheduleAt(Ms(1), [&] { result = s.Cancel(self); });
  s.RunUntilEmpty();
  CHECK_FALSE(result);
  CHECK(s.executed_events() == 1);
}

TEST_CASE("Scheduler RunUntil runs events up to and including the horizon", "[core][scheduler]") {
  Scheduler s;
  std::vector<int64_t> ran_at;
  for (int64_t ms : {10, 20, 30}) s.ScheduleAt(Ms(ms), [&] { ran_at.push_back(s.now().ns()); });

  CHECK(s.RunUntil(Ms(20)) == Scheduler::StopReason::kHorizon);
  CHECK(ran_at == std::vector<int64_t>{Ms(10).ns(), Ms(20).ns()});
  CHECK(s.now() == Ms(20));
  CHECK(s.pending() == 1);

  CHECK(s.RunUntil(Ms(25)) == Scheduler::StopReason::kHorizon);
  CHECK(ran_at.size() == 2);
  CHECK(s.now() == Ms(25));  // time advances to the horizon though nothing ran
  CHECK(s.pending() == 1);

  // The queue empties before the horizon: now() stays at the last event.
  CHECK(s.RunUntil(Ms(100)) == Scheduler::StopReason::kEmpty);
  CHECK(ran_at == std::vector<int64_t>{Ms(10).ns(), Ms(20).ns(), Ms(30).ns()});
  CHECK(s.now() == Ms(30));
  CHECK(s.pending() == 0);
}

TEST_CASE("Scheduler RunUntil with a past horizon never moves time backwards",
          "[core][scheduler]") {
  Scheduler s;
  int ran = 0;
  s.ScheduleAt(Ms(10), [&] { ++ran; });
  s.ScheduleAt(Ms(50), [&] { ++ran; });
  CHECK(s.RunUntil(Ms(30)) == Scheduler::StopReason::kHorizon);
  CHECK(s.now() == Ms(30));
  CHECK(s.RunUntil(Ms(20)) == Scheduler::StopReason::kHorizon);
  CHECK(s.now() == Ms(30));
  CHECK(ran == 1);
  CHECK(s.pending() == 1);
}

TEST_CASE("Scheduler cancelled events beyond the horizon do not count as pending work",
          "[core][scheduler]") {
  Scheduler s;
  s.ScheduleAt(Ms(10), [] {});
  Scheduler::EventId late = s.ScheduleAt(Ms(90), [] {});
  REQUIRE(s.Cancel(late));
  CHECK(s.pending() == 1);
  // Nothing live is left after 10 ms, so the run ends because the queue emptied, as if the
  // cancelled event had never been scheduled.
  CHECK(s.RunUntil(Ms(50)) == Scheduler::StopReason::kEmpty);
  CHECK(s.now() == Ms(10));
}

// The ordering the Scheduler promises, written plainly: (time, scheduling order) keys in a map.
class ReferenceScheduler {
 public:
  using EventId = uint64_t;
  using StopReason = Scheduler::StopReason;
  SimTime now() const { return now_; }
  EventId ScheduleAt(SimTime when, std::function<void()> fn) {
    REQUIRE(when >= now_);
    EventId id = next_id_++;
    queue_.emplace(std::pair(when.ns(), id), std::move(fn));
    time_of_.emplace(id, when.ns());
    return id;
  }
  bool Cancel(EventId id) {
    auto it = time_of_.find(id);
    if (it == time_of_.end()) return false;
    queue_.erase(std::pair(it->second, id));
    time_of_.erase(it);
    return true;
  }
  StopReason Run(SimTime horizon, uint64_t max_events) {
    for (uint64_t ran = 0;; ++ran) {
      if (queue_.empty()) return StopReason::kEmpty;
      if (ran >= max_events) return StopReason::kEventLimit;
      auto it = queue_.begin();
      if (it->first.first > horizon.ns()) {
        if (horizon > now_) now_ = horizon;
        return StopReason::kHorizon;
      }
      now_ = SimTime::FromNanos(it->first.first);
      std::function<void()> fn = std::move(it->second);
      time_of_.erase(it->first.second);
      queue_.erase(it);
      fn();
    }
  }
  size_t pending() const { return queue_.size(); }

 private:
  SimTime now_;
  EventId next_id_ = 0;
  std::map<std::pair<int64_t, EventId>, std::function<void()>> queue_;
  std::map<EventId, int64_t> time_of_;
};

// Random work on scheduler S: events at equal, close, sparse and far-apart times (small buckets
// sorted into a run, runs that grow and are placed back, dense buckets, huge jumps), cancels, and
// Run calls stopped by horizons and event limits with events scheduled in between, before the
// event the last call looked at (the Rebase path). Returns the log of what ran and what Cancel
// and Run returned, which must not depend on S.
template <typename S>
std::vector<int64_t> RandomWork(uint64_t seed) {
  struct Work {
    S s;
    std::mt19937_64 rng;
    std::vector<typename S::EventId> ids;
    std::vector<int64_t> log;
    int next_label = 0;

    int64_t Delay() {
      switch (rng() % 8) {
        case 0:
          return 0;
        case 1:
          return static_cast<int64_t>(rng() % 4);
        case 2:
          return static_cast<int64_t>(rng() % 300);
        case 3:
          return static_cast<int64_t>(rng() % 5000);
        case 4:
          return static_cast<int64_t>(rng() % 100000);
        case 5:
          return static_cast<int64_t>(rng() % 3000000);
        case 6:
          return rng() % 64 == 0 ? static_cast<int64_t>(rng() % (int64_t{1} << 45)) : 7;
        default:
          return static_cast<int64_t>(rng() % 70000) * 256;
      }
    }
    void Schedule() {
      int label = next_label++;
      ids.push_back(s.ScheduleAt(s.now() + SimDuration::Nanos(Delay()), [this, label] {
        log.push_back(s.now().ns());
        log.push_back(label);
        for (uint64_t n = rng() % 3; n > 0; --n) Schedule();
        if (rng() % 4 == 0) log.push_back(s.Cancel(ids[rng() % ids.size()]) ? -1 : -2);
      }));
    }
  } w{{}, std::mt19937_64(seed), {}, {}, 0};
  for (int i = 0; i < 300; ++i) w.Schedule();
  while (w.log.size() < 200000) {
    if (w.s.pending() < 20) {
      for (int i = 0; i < 50; ++i) w.Schedule();
    }
    typename S::StopReason why;
    if (w.rng() % 2 == 0) {
      why = w.s.Run(SimTime::Max(), w.rng() % 300 + 1);
    } else {
      why =
          w.s.Run(w.s.now() + SimDuration::Nanos(w.Delay()), std::numeric_limits<uint64_t>::max());
    }
    w.log.push_back(100 + static_cast<int64_t>(why));
    w.log.push_back(w.s.now().ns());
    for (uint64_t n = w.rng() % 4; n > 0; --n) w.Schedule();
    if (w.rng() % 2 == 0) w.log.push_back(w.s.Cancel(w.ids[w.rng() % w.ids.size()]) ? -1 : -2);
  }
  return w.log;
}

TEST_CASE("Scheduler runs random work in the same order as a reference queue",
          "[core][scheduler]") {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    INFO("seed " << seed);
    CHECK(RandomWork<Scheduler>(seed) == RandomWork<ReferenceScheduler>(seed));
  }
}

TEST_CASE("Scheduler keeps FIFO order for many events at one instant in a sparse queue",
          "[core][scheduler]") {
  Scheduler s;
  std::vector<int> order;
  // A few far-apart events (small buckets), then many at one of their instants, some scheduled
  // from an event running at that instant.
  for (int64_t ms : {7, 3, 5})
    s.ScheduleAt(Ms(ms), [&order, ms] { order.push_back(-static_cast<int>(ms)); });
  for (int i = 0; i < 500; ++i) s.ScheduleAt(Ms(5), [&order, i] { order.push_back(i); });
  s.ScheduleAt(Ms(5), [&] {
    for (int i = 1000; i < 1300; ++i)
      s.ScheduleAfter(SimDuration::Zero(), [&order, i] { order.push_back(i); });
  });
  CHECK(s.RunUntil(Ms(4)) == Scheduler::StopReason::kHorizon);  // looks at the 5 ms events
  s.ScheduleAt(Ms(4) + SimDuration::Nanos(1), [&] { order.push_back(-4); });  // before them
  CHECK(s.RunUntilEmpty() == Scheduler::StopReason::kEmpty);
  std::vector<int> want{-3, -4, -5};
  for (int i = 0; i < 500; ++i) want.push_back(i);
  for (int i = 1000; i < 1300; ++i) want.push_back(i);
  want.push_back(-7);
  CHECK(order == want);
}

TEST_CASE("Scheduler RunFor runs exactly n events", "[core][scheduler]") {
  Scheduler s;
  std::vector<int> order;
  for (int i = 0; i < 5; ++i) s.ScheduleAt(Ms(i + 1), [&, i] { order.push_back(i); });
  CHECK(s.RunFor(3) == Scheduler::StopReason::kEventLimit);
  CHECK(order == std::vector<int>{0, 1, 2});
  CHECK(s.executed_events() == 3);
  CHECK(s.pending() == 2);
  CHECK(s.now() == Ms(3));
  CHECK(s.RunFor(0) == Scheduler::StopReason::kEventLimit);
  CHECK(s.executed_events() == 3);
  CHECK(s.RunFor(10) == Scheduler::StopReason::kEmpty);
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4});
  CHECK(s.executed_events() == 5);
}

TEST_CASE("Scheduler Run stops at whichever of horizon and event limit comes first",
          "[core][scheduler]") {
  Scheduler s;
  int ran = 0;
  for (int i = 1; i <= 4; ++i) s.ScheduleAt(Ms(i * 10), [&] { ++ran; });
  CHECK(s.Run(Ms(100), 2) == Scheduler::StopReason::kEventLimit);
  CHECK(ran == 2);
  CHECK(s.now() == Ms(20));
  CHECK(s.Run(Ms(35), 100) == Scheduler::StopReason::kHorizon);
  CHECK(ran == 3);
  CHECK(s.now() == Ms(35));
}

TEST_CASE("Scheduler Stop returns after the running event", "[core][scheduler]") {
  Scheduler s;
  std::vector<int> order;
  s.ScheduleAt(Ms(10), [&] {
    order.push_back(1);
    s.Stop();
  });
  s.ScheduleAt(Ms(10), [&] { order.push_back(2); });
  s.ScheduleAt(Ms(20), [&] { order.push_back(3); });
  CHECK(s.RunUntilEmpty() == Scheduler::StopReason::kStopped);
  CHECK(order == std::vector<int>{1});
  CHECK(s.now() == Ms(10));
  CHECK(s.pending() == 2);
  // The stop request is consumed: the next run goes on.
  CHECK(s.RunUntilEmpty() == Scheduler::StopReason::kEmpty);
  CHECK(order == std::vector<int>{1, 2, 3});
  CHECK(s.now() == Ms(20));
}

TEST_CASE("Scheduler SchedulePeriodic runs at a fixed rate until cancelled", "[core][scheduler]") {
  Scheduler s;
  std::vector<int64_t> ticks;
  Scheduler::Periodic* p =
      s.SchedulePeriodic(Ms(5), SimDuration::Millis(10), [&] { ticks.push_back(s.now().ns()); });
  CHECK(s.pending() == 1);
  CHECK(s.RunUntil(Ms(40)) == Scheduler::StopReason::kHorizon);
  CHECK(ticks == std::vector<int64_t>{Ms(5).ns(), Ms(15).ns(), Ms(25).ns(), Ms(35).ns()});
  CHECK(s.pending() == 1);  // the 45 ms tick
  s.CancelPeriodic(p);
  CHECK(s.pending() == 0);
  CHECK(s.RunUntil(Ms(100)) == Scheduler::StopReason::kEmpty);
  CHECK(ticks.size() == 4);
  CHECK(s.now() == Ms(40));
}

TEST_CASE("Scheduler periodic ticks interleave with one-shot events by schedule order",
          "[core][scheduler]") {
  Scheduler s;
  std::vector<std::string> order;
  Scheduler::Periodic* p =
      s.SchedulePeriodic(Ms(0), SimDuration::Millis(10), [&] { order.push_back("tick"); });
  s.ScheduleAt(Ms(10), [&] { order.push_back("once"); });
  s.RunUntil(Ms(20));
  // The 10 ms tick was re-armed at 0 ms, after "once" was scheduled, so it runs second at 10 ms.
  CHECK(order == std::vector<std::string>{"tick", "once", "tick", "tick"});
  s.CancelPeriodic(p);
}

TEST_CASE("Scheduler CancelPeriodic from inside its own callback", "[core][scheduler]") {
  Scheduler s;
  std::vector<int64_t> ticks;
  int after_cancel = 0;
  Scheduler::Periodic* p = nullptr;
  p = s.SchedulePeriodic(Ms(1), SimDuration::Millis(2), [&] {
    ticks.push_back(s.now().ns());
    if (ticks.size() == 3) {
      s.CancelPeriodic(p);
      ++after_cancel;  // the callback's captures must survive until it returns
    }
  });
  CHECK(s.RunUntilEmpty() == Scheduler::StopReason::kEmpty);
  CHECK(ticks == std::vector<int64_t>{Ms(1).ns(), Ms(3).ns(), Ms(5).ns()});
  CHECK(after_cancel == 1);
  CHECK(s.pending() == 0);
}

}  // namespace
}  // namespace rmqsim::core
