#include "sim/fault_strategy.h"

#include <algorithm>

#include "core/java.h"

namespace rmqsim::sim {

namespace java = core::java;

namespace {
constexpr int64_t kLatencyMax[] = {50, 100, 550, 1000, 2000, 3000, 15000};
constexpr int64_t kNotAvailable[] = {0, 0, 30000, 60000, 120000, 180000, 600000};
constexpr int64_t kIsolationLatency = 30000;
// MQFaultStrategy@rocketmq-all-5.3.3.
constexpr int64_t kLatencyMax5x[] = {50, 100, 550, 1800, 3000, 5000, 15000};
constexpr int64_t kNotAvailable5x[] = {0, 0, 2000, 5000, 6000, 10000, 30000};
constexpr int64_t kIsolationLatency5x = 10000;
}  // namespace

MQFaultStrategy::MQFaultStrategy(const Profile& profile, bool enabled, uint64_t run_seed,
                                 std::string owner, std::function<int64_t()> now_ms)
    : profile_(profile),
      enabled_(enabled),
      run_seed_(run_seed),
      owner_(std::move(owner)),
      now_ms_(std::move(now_ms)),
      which_item_worst_(run_seed, owner_ + "/whichItemWorst", profile.thread_index_overflow,
                        profile.thread_index_start),
      shuffle_rng_(core::Rng::ForStream(run_seed, owner_ + "/faultItemShuffle")) {}

int64_t MQFaultStrategy::NotAvailableDuration(int64_t latency_ms) {
  for (int i = 6; i >= 0; --i) {
    if (latency_ms >= kLatencyMax[i]) return kNotAvailable[i];
  }
  return 0;
}

int64_t MQFaultStrategy::NotAvailableDurationFor(int64_t latency_ms) const {
  if (profile_.latency_table == LatencyTable::k49x) return NotAvailableDuration(latency_ms);
  for (int i = 6; i >= 0; --i) {
    if (latency_ms >= kLatencyMax5x[i]) return kNotAvailable5x[i];
  }
  return 0;
}

int64_t MQFaultStrategy::UpdateFaultItem(const std::string& broker, int64_t latency_ms,
                                         bool isolation, bool reachable) {
  if (!enabled_) return -1;
  if (profile_.fault_item_update == FaultItemUpdate::kExtendOnlyWithReachable) {
    // LatencyFaultToleranceImpl@5.3.3: FaultItem.updateNotAvailableDuration only moves
    // startTimestamp forward; currentLatency and reachableFlag are overwritten.
    const int64_t duration = NotAvailableDurationFor(
        isolation ? (profile_.latency_table == LatencyTable::k5x ? kIsolationLatency5x
                                                                 : kIsolationLatency)
                  : latency_ms);
    const int64_t now = now_ms_();
    FaultItem* item = nullptr;
    for (FaultItem& f : items_) {
      if (f.name == broker) item = &f;
    }
    if (item == nullptr) {
      items_.push_back(FaultItem{broker, latency_ms, 0, next_insertion_++, reachable, 0});
      item = &items_.back();
    }
    item->current_latency = latency_ms;
    if (duration > 0 && now + duration > item->start_timestamp) {
      item->start_timestamp = now + duration;
    }
    item->reachable = reachable;
    return duration;
  }
  int64_t duration = NotAvailableDuration(isolation ? kIsolationLatency : latency_ms);
  // LatencyFaultToleranceImpl.updateFaultItem: overwrite latency and start timestamp.
  for (FaultItem& f : items_) {
    if (f.name == broker) {
      f.current_latency = latency_ms;
      f.start_timestamp = now_ms_() + duration;
      return duration;
    }
  }
  items_.push_back(FaultItem{broker, latency_ms, now_ms_() + duration, next_insertion_++});
  return duration;
}

const FaultItem* MQFaultStrategy::Find(const std::string& broker) const {
  for (const FaultItem& f : items_) {
    if (f.name == broker) return &f;
  }
  return nullptr;
}

bool MQFaultStrategy::IsAvailable(const std::string& broker) const {
  const FaultItem* f = Find(broker);
  return f == nullptr || now_ms_() - f->start_timestamp >= 0;
}

bool MQFaultStrategy::IsReachable(const std::string& broker) const {
  const FaultItem* f = Find(broker);
  return f == nullptr || f->reachable;
}

void MQFaultStrategy::Remove(const std::string& broker) {
  items_.erase(std::remove_if(items_.begin(), items_.end(),
                              [&](const FaultItem& f) { return f.name == broker; }),
               items_.end());
}

std::vector<FaultItem> MQFaultStrategy::MapOrder() const {
  size_t buckets = 32;
  while (items_.size() > buckets * 3 / 4) buckets *= 2;
  std::vector<FaultItem> v = items_;
  auto bucket = [buckets](const FaultItem& f) {
    uint32_t h = static_cast<uint32_t>(java::StringHashCode(f.name));
    return (h ^ (h >> 16)) & (buckets - 1);
  };
  std::stable_sort(v.begin(), v.end(), [&](const FaultItem& a, const FaultItem& b) {
    if (bucket(a) != bucket(b)) return bucket(a) < bucket(b);
    return a.insertion < b.insertion;
  });
  return v;
}

std::string MQFaultStrategy::PickOneAtLeast(const core::SimThread& thread) {
  std::vector<FaultItem> list = MapOrder();
  if (list.empty()) return std::string();
  if (profile_.pick_one_at_least_shuffles) {
    // Collections.shuffle: for i = size..2, swap(i-1, rnd.nextInt(i)).
    for (size_t i = list.size(); i > 1; --i) {
      size_t j = static_cast<size_t>(shuffle_rng_.NextJavaInt(static_cast<int32_t>(i)));
      std::swap(list[i - 1], list[j]);
    }
  }
  int64_t now = now_ms_();
  auto available = [now](const FaultItem& f) { return now - f.start_timestamp >= 0; };
  // Collections.sort (stable) with FaultItem.compareTo.
  std::stable_sort(list.begin(), list.end(), [&](const FaultItem& a, const FaultItem& b) {
    if (available(a) != available(b)) return available(a);
    if (a.current_latency != b.current_latency) return a.current_latency < b.current_latency;
    return a.start_timestamp < b.start_timestamp;
  });
  int32_t half = static_cast<int32_t>(list.size() / 2);
  if (half <= 0) return list[0].name;
  int32_t i = java::Rem(which_item_worst_.IncrementAndGet(thread), half);
  // A negative index (abs(MIN_VALUE) % half) would throw IndexOutOfBounds upstream; it is caught by
  // selectOneMessageQueue's catch-all like any other exception there.
  if (i < 0) return std::string();
  return list[static_cast<size_t>(i)].name;
}

MQFaultStrategy::Selection MQFaultStrategy::SelectFiltered(TopicPublishInfo& tp,
                                                           const std::string* last,
                                                           const core::SimThread& thread,
                                                           bool reset_index) {
  // MQFaultStrategy@5.3.3 with its thread's BrokerFilter (lastBrokerName).
  auto not_last = [last](const MessageQueue& mq) {
    return last == nullptr || mq.broker_name != *last;
  };
  auto selection = [&](std::shared_ptr<MessageQueue> mq, Selection::How how) {
    return Selection{std::move(mq), how, enabled_ && reset_index,
                     last == nullptr ? std::string() : *last};
  };
  if (enabled_) {
    if (reset_index) tp.send_which_queue().Reset(thread);
    if (auto mq = tp.SelectFiltered(thread, [&](const MessageQueue& q) {
          return IsAvailable(q.broker_name) && not_last(q);
        })) {
      return selection(std::move(mq), Selection::How::kAvailable);
    }
    if (auto mq = tp.SelectFiltered(thread, [&](const MessageQueue& q) {
          return IsReachable(q.broker_name) && not_last(q);
        })) {
      return selection(std::move(mq), Selection::How::kReachable);
    }
    return selection(tp.SelectPlain5x(thread), Selection::How::kNoneReachable);
  }
  if (auto mq = tp.SelectFiltered(thread, not_last)) {
    return selection(std::move(mq), Selection::How::kRoundRobin);
  }
  return selection(tp.SelectPlain5x(thread), Selection::How::kRoundRobinOnlyLast);
}

std::string MQFaultStrategy::Selection::how() const {
  const std::string reset = index_reset ? "index reset, " : "";
  const std::string skip = broker.empty() ? "" : ", not " + broker;
  switch (kind) {
    case How::kRoundRobin:
      return broker.empty() ? "round robin" : "round robin skipping " + broker;
    case How::kRoundRobinOnlyLast:
      return "round robin (only " + broker + " left)";
    case How::kAvailable:
      return reset + "available" + skip;
    case How::kReachable:
      return reset + "none available" + skip + ": reachable";
    case How::kNoneReachable:
      return reset + "none available or reachable" + skip + ": round robin";
    case How::kFirstAvailable:
      return "first available broker";
    case How::kNotBestBrokerRewrote:
      return "all brokers unavailable: notBestBroker " + broker + " rewrote a shared queue (Q1)";
    case How::kNotBestBroker:
      return "all brokers unavailable: notBestBroker " + broker;
    case How::kAllUnavailable:
      return "all brokers unavailable: round robin";
  }
  RMQ_FAIL() << "unknown selection kind " << static_cast<int>(kind);
}

core::Task<void> MQFaultStrategy::DetectByOneRound(core::SimThread& t, int64_t detect_interval_ms,
                                                   Resolve resolve, Detect detect,
                                                   std::function<void(std::string)> log) {
  // for (entry : faultItemTable.entrySet()) in ConcurrentHashMap order.
  std::vector<FaultItem> snapshot = MapOrder();
  for (const FaultItem& snap : snapshot) {
    FaultItem* item = nullptr;
    for (FaultItem& f : items_) {
      if (f.name == snap.name) item = &f;
    }
    if (item == nullptr) continue;
    const int64_t now = now_ms_();
    if (now - item->check_stamp < 0) continue;
    item->check_stamp = now + detect_interval_ms;
    std::optional<std::string> addr = resolve(item->name);
    const std::string name = item->name;
    if (!addr) {
      Remove(name);
      log(name + ": no address in the route, fault item removed");
      continue;
    }
    bool ok = co_await detect(t, *addr);
    item = nullptr;
    for (FaultItem& f : items_) {
      if (f.name == name) item = &f;
    }
    if (item == nullptr) continue;
    if (ok && !item->reachable) {
      item->reachable = true;
      log(name + ": probe answered, reachable again");
    } else {
      log(name + (ok ? ": probe answered" : ": probe failed, reachable stays ") +
          (ok ? std::string() : std::string(item->reachable ? "true" : "false")));
    }
  }
}

MQFaultStrategy::Selection MQFaultStrategy::SelectOneMessageQueue(TopicPublishInfo& tp,
                                                                  const std::string* last,
                                                                  const core::SimThread& thread,
                                                                  bool reset_index) {
  if (profile_.fault_selection == FaultSelection::kFilters) {
    return SelectFiltered(tp, last, thread, reset_index);
  }
  if (!enabled_) {
    return {tp.SelectOneMessageQueue(thread, last), Selection::How::kRoundRobin, false,
            last == nullptr ? std::string() : *last};
  }
  const auto& list = tp.message_queue_list;
  int32_t index = tp.send_which_queue().IncrementAndGet(thread);
  for (size_t i = 0; i < list.size(); ++i) {
    int32_t pos = java::Rem(java::Abs(index), static_cast<int32_t>(list.size()));
    index = java::Increment(index);
    if (pos < 0) pos = 0;
    if (IsAvailable(list[pos]->broker_name)) {
      return {list[pos], Selection::How::kFirstAvailable, false, std::string()};
    }
  }
  std::string not_best = PickOneAtLeast(thread);
  if (!not_best.empty()) {
    int32_t write_queue_nums =
        tp.GetQueueIdByBroker(not_best, profile_.queue_id_by_broker_requires_write_perm);
    if (write_queue_nums > 0) {
      std::shared_ptr<MessageQueue> mq = tp.SelectOneMessageQueue(thread);
      int32_t queue_id = java::Rem(tp.send_which_queue().IncrementAndGet(thread), write_queue_nums);
      if (profile_.not_best_broker_queue == NotBestBrokerQueue::kMutateSharedQueue) {
        // Quirk Q1: the shared list element itself is rewritten until the next route change.
        mq->broker_name = not_best;
        mq->queue_id = queue_id;
        return {mq, Selection::How::kNotBestBrokerRewrote, false, not_best};
      }
      return {std::make_shared<MessageQueue>(MessageQueue{mq->topic, not_best, queue_id}),
              Selection::How::kNotBestBroker, false, not_best};
    }
    Remove(not_best);
  }
  return {tp.SelectOneMessageQueue(thread), Selection::How::kAllUnavailable, false, std::string()};
}

}  // namespace rmqsim::sim
