// Name server: RouteInfoManager and its housekeeping [RIM, BHS, NSCTL @ rocketmq-all-4.9.x, 5.3.3].
//
// Brokers register (brokerAddrTable, topic queue data, live table); routes are answered per
// topic (TOPIC_NOT_EXIST when unknown); a broker whose connection closes (killed process) is
// removed at once; a silent broker is removed when its channel has been idle for 120 s (the
// server's IdleStateHandler, exactly 120 s after its last registration) or, failing that, when
// scanNotActiveBroker (4.9.x: first run 5 s, every 10 s; 5.3.3: 5 ms, every 5 s) finds its last
// registration older than its heartbeat timeout (120 s; 5.3.3 keeps it per broker). A request code
// it does not handle gets no answer (4.9.x) or REQUEST_CODE_NOT_SUPPORTED (5.3.3).
#ifndef RMQSIM_SIM_NAME_SERVER_H_
#define RMQSIM_SIM_NAME_SERVER_H_

#include <map>
#include <string>
#include <vector>

#include "core/event_log.h"
#include "sim/network.h"
#include "sim/profile.h"
#include "sim/route.h"

namespace rmqsim::sim {

class NameServer : public Host {
 public:
  NameServer(Scheduler& sched, core::EventLog& log, Network& net, const Profile& profile,
             std::string name, std::string addr);

  // Starts the process (and its scan schedule) at the current time.
  void StartProcess();
  // The process dies: its tables are gone.
  void KillProcess();

  struct TopicConfig {
    std::string topic;
    int32_t queues;
    int32_t perm;
  };
  // A registration from a broker arrived (registerBroker).
  void RegisterBroker(const std::string& broker_name, const std::string& broker_addr,
                      const std::vector<TopicConfig>& topics);
  // The broker's connection closed (onChannelDestroy).
  void OnBrokerChannelDestroyed(const std::string& broker_addr, const std::string& why);

  void HandleRequest(const std::shared_ptr<Channel>& ch,
                     std::shared_ptr<const RemotingCommand> packet) override;

  // The route the name server would answer for `topic`, or false (TOPIC_NOT_EXIST).
  bool PickupTopicRouteData(const std::string& topic, TopicRouteData* out) const;

  // When scanNotActiveBroker runs next, and a registered broker's heartbeat timeout (tests).
  SimTime next_scan_at() const { return next_scan_at_; }
  int64_t HeartbeatTimeoutMs(const std::string& broker_addr) const {
    auto it = broker_heartbeat_timeout_.find(broker_addr);
    return it == broker_heartbeat_timeout_.end() ? -1 : it->second;
  }

 private:
  void ScanNotActiveBroker();
  void RemoveBroker(const std::string& broker_addr);
  std::string actor() const { return "nameserver:" + name(); }

  Scheduler& sched_;
  core::EventLog& log_;
  Network& net_;
  const Profile& profile_;
  std::map<std::string, std::string> broker_addr_table_;  // brokerName -> master addr
  std::map<std::string, std::map<std::string, QueueData>> topic_queue_table_;  // topic -> broker
  std::map<std::string, int64_t> broker_live_table_;  // addr -> last update (ms)
  // 5.3.3 BrokerLiveInfo.heartbeatTimeoutMillis: 120 s unless the broker registers with
  // enableSlaveActingMaster (not modelled), then brokerNotActiveTimeoutMillis.
  std::map<std::string, int64_t> broker_heartbeat_timeout_;  // addr -> ms
  uint64_t process_generation_ = 0;
  SimTime next_scan_at_;
};

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_NAME_SERVER_H_
