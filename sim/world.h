// World: one run of a scenario under one profile (architecture.md's data flow).
//
// Owns the scheduler, the event log, the network, the name servers, brokers and producer clients,
// drives the workloads and the fault timeline, and hands the recorded outcomes back. Built only
// from (scenario, profile, seed): no clock, no environment.
#ifndef RMQSIM_SIM_WORLD_H_
#define RMQSIM_SIM_WORLD_H_

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/event_log.h"
#include "core/scheduler.h"
#include "core/task.h"
#include "sim/broker.h"
#include "sim/broker_consumer.h"
#include "sim/consumer.h"
#include "sim/consumer_ledger.h"
#include "sim/name_server.h"
#include "sim/network.h"
#include "sim/outcome.h"
#include "sim/producer.h"
#include "sim/recorder.h"
#include "sim/scenario.h"

namespace rmqsim::sim {

// The calibrated default of `cluster.client_step_time` (rocketmq-behaviour.md §10.4, catalog E05).
StepTime DefaultClientStepTime();

class World {
 public:
  World(const Scenario& scenario, const Profile& profile, uint64_t seed, core::EventSink* sink,
        Accounting accounting = Accounting::kFull);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Runs to the scenario's horizon (or until nothing is left to do), or until `max_events`
  // scheduler events have run (kEventLimit).
  core::Scheduler::StopReason Run(uint64_t max_events = std::numeric_limits<uint64_t>::max());
  // Runs until virtual time `t` (tests step a world in stages).
  void RunUntil(SimTime t);

  core::Scheduler& scheduler() { return sched_; }
  Recorder& recorder() { return recorder_; }
  Broker* FindBroker(const std::string& name);
  NameServer* FindNameServer(const std::string& name);
  // Producer instance `instance` of `group` (nullptr if none).
  ProducerClient* FindProducer(const std::string& group, int32_t instance);
  // Applies a fault now, as the fault timeline would (tests).
  void ApplyFault(const FaultSpec& f);
  // The running (latest) incarnation of consumer instance `instance` of `group`; nullptr if none
  // has started.
  ConsumerClient* FindConsumer(const std::string& group, int32_t instance);
  // A broker's consumer side (nullptr without consumers).
  BrokerConsumerSide* FindBrokerConsumerSide(const std::string& broker);

 private:
  struct ProducerInstance;
  struct ConsumerInstance {
    const ConsumerSpec* spec;
    int32_t instance;
    ConsumerSettings settings;
    std::vector<std::unique_ptr<ConsumerClient>> incarnations;  // the last one is current
    LocalOffsetFile local_file;                                 // broadcasting offsets on disk
  };
  // sim/world_consumers.cc
  void AttachConsumerSides();
  void BuildConsumers();
  void StartConsumer(ConsumerInstance* c);
  void ApplyConsumerFault(const FaultSpec& f, bool ending);
  void BuildCluster();
  void BuildProducers();
  void ScheduleFaults();
  void StartWorkload(ProducerInstance& p, const WorkloadSpec& w);
  Task<void> CallerThread(ProducerInstance* p, const WorkloadSpec* w, core::SimThread* thread,
                          std::shared_ptr<uint64_t> next);
  void PlanAsync(ProducerInstance* p, const WorkloadSpec* w, uint64_t i);
  bool Planned(const WorkloadSpec& w, uint64_t i, SimTime* at) const;
  Message NewMessage(ProducerInstance& p, const WorkloadSpec& w);
  void EndFault(const FaultSpec& f);
  Host* TargetHost(const FaultTarget& t);
  void LogFault(const std::string& kind, const FaultSpec& f, const std::string& what);

  const Scenario& scenario_;
  const Profile& profile_;
  uint64_t seed_;
  core::EventLog log_;
  core::Scheduler sched_;
  Recorder recorder_;
  Network net_;
  std::vector<std::unique_ptr<NameServer>> name_servers_;
  std::vector<std::unique_ptr<Broker>> brokers_;
  std::vector<std::unique_ptr<ProducerInstance>> producers_;
  // Push consumers (only when the scenario has a `consumers` section).
  std::unique_ptr<ConsumerLedger> ledger_;
  std::vector<std::unique_ptr<BrokerConsumerSide>> broker_sides_;
  std::vector<std::unique_ptr<ConsumerInstance>> consumers_;
  // Declared last: destroyed first, so no suspended frame outlives what it points at.
  core::TaskScope scope_;
};

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_WORLD_H_
