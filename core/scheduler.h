// Scheduler: the discrete-event engine every actor of a run shares.
//
// Events are ordered by (time, scheduling order), so events at the same instant run first-in
// first-out (ns-3 EventKey, FoundationDB TaskQueue). The queue is a radix-256 bucket structure of
// 16-byte (time, slot) entries over a slab of callbacks, whose small buckets are sorted rather than
// split further, O(1) per event: scheduling and running an event allocate nothing once the
// buckets and slab have grown to the run's peak, and the slots of events about to run are
// prefetched. Cancellation is O(1): the slot is marked and its entry skipped when it surfaces.
// tools/bench/RESULTS.md has the measurements and profiles behind the design (it replaced a 4-ary
// heap, 2-4x slower).
//
// There is no global simulator: the Scheduler is created by whoever builds a run and injected into
// every actor. It is single-threaded and never reads a clock.
//
//   Scheduler s;
//   s.ScheduleAfter(SimDuration::Millis(10), [&] { ... });
//   s.RunUntil(SimTime::Zero() + SimDuration::Seconds(60));
#ifndef RMQSIM_CORE_SCHEDULER_H_
#define RMQSIM_CORE_SCHEDULER_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "core/inline_function.h"
#include "core/sim_time.h"

namespace rmqsim::core {

class Scheduler {
 public:
  // A pending event's callback, stored inline: a coroutine handle or a lambda with a few captures.
  using Callback = InlineFunction<64>;

  // Identifies one scheduled event; stays valid (and harmless) after the event ran or was
  // cancelled.
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

