// What every component of one simulated client instance (MQClientInstance) shares.
#ifndef RMQSIM_SIM_CLIENT_CONTEXT_H_
#define RMQSIM_SIM_CLIENT_CONTEXT_H_

#include <cstdint>
#include <string>

#include "core/event_log.h"
#include "core/random.h"
#include "core/scheduler.h"
#include "core/sync.h"
#include "core/task.h"
#include "sim/network.h"
#include "sim/profile.h"
#include "sim/recorder.h"
#include "sim/scenario.h"

namespace rmqsim::sim {

struct ClientContext {
  core::Scheduler& sched;
  core::TaskScope& scope;
  core::EventLog& log;
  Network& net;
  Recorder& recorder;
  const Profile& profile;
  ProducerSettings settings;
  std::string id;     // "pg#0"
  std::string group;  // "pg"
  uint64_t seed;
  StepTime step_time;
  // Draws client processing times (stream "producer:<id>/client-steps").
  core::Rng step_rng = core::Rng(0);
  // The event-log actor prefix: "producer", or "consumer" for a push consumer's client instance.
  std::string role = "producer";

  // One client processing step (cluster.client_step_time). Steps are taken where a real client
  // spends measurable time: entering a send, and resuming a thread after a blocking wait (connect,
  // response latch, callback dispatch). That is what decides whether an attempt that blocked for
  // exactly the whole budget leaves 0 ms (catalog E05) or less than nothing (§10.4).
  SimDuration NextStep() {
    if (step_time.low == step_time.high) return step_time.low;
    return SimDuration::Nanos(step_rng.UniformInclusive(step_time.low.ns(), step_time.high.ns()));
  }

  // Awaits one step: `co_await ctx.Step();`.
  core::Delay Step() { return core::DelayFor(sched, NextStep()); }

  // System.currentTimeMillis() of this client.
  int64_t now_ms() const { return sched.now().java_ms(); }
  std::string actor() const { return role + ":" + id; }
  void Log(std::string kind, std::string msg, std::string text) {
    log.Emit([&] { return core::Event{sched.now(), actor(), std::move(kind), std::move(msg), std::move(text)}; });
  }
};

}  // namespace rmqsim::sim

// ctx.Log(kind, msg, text), with the arguments evaluated only when a sink is attached: with
// `--events none` no event text is formatted and nothing is allocated per event.
#define RMQ_CTX_LOG(ctx, kind, msg, text)                    \
  do {                                                       \
    if ((ctx).log.enabled()) (ctx).Log((kind), (msg), (text)); \
  } while (0)

#endif  // RMQSIM_SIM_CLIENT_CONTEXT_H_
