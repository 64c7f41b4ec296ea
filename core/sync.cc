#include "core/sync.h"

namespace rmqsim::core {

Latch::~Latch() {
  // Waiters still linked belong to frames that are being torn down with the run; unlink them so
  // that nothing points at this latch afterwards.
  while (head_ != nullptr) head_->Unlink();
}

Latch::Awaiter Latch::Wait(SimDuration timeout) { return Awaiter(*this, timeout, true); }
Latch::Awaiter Latch::Wait() { return Awaiter(*this, SimDuration::Zero(), false); }

void Latch::Awaiter::await_suspend(std::coroutine_handle<> h) {
  handle_ = h;
  prev_ = latch_.tail_;
  next_ = nullptr;
  if (latch_.tail_ != nullptr) {
    latch_.tail_->next_ = this;
  } else {
    latch_.head_ = this;
  }
  latch_.tail_ = this;
  linked_ = true;
  if (has_timeout_) {
    SimDuration t = timeout_ < SimDuration::Zero() ? SimDuration::Zero() : timeout_;
    timeout_event_ = latch_.sched_.ScheduleAfter(t, [this] {
      Unlink();
      result_ = false;
      handle_.resume();
    });
  }
}

void Latch::Awaiter::Unlink() {
  if (prev_ != nullptr) {
    prev_->next_ = next_;
  } else {
    latch_.head_ = next_;
  }
  if (next_ != nullptr) {
    next_->prev_ = prev_;
  } else {
    latch_.tail_ = prev_;
  }
  prev_ = next_ = nullptr;
  linked_ = false;
}

void Latch::CountDown() {
  if (count_ == 0) return;
  if (--count_ > 0) return;
  while (head_ != nullptr) {
    Awaiter* w = head_;
    w->Unlink();
    sched_.Cancel(w->timeout_event_);
    w->result_ = true;
    std::coroutine_handle<> h = w->handle_;
    sched_.ScheduleAfter(SimDuration::Zero(), [h] { h.resume(); });
  }
}

}  // namespace rmqsim::core
