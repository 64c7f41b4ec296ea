// Broker: registration with the name servers and the send path as a producer sees it
// [BC, SMP, ASMP, TCM @ rocketmq-all-4.9.x; rocketmq-behaviour.md §8, §9].
//
// A send is processed for `service_time` (plus a `slow` fault's delay), then checked (topic
// exists or is auto-created; queueId in range, else SYSTEM_ERROR, 5.3.3 INVALID_PARAMETER), stored
// with the client message id (so duplicates are visible), and answered. The broker is of the
// run's release: the codes that changed between 4.9.x and 5.3.3 come from the Profile. Fault states: error codes for a ratio of requests
// (FLUSH_*/SLAVE_NOT_AVAILABLE store first), responses dropped after store. A killed process
// finishes nothing; registration runs at start and then every 30 s after a 10 s delay.
#ifndef RMQSIM_SIM_BROKER_H_
#define RMQSIM_SIM_BROKER_H_

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/event_log.h"
#include "core/random.h"
#include "sim/name_server.h"
#include "sim/network.h"
#include "sim/profile.h"
#include "sim/recorder.h"
#include "sim/scenario.h"

namespace rmqsim::sim {

class BrokerConsumerSide;  // sim/broker_consumer.h

class Broker : public Host {
 public:
  Broker(Scheduler& sched, core::EventLog& log, Network& net, Recorder& recorder,
         const Profile& profile, const BrokerSpec& spec, std::string addr,
         std::map<std::string, int32_t> topics, bool auto_create_topic,
         std::vector<NameServer*> name_servers, uint64_t seed);

  // Process start: registers with every name server at once, then on its period.
  void StartProcess();
  void KillProcess();
  // Registers with every name server now (also after auto-creating a topic).
  void RegisterAll();

  // Fault states.
  void SetSlow(std::optional<SimDuration> delay) { slow_ = delay; }
  void SetError(std::optional<std::pair<int32_t, Ratio>> e) { error_ = e; }
  void SetDropResponses(std::optional<Ratio> r) { drop_ = r; }
  void ClearFaults() {
    slow_.reset();
    error_.reset();
    drop_.reset();
  }

  void HandleRequest(const std::shared_ptr<Channel>& ch,
                     std::shared_ptr<const RemotingCommand> packet) override;

  // Push consumers: the store, pulls, send-back, schedule service (set before StartProcess; only
  // when the scenario has consumers).
  void set_consumer_side(BrokerConsumerSide* c) { consumer_side_ = c; }

 private:
  friend class BrokerConsumerSide;
  struct Result {
    int32_t code;
    std::string remark;
    bool store;
  };
  Result Check(const RemotingCommand& req);
  void Complete(const std::shared_ptr<Channel>& ch, const RemotingCommand& req);
  std::string actor() const { return "broker:" + name(); }

  Scheduler& sched_;
  core::EventLog& log_;
  Network& net_;
  Recorder& recorder_;
  const Profile& profile_;
  SimDuration service_time_;
  std::map<std::string, int32_t> topics_;  // topic -> queue count
  bool auto_create_topic_;
  std::vector<NameServer*> name_servers_;
  core::Rng fault_rng_;
  std::optional<SimDuration> slow_;
  std::optional<std::pair<int32_t, Ratio>> error_;
  std::optional<Ratio> drop_;
  // topic -> queue id -> the queue's next offset. By topic first, so that a store hashes its
  // topic once and compares queue ids as integers (no key string is built per store). Only ever
  // looked up, never iterated.
  std::unordered_map<std::string, std::map<int32_t, int64_t>> queue_offsets_;
  BrokerConsumerSide* consumer_side_ = nullptr;
  std::map<std::string, int32_t> topic_perms_;  // perm of topics not read+write (4.9.0 %DLQ%)
};

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_BROKER_H_
