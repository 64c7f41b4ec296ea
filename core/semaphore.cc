#include "core/semaphore.h"

#include <algorithm>

namespace rmqsim::core {

bool Semaphore::Awaiter::await_ready() noexcept {
  if (sem_.permits_ > 0 && sem_.waiters_.empty()) {
    --sem_.permits_;
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
    sem_.Remove(this);
    acquired_ = false;
    handle_.resume();
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

void Semaphore::Release() {
  ++permits_;
  while (permits_ > 0 && !waiters_.empty()) {
    Awaiter* w = waiters_.front();
    waiters_.pop_front();
    w->queued_ = false;
    --permits_;
    sched_.Cancel(w->timeout_event_);
    w->acquired_ = true;
    std::coroutine_handle<> h = w->handle_;
    sched_.ScheduleAfter(SimDuration::Zero(), [h] { h.resume(); });
  }
}

}  // namespace rmqsim::core
