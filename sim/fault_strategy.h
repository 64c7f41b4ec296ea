// MQFaultStrategy and LatencyFaultToleranceImpl [MFS, LFT @ rocketmq-all-4.9.x, 5.3.3].
//
// With sendLatencyFaultEnable a failure or a slow answer makes a broker "not available" for a
// period taken from the latency table (4.9.x: isolation counts as latency 30000 => 600 s; 5.3.3:
// 10000 => 10 s). 4.9.x selection prefers available brokers and, when none is, falls back to
// pickOneAtLeast (quirk Q1); its updates overwrite (a fast success cancels an isolation, quirk
// Q3). 5.3.3 selects through filters (available∧notLast, reachable∧notLast, plain), extends
// isolations only, keeps a reachable flag per broker, and can run a detector that probes
// unreachable brokers. The strategy is per producer and its fault items are shared by every
// topic.
#ifndef RMQSIM_SIM_FAULT_STRATEGY_H_
#define RMQSIM_SIM_FAULT_STRATEGY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/executor.h"
#include "core/random.h"
#include "core/task.h"
#include "sim/profile.h"
#include "sim/route.h"

namespace rmqsim::sim {

struct FaultItem {
  std::string name;
  int64_t current_latency = 0;   // ms
  int64_t start_timestamp = 0;   // ms: available again from then
  uint64_t insertion = 0;        // insertion order (ConcurrentHashMap bucket order tie-break)
  bool reachable = true;         // 5.3.3 reachableFlag
  int64_t check_stamp = 0;       // 5.3.3: the detector probes the item when now >= check_stamp
};

class MQFaultStrategy {
 public:
  // `now_ms` reads the client's System.currentTimeMillis().
  MQFaultStrategy(const Profile& profile, bool enabled, uint64_t run_seed, std::string owner,
                  std::function<int64_t()> now_ms);

  bool enabled() const { return enabled_; }

  // updateFaultItem(brokerName, currentLatency, isolation[, reachable]). No-op when disabled.
  // Returns the not-available duration it computed (for the event log), or -1 when disabled.
  // `reachable` is 5.3.3's flag; 4.9.x has none and ignores it.
  int64_t UpdateFaultItem(const std::string& broker, int64_t current_latency_ms, bool isolation,
                          bool reachable = true);

  // What selectOneMessageQueue did, for the event log. The text is spelled out only when asked
  // (how()): a send selects once per attempt, and only a run with an event sink reads it.
  struct Selection {
    enum class How : uint8_t {
      kRoundRobin,            // "round robin" / "round robin skipping X" (no fault tolerance)
      kRoundRobinOnlyLast,    // 5.3.3 without fault tolerance: every queue is on the last broker
      kAvailable,             // 5.3.3 filters: available (and not the last broker)
      kReachable,             // 5.3.3 filters: none available, reachable
      kNoneReachable,         // 5.3.3 filters: none available or reachable, plain round robin
      kFirstAvailable,        // 4.9.x: the first available broker from the thread's index
      kNotBestBrokerRewrote,  // 4.9.x: notBestBroker rewrote a shared queue (quirk Q1)
      kNotBestBroker,         // 4.9.x: notBestBroker on a new queue
      kAllUnavailable,        // 4.9.x: nothing available, plain round robin
    };
    std::shared_ptr<MessageQueue> mq;
    How kind = How::kRoundRobin;
    bool index_reset = false;  // 5.3.3 resetIndex was applied first
    // The last broker (round robin and 5.3.3 filters) or the notBestBroker (4.9.x); empty if none.
    std::string broker;
    // "round robin", "available, not broker-a", "all brokers unavailable: notBestBroker X", ...
    std::string how() const;
  };
  // `reset_index` is 5.3.3's resetIndex argument (ignored by 4.9.x).
  Selection SelectOneMessageQueue(TopicPublishInfo& tp, const std::string* last_broker,
                                  const core::SimThread& thread, bool reset_index = false);

  bool IsAvailable(const std::string& broker) const;
  bool IsReachable(const std::string& broker) const;  // 5.3.3; true without an item
  const FaultItem* Find(const std::string& broker) const;
  const std::vector<FaultItem>& items() const { return items_; }

  // computeNotAvailableDuration over the 4.9.x table.
  static int64_t NotAvailableDuration(int64_t latency_ms);
  // computeNotAvailableDuration over the profile's table.
  int64_t NotAvailableDurationFor(int64_t latency_ms) const;

  // 5.3.3 LatencyFaultToleranceImpl.detectByOneRound, run by the detector thread: every item whose
  // checkStamp is due gets checkStamp = now + detect_interval; an item whose broker has no
  // address (`resolve` gives nullopt) is removed; otherwise `detect(addr)` probes it and a
  // successful probe sets reachable. `log` receives one line per probed or removed item.
  using Resolve = std::function<std::optional<std::string>(const std::string& broker)>;
  using Detect = std::function<core::Task<bool>(core::SimThread& t, std::string addr)>;
  core::Task<void> DetectByOneRound(core::SimThread& t, int64_t detect_interval_ms,
                                    Resolve resolve, Detect detect,
                                    std::function<void(std::string)> log);

 private:
  Selection SelectFiltered(TopicPublishInfo& tp, const std::string* last,
                           const core::SimThread& thread, bool reset_index);
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
