// rmqsim's core::Scheduler under the hold model: each event is a two-pointer functor stored inline.
#include <memory>

#include "core/scheduler.h"
#include "tools/bench/hold_model.h"

namespace rmqsim::bench {
namespace {

struct State {
  core::Scheduler sched;
  const DelayTable* delays;
  uint64_t next_draw;
};

struct Hold {
  State* st;
  void operator()() const {
    int64_t d = (*st->delays)[st->next_draw++];
    st->sched.ScheduleAfter(core::SimDuration::Nanos(d), Hold{st});
  }
};

}  // namespace

HoldResult RunRmqsim(const HoldSpec& spec) {
  auto st = std::make_unique<State>();
  st->delays = spec.delays;
  for (uint64_t j = 0; j < spec.pending; ++j) {
    st->sched.ScheduleAt(core::SimTime::FromNanos((*spec.delays)[j]), Hold{st.get()});
  }
  st->next_draw = spec.pending;
  HoldResult r;
  Stopwatch watch;
  st->sched.RunFor(spec.events);
  watch.Elapsed(&r.wall_seconds, &r.cpu_seconds);
  r.final_time_ns = st->sched.now().ns();
  return r;
}

}  // namespace rmqsim::bench
