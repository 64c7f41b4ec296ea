// Builds small clusters in code for the model tests (no scenario file involved).
#ifndef RMQSIM_TESTS_SIM_MODEL_FIXTURE_H_
#define RMQSIM_TESTS_SIM_MODEL_FIXTURE_H_

#include <string>
#include <vector>

#include "sim/run.h"
#include "sim/scenario.h"
#include "sim/world.h"

namespace rmqsim::testing {

using sim::SimDuration;
using sim::SimTime;

inline SimDuration Ms(int64_t ms) { return SimDuration::Millis(ms); }
inline SimTime At(int64_t ms) { return SimTime::Zero() + SimDuration::Millis(ms); }

// Brokers "broker-a", "broker-b", ... with 4 queues each, topic "TopicTest" on all of them, one
// name server, one producer group "pg" with one instance, no workload yet. Client steps take no
// time unless a test sets them, so virtual times are exact.
inline sim::Scenario TwoBrokerScenario(int brokers = 2) {
  sim::Scenario s;
  s.id = "test";
  s.title = "test";
  s.seed = 7;
  s.duration = SimDuration::Seconds(60);
  sim::TopicSpec topic;
  topic.name = "TopicTest";
  for (int i = 0; i < brokers; ++i) {
    sim::BrokerSpec b;
    b.name = std::string("broker-") + static_cast<char>('a' + i);
    s.cluster.brokers.push_back(b);
    topic.brokers.push_back({b.name, 4});
  }
  s.cluster.topics.push_back(topic);
  s.cluster.client_step_time = sim::StepTime{SimDuration::Zero(), SimDuration::Zero()};
  sim::ProducerSpec p;
  p.group = "pg";
  s.producers.push_back(p);
  return s;
}

inline sim::WorkloadSpec Workload(sim::SendMode mode, int64_t start_ms, int64_t count,
                                  int64_t per_second = 10) {
  sim::WorkloadSpec w;
  w.topic = "TopicTest";
  w.mode = mode;
  w.start = SimDuration::Millis(start_ms);
  w.rate.count_scaled = static_cast<uint64_t>(per_second);
  w.rate.unit_ns_scaled = 1000000000ULL;
  w.count = count;
  return w;
}

inline sim::FaultSpec Fault(sim::FaultAction action, const std::string& broker, int64_t at_ms) {
  sim::FaultSpec f;
  f.action = action;
  f.at = SimDuration::Millis(at_ms);
  f.target.kind = sim::FaultTarget::Kind::kBroker;
  f.target.name = broker;
  f.target.text = broker;
  return f;
}

inline void SetConfig(sim::ProducerSpec& p, const std::string& key, sim::SettingValue v) {
  p.config.push_back(sim::SettingOverride{sim::FindSetting(key), std::move(v), {}});
}

// Attempt brokers of a message, e.g. {"broker-a", "broker-b"}.
inline std::vector<std::string> Brokers(const sim::MessageRecord& m) {
  std::vector<std::string> v;
  for (const auto& a : m.attempts) v.push_back(a.broker);
  return v;
}

}  // namespace rmqsim::testing

#endif  // RMQSIM_TESTS_SIM_MODEL_FIXTURE_H_
