// java.util.concurrent.Semaphore(permits, fair=true) for simulated threads.
//
// The remoting client bounds in-flight async and oneway requests with fair semaphores
// (clientAsyncSemaphoreValue, clientOnewaySemaphoreValue = 65535) and waits up to the request's
// timeout for a permit. Waiters are served strictly in arrival order.
//
//   bool ok = co_await sem.TryAcquire(SimDuration::Millis(timeout_ms));
//   ...
//   sem.Release();
#ifndef RMQSIM_CORE_SEMAPHORE_H_
#define RMQSIM_CORE_SEMAPHORE_H_

#include <coroutine>
#include <cstdint>
#include <deque>

#include "core/scheduler.h"

namespace rmqsim::core {

class Semaphore {
 public:
  Semaphore(Scheduler& s, int64_t permits) : sched_(s), permits_(permits) {}
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  int64_t available() const { return permits_; }
  size_t queue_length() const { return waiters_.size(); }
  // release(n): adds `n` permits (no upper bound, as in Java) and wakes waiters in order.
  void Release(int64_t n = 1);

  class Awaiter {
   public:
    // Fair semaphore: a permit is taken at once only if nobody is queued ahead.
    bool await_ready() noexcept;
    void await_suspend(std::coroutine_handle<> h);
    bool await_resume() noexcept { return acquired_; }
    ~Awaiter();
    Awaiter(const Awaiter&) = delete;
    Awaiter& operator=(const Awaiter&) = delete;
    Awaiter(Awaiter&&) = default;

   private:
    friend class Semaphore;
    Awaiter(Semaphore& s, SimDuration timeout, int64_t permits)
        : sem_(s), timeout_(timeout), permits_(permits) {}
    Semaphore& sem_;
    SimDuration timeout_;
    int64_t permits_;
    bool acquired_ = false;
    bool queued_ = false;
    std::coroutine_handle<> handle_;
    Scheduler::EventId timeout_event_;
  };

  // co_await yields true when a permit was acquired, false when `timeout` elapsed first (a
  // timeout <= 0 does not wait).
  Awaiter TryAcquire(SimDuration timeout) { return Awaiter(*this, timeout, 1); }
  // tryAcquire(permits, timeout): all `permits` at once; a queued waiter blocks those behind it
  // (fair), as java.util.concurrent.Semaphore does.
  Awaiter TryAcquire(SimDuration timeout, int64_t permits) {
    return Awaiter(*this, timeout, permits);
  }

 private:
  void Remove(Awaiter* w);
  Scheduler& sched_;
  int64_t permits_;
  std::deque<Awaiter*> waiters_;
};

}  // namespace rmqsim::core

#endif  // RMQSIM_CORE_SEMAPHORE_H_
