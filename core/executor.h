// Simulated Java threads and executors.
//
// Upstream behaviour depends on which thread runs what: each thread has its own ThreadLocalIndex
// (queue round robin), the async sender pool has a bounded queue, and the client's single
// scheduled-executor thread is busy while a route query is outstanding. SimThread gives each
// simulated thread an identity (a stable name such as "AsyncSenderExecutor_2"); Executor and
// ScheduledExecutor reproduce the java.util.concurrent pools' dispatch rules in virtual time.
//
// A job is a function that makes a coroutine for the thread it is given:
//   pool.Submit([&](SimThread& t) -> Task<void> { co_await Send(t, msg); });
#ifndef RMQSIM_CORE_EXECUTOR_H_
#define RMQSIM_CORE_EXECUTOR_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/move_function.h"
#include "core/scheduler.h"
#include "core/task.h"

namespace rmqsim::core {

// One simulated Java thread. Identity only: the thread's work is the coroutine running on it.
class SimThread {
 public:
  explicit SimThread(std::string name)
      : name_(std::move(name)), name_hash_(std::hash<std::string_view>{}(name_)) {}
  SimThread(const SimThread&) = delete;
  SimThread& operator=(const SimThread&) = delete;
  const std::string& name() const { return name_; }
  // std::hash of the name, computed once: per-thread state keyed by name (ThreadLocalIndex,
  // looked up on every send) hashes the thread without rehashing the string.
  size_t name_hash() const { return name_hash_; }

 private:
  std::string name_;
  size_t name_hash_;
};

using Job = MoveFunction<Task<void>(SimThread&)>;

// java.util.concurrent.ThreadPoolExecutor with core == max == `threads` and a FIFO work queue of
// `queue_capacity` (LinkedBlockingQueue): while fewer than `threads` threads exist, every submit
// creates a new thread (named prefix + 1, 2, ...) even if another is idle; after that a job goes
// to the thread that has been idle longest, else to the queue; a full queue rejects. A job starts
// at the current instant but after the submitting code has returned (a scheduler event).
class Executor {
 public:
  Executor(Scheduler& sched, TaskScope& scope, std::string thread_prefix, int threads,
           size_t queue_capacity);
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Returns false when the job was rejected (RejectedExecutionException); `job` is then left as it
  // was, for the caller to run elsewhere (CallerRunsPolicy-like fallbacks).
  bool Submit(Job&& job);

  size_t queued() const { return queue_.size(); }
  int busy_threads() const { return busy_; }
  int threads_created() const { return static_cast<int>(threads_.size()); }

 private:
  // A pool thread and the job it is about to start: the job waits here for the start event, which
  // then needs to capture no more than the worker (no heap cell per job). The thread's loop
  // (RunOn) is one coroutine for the thread's life: idle, it is parked here, not ended and
  // started again for the next job.
  struct Worker {
    explicit Worker(std::string name) : thread(std::move(name)) {}
    SimThread thread;
    Job starting;
    std::coroutine_handle<> parked;  // RunOn, suspended while the thread is idle
  };
  struct Park;  // the awaitable RunOn parks on
  void Start(Worker* w, Job&& job);
  Task<void> RunOn(Worker* w);

  Scheduler& sched_;
  TaskScope& scope_;
  std::string prefix_;
  int max_threads_;
  size_t queue_capacity_;
  std::vector<std::unique_ptr<Worker>> threads_;
  std::deque<Worker*> idle_;  // longest idle first
  std::deque<Job> queue_;
  int busy_ = 0;
};

// java.util.concurrent.ScheduledThreadPoolExecutor with one thread (Executors.
// newSingleThreadScheduledExecutor): due tasks run one at a time in (due time, submission) order;
// a task that blocks delays every other. Periodic tasks follow Java's two rules:
//  - fixed rate: the next run is due `period` after the previous *due* time (a late run is
//    followed at once by the next if that is already due; runs never overlap);
//  - fixed delay: the next run is due `delay` after the previous run *finished*.
class ScheduledExecutor {
 public:
  ScheduledExecutor(Scheduler& sched, TaskScope& scope, std::string thread_name);
  ScheduledExecutor(const ScheduledExecutor&) = delete;
  ScheduledExecutor& operator=(const ScheduledExecutor&) = delete;

  void Schedule(SimDuration delay, Job job);
  void ScheduleAtFixedRate(SimDuration initial_delay, SimDuration period, Job job);
  void ScheduleWithFixedDelay(SimDuration initial_delay, SimDuration delay, Job job);
  // Stops periodic re-arming and drops queued tasks (shutdownNow), including one that is due but
  // has not started yet; a running task finishes.
  void Shutdown();

  SimThread& thread() { return thread_; }
  bool busy() const { return busy_; }

 private:
  enum class Kind { kOnce, kFixedRate, kFixedDelay };
  struct Entry {
    Kind kind;
    SimDuration period;
    std::shared_ptr<Job> job;
    uint64_t seq;  // submission order: ScheduledFutureTask.sequenceNumber, kept across re-runs
  };
  void Enqueue(SimTime due, Entry e);
  void Pump();
  Task<void> RunOne(SimTime due, Entry e);

  Scheduler& sched_;
  TaskScope& scope_;
  SimThread thread_;
  // Keyed by (due time ns, submission seq): ScheduledFutureTask's compareTo order.
  std::map<std::pair<int64_t, uint64_t>, Entry> due_;
  uint64_t seq_ = 0;
  bool busy_ = false;
  bool shutdown_ = false;
  Scheduler::EventId wake_;
};

}  // namespace rmqsim::core

#endif  // RMQSIM_CORE_EXECUTOR_H_
