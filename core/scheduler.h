// Scheduler: the discrete-event engine every actor of a run shares.
//
// Events are ordered by (time, sequence), where the sequence number is taken when the event is
// scheduled, so events at the same instant run first-in first-out (ns-3 EventKey, FoundationDB
// TaskQueue). The queue is a 4-ary min-heap of 24-byte keys over a slab of callbacks: scheduling
// and running an event allocate nothing once the slab and heap have grown to the run's peak.
// Cancellation is O(1): the slot is marked and its heap key skipped when it surfaces.
//
// There is no global simulator: the Scheduler is created by whoever builds a run and injected into
// every actor. It is single-threaded and never reads a clock.
//
//   Scheduler s;
//   s.ScheduleAfter(SimDuration::Millis(10), [&] { ... });
//   s.RunUntil(SimTime::Zero() + SimDuration::Seconds(60));
#ifndef RMQSIM_CORE_SCHEDULER_H_
#define RMQSIM_CORE_SCHEDULER_H_

#include <cstdint>
#include <limits>
#include <vector>

#include "core/inline_function.h"
#include "core/sim_time.h"

namespace rmqsim::core {

class Scheduler {
 public:
  // A pending event's callback, stored inline: a coroutine handle or a lambda with a few captures.
  using Callback = InlineFunction<64>;

  // Identifies one scheduled event; stays valid (and harmless) after the event ran or was cancelled.
  class EventId {
   public:
    EventId() = default;
    bool valid() const { return slot_ != kNone; }

   private:
    friend class Scheduler;
    static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
    EventId(uint32_t slot, uint32_t generation) : slot_(slot), generation_(generation) {}
    uint32_t slot_ = kNone;
    uint32_t generation_ = 0;
  };

  // Why a Run* call returned.
  enum class StopReason { kEmpty, kHorizon, kEventLimit, kStopped };

  Scheduler() = default;
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  SimTime now() const { return now_; }

  // REQUIRES: when >= now().
  EventId ScheduleAt(SimTime when, Callback fn);
  // REQUIRES: delay >= 0.
  EventId ScheduleAfter(SimDuration delay, Callback fn) { return ScheduleAt(now_ + delay, std::move(fn)); }
  // Runs `fn` at `first`, then every `period` after the previous *scheduled* time (fixed rate, as
  // java.util.Timer.scheduleAtFixedRate; a callback takes no virtual time, so fixed delay would be
  // identical here: see ScheduledExecutor for periodic work that blocks). Returns a handle for
  // CancelPeriodic. `fn` is called with no arguments and must stay valid until cancelled.
  // REQUIRES: period > 0.
  class Periodic;
  Periodic* SchedulePeriodic(SimTime first, SimDuration period, InlineFunction<32> fn);
  void CancelPeriodic(Periodic* p);

  // Cancels a pending event. Returns false (and does nothing) if it already ran or was cancelled.
  bool Cancel(EventId id);
  bool IsPending(EventId id) const;

  // Runs events in order until none is left.
  StopReason RunUntilEmpty() { return Run(SimTime::Max(), std::numeric_limits<uint64_t>::max()); }
  // Runs every event with time <= horizon, then sets now() to the horizon (if it was not reached
  // because the queue emptied, now() stays at the last event's time; cancelled events do not
  // count). A horizon before now() runs nothing and leaves now() unchanged.
  StopReason RunUntil(SimTime horizon) { return Run(horizon, std::numeric_limits<uint64_t>::max()); }
  // Runs at most `n` events.
  StopReason RunFor(uint64_t n) { return Run(SimTime::Max(), n); }
  // General form: stops at whichever of the horizon or `max_events` comes first.
  StopReason Run(SimTime horizon, uint64_t max_events);
  // Makes the current Run* call return after the running event (kStopped).
  void Stop() { stop_requested_ = true; }

  uint64_t executed_events() const { return executed_; }
  // Events scheduled and not yet run or cancelled.
  size_t pending() const { return live_; }

  ~Scheduler();

 private:
  struct Key {
    int64_t time_ns;
    uint64_t seq;
    uint32_t slot;
  };
  struct Slot {
    Callback fn;
    uint32_t generation = 0;
    bool pending = false;
  };
  static bool Less(const Key& a, const Key& b) {
    return a.time_ns < b.time_ns || (a.time_ns == b.time_ns && a.seq < b.seq);
  }
  uint32_t AllocSlot();
  void FreeSlot(uint32_t slot);
  void HeapPush(Key k);
  Key HeapPop();

  SimTime now_;
  uint64_t next_seq_ = 0;
  uint64_t executed_ = 0;
  size_t live_ = 0;
  bool stop_requested_ = false;
  std::vector<Key> heap_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_slots_;
  std::vector<Periodic*> periodics_;
};

}  // namespace rmqsim::core

#endif  // RMQSIM_CORE_SCHEDULER_H_
