// Blocking primitives for simulated threads: they block only in virtual time.
//
//   co_await Sleep(sched, SimDuration::Millis(5));
//   bool done = co_await latch.Wait(SimDuration::Millis(3000));  // CountDownLatch.await(timeout)
//
// A waiter is always resumed from a scheduler event at the current instant, never inline from the
// code that released it, so a release runs to completion first and wake-ups keep FIFO order.
#ifndef RMQSIM_CORE_SYNC_H_
#define RMQSIM_CORE_SYNC_H_

#include <coroutine>
#include <cstdint>

#include "core/scheduler.h"

namespace rmqsim::core {

// Suspends the calling coroutine for `d` of virtual time (Thread.sleep). Sleep(s, 0) yields: the
// coroutine resumes after every event already scheduled for this instant.
inline auto Sleep(Scheduler& s, SimDuration d) {
  struct Awaiter {
    Scheduler& s;
    SimDuration d;
    bool await_ready() noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) { s.ScheduleAfter(d, [h] { h.resume(); }); }
    void await_resume() noexcept {}
  };
  RMQ_CHECK(d >= SimDuration::Zero()) << "negative sleep";
  return Awaiter{s, d};
}

// Suspends the calling coroutine for `d` of virtual time, like Sleep, except that a zero duration
// continues at once instead of yielding. For modelled processing time, which is often zero: it
// costs no scheduler event then, and no coroutine frame either way.
struct Delay {
  Scheduler& s;
  SimDuration d;
  bool await_ready() const noexcept { return d == SimDuration::Zero(); }
  void await_suspend(std::coroutine_handle<> h) { s.ScheduleAfter(d, [h] { h.resume(); }); }
  void await_resume() const noexcept {}
};
inline Delay DelayFor(Scheduler& s, SimDuration d) {
  RMQ_CHECK(d >= SimDuration::Zero()) << "negative delay";
  return Delay{s, d};
}

// java.util.concurrent.CountDownLatch: waiters block until the count reaches zero or their own
// timeout expires. Any number of waiters; each may have a timeout.
class Latch {
 public:
  // REQUIRES: count >= 0 (CountDownLatch throws IllegalArgumentException otherwise).
  Latch(Scheduler& s, int64_t count) : sched_(s), count_(count) {
    RMQ_CHECK(count >= 0) << "latch count " << count << " is negative";
  }
  Latch(const Latch&) = delete;
  Latch& operator=(const Latch&) = delete;
  ~Latch();

  void CountDown();
  int64_t count() const { return count_; }
  bool released() const { return count_ == 0; }

  class Awaiter;
  // co_await yields true if the latch reached zero, false if `timeout` elapsed first.
  // A negative or zero timeout on an unreleased latch returns false after yielding.
  Awaiter Wait(SimDuration timeout);
  // Waits with no timeout; co_await yields true.
  Awaiter Wait();

  class Awaiter {
   public:
    bool await_ready() noexcept { return latch_.count_ == 0; }
    void await_suspend(std::coroutine_handle<> h);
    bool await_resume() noexcept { return latch_.count_ == 0 ? true : result_; }
    // A frame destroyed while suspended here (run teardown) leaves the latch's waiter list.
    ~Awaiter() {
      if (linked_) Unlink();
    }
    Awaiter(const Awaiter&) = delete;
    Awaiter& operator=(const Awaiter&) = delete;
    Awaiter(Awaiter&&) = default;

   private:
    friend class Latch;
    Awaiter(Latch& l, SimDuration timeout, bool has_timeout)
        : latch_(l), timeout_(timeout), has_timeout_(has_timeout) {}
    void Unlink();
    Latch& latch_;
    SimDuration timeout_;
    bool has_timeout_;
    bool result_ = false;
    std::coroutine_handle<> handle_;
    Scheduler::EventId timeout_event_;
    Awaiter* prev_ = nullptr;
    Awaiter* next_ = nullptr;
    bool linked_ = false;
  };

 private:
  Scheduler& sched_;
  int64_t count_;
  Awaiter* head_ = nullptr;
  Awaiter* tail_ = nullptr;
};

}  // namespace rmqsim::core

#endif  // RMQSIM_CORE_SYNC_H_
