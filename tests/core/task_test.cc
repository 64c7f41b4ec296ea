#include "core/task.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/scheduler.h"
#include "core/sync.h"

namespace rmqsim::core {
namespace {

SimTime Ms(int64_t ms) { return SimTime::Zero() + SimDuration::Millis(ms); }

// Counts destructions of objects living in coroutine frames.
struct DtorCounter {
  explicit DtorCounter(int* n) : count(n) {}
  DtorCounter(const DtorCounter&) = delete;
  DtorCounter& operator=(const DtorCounter&) = delete;
  ~DtorCounter() { ++*count; }
  int* count;
};

Task<int> Leaf(Scheduler& s, int v) {
  co_await Sleep(s, SimDuration::Millis(5));
  co_return v * 2;
}

Task<std::string> Middle(Scheduler& s, int v) {
  int a = co_await Leaf(s, v);
  int b = co_await Leaf(s, a);
  co_return std::to_string(a) + "," + std::to_string(b);
}

Task<void> Root(Scheduler& s, std::string* out, SimTime* done_at) {
  *out = co_await Middle(s, 3);
  *done_at = s.now();
}

TEST_CASE("Task returns values through nested co_await", "[core][task]") {
  Scheduler s;
  TaskScope scope;
  std::string out;
  SimTime done_at;
  scope.Spawn(Root(s, &out, &done_at));
  CHECK(scope.live() == 1);
  CHECK(out.empty());
  CHECK(s.RunUntilEmpty() == Scheduler::StopReason::kEmpty);
  CHECK(out == "6,12");
  CHECK(done_at == Ms(10));  // two 5 ms sleeps in sequence
  CHECK(scope.live() == 0);
}

Task<int> Immediate(int v) { co_return v + 1; }

Task<void> ChainWithoutSuspension(int* out) {
  int v = 0;
  for (int i = 0; i < 1000; ++i) v = co_await Immediate(v);  // symmetric transfer: no stack growth
  *out = v;
}

TEST_CASE("Task that never suspends completes inside Spawn", "[core][task]") {
  TaskScope scope;
  int out = 0;
  scope.Spawn(ChainWithoutSuspension(&out));
  CHECK(out == 1000);
  CHECK(scope.live() == 0);
}

Task<void> Sleeper(Scheduler& s, SimDuration d, std::vector<std::pair<int, int64_t>>* log, int id) {
  log->emplace_back(id, s.now().ns());
  co_await Sleep(s, d);
  log->emplace_back(id, s.now().ns());
}

TEST_CASE("Sleep advances virtual time by exactly the duration", "[core][task]") {
  Scheduler s;
  TaskScope scope;
  std::vector<std::pair<int, int64_t>> log;
  s.ScheduleAt(Ms(7), [&] { scope.Spawn(Sleeper(s, SimDuration::Millis(13), &log, 1)); });
  scope.Spawn(Sleeper(s, SimDuration::Nanos(1), &log, 2));
  s.RunUntilEmpty();
  std::vector<std::pair<int, int64_t>> want = {{2, 0}, {2, 1}, {1, Ms(7).ns()}, {1, Ms(20).ns()}};
  CHECK(log == want);
  CHECK(s.now() == Ms(20));
}

TEST_CASE("Sleep of zero yields after events already scheduled for this instant", "[core][task]") {
  Scheduler s;
  TaskScope scope;
  std::vector<std::pair<int, int64_t>> log;
  s.ScheduleAt(Ms(1), [&] {
    scope.Spawn(Sleeper(s, SimDuration::Zero(), &log, 1));
    log.emplace_back(0, s.now().ns());  // still inside the spawning event
  });
  s.ScheduleAt(Ms(1), [&] { log.emplace_back(2, s.now().ns()); });
  s.RunUntilEmpty();
  std::vector<std::pair<int, int64_t>> want = {
      {1, Ms(1).ns()}, {0, Ms(1).ns()}, {2, Ms(1).ns()}, {1, Ms(1).ns()}};
  CHECK(log == want);
}

Task<void> HoldsCounterAndSleeps(Scheduler& s, int* dtors, bool* resumed) {
  DtorCounter c(dtors);
  co_await Sleep(s, SimDuration::Seconds(10));
  *resumed = true;
}

Task<void> ChildHoldsCounter(Scheduler& s, int* dtors) {
  DtorCounter c(dtors);
  co_await Sleep(s, SimDuration::Seconds(10));
}

Task<void> ParentAwaitsChild(Scheduler& s, int* dtors) {
  DtorCounter c(dtors);
  co_await ChildHoldsCounter(s, dtors);
}

TEST_CASE("TaskScope destroys suspended frames", "[core][task]") {
  Scheduler s;
  int dtors = 0;
  bool resumed = false;
  {
    TaskScope scope;
    scope.Spawn(HoldsCounterAndSleeps(s, &dtors, &resumed));
    scope.Spawn(ParentAwaitsChild(s, &dtors));  // parent and child frames: two counters
    CHECK(s.RunUntil(Ms(500)) == Scheduler::StopReason::kHorizon);
    CHECK(scope.live() == 2);
    CHECK(dtors == 0);
  }
  CHECK(dtors == 3);
  CHECK_FALSE(resumed);
}

Task<void> ShortLived(Scheduler& s, int* dtors) {
  DtorCounter c(dtors);
  co_await Sleep(s, SimDuration::Millis(1));
}

TEST_CASE("TaskScope frees a root frame as soon as it completes", "[core][task]") {
  Scheduler s;
  TaskScope scope;
  int dtors = 0;
  scope.Spawn(ShortLived(s, &dtors));
  scope.Spawn(ShortLived(s, &dtors));
  CHECK(scope.live() == 2);
  CHECK(s.RunFor(1) == Scheduler::StopReason::kEventLimit);
  CHECK(scope.live() == 1);
  CHECK(dtors == 1);
  s.RunUntilEmpty();
  CHECK(scope.live() == 0);
  CHECK(dtors == 2);
}

}  // namespace
}  // namespace rmqsim::core
