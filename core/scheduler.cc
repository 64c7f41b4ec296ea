#include "core/scheduler.h"

#include <algorithm>

namespace rmqsim::core {

class Scheduler::Periodic {
 public:
  Periodic(Scheduler* s, SimTime first, SimDuration period, InlineFunction<32> fn)
      : sched_(s), next_(first), period_(period), fn_(std::move(fn)) {}
  void Arm() {
    event_ = sched_->ScheduleAt(next_, [this] {
      next_ += period_;
      Arm();
      running_ = true;
      fn_();
      running_ = false;
      if (cancelled_) delete this;  // CancelPeriodic was called from fn_
    });
  }
  // Cancels the next run and frees the task, at once or, when called from fn_ itself, once fn_
  // has returned (fn_ and its captures must stay alive while it runs).
  void CancelAndDelete() {
    sched_->Cancel(event_);
    if (running_) {
      cancelled_ = true;
    } else {
      delete this;
    }
  }

 private:
  Scheduler* sched_;
  SimTime next_;
  SimDuration period_;
  InlineFunction<32> fn_;
  EventId event_;
  bool running_ = false;
  bool cancelled_ = false;
};

Scheduler::~Scheduler() {
  for (Periodic* p : periodics_) delete p;
}

uint32_t Scheduler::AllocSlot() {
  if (!free_slots_.empty()) {
    uint32_t s = free_slots_.back();
    free_slots_.pop_back();
    return s;
  }
  RMQ_CHECK(slots_.size() < EventId::kNone) << "too many pending events";
  slots_.emplace_back();
  return static_cast<uint32_t>(slots_.size() - 1);
}

void Scheduler::FreeSlot(uint32_t slot) {
  Slot& s = slots_[slot];
  s.fn.Reset();
  s.pending = false;
  ++s.generation;
  free_slots_.push_back(slot);
}

Scheduler::EventId Scheduler::ScheduleAt(SimTime when, Callback fn) {
  RMQ_CHECK(when >= now_) << "event scheduled in the past: at " << when.ns() << " ns, now "
                          << now_.ns() << " ns";
  uint32_t slot = AllocSlot();
  Slot& s = slots_[slot];
  s.fn = std::move(fn);
  s.pending = true;
  ++live_;
  HeapPush(Key{when.ns(), next_seq_++, slot});
  return EventId(slot, s.generation);
}

bool Scheduler::IsPending(EventId id) const {
  if (!id.valid() || id.slot_ >= slots_.size()) return false;
  const Slot& s = slots_[id.slot_];
  return s.pending && s.generation == id.generation_;
}

bool Scheduler::Cancel(EventId id) {
  if (!IsPending(id)) return false;
  Slot& s = slots_[id.slot_];
  // The heap key stays until it surfaces; the slot is freed then. Drop the callback now so that
  // whatever it captured is released at once.
  s.pending = false;
  s.fn.Reset();
  --live_;
  return true;
}

Scheduler::Periodic* Scheduler::SchedulePeriodic(SimTime first, SimDuration period,
                                                 InlineFunction<32> fn) {
  RMQ_CHECK(period > SimDuration::Zero()) << "periodic task needs a positive period";
  auto* p = new Periodic(this, first, period, std::move(fn));
  periodics_.push_back(p);
  p->Arm();
  return p;
}

void Scheduler::CancelPeriodic(Periodic* p) {
  auto it = std::find(periodics_.begin(), periodics_.end(), p);
  RMQ_CHECK(it != periodics_.end()) << "unknown periodic task";
  periodics_.erase(it);
  p->CancelAndDelete();
}

Scheduler::StopReason Scheduler::Run(SimTime horizon, uint64_t max_events) {
  stop_requested_ = false;
  uint64_t ran = 0;
  for (;;) {
    // Drop cancelled keys first, so that they never decide why or when the run stops.
    while (!heap_.empty() && !slots_[heap_.front().slot].pending) FreeSlot(HeapPop().slot);
    if (heap_.empty()) return StopReason::kEmpty;
    if (ran >= max_events) return StopReason::kEventLimit;
    if (heap_.front().time_ns > horizon.ns()) {
      if (horizon > now_) now_ = horizon;  // a stale horizon must not move time backwards
      return StopReason::kHorizon;
    }
    Key k = HeapPop();
    Slot& s = slots_[k.slot];
    RMQ_CHECK(k.time_ns >= now_.ns()) << "virtual time went backwards";
    now_ = SimTime::FromNanos(k.time_ns);
    Callback fn = std::move(s.fn);
    FreeSlot(k.slot);
    --live_;
    ++executed_;
    ++ran;
    fn();
    if (stop_requested_) return StopReason::kStopped;
  }
}

// 4-ary heap: shallower than binary, and the four children of a node share a cache line or two.
void Scheduler::HeapPush(Key k) {
  size_t i = heap_.size();
  heap_.push_back(k);
  while (i > 0) {
    size_t parent = (i - 1) / 4;
    if (!Less(k, heap_[parent])) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = k;
}

Scheduler::Key Scheduler::HeapPop() {
  Key top = heap_.front();
  Key last = heap_.back();
  heap_.pop_back();
  size_t n = heap_.size();
  if (n == 0) return top;
  size_t i = 0;
  for (;;) {
    size_t first = 4 * i + 1;
    if (first >= n) break;
    size_t best = first;
    size_t end = std::min(first + 4, n);
    for (size_t c = first + 1; c < end; ++c) {
      if (Less(heap_[c], heap_[best])) best = c;
    }
    if (!Less(heap_[best], last)) break;
    heap_[i] = heap_[best];
    i = best;
  }
  heap_[i] = last;
  return top;
}

}  // namespace rmqsim::core
