#include "core/semaphore.h"

#include <algorithm>

namespace rmqsim::core {

bool Semaphore::Awaiter::await_ready() noexcept {
  if (sem_.permits_ >= permits_ && sem_.waiters_.empty()) {
    sem_.permits_ -= permits_;
    acquired_ = true;
    return true;
  }
  return timeout_ <= SimDuration::Zero();  // fail at once, acquired_ stays false
}

void Semaphore::Awaiter::await_suspend(std::coroutine_handle<> h) {
  handle_ = h;
  queued_ = true;
  sem_.waiters_.push_back(this);
  timeout_event_ = sem_.sched_.ScheduleAfter(timeout_, [this] {
    Semaphore& sem = sem_;
    sem.Remove(this);
    acquired_ = false;
    handle_.resume();
    // A waiter that gave up may have been blocking smaller requests behind it.
    sem.Release(0);
  });
}

Semaphore::Awaiter::~Awaiter() {
  if (queued_) sem_.Remove(this);
}

void Semaphore::Remove(Awaiter* w) {
  auto it = std::find(waiters_.begin(), waiters_.end(), w);
  if (it != waiters_.end()) waiters_.erase(it);
  w->queued_ = false;
}

void Semaphore::Release(int64_t n) {
  permits_ += n;
  while (!waiters_.empty() && permits_ >= waiters_.front()->permits_) {
    Awaiter* w = waiters_.front();
    waiters_.pop_front();
    w->queued_ = false;
    permits_ -= w->permits_;
    sched_.Cancel(w->timeout_event_);
    w->acquired_ = true;
    std::coroutine_handle<> h = w->handle_;
    sched_.ScheduleAfter(SimDuration::Zero(), [h] { h.resume(); });
  }
}

}  // namespace rmqsim::core