  // `fn` is anything a Callback is made from (a lambda, a coroutine resumption, a Callback); it is
  // constructed in place in the event's slot, with no temporary Callback to copy.
  // REQUIRES: when >= now().
  template <typename F>
  EventId ScheduleAt(SimTime when, F&& fn) {
    uint32_t slot = Enqueue(when);
    Slot& s = SlotAt(slot);
    // A free slot's callback is empty: construct in place rather than assign (no Reset). Should
    // that throw (a copied capture), the queued entry is not pending and is dropped like a
    // cancelled one.
    ::new (&s.fn) Callback(std::forward<F>(fn));
    s.pending = true;
    ++live_;
    return EventId(slot, s.generation);
  }
  // REQUIRES: delay >= 0.
  template <typename F>
  EventId ScheduleAfter(SimDuration delay, F&& fn) {
    return ScheduleAt(now_ + delay, std::forward<F>(fn));
  }
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
  StopReason RunUntil(SimTime horizon) {
    return Run(horizon, std::numeric_limits<uint64_t>::max());
  }
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
  // A queued event: its time and the slab slot holding its callback and state.
  struct Entry {
    uint64_t time_ns;  // SimTime::ns(): never negative, as now() starts at zero and only grows
    uint32_t slot;
  };
  // One cache line holds the flags, the call pointers and a callable of up to 32 bytes (a
  // coroutine handle, a lambda with a few captures): running an event touches one cold line.
  struct alignas(64) Slot {
    uint32_t generation = 0;
    bool pending = false;
    Callback fn;
  };
  // Slots live in fixed chunks, never moved, so that an event runs in place (no copy of its
  // callback) even when it schedules more events and the slab grows.
  static constexpr int kChunkBits = 10;
  Slot& SlotAt(uint32_t slot) {
    return chunks_[slot >> kChunkBits][slot & ((1u << kChunkBits) - 1)];
  }
  const Slot& SlotAt(uint32_t slot) const {
    return chunks_[slot >> kChunkBits][slot & ((1u << kChunkBits) - 1)];
  }
  // The queue is a multi-level bucket structure (radix 256; Denardo and Fox 1979), which relies
  // on every event time being at least base_, the time of the last event taken out. An entry whose
  // time first differs from base_ in byte L (counting from the low end; L = 0 if it equals base_
  // above byte 0) sits in bucket (L, that byte of its time). Level 0 buckets hold a single time
  // each; the earliest is the current one, consumed from head_. When level 0 runs dry, the lowest
  // non-empty bucket of the lowest level moves its entries, in order, to lower levels. An entry
  // moves at most 7 times, typically once or twice, with no key comparisons and sequential memory
  // access: O(1) per event. Equal times always share a bucket, where appends and moves both keep
  // scheduling order, so ties run first-in first-out without a sequence number.
  //
  // A bucket of at most kMaxRun entries (sparse times: a few events per bucket) does not move down
  // level by level: MoveDown sorts it by time, stably, into run_ (insertion sort), which then holds
  // the earliest entries and is consumed from run_head_ before any bucket; base_ becomes the run's
  // first time. So does a level-2 bucket (65 us) of at most kMaxSortRun entries, radix sorted on
  // its two low bytes: at a millisecond between events and thousands pending, those buckets hold
  // hundreds of entries whose level-1 buckets would hold two or three, and sorting them at once
  // places each entry once instead of twice. (Higher levels are not sorted: a run spanning
  // milliseconds would take most new events as late ones.) An event scheduled no later than the
  // run's last time goes to late_, a small sorted vector merged with the run as both are consumed
  // (the run's entries first among equal times, as they were scheduled earlier), so that the run
  // itself is never shifted; when the run is used up, late_ becomes the run. Later events are
  // placed in the buckets as usual, so equal times never span the run and a bucket. Once kMaxLate
  // entries wait in late_, both are placed back into the buckets, so that inserting stays cheap.
  static constexpr int kLevels = 8;
  static constexpr int kFanout = 256;
  std::vector<Entry>& Bucket(int level, int index) { return buckets_[level * kFanout + index]; }
  // Takes a free slot and queues its entry at `when`; the caller fills the slot.
  uint32_t Enqueue(SimTime when);
  uint32_t AllocSlot();
  void FreeSlot(uint32_t slot);
  int Place(Entry e);  // returns the level
  // The earliest entry (head of the current bucket), or null when the queue is empty.
  const Entry* Top();
  bool Advance();
  [[gnu::noinline]] void MoveDown();
  void PopTop(const Entry* top);  // `top` is what Top() returned
  [[gnu::noinline]] void EndRun();
  void ClearBucket(int level, int index);
  int LowestBucket(int level) const;
  void Rebase(uint64_t time_ns);
  bool RunActive() const { return run_head_ < run_.size(); }
  // REQUIRES: RunActive(). Whether the earliest entry is late_'s rather than the run's.
  bool TakeLate() const {
    return late_first_ < run_[run_head_].time_ns;
  }
  void InsertLate(Entry e);
  void RadixSortIntoRun(const std::vector<Entry>& src, int level);

  SimTime now_;
  uint64_t executed_ = 0;
  size_t live_ = 0;
  bool stop_requested_ = false;
  uint64_t base_ = 0;        // no queued entry is earlier; bucket (0, base_ & 255) is current
  size_t head_ = 0;          // entries of the current bucket already taken out
  std::vector<Entry> run_;   // sorted earliest entries, when RunActive()
  size_t run_head_ = 0;      // entries of run_ already taken out
  std::vector<Entry> late_;  // sorted entries scheduled into the run's span, while RunActive()
  size_t late_head_ = 0;     // entries of late_ already taken out
  static constexpr uint64_t kNoLate = std::numeric_limits<uint64_t>::max();  // no SimTime
  uint64_t late_first_ = kNoLate;  // time of late_'s earliest entry, kNoLate if none
  std::vector<Entry> sort_tmp_;  // RadixSortIntoRun's scratch
  uint32_t level_mask_ = 0;  // bit L: level L has a non-empty bucket
  uint64_t nonempty_[kLevels][kFanout / 64] = {};  // bit per non-empty bucket
  std::vector<std::vector<Entry>> buckets_ = std::vector<std::vector<Entry>>(kLevels * kFanout);
  std::vector<std::unique_ptr<Slot[]>> chunks_;
  uint32_t slot_count_ = 0;  // slots ever handed out
  std::vector<uint32_t> free_slots_;
  std::vector<Periodic*> periodics_;
};

}  // namespace rmqsim::core

#endif  // RMQSIM_CORE_SCHEDULER_H_
