// Route data and the producer's view of it: TopicRouteData (what the name server answers),
// TopicPublishInfo (the client's queue list) and ThreadLocalIndex (its per-thread round robin).
// [MCI topicRouteData2TopicPublishInfo, TPI, TLI @ rocketmq-all-4.9.x]
#ifndef RMQSIM_SIM_ROUTE_H_
#define RMQSIM_SIM_ROUTE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/executor.h"
#include "core/random.h"
#include "sim/profile.h"

namespace rmqsim::sim {

// PermName bits.
inline constexpr int32_t kPermInherit = 0x1;
inline constexpr int32_t kPermWrite = 0x2;
inline constexpr int32_t kPermRead = 0x4;

struct QueueData {
  std::string broker_name;
  int32_t read_queue_nums = 0;
  int32_t write_queue_nums = 0;
  int32_t perm = kPermRead | kPermWrite;
  bool operator==(const QueueData&) const = default;
};

struct BrokerData {
  std::string broker_name;
  std::map<int64_t, std::string> broker_addrs;  // brokerId -> addr; 0 is the master
  bool operator==(const BrokerData&) const = default;
};

struct TopicRouteData {
  std::vector<QueueData> queue_datas;
  std::vector<BrokerData> broker_datas;
  // Sorted copies compare equal when the routes are the same (topicRouteDataIsChange).
  void SortByBrokerName();
  bool operator==(const TopicRouteData&) const = default;
};

struct MessageQueue {
  std::string topic;
  std::string broker_name;
  int32_t queue_id = 0;
};

// Per-thread round-robin counter. The first use on a thread draws a random start; each call
// pre-increments and returns a non-negative index (except abs(INT_MIN) in 4.9.0/4.9.3).
class ThreadLocalIndex {
 public:
  // `stream_prefix` names this index for seeding: each thread's start is drawn from the run's
  // stream "<stream_prefix>/thread:<thread name>"; 5.3.3's reset() draws from
  // "<stream_prefix>/reset" (upstream: the index's one shared java.util.Random).
  ThreadLocalIndex(uint64_t run_seed, std::string stream_prefix, ThreadIndexOverflow overflow,
                   ThreadIndexStart start = ThreadIndexStart::kAbsNextInt)
      : run_seed_(run_seed), prefix_(std::move(stream_prefix)), overflow_(overflow),
        start_(start) {}

  int32_t IncrementAndGet(const core::SimThread& thread);
  // 5.3.3 ThreadLocalIndex.reset(): the thread's value becomes abs(random.nextInt(MAX_VALUE)).
  void Reset(const core::SimThread& thread);
  // The raw stored value for a thread, if it has one (tests and event text).
  bool Peek(const core::SimThread& thread, int32_t* value) const;
  // Sets a thread's stored value (tests: start near INT_MAX to show the overflow).
  void Set(const core::SimThread& thread, int32_t value) { values_[thread.name()] = value; }

 private:
  // Values are keyed by thread name (a thread is its name here: tests set a value through a
  // stand-in SimThread of the same name). Every send looks its thread up, so the table is hashed
  // and a lookup uses the hash the SimThread already holds; it is only ever looked up, never
  // iterated, so its order cannot reach any output.
  struct ThreadKey {
    const core::SimThread& thread;
  };
  struct NameHash {
    using is_transparent = void;
    size_t operator()(const std::string& name) const { return std::hash<std::string_view>{}(name); }
    size_t operator()(ThreadKey k) const { return k.thread.name_hash(); }
  };
  struct NameEq {
    using is_transparent = void;
    bool operator()(const std::string& a, const std::string& b) const { return a == b; }
    bool operator()(ThreadKey a, const std::string& b) const { return a.thread.name() == b; }
    bool operator()(const std::string& a, ThreadKey b) const { return a == b.thread.name(); }
  };

  uint64_t run_seed_;
  std::string prefix_;
  ThreadIndexOverflow overflow_;
  ThreadIndexStart start_;
  std::unordered_map<std::string, int32_t, NameHash, NameEq> values_;  // by thread name
  std::unique_ptr<core::Rng> reset_rng_;   // created on the first reset()
};

class TopicPublishInfo {
 public:
  TopicPublishInfo(uint64_t run_seed, std::string stream_prefix, ThreadIndexOverflow overflow,
                   ThreadIndexStart start = ThreadIndexStart::kAbsNextInt)
      : send_which_queue_(run_seed, std::move(stream_prefix), overflow, start) {}

  // TopicPublishInfo.ok(): a non-empty queue list.
  bool ok() const { return !message_queue_list.empty(); }

  // TopicPublishInfo.selectOneMessageQueue() and (lastBrokerName) [TPI@4.9.x].
  std::shared_ptr<MessageQueue> SelectOneMessageQueue(const core::SimThread& t);
  std::shared_ptr<MessageQueue> SelectOneMessageQueue(const core::SimThread& t,
                                                      const std::string* last_broker_name);
  // 5.3.3 selectOneMessageQueue(QueueFilter...): up to N probes at abs(inc() % N); the first
  // queue every filter passes, else nullptr. And the plain selectOneMessageQueue(): inc() % N.
  std::shared_ptr<MessageQueue> SelectFiltered(
      const core::SimThread& t, const std::function<bool(const MessageQueue&)>& filter);
  std::shared_ptr<MessageQueue> SelectPlain5x(const core::SimThread& t);
  // writeQueueNums of the broker's QueueData, or -1 (4.9.8: also -1 when not writable).
  int32_t GetQueueIdByBroker(const std::string& broker_name, bool require_write_perm) const;

  ThreadLocalIndex& send_which_queue() { return send_which_queue_; }

  bool order_topic = false;
  bool have_topic_router_info = false;
  // Shared elements: the 4.9.0/4.9.3 fault fallback rewrites one in place (quirk Q1).
  std::vector<std::shared_ptr<MessageQueue>> message_queue_list;
  TopicRouteData topic_route_data;
  uint64_t version = 0;  // which route install made it (for event text)

 private:
  ThreadLocalIndex send_which_queue_;
};

// MQClientInstance.topicRouteData2TopicPublishInfo for a non-order topic [MCI@4.9.x]: QueueData
// sorted by brokerName (String.compareTo), writable ones whose broker has a master, queues
// 0..writeQueueNums-1 each.
std::shared_ptr<TopicPublishInfo> BuildTopicPublishInfo(
    const std::string& topic, const TopicRouteData& route, uint64_t run_seed,
    std::string stream_prefix, ThreadIndexOverflow overflow,
    ThreadIndexStart start = ThreadIndexStart::kAbsNextInt);

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_ROUTE_H_
