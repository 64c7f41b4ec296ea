#include "core/executor.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/scheduler.h"
#include "core/sync.h"
#include "core/task.h"

namespace rmqsim::core {
namespace {

SimTime Ms(int64_t ms) { return SimTime::Zero() + SimDuration::Millis(ms); }

struct Run {
  std::string job;
  std::string thread;
  int64_t start_ms;
  int64_t end_ms;
  bool operator==(const Run&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Run& r) {
  return os << "{" << r.job << " on " << r.thread << " " << r.start_ms << ".." << r.end_ms << "}";
}

Task<void> Body(Scheduler* s, SimThread* t, std::string name, SimDuration work,
                std::vector<Run>* runs) {
  int64_t start = s->now().java_ms();
  co_await Sleep(*s, work);
  runs->push_back({name, t->name(), start, s->now().java_ms()});
}

// A job that records which thread ran it and when, after `work` of virtual time.
Job Recording(Scheduler& s, std::string name, SimDuration work, std::vector<Run>* runs) {
  return [&s, name, work, runs](SimThread& t) { return Body(&s, &t, name, work, runs); };
}

TEST_CASE("Executor creates a new thread for each of the first N submits even if one is idle",
          "[core][executor]") {
  Scheduler s;
  TaskScope scope;
  std::vector<Run> runs;
  Executor pool(s, scope, "pool_", 3, 10);
  REQUIRE(pool.Submit(Recording(s, "j1", SimDuration::Zero(), &runs)));
  CHECK(pool.threads_created() == 1);
  CHECK(pool.busy_threads() == 1);
  CHECK(runs.empty());  // the job starts from an event, after Submit returned
  s.RunUntilEmpty();
  CHECK(pool.busy_threads() == 0);  // pool_1 idle
  s.ScheduleAt(Ms(1), [&] {
    CHECK(pool.Submit(Recording(s, "j2", SimDuration::Millis(10), &runs)));
    CHECK(pool.Submit(Recording(s, "j3", SimDuration::Zero(), &runs)));
    CHECK(pool.threads_created() == 3);
    CHECK(pool.queued() == 0);
  });
  s.RunUntil(Ms(20));
  std::vector<Run> want = {{"j1", "pool_1", 0, 0}, {"j3", "pool_3", 1, 1}, {"j2", "pool_2", 1, 11}};
  CHECK(runs == want);
  CHECK(pool.threads_created() == 3);
}

TEST_CASE("Executor gives a job to the longest-idle thread once all threads exist",
          "[core][executor]") {
  Scheduler s;
  TaskScope scope;
  std::vector<Run> runs;
  Executor pool(s, scope, "w", 3, 10);
  // w1 finishes at 3 ms, w2 at 1 ms, w3 at 2 ms: idle order w2, w3, w1.
  pool.Submit(Recording(s, "a", SimDuration::Millis(3), &runs));
  pool.Submit(Recording(s, "b", SimDuration::Millis(1), &runs));
  pool.Submit(Recording(s, "c", SimDuration::Millis(2), &runs));
  s.RunUntilEmpty();
  CHECK(pool.busy_threads() == 0);
  runs.clear();
  s.ScheduleAt(Ms(10), [&] {
    pool.Submit(Recording(s, "d", SimDuration::Millis(1), &runs));
    pool.Submit(Recording(s, "e", SimDuration::Millis(1), &runs));
    pool.Submit(Recording(s, "f", SimDuration::Millis(1), &runs));
    CHECK(pool.busy_threads() == 3);
    CHECK(pool.queued() == 0);
  });
  s.RunUntilEmpty();
  std::vector<Run> want = {{"d", "w2", 10, 11}, {"e", "w3", 10, 11}, {"f", "w1", 10, 11}};
  CHECK(runs == want);
  CHECK(pool.threads_created() == 3);
}

TEST_CASE("Executor rejects a submit when every thread is busy and the queue is full",
          "[core][executor]") {
  Scheduler s;
  TaskScope scope;
  std::vector<Run> runs;
  Executor pool(s, scope, "p", 2, 2);
  CHECK(pool.Submit(Recording(s, "a", SimDuration::Millis(10), &runs)));
  CHECK(pool.Submit(Recording(s, "b", SimDuration::Millis(10), &runs)));
  CHECK(pool.Submit(Recording(s, "q1", SimDuration::Millis(1), &runs)));
  CHECK(pool.Submit(Recording(s, "q2", SimDuration::Millis(1), &runs)));
  CHECK(pool.queued() == 2);
  Job rejected = Recording(s, "rejected", SimDuration::Zero(), &runs);
  CHECK_FALSE(pool.Submit(std::move(rejected)));
  CHECK(static_cast<bool>(rejected));  // NOLINT(bugprone-use-after-move): left to the caller
  CHECK(pool.queued() == 2);
  CHECK(pool.threads_created() == 2);
  s.RunUntilEmpty();
  // a and b finish at 10 ms; the thread whose job resumed first takes the queue head.
  std::vector<Run> want = {
      {"a", "p1", 0, 10}, {"b", "p2", 0, 10}, {"q1", "p1", 10, 11}, {"q2", "p2", 10, 11}};
  CHECK(runs == want);
  CHECK(pool.queued() == 0);
  CHECK(pool.busy_threads() == 0);
  // Capacity is free again.
  CHECK(pool.Submit(Recording(s, "later", SimDuration::Zero(), &runs)));
}

TEST_CASE("Executor runs queued jobs in FIFO order on the freed thread", "[core][executor]") {
  Scheduler s;
  TaskScope scope;
  std::vector<Run> runs;
  Executor pool(s, scope, "solo", 1, 5);
  pool.Submit(Recording(s, "first", SimDuration::Millis(10), &runs));
  pool.Submit(Recording(s, "q1", SimDuration::Millis(3), &runs));
  pool.Submit(Recording(s, "q2", SimDuration::Zero(), &runs));
  pool.Submit(Recording(s, "q3", SimDuration::Millis(2), &runs));
  CHECK(pool.queued() == 3);
  CHECK(pool.busy_threads() == 1);
  s.RunUntilEmpty();
  std::vector<Run> want = {{"first", "solo1", 0, 10},
                           {"q1", "solo1", 10, 13},
                           {"q2", "solo1", 13, 13},
                           {"q3", "solo1", 13, 15}};
  CHECK(runs == want);
  CHECK(pool.threads_created() == 1);
  CHECK(pool.busy_threads() == 0);
}

TEST_CASE("Executor releases a job whose start event never ran", "[core][executor]") {
  auto token = std::make_shared<int>(7);
  std::weak_ptr<int> weak = token;
  {
    Scheduler s;
    TaskScope scope;
    Executor pool(s, scope, "p", 1, 1);
    pool.Submit([token](SimThread&) -> Task<void> { co_return; });
    token.reset();
    CHECK_FALSE(weak.expired());  // held by the pending start event
  }
  CHECK(weak.expired());
}

// ---- ScheduledExecutor ----

struct Start {
  std::string job;
  int64_t ms;
  bool operator==(const Start&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Start& r) {
  return os << "{" << r.job << "@" << r.ms << "}";
}

struct PeriodicProbe {
  Scheduler* s;
  std::vector<Start>* starts;
  int runs = 0;
};

Task<void> ProbeBody(PeriodicProbe* p, std::string name, SimDuration first_run_work) {
  p->starts->push_back({name, p->s->now().java_ms()});
  if (p->runs++ == 0) co_await Sleep(*p->s, first_run_work);
}

// Runs long (first_run_work) the first time only.
Job Probe(PeriodicProbe* p, std::string name, SimDuration first_run_work) {
  return [p, name, first_run_work](SimThread&) { return ProbeBody(p, name, first_run_work); };
}

Task<void> StartBody(Scheduler* s, std::string name, SimDuration work, std::vector<Start>* starts) {
  starts->push_back({name, s->now().java_ms()});
  co_await Sleep(*s, work);
}

Job Starting(Scheduler& s, std::string name, SimDuration work, std::vector<Start>* starts) {
  return [&s, name, work, starts](SimThread&) { return StartBody(&s, name, work, starts); };
}

TEST_CASE("ScheduledExecutor fixed rate catches up back-to-back after a long run",
          "[core][executor][scheduled]") {
  Scheduler s;
  TaskScope scope;
  std::vector<Start> starts;
  PeriodicProbe probe{&s, &starts};
  ScheduledExecutor ex(s, scope, "sched");
  ex.ScheduleAtFixedRate(SimDuration::Zero(), SimDuration::Millis(10),
                         Probe(&probe, "r", SimDuration::Millis(25)));
  s.RunUntil(Ms(60));
  // Due times 0, 10, 20, 30, ...: the 10 and 20 runs are late and run at once when the 0..25 run
  // ends (never overlapping it); from 30 on the schedule is back on its original grid.
  std::vector<Start> want = {{"r", 0},  {"r", 25}, {"r", 25}, {"r", 30},
                             {"r", 40}, {"r", 50}, {"r", 60}};
  CHECK(starts == want);
}

TEST_CASE("ScheduledExecutor fixed delay drifts by the long run", "[core][executor][scheduled]") {
  Scheduler s;
  TaskScope scope;
  std::vector<Start> starts;
  PeriodicProbe probe{&s, &starts};
  ScheduledExecutor ex(s, scope, "sched");
  ex.ScheduleWithFixedDelay(SimDuration::Zero(), SimDuration::Millis(10),
                            Probe(&probe, "d", SimDuration::Millis(25)));
  s.RunUntil(Ms(60));
  // Next due = finish + 10 ms: 0 (ends 25), 35, 45, 55.
  std::vector<Start> want = {{"d", 0}, {"d", 35}, {"d", 45}, {"d", 55}};
  CHECK(starts == want);
}

TEST_CASE("ScheduledExecutor initial delay offsets the first run", "[core][executor][scheduled]") {
  Scheduler s;
  TaskScope scope;
  std::vector<Start> starts;
  ScheduledExecutor ex(s, scope, "sched");
  s.ScheduleAt(Ms(3), [&] {
    ex.ScheduleAtFixedRate(SimDuration::Millis(7), SimDuration::Millis(20),
                           Starting(s, "rate", SimDuration::Millis(1), &starts));
    ex.ScheduleWithFixedDelay(SimDuration::Millis(2), SimDuration::Millis(20),
                              Starting(s, "delay", SimDuration::Millis(1), &starts));
  });
  s.RunUntil(Ms(50));
  // rate: due 10, 30, 50. delay: due 5, then finish(6) + 20 = 26, then 27 + 20 = 47.
  std::vector<Start> want = {{"delay", 5}, {"rate", 10},  {"delay", 26},
                             {"rate", 30}, {"delay", 47}, {"rate", 50}};
  CHECK(starts == want);
}

TEST_CASE("ScheduledExecutor blocking task delays other due tasks on its single thread",
          "[core][executor][scheduled]") {
  Scheduler s;
  TaskScope scope;
  std::vector<Start> starts;
  ScheduledExecutor ex(s, scope, "MQClientFactoryScheduledThread");
  ex.Schedule(SimDuration::Zero(), Starting(s, "block", SimDuration::Millis(30), &starts));
  ex.Schedule(SimDuration::Millis(10), Starting(s, "once", SimDuration::Zero(), &starts));
  ex.ScheduleAtFixedRate(SimDuration::Millis(5), SimDuration::Millis(10),
                         Starting(s, "rate", SimDuration::Zero(), &starts));
  CHECK(ex.thread().name() == "MQClientFactoryScheduledThread");
  s.RunUntil(Ms(29));
  CHECK(ex.busy());
  CHECK(starts == std::vector<Start>{{"block", 0}});
  s.RunUntil(Ms(50));
  // At 30 ms the due tasks run in due-time order: rate@5, once@10, rate@15, rate@25; then on time.
  std::vector<Start> want = {{"block", 0}, {"rate", 30}, {"once", 30}, {"rate", 30},
                             {"rate", 30}, {"rate", 35}, {"rate", 45}};
  CHECK(starts == want);
}

TEST_CASE("ScheduledExecutor periodic task keeps its submission order on ties",
          "[core][executor][scheduled]") {
  // ScheduledFutureTask.sequenceNumber is fixed when the task is submitted; a periodic task
  // re-queued for its next run keeps it, so it still precedes a task submitted after it.
  Scheduler s;
  TaskScope scope;
  std::vector<Start> starts;
  ScheduledExecutor ex(s, scope, "sched");
  ex.ScheduleAtFixedRate(SimDuration::Zero(), SimDuration::Millis(10),
                         Starting(s, "periodic", SimDuration::Zero(), &starts));
  ex.Schedule(SimDuration::Millis(10), Starting(s, "once", SimDuration::Zero(), &starts));
  s.RunUntil(Ms(20));
  std::vector<Start> want = {{"periodic", 0}, {"periodic", 10}, {"once", 10}, {"periodic", 20}};
  CHECK(starts == want);
}

TEST_CASE("ScheduledExecutor Shutdown stops periodic runs and drops queued tasks",
          "[core][executor][scheduled]") {
  Scheduler s;
  TaskScope scope;
  std::vector<Start> starts;
  ScheduledExecutor ex(s, scope, "sched");
  ex.ScheduleAtFixedRate(SimDuration::Zero(), SimDuration::Millis(10),
                         Starting(s, "rate", SimDuration::Millis(4), &starts));
  ex.Schedule(SimDuration::Millis(100), Starting(s, "later", SimDuration::Zero(), &starts));
  s.ScheduleAt(Ms(22), [&] { ex.Shutdown(); });  // while the 20 ms run is in progress
  s.RunUntilEmpty();
  CHECK(starts == std::vector<Start>{{"rate", 0}, {"rate", 10}, {"rate", 20}});
  CHECK_FALSE(ex.busy());
  CHECK(s.now() == Ms(24));  // the running task finished
  ex.Schedule(SimDuration::Zero(), Starting(s, "after", SimDuration::Zero(), &starts));
  s.RunUntilEmpty();
  CHECK(starts.size() == 3);
}

TEST_CASE("ScheduledExecutor Shutdown before a due task starts leaves the thread idle",
          "[core][executor][scheduled]") {
  Scheduler s;
  TaskScope scope;
  std::vector<Start> starts;
  ScheduledExecutor ex(s, scope, "sched");
  ex.Schedule(SimDuration::Zero(), Starting(s, "never", SimDuration::Zero(), &starts));
  ex.Shutdown();  // shutdownNow: the task has not started and never will
  s.RunUntilEmpty();
  CHECK(starts.empty());
  CHECK_FALSE(ex.busy());
}

}  // namespace
}  // namespace rmqsim::core
