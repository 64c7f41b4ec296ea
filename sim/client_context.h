// What every component of one simulated client instance (MQClientInstance) shares.
#ifndef RMQSIM_SIM_CLIENT_CONTEXT_H_
#define RMQSIM_SIM_CLIENT_CONTEXT_H_

#include <cstdint>
#include <string>

#include "core/event_log.h"
#include "core/random.h"
#include "core/scheduler.h"
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

  // System.currentTimeMillis() of this client.
  int64_t now_ms() const { return sched.now().java_ms(); }
  std::string actor() const { return "producer:" + id; }
  void Log(std::string kind, std::string msg, std::string text) {
    log.Emit([&] { return core::Event{sched.now(), actor(), std::move(kind), std::move(msg), std::move(text)}; });
  }
};

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_CLIENT_CONTEXT_H_
