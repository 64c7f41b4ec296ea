#include "sim/route.h"

#include <algorithm>

#include "core/java.h"
#include "core/random.h"

namespace rmqsim::sim {

namespace java = core::java;

void TopicRouteData::SortByBrokerName() {
  auto by_qd = [](const QueueData& a, const QueueData& b) {
    return java::StringCompareTo(a.broker_name, b.broker_name) < 0;
  };
  auto by_bd = [](const BrokerData& a, const BrokerData& b) {
    return java::StringCompareTo(a.broker_name, b.broker_name) < 0;
  };
  std::stable_sort(queue_datas.begin(), queue_datas.end(), by_qd);
  std::stable_sort(broker_datas.begin(), broker_datas.end(), by_bd);
}

int32_t ThreadLocalIndex::IncrementAndGet(const core::SimThread& thread) {
  auto it = values_.find(ThreadKey{thread});
  if (it == values_.end()) {
    core::Rng rng = core::Rng::ForStream(run_seed_, prefix_ + "/thread:" + thread.name());
    int32_t start = rng.NextJavaInt();
    // 4.9.x: Math.abs(random.nextInt()) (abs(MIN_VALUE) stays negative, as in Java).
    // 5.3.3: random.nextInt() as drawn.
    if (start_ == ThreadIndexStart::kAbsNextInt) start = java::Abs(start);
    it = values_.emplace(thread.name(), start).first;
  }
  it->second = java::Increment(it->second);
  if (overflow_ == ThreadIndexOverflow::kMasked) return java::Abs(it->second & 0x7FFFFFFF);
  return java::Abs(it->second);
}

void ThreadLocalIndex::Reset(const core::SimThread& thread) {
  if (!reset_rng_) {
    reset_rng_ = std::make_unique<core::Rng>(core::Rng::ForStream(run_seed_, prefix_ + "/reset"));
  }
  values_[thread.name()] = java::Abs(reset_rng_->NextJavaInt(INT32_MAX));
}

bool ThreadLocalIndex::Peek(const core::SimThread& thread, int32_t* value) const {
  auto it = values_.find(ThreadKey{thread});
  if (it == values_.end()) return false;
  *value = it->second;
  return true;
}

namespace {
int32_t PosOf(int32_t index, size_t n) {
  int32_t pos = java::Rem(java::Abs(index), static_cast<int32_t>(n));
  return pos < 0 ? 0 : pos;
}
}  // namespace

std::shared_ptr<MessageQueue> TopicPublishInfo::SelectOneMessageQueue(const core::SimThread& t) {
  int32_t index = send_which_queue_.IncrementAndGet(t);
  return message_queue_list[PosOf(index, message_queue_list.size())];
}

std::shared_ptr<MessageQueue> TopicPublishInfo::SelectOneMessageQueue(
    const core::SimThread& t, const std::string* last_broker_name) {
  if (last_broker_name == nullptr) return SelectOneMessageQueue(t);
  for (size_t i = 0; i < message_queue_list.size(); ++i) {
    int32_t index = send_which_queue_.IncrementAndGet(t);
    const auto& mq = message_queue_list[PosOf(index, message_queue_list.size())];
    if (mq->broker_name != *last_broker_name) return mq;
  }
  return SelectOneMessageQueue(t);
}

std::shared_ptr<MessageQueue> TopicPublishInfo::SelectFiltered(
    const core::SimThread& t, const std::function<bool(const MessageQueue&)>& filter) {
  const int32_t n = static_cast<int32_t>(message_queue_list.size());
  for (int32_t i = 0; i < n; ++i) {
    int32_t pos = java::Abs(java::Rem(send_which_queue_.IncrementAndGet(t), n));
    const auto& mq = message_queue_list[static_cast<size_t>(pos)];
    if (filter(*mq)) return mq;
  }
  return nullptr;
}

std::shared_ptr<MessageQueue> TopicPublishInfo::SelectPlain5x(const core::SimThread& t) {
  const int32_t n = static_cast<int32_t>(message_queue_list.size());
  int32_t pos = java::Rem(send_which_queue_.IncrementAndGet(t), n);
  return message_queue_list[static_cast<size_t>(pos)];
}

int32_t TopicPublishInfo::GetQueueIdByBroker(const std::string& broker_name,
                                             bool require_write_perm) const {
  for (const QueueData& qd : topic_route_data.queue_datas) {
    if (qd.broker_name == broker_name) {
      if (require_write_perm && (qd.perm & kPermWrite) == 0) return -1;
      return qd.write_queue_nums;
    }
  }
  return -1;
}

std::shared_ptr<TopicPublishInfo> BuildTopicPublishInfo(const std::string& topic,
                                                        const TopicRouteData& route,
                                                        uint64_t run_seed,
                                                        std::string stream_prefix,
                                                        ThreadIndexOverflow overflow,
                                                        ThreadIndexStart start) {
  auto info =
      std::make_shared<TopicPublishInfo>(run_seed, std::move(stream_prefix), overflow, start);
  TopicRouteData sorted = route;
  std::stable_sort(sorted.queue_datas.begin(), sorted.queue_datas.end(),
                   [](const QueueData& a, const QueueData& b) {
                     return java::StringCompareTo(a.broker_name, b.broker_name) < 0;
                   });
  for (const QueueData& qd : sorted.queue_datas) {
    if ((qd.perm & kPermWrite) == 0) continue;
    const BrokerData* bd = nullptr;
    for (const BrokerData& b : route.broker_datas) {
      if (b.broker_name == qd.broker_name) bd = &b;
    }
    if (bd == nullptr || bd->broker_addrs.count(0) == 0) continue;
    for (int32_t i = 0; i < qd.write_queue_nums; ++i) {
      info->message_queue_list.push_back(
          std::make_shared<MessageQueue>(MessageQueue{topic, qd.broker_name, i}));
    }
  }
  info->topic_route_data = route;
  return info;
}

}  // namespace rmqsim::sim
