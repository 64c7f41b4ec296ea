// ns-3's schedulers (Debian libns3-dev), driven only through ns-3's public API: the scheduler type
// is an ObjectFactory handed to Simulator::SetScheduler, events are Simulator::Schedule of a plain
// function (ns-3 allocates one EventImpl per event, as every ns-3 model does).

#include "ns3/nstime.h"
#include "ns3/object-factory.h"
#include "ns3/simulator.h"
#include "tools/bench/hold_model.h"

namespace rmqsim::bench {
namespace {

// ns3::Simulator is a process-wide singleton, so its handler's state is one too.
struct State {
  const DelayTable* delays = nullptr;
  uint64_t next_draw = 0;
  uint64_t executed = 0;
  uint64_t stop_after = 0;
};
State g_state;

void Hold() {
  State& st = g_state;
  if (++st.executed == st.stop_after) ns3::Simulator::Stop();
  ns3::Simulator::Schedule(ns3::NanoSeconds((*st.delays)[st.next_draw++]), &Hold);
}

}  // namespace

HoldResult RunNs3(const HoldSpec& spec, const std::string& type) {
  ns3::ObjectFactory factory;
  factory.SetTypeId(type);
  ns3::Simulator::SetScheduler(factory);
  g_state = State{spec.delays, 0, 0, spec.events};
  for (uint64_t j = 0; j < spec.pending; ++j) {
    ns3::Simulator::Schedule(ns3::NanoSeconds((*spec.delays)[j]), &Hold);
  }
  g_state.next_draw = spec.pending;
  HoldResult r;
  Stopwatch watch;
  ns3::Simulator::Run();
  watch.Elapsed(&r.wall_seconds, &r.cpu_seconds);
  r.final_time_ns = ns3::Simulator::Now().GetNanoSeconds();
  ns3::Simulator::Destroy();
  return r;
}

}  // namespace rmqsim::bench
