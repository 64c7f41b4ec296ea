// MQFaultStrategy and LatencyFaultToleranceImpl, 4.9.x [MFS, LFT @ rocketmq-all-4.9.0/4.9.3].
//
// With sendLatencyFaultEnable a failure or a slow answer makes a broker "not available" for a
// period taken from the latency table (isolation counts as latency 30000 => 600 s); selection
// prefers available brokers and, when none is, falls back to pickOneAtLeast (quirk Q1). Updates
// overwrite (a fast success cancels an isolation, quirk Q3). The strategy is per producer and its
// fault items are shared by every topic.
#ifndef RMQSIM_SIM_FAULT_STRATEGY_H_
#define RMQSIM_SIM_FAULT_STRATEGY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/executor.h"
#include "core/random.h"
#include "sim/profile.h"
#include "sim/route.h"

namespace rmqsim::sim {

struct FaultItem {
  std::string name;
  int64_t current_latency = 0;   // ms
  int64_t start_timestamp = 0;   // ms: available again from then
  uint64_t insertion = 0;        // insertion order (ConcurrentHashMap bucket order tie-break)
};

class MQFaultStrategy {
 public:
  // `now_ms` reads the client's System.currentTimeMillis().
  MQFaultStrategy(const Profile& profile, bool enabled, uint64_t run_seed, std::string owner,
                  std::function<int64_t()> now_ms);

  bool enabled() const { return enabled_; }

  // updateFaultItem(brokerName, currentLatency, isolation). No-op when disabled. Returns the
  // not-available duration it applied (for the event log), or -1 when disabled.
  int64_t UpdateFaultItem(const std::string& broker, int64_t current_latency_ms, bool isolation);

  // What selectOneMessageQueue did, for the event log and for attempt decisions.
  struct Selection {
    std::shared_ptr<MessageQueue> mq;
    std::string how;  // "round robin", "skip last broker", "available", "notBestBroker -> X", ...
  };
  Selection SelectOneMessageQueue(TopicPublishInfo& tp, const std::string* last_broker,
                                  const core::SimThread& thread);

  bool IsAvailable(const std::string& broker) const;
  const FaultItem* Find(const std::string& broker) const;
  const std::vector<FaultItem>& items() const { return items_; }

  // computeNotAvailableDuration over the 4.9.x table.
  static int64_t NotAvailableDuration(int64_t latency_ms);

 private:
  std::string PickOneAtLeast(const core::SimThread& thread);
  void Remove(const std::string& broker);
  // ConcurrentHashMap<String, FaultItem>(16) iteration order: bucket (h ^ h>>>16) & (n-1) over a
  // 32-bucket table while it holds at most 24 items (then 64, ...), insertion order within one.
  std::vector<FaultItem> MapOrder() const;

  const Profile& profile_;
  bool enabled_;
  uint64_t run_seed_;
  std::string owner_;
  std::function<int64_t()> now_ms_;
  std::vector<FaultItem> items_;
  uint64_t next_insertion_ = 0;
  ThreadLocalIndex which_item_worst_;
  core::Rng shuffle_rng_;
};

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_FAULT_STRATEGY_H_
