// The baseline a C++ programmer writes first: std::priority_queue of (time, seq) entries holding a
// std::function. The callable (one pointer) fits std::function's small buffer: no allocation.
#include <functional>
#include <memory>
#include <queue>
#include <vector>

#include "tools/bench/hold_model.h"

namespace rmqsim::bench {
namespace {

struct Entry {
  int64_t time_ns;
  uint64_t seq;
  std::function<void()> fn;
};

struct Later {
  bool operator()(const Entry& a, const Entry& b) const {
    return a.time_ns > b.time_ns || (a.time_ns == b.time_ns && a.seq > b.seq);
  }
};

struct State {
  std::priority_queue<Entry, std::vector<Entry>, Later> queue;
  const DelayTable* delays;
  uint64_t next_draw = 0;
  uint64_t next_seq = 0;
  int64_t now_ns = 0;

  void Schedule(int64_t when_ns);
};

void State::Schedule(int64_t when_ns) {
  queue.push(Entry{when_ns, next_seq++, [this] { Schedule(now_ns + (*delays)[next_draw++]); }});
}

}  // namespace

HoldResult RunStdPriorityQueue(const HoldSpec& spec) {
  auto st = std::make_unique<State>();
  st->delays = spec.delays;
  for (uint64_t j = 0; j < spec.pending; ++j) st->Schedule((*spec.delays)[j]);
  st->next_draw = spec.pending;
  HoldResult r;
  Stopwatch watch;
  for (uint64_t i = 0; i < spec.events && !st->queue.empty(); ++i) {
    // Moving the callback out before pop() is safe: the heap compares only time and seq.
    Entry e = std::move(const_cast<Entry&>(st->queue.top()));
    st->queue.pop();
    st->now_ns = e.time_ns;
    e.fn();
  }
  watch.Elapsed(&r.wall_seconds, &r.cpu_seconds);
  r.final_time_ns = st->now_ns;
  return r;
}

}  // namespace rmqsim::bench
