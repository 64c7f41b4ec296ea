#include "core/sync.h"

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/scheduler.h"
#include "core/task.h"

namespace rmqsim::core {
namespace {

SimTime Ms(int64_t ms) { return SimTime::Zero() + SimDuration::Millis(ms); }

struct WaitResult {
  int id;
  bool released;
  int64_t at_ns;
  bool operator==(const WaitResult&) const = default;
};

Task<void> WaitWithTimeout(Scheduler& s, Latch& l, SimDuration timeout, int id,
                           std::vector<WaitResult>* out) {
  bool ok = co_await l.Wait(timeout);
  out->push_back({id, ok, s.now().ns()});
}

Task<void> WaitForever(Scheduler& s, Latch& l, int id, std::vector<WaitResult>* out) {
  bool ok = co_await l.Wait();
  out->push_back({id, ok, s.now().ns()});
}

TEST_CASE("Latch wait released before the timeout returns true at the release time",
          "[core][sync]") {
  Scheduler s;
  TaskScope scope;
  Latch latch(s, 2);
  std::vector<WaitResult> out;
  s.ScheduleAt(Ms(10),
               [&] { scope.Spawn(WaitWithTimeout(s, latch, SimDuration::Millis(3000), 1, &out)); });
  s.ScheduleAt(Ms(20), [&] { latch.CountDown(); });
  s.ScheduleAt(Ms(30), [&] { latch.CountDown(); });
  CHECK(s.RunUntil(Ms(25)) == Scheduler::StopReason::kHorizon);
  CHECK(out.empty());
  CHECK(latch.count() == 1);
  CHECK_FALSE(latch.released());
  CHECK(s.RunUntilEmpty() == Scheduler::StopReason::kEmpty);
  CHECK(out == std::vector<WaitResult>{{1, true, Ms(30).ns()}});
  CHECK(latch.released());
  CHECK(s.pending() == 0);   // the timeout was cancelled
  CHECK(s.now() == Ms(30));  // and did not hold the run open until 3010 ms
}

TEST_CASE("Latch wait that times out returns false at exactly start plus timeout", "[core][sync]") {
  Scheduler s;
  TaskScope scope;
  Latch latch(s, 1);
  std::vector<WaitResult> out;
  s.ScheduleAt(Ms(10),
               [&] { scope.Spawn(WaitWithTimeout(s, latch, SimDuration::Millis(50), 1, &out)); });
  s.ScheduleAt(Ms(100), [&] { latch.CountDown(); });
  CHECK(s.RunUntilEmpty() == Scheduler::StopReason::kEmpty);
  CHECK(out == std::vector<WaitResult>{{1, false, Ms(60).ns()}});
  CHECK(latch.released());
  CHECK(scope.live() == 0);
}

TEST_CASE("Latch releases multiple waiters in FIFO order", "[core][sync]") {
  Scheduler s;
  TaskScope scope;
  Latch latch(s, 1);
  std::vector<WaitResult> out;
  scope.Spawn(WaitForever(s, latch, 1, &out));
  scope.Spawn(WaitWithTimeout(s, latch, SimDuration::Millis(500), 2, &out));
  scope.Spawn(WaitForever(s, latch, 3, &out));
  scope.Spawn(WaitWithTimeout(s, latch, SimDuration::Millis(5), 4, &out));  // times out first
  bool releaser_done_first = false;
  s.ScheduleAt(Ms(40), [&] {
    latch.CountDown();
    // Waiters resume from later events, never inline inside CountDown.
    releaser_done_first = out.size() == 1;
  });
  CHECK(s.RunUntilEmpty() == Scheduler::StopReason::kEmpty);
  std::vector<WaitResult> want = {{4, false, Ms(5).ns()},
                                  {1, true, Ms(40).ns()},
                                  {2, true, Ms(40).ns()},
                                  {3, true, Ms(40).ns()}};
  CHECK(out == want);
  CHECK(releaser_done_first);
  CHECK(s.now() == Ms(40));
}

TEST_CASE("Latch Wait with no timeout blocks until released", "[core][sync]") {
  Scheduler s;
  TaskScope scope;
  Latch latch(s, 3);
  std::vector<WaitResult> out;
  scope.Spawn(WaitForever(s, latch, 1, &out));
  for (int ms : {100, 200, 300}) s.ScheduleAt(Ms(ms), [&] { latch.CountDown(); });
  CHECK(s.RunUntil(Ms(250)) == Scheduler::StopReason::kHorizon);
  CHECK(out.empty());
  CHECK(latch.count() == 1);
  CHECK(s.pending() == 1);  // only the last CountDown: a plain Wait arms no timer
  CHECK(s.RunUntilEmpty() == Scheduler::StopReason::kEmpty);
  CHECK(out == std::vector<WaitResult>{{1, true, Ms(300).ns()}});
}

TEST_CASE("Latch wait on a released latch returns true without suspending", "[core][sync]") {
  Scheduler s;
  TaskScope scope;
  Latch latch(s, 1);
  latch.CountDown();
  latch.CountDown();  // extra count-downs are ignored
  CHECK(latch.count() == 0);
  std::vector<WaitResult> out;
  scope.Spawn(WaitWithTimeout(s, latch, SimDuration::Millis(5), 1, &out));
  scope.Spawn(WaitForever(s, latch, 2, &out));
  CHECK(out == std::vector<WaitResult>{{1, true, 0}, {2, true, 0}});
  CHECK(s.pending() == 0);
}

TEST_CASE("Latch wait with a zero or negative timeout yields then returns false", "[core][sync]") {
  Scheduler s;
  TaskScope scope;
  Latch latch(s, 1);
  std::vector<WaitResult> out;
  s.ScheduleAt(Ms(5), [&] {
    scope.Spawn(WaitWithTimeout(s, latch, SimDuration::Zero(), 1, &out));
    scope.Spawn(WaitWithTimeout(s, latch, SimDuration::Millis(-3), 2, &out));
    CHECK(out.empty());
  });
  s.RunUntilEmpty();
  CHECK(out == std::vector<WaitResult>{{1, false, Ms(5).ns()}, {2, false, Ms(5).ns()}});
}

TEST_CASE("Latch release and timeout at the same instant follow event order", "[core][sync]") {
  Scheduler s;
  TaskScope scope;
  Latch latch(s, 1);
  std::vector<WaitResult> out;
  // The timeout event (at 10 ms) is scheduled before the count-down event at 10 ms: it wins.
  scope.Spawn(WaitWithTimeout(s, latch, SimDuration::Millis(10), 1, &out));
  s.ScheduleAt(Ms(10), [&] { latch.CountDown(); });
  s.RunUntilEmpty();
  CHECK(out == std::vector<WaitResult>{{1, false, Ms(10).ns()}});

  Latch latch2(s, 1);
  out.clear();
  // Here the count-down event is scheduled first.
  s.ScheduleAt(Ms(20), [&] { latch2.CountDown(); });
  scope.Spawn(WaitWithTimeout(s, latch2, SimDuration::Millis(10), 2, &out));
  s.RunUntilEmpty();
  CHECK(out == std::vector<WaitResult>{{2, true, Ms(20).ns()}});
}

TEST_CASE("Latch destroying a waiting frame unlinks it from the latch", "[core][sync]") {
  Scheduler s;
  Latch latch(s, 1);  // outlives the scope, as a latch owned by an actor would
  std::vector<WaitResult> out;
  {
    TaskScope scope;
    scope.Spawn(WaitForever(s, latch, 1, &out));
    scope.Spawn(WaitForever(s, latch, 2, &out));
    CHECK(s.pending() == 0);
  }
  // No waiter is left: counting down schedules no resumption of a destroyed frame.
  latch.CountDown();
  CHECK(s.pending() == 0);
  CHECK(s.RunUntilEmpty() == Scheduler::StopReason::kEmpty);
  CHECK(out.empty());
}

TEST_CASE("Latch destroyed before its waiting frames leaves them safe to destroy", "[core][sync]") {
  Scheduler s;
  TaskScope scope;  // outlives the latch
  std::vector<WaitResult> out;
  std::optional<Latch> latch;
  latch.emplace(s, 1);
  scope.Spawn(WaitForever(s, *latch, 1, &out));
  scope.Spawn(WaitForever(s, *latch, 2, &out));
  latch.reset();
  CHECK(scope.live() == 2);
  CHECK(out.empty());
}

}  // namespace
}  // namespace rmqsim::core
