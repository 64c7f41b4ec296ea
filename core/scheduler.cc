#include "core/scheduler.h"

#include <algorithm>
#include <bit>

namespace rmqsim::core {
namespace {

// Running an event reads its slot, last written when the event was scheduled: with many pending
// events, a cache miss unless prefetched. PopTop loads the slot this many entries ahead in the
// current bucket or the run; MoveDown loads the slots of every entry of a bucket of at most kMaxMovePrefetch
// entries (those run soon, and their lines fit in L2), else of those it moves to level 0.
constexpr size_t kPrefetchAhead = 16;
constexpr size_t kMaxMovePrefetch = 2048;
// A bucket this small is insertion sorted into the run rather than moved down; one of level 2 or
// above and at most kMaxSortRun entries is radix sorted into it (see scheduler.h). Once this many
// entries wait in late_, the run and late_ are placed back into the buckets, so that inserting
// into late_ stays cheap.
constexpr size_t kMaxRun = 32;
constexpr size_t kMaxSortRun = 2048;
constexpr size_t kMaxLate = 128;

// Out of line, so that the check's message formatting stays off ScheduleAt's hot path.
[[gnu::noinline, gnu::cold]] void FailScheduledInPast(SimTime when, SimTime now) {
  RMQ_FAIL() << "event scheduled in the past: at " << when.ns() << " ns, now " << now.ns() << " ns";
}

}  // namespace

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

[[gnu::always_inline]] inline uint32_t Scheduler::AllocSlot() {
  if (!free_slots_.empty()) {
    uint32_t s = free_slots_.back();
    free_slots_.pop_back();
    return s;
  }
  RMQ_CHECK(slot_count_ < EventId::kNone) << "too many pending events";
  if ((slot_count_ >> kChunkBits) == chunks_.size()) {
    chunks_.push_back(std::make_unique<Slot[]>(size_t{1} << kChunkBits));
  }
  return slot_count_++;
}

[[gnu::always_inline]] inline void Scheduler::FreeSlot(uint32_t slot) {
  Slot& s = SlotAt(slot);
  s.fn.Reset();
  s.pending = false;
  ++s.generation;
  free_slots_.push_back(slot);
}

[[gnu::always_inline]] inline int Scheduler::Place(Entry e) {
  uint64_t diff = e.time_ns ^ base_;
  int level = (std::bit_width(diff | 1) - 1) >> 3;
  int index = static_cast<int>((e.time_ns >> (8 * level)) & (kFanout - 1));
  Bucket(level, index).push_back(e);
  nonempty_[level][index >> 6] |= uint64_t{1} << (index & 63);
  level_mask_ |= 1u << level;
  return level;
}

uint32_t Scheduler::Enqueue(SimTime when) {
  if (when < now_) [[unlikely]]
    FailScheduledInPast(when, now_);
  uint32_t slot = AllocSlot();
  uint64_t t = static_cast<uint64_t>(when.ns());
  if (t < base_) [[unlikely]]
    Rebase(t);
  if (RunActive() && t <= run_.back().time_ns) {
    InsertLate(Entry{t, slot});
  } else {
    Place(Entry{t, slot});
  }
  return slot;
}

// After the entries of equal time, which were scheduled earlier. Every entry of the run and of
// late_ is at least base_, so placing them back keeps the buckets' invariant (the run's first:
// for equal times it was scheduled earlier), and buckets hold only later times.
void Scheduler::InsertLate(Entry e) {
  auto first = late_.begin() + static_cast<std::ptrdiff_t>(late_head_);
  auto at = std::upper_bound(first, late_.end(), e.time_ns,
                             [](uint64_t t, const Entry& x) { return t < x.time_ns; });
  if (late_.size() - late_head_ < kMaxLate) {
    late_.insert(at, e);
    late_first_ = late_[late_head_].time_ns;
    return;
  }
  for (size_t i = run_head_; i < run_.size(); ++i) Place(run_[i]);
  for (auto it = first; it != late_.end(); ++it) Place(*it);
  Place(e);
  run_.clear();
  run_head_ = 0;
  late_.clear();
  late_head_ = 0;
  late_first_ = kNoLate;
}

void Scheduler::ClearBucket(int level, int index) {
  Bucket(level, index).clear();
  uint64_t* bits = nonempty_[level];
  bits[index >> 6] &= ~(uint64_t{1} << (index & 63));
  if ((bits[0] | bits[1] | bits[2] | bits[3]) == 0) level_mask_ &= ~(1u << level);
}

int Scheduler::LowestBucket(int level) const {
  const uint64_t* bits = nonempty_[level];
  int w = 0;
  while (bits[w] == 0) ++w;  // REQUIRES: level_mask_ has `level`
  return w * 64 + std::countr_zero(bits[w]);
}

[[gnu::always_inline]] inline const Scheduler::Entry* Scheduler::Top() {
  for (;;) {
    if (RunActive()) return TakeLate() ? &late_[late_head_] : &run_[run_head_];
    std::vector<Entry>& bucket = Bucket(0, static_cast<int>(base_ & (kFanout - 1)));
    if (head_ < bucket.size()) return &bucket[head_];
    if (!Advance()) return nullptr;
  }
}

// The current bucket is used up: the next non-empty level 0 bucket becomes current (bits below
// the current one are always clear, as no entry is earlier than base_); when level 0 is empty, the
// lowest non-empty bucket of the lowest level moves down. False when the queue is empty.
bool Scheduler::Advance() {
  int current = static_cast<int>(base_ & (kFanout - 1));
  Bucket(0, current).clear();
  head_ = 0;
  uint64_t* bits = nonempty_[0];
  bits[current >> 6] &= ~(uint64_t{1} << (current & 63));
  for (int w = current >> 6; w < kFanout / 64; ++w) {
    if (bits[w] != 0) {
      base_ = (base_ & ~uint64_t{kFanout - 1}) |
              static_cast<uint64_t>(w * 64 + std::countr_zero(bits[w]));
      return true;
    }
  }
  level_mask_ &= ~1u;
  if (level_mask_ == 0) return false;
  MoveDown();
  return true;
}

// Sorts the entries of a bucket of `level` by time, stably, into run_: LSD radix sort on the bytes
// below `level` (those above are the same for every entry of the bucket), one pass per byte on
// which the entries differ, all bytes counted in one read.
void Scheduler::RadixSortIntoRun(const std::vector<Entry>& src, int level) {
  uint32_t count[kLevels][kFanout] = {};
  for (const Entry& e : src) {
    for (int b = 0; b < level; ++b) ++count[b][(e.time_ns >> (8 * b)) & (kFanout - 1)];
  }
  int bytes[kLevels];
  int passes = 0;
  for (int b = 0; b < level; ++b) {
    uint32_t* c = count[b];
    if (c[(src[0].time_ns >> (8 * b)) & (kFanout - 1)] == src.size()) continue;  // all equal
    bytes[passes++] = b;
    uint32_t sum = 0;
    for (int d = 0; d < kFanout; ++d) sum += std::exchange(c[d], sum);
  }
  run_.resize(src.size());
  run_head_ = 0;
  if (passes == 0) std::copy(src.begin(), src.end(), run_.begin());
  // The passes alternate between run_ and sort_tmp_, so that the last one writes run_.
  sort_tmp_.resize(src.size());
  const Entry* from = src.data();
  Entry* to = passes % 2 == 1 ? run_.data() : sort_tmp_.data();
  for (int p = 0; p < passes; ++p) {
    int b = bytes[p];
    uint32_t* c = count[b];
    for (size_t i = 0; i < src.size(); ++i) {
      to[c[(from[i].time_ns >> (8 * b)) & (kFanout - 1)]++] = from[i];
    }
    from = to;
    to = to == run_.data() ? sort_tmp_.data() : run_.data();
  }
  // Entries 0..kPrefetchAhead now; PopTop loads each later one kPrefetchAhead entries before it
  // runs (it first does so for entry kPrefetchAhead + 1, after taking entry 0). Loading all of a
  // run of hundreds at once measured 10-15% slower at 1 ms / P = 10 000.
  for (size_t i = 0; i < std::min(run_.size(), kPrefetchAhead + 1); ++i) {
    __builtin_prefetch(&SlotAt(run_[i].slot));
  }
}

// Level 0 is empty: the lowest non-empty bucket of the lowest level moves its entries down.
void Scheduler::MoveDown() {
  int level = std::countr_zero(level_mask_);
  int index = LowestBucket(level);
  std::vector<Entry>& src = Bucket(level, index);
  // The new base is the bucket's earliest time (as in a radix heap): it agrees with the old base
  // above this level and with the bucket's index at it, so every other entry stays where it is,
  // and the earliest entries go straight to level 0 instead of down one level at a time.
  // A small bucket becomes the run instead (see scheduler.h).
  if (src.size() <= kMaxRun) {
    // Sorted by time, stably (insertion sort: the bucket is small): ties keep scheduling order.
    run_.clear();
    run_head_ = 0;
    for (const Entry& e : src) {
      __builtin_prefetch(&SlotAt(e.slot));
      auto at = run_.end();
      while (at != run_.begin() && (at - 1)->time_ns > e.time_ns) --at;
      run_.insert(at, e);
    }
    base_ = run_.front().time_ns;
    ClearBucket(level, index);
    return;
  }
  if (level == 2 && src.size() <= kMaxSortRun) {
    RadixSortIntoRun(src, level);
    base_ = run_.front().time_ns;
    ClearBucket(level, index);
    return;
  }
  const Entry* earliest = &src[0];
  for (const Entry& e : src) {
    if (e.time_ns < earliest->time_ns) earliest = &e;
  }
  __builtin_prefetch(&SlotAt(earliest->slot));  // the next event's slot: a likely cache miss
  base_ = earliest->time_ns;
  // Each entry goes to a lower level, in order. Those reaching level 0 run next, and their slots
  // were last touched when scheduled, long ago: start loading them all now, so that the misses
  // overlap instead of stalling each event in turn (PopTop's prefetch only looks within a bucket,
  // and a sparse level 0 has one entry per bucket).
  if (src.size() <= kMaxMovePrefetch) {
    for (const Entry& e : src) {
      Place(e);
      __builtin_prefetch(&SlotAt(e.slot));
    }
  } else {
    for (const Entry& e : src) {
      if (Place(e) == 0) __builtin_prefetch(&SlotAt(e.slot));
    }
  }
  ClearBucket(level, index);
}

[[gnu::always_inline]] inline void Scheduler::PopTop(const Entry* top) {
  if (RunActive()) {
    if (top != &run_[run_head_]) {  // late_'s
      if (++late_head_ == late_.size()) {
        late_.clear();
        late_head_ = 0;
        late_first_ = kNoLate;
      } else {
        late_first_ = late_[late_head_].time_ns;
      }
      return;
    }
    if (++run_head_ == run_.size()) {
      EndRun();
    } else if (run_head_ + kPrefetchAhead < run_.size()) {
      __builtin_prefetch(&SlotAt(run_[run_head_ + kPrefetchAhead].slot));
    }
    return;
  }
  std::vector<Entry>& bucket = Bucket(0, static_cast<int>(base_ & (kFanout - 1)));
  ++head_;
  // Slots of upcoming events are likely cache misses: start loading them a few events ahead.
  if (head_ + kPrefetchAhead < bucket.size()) {
    __builtin_prefetch(&SlotAt(bucket[head_ + kPrefetchAhead].slot));
  } else if (head_ >= 1024 && 2 * head_ >= bucket.size()) {
    // Same-time events scheduled while others at that time run: drop the consumed prefix.
    bucket.erase(bucket.begin(), bucket.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

// The run is used up. What late_ holds is no later than the run's last entry, hence than any
// bucket's: it becomes the run.
void Scheduler::EndRun() {
  run_.clear();
  run_head_ = 0;
  if (late_head_ < late_.size()) {
    run_.swap(late_);
    run_head_ = late_head_;
    late_head_ = 0;
    late_first_ = kNoLate;
  }
}

// An event earlier than base_ (possible only between Run calls, when the last one stopped after
// looking at an event it did not run): place every entry again around the new base. Equal times
// share a bucket both before and after, and keep their order.
void Scheduler::Rebase(uint64_t time_ns) {
  std::vector<Entry>& current = Bucket(0, static_cast<int>(base_ & (kFanout - 1)));
  // The run's and late_'s entries are earlier than any bucket's.
  std::vector<Entry> all(run_.begin() + static_cast<std::ptrdiff_t>(run_head_), run_.end());
  all.insert(all.end(), late_.begin() + static_cast<std::ptrdiff_t>(late_head_), late_.end());
  run_.clear();
  run_head_ = 0;
  late_.clear();
  late_head_ = 0;
  late_first_ = kNoLate;
  all.insert(all.end(),
             current.begin() + static_cast<std::ptrdiff_t>(std::min(head_, current.size())),
             current.end());
  for (int level = 0; level < kLevels; ++level) {
    while (level_mask_ & (1u << level)) {
      int index = LowestBucket(level);
      std::vector<Entry>& b = Bucket(level, index);
      if (&b != &current) all.insert(all.end(), b.begin(), b.end());
      ClearBucket(level, index);
    }
  }
  current.clear();
  head_ = 0;
  base_ = time_ns;
  for (const Entry& e : all) Place(e);
}

bool Scheduler::IsPending(EventId id) const {
  if (!id.valid() || id.slot_ >= slot_count_) return false;
  const Slot& s = SlotAt(id.slot_);
  return s.pending && s.generation == id.generation_;
}

bool Scheduler::Cancel(EventId id) {
  if (!IsPending(id)) return false;
  Slot& s = SlotAt(id.slot_);
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
    // Drop cancelled entries first, so that they never decide why or when the run stops.
    const Entry* top;
    while ((top = Top()) != nullptr && !SlotAt(top->slot).pending) {
      uint32_t slot = top->slot;
      PopTop(top);
      FreeSlot(slot);
    }
    if (top == nullptr) return StopReason::kEmpty;
    if (ran >= max_events) return StopReason::kEventLimit;
    Entry e = *top;
    if (e.time_ns > static_cast<uint64_t>(horizon.ns())) {
      if (horizon > now_) now_ = horizon;  // a stale horizon must not move time backwards
      return StopReason::kHorizon;
    }
    PopTop(top);
    RMQ_CHECK(e.time_ns >= static_cast<uint64_t>(now_.ns())) << "virtual time went backwards";
    now_ = SimTime::FromNanos(static_cast<int64_t>(e.time_ns));
    // The event runs in place; its slot is freed when the callback returns (or throws), so that
    // the callback and its captures stay alive while it runs. It is no longer pending meanwhile.
    Slot& s = SlotAt(e.slot);
    s.pending = false;
    --live_;
    ++executed_;
    ++ran;
    {
      struct FreeOnExit {
        Scheduler* sched;
        uint32_t slot;
        ~FreeOnExit() { sched->FreeSlot(slot); }
      } free_on_exit{this, e.slot};
      s.fn();
    }
    if (stop_requested_) return StopReason::kStopped;
  }
}

}  // namespace rmqsim::core
