#include "core/executor.h"

namespace rmqsim::core {

Executor::Executor(Scheduler& sched, TaskScope& scope, std::string thread_prefix, int threads,
                   size_t queue_capacity)
    : sched_(sched),
      scope_(scope),
      prefix_(std::move(thread_prefix)),
      max_threads_(threads),
      queue_capacity_(queue_capacity) {
  RMQ_CHECK(threads > 0) << "executor needs at least one thread";
}

bool Executor::Submit(Job&& job) {
  if (static_cast<int>(threads_.size()) < max_threads_) {
    threads_.push_back(std::make_unique<Worker>(prefix_ + std::to_string(threads_.size() + 1)));
    Start(threads_.back().get(), std::move(job));
    return true;
  }
  if (!idle_.empty()) {
    Worker* w = idle_.front();
    idle_.pop_front();
    Start(w, std::move(job));
    return true;
  }
  if (queue_.size() >= queue_capacity_) return false;
  queue_.push_back(std::move(job));
  return true;
}

struct Executor::Park {
  Worker* w;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) noexcept { w->parked = h; }
  void await_resume() const noexcept {}
};

void Executor::Start(Worker* w, Job&& job) {
  ++busy_;
  // A busy worker is in neither idle_ nor Submit's reach until RunOn parks: `starting` is free.
  w->starting = std::move(job);
  sched_.ScheduleAfter(SimDuration::Zero(), [this, w] {
    if (w->parked) {
      std::exchange(w->parked, nullptr).resume();
    } else {
      scope_.Spawn(RunOn(w));  // the thread's first job
    }
  });
}

Task<void> Executor::RunOn(Worker* w) {
  for (;;) {
    Job job = std::move(w->starting);  // (a moved-from MoveFunction is empty)
    for (;;) {
      co_await job(w->thread);
      if (queue_.empty()) break;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    --busy_;
    idle_.push_back(w);
    job = nullptr;  // the last job's callable goes now, as it would if the thread ended here
    co_await Park{w};
  }
}

ScheduledExecutor::ScheduledExecutor(Scheduler& sched, TaskScope& scope, std::string thread_name)
    : sched_(sched), scope_(scope), thread_(std::move(thread_name)) {}

void ScheduledExecutor::Schedule(SimDuration delay, Job job) {
  Enqueue(sched_.now() + delay,
          Entry{Kind::kOnce, SimDuration::Zero(), std::make_shared<Job>(std::move(job)), seq_++});
}

void ScheduledExecutor::ScheduleAtFixedRate(SimDuration initial_delay, SimDuration period,
                                            Job job) {
  RMQ_CHECK(period > SimDuration::Zero()) << "fixed-rate period must be positive";
  Enqueue(sched_.now() + initial_delay,
          Entry{Kind::kFixedRate, period, std::make_shared<Job>(std::move(job)), seq_++});
}

void ScheduledExecutor::ScheduleWithFixedDelay(SimDuration initial_delay, SimDuration delay,
                                               Job job) {
  RMQ_CHECK(delay > SimDuration::Zero()) << "fixed-delay delay must be positive";
  Enqueue(sched_.now() + initial_delay,
          Entry{Kind::kFixedDelay, delay, std::make_shared<Job>(std::move(job)), seq_++});
}

void ScheduledExecutor::Shutdown() {
  shutdown_ = true;
  due_.clear();
  // wake_ is either a wake-up for the next due task or the start of a task taken off the queue;
  // a task that has not started never will (shutdownNow), so the thread is idle again.
  if (sched_.Cancel(wake_)) busy_ = false;
}

void ScheduledExecutor::Enqueue(SimTime due, Entry e) {
  if (shutdown_) return;
  // A periodic task keeps the sequence number it got when submitted, as ScheduledFutureTask does.
  due_.emplace(std::make_pair(due.ns(), e.seq), std::move(e));
  Pump();
}

// Starts the earliest due task if the thread is free, else arms a wake-up for it.
void ScheduledExecutor::Pump() {
  if (busy_ || due_.empty()) return;
  auto it = due_.begin();
  SimTime due = SimTime::FromNanos(it->first.first);
  sched_.Cancel(wake_);
  if (due > sched_.now()) {
    wake_ = sched_.ScheduleAt(due, [this] { Pump(); });
    return;
  }
  auto e = std::make_unique<Entry>(std::move(it->second));
  due_.erase(it);
  busy_ = true;
  // Start from an event so that the caller of Schedule*/Pump returns first.
  wake_ = sched_.ScheduleAfter(SimDuration::Zero(), [this, due, e = std::move(e)]() mutable {
    scope_.Spawn(RunOne(due, std::move(*e)));
  });
}

Task<void> ScheduledExecutor::RunOne(SimTime due, Entry e) {
  co_await (*e.job)(thread_);
  busy_ = false;
  if (!shutdown_) {
    if (e.kind == Kind::kFixedRate) {
      Enqueue(due + e.period, std::move(e));
    } else if (e.kind == Kind::kFixedDelay) {
      Enqueue(sched_.now() + e.period, std::move(e));
    }
  }
  Pump();
}

}  // namespace rmqsim::core
