// What push consumers and brokers exchange (rocketmq-consumer-behaviour.md §0, §2.4, §4, §6):
// the stored message as a pull returns it, the request and response bodies of the consumer
// protocol (HEART_BEAT with consumer data, PULL_MESSAGE, CONSUMER_SEND_MSG_BACK, offsets, consumer
// ids, queue locks), the %RETRY% send of the consumer's inner producer, and the consumer endpoint a
// broker notifies (NOTIFY_CONSUMER_IDS_CHANGED).
//
// A request carries its body in RemotingCommand::consumer; a response in RemotingCommand::body
// (a ConsumerResponse). Both are immutable once sent.
#ifndef RMQSIM_SIM_CONSUMER_PROTOCOL_H_
#define RMQSIM_SIM_CONSUMER_PROTOCOL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sim_time.h"

namespace rmqsim::sim {

using core::SimTime;

// Topic names [MixAll, TopicValidator @4.9.3].
inline constexpr std::string_view kRetryGroupTopicPrefix = "%RETRY%";
inline constexpr std::string_view kDlqGroupTopicPrefix = "%DLQ%";
inline constexpr std::string_view kScheduleTopic = "SCHEDULE_TOPIC_XXXX";
inline constexpr std::string_view kClientInnerProducerGroup = "CLIENT_INNER_PRODUCER";
inline std::string RetryTopic(std::string_view group) {
  return std::string(kRetryGroupTopicPrefix) + std::string(group);
}
inline std::string DlqTopic(std::string_view group) {
  return std::string(kDlqGroupTopicPrefix) + std::string(group);
}
inline bool IsRetryTopic(std::string_view topic) {
  return topic.substr(0, kRetryGroupTopicPrefix.size()) == kRetryGroupTopicPrefix;
}

// Response codes of the consumer protocol [ResponseCode@4.9.3].
namespace code {
inline constexpr int32_t kPullNotFound = 19;
inline constexpr int32_t kPullOffsetMoved = 21;
inline constexpr int32_t kQueryNotFound = 22;
inline constexpr int32_t kSubscriptionGroupNotExist = 26;
}  // namespace code

// One message as a broker's store holds it (MessageExt): every copy of a producer's message
// (original, %RETRY%, SCHEDULE_TOPIC_XXXX, %DLQ%) is one, and a pull hands these out.
struct StoredMessage {
  int64_t index = -1;        // the producer message's Recorder index (shared by every copy)
  std::string msg_id;        // UNIQ_KEY, the client msgId every copy keeps
  std::string broker;        // broker that stored this copy
  std::string store_host;    // MessageExt.storeHost: its address (send-back copies keep the old one)
  int64_t commit_offset = 0; // position in that broker's commit log
  std::string topic;
  int32_t queue_id = 0;
  int64_t queue_offset = 0;
  SimTime store_time;
  int64_t deliver_ms = 0;    // SCHEDULE_TOPIC_XXXX: the consume-queue tagsCode (deliver timestamp)
  int32_t reconsume_times = 0;  // a stored field, not a property
  int32_t body_size = 128;
  // Properties [MessageConst]: "" / 0 / nullopt when absent.
  std::string retry_topic;      // RETRY_TOPIC
  std::string origin_msg_id;    // ORIGIN_MESSAGE_ID
  int32_t delay_level = 0;      // DELAY as left in the stored properties (§4.4)
  std::string real_topic;       // REAL_TOPIC
  int32_t real_queue_id = -1;   // REAL_QID
  std::optional<int32_t> prop_reconsume_time;       // RECONSUME_TIME (fallback/orderly copies)
  std::optional<int32_t> prop_max_reconsume_times;  // MAX_RECONSUME_TIMES
  std::optional<int64_t> consume_start_ms;          // CONSUME_START_TIME (a fallback copy inherits it)
  // The consumer group a %RETRY%, schedule or %DLQ% copy belongs to (for the journey record).
  std::string group;
};
using StoredPtr = std::shared_ptr<const StoredMessage>;

// A registered consumer instance as a broker sees it (ClientChannelInfo): the broker notifies it.
class ConsumerEndpoint {
 public:
  virtual ~ConsumerEndpoint() = default;
  // NOTIFY_CONSUMER_IDS_CHANGED arrived: the client rebalances at once.
  virtual void OnConsumerIdsChanged(const std::string& group) = 0;
  // Whether the process still runs (a notification to a dead process is lost).
  virtual bool alive() const = 0;
  // The client group whose network path faults apply (partition, crash).
  virtual const std::string& net_group() const = 0;
};

// The body of a consumer-protocol request, or of a %RETRY% send by a consumer's inner producer.
struct ConsumerRequest {
  std::string group;      // consumer group
  std::string client_id;  // "cg#0"
  // HEART_BEAT (consumer data).
  ConsumerEndpoint* endpoint = nullptr;
  bool clustering = true;
  std::vector<std::string> topics;  // subscribed topics (%RETRY% included when clustering)
  // PULL_MESSAGE, QUERY/UPDATE_CONSUMER_OFFSET, GET_MAX_OFFSET.
  std::string topic;
  int32_t queue_id = 0;
  int64_t offset = 0;
  int32_t max_msgs = 32;
  int64_t commit_offset = -1;        // piggy-backed commit (flag set only when > 0)
  int64_t suspend_timeout_ms = 0;    // long-poll hold (0: no suspend flag)
  // CONSUMER_SEND_MSG_BACK.
  int64_t commit_log_offset = 0;
  int32_t delay_level = 0;
  std::string origin_msg_id;
  std::string origin_topic;
  int32_t max_reconsume_times = 16;
  // LOCK_BATCH_MQ / UNLOCK_BATCH_MQ: (topic, queueId) on the addressed broker.
  std::vector<std::pair<std::string, int32_t>> queues;
  // SEND_MESSAGE to %RETRY%<group> by the inner producer (fallback or orderly copy): the message
  // and the counters the request header carries (only the first producer attempt has them).
  bool retry_send = false;
  StoredPtr consumed;                              // the message consumed (its properties)
  std::string retry_topic_prop;                    // RETRY_TOPIC set by the client
  std::string origin_msg_id_prop;                  // ORIGIN_MESSAGE_ID ("" when lost)
  int32_t delay_prop = 0;                          // DELAY = 3 + r
  std::optional<int32_t> header_reconsume_times;   // SendMessageRequestHeader.reconsumeTimes
  std::optional<int32_t> header_max_reconsume_times;
  std::optional<int32_t> prop_reconsume_time;      // stored as properties (first attempt only)
  std::optional<int32_t> prop_max_reconsume_times;
  std::optional<int64_t> consume_start_ms;         // CONSUME_START_TIME of the consumed message
  std::string via;                                 // "fallback" or "orderly" (journey text)
};

// The %RETRY% message a consumer hands its inner producer (Message.retry). Like the upstream
// property map the new message shares with the consumed one, the counters are read into the
// first request's header and then deleted, so later producer attempts carry neither (§2.4 step 3).
struct RetrySendProps {
  ConsumerRequest base;  // group, consumed, properties; counters in the header fields
  bool counters_taken = false;
  // The body of the next SEND_MESSAGE request built for this message.
  std::shared_ptr<const ConsumerRequest> BuildRequest() {
    auto r = std::make_shared<ConsumerRequest>(base);
    if (counters_taken) {
      r->header_reconsume_times.reset();
      r->header_max_reconsume_times.reset();
      r->prop_reconsume_time.reset();
      r->prop_max_reconsume_times.reset();
    }
    counters_taken = true;
    return r;
  }
};

enum class PullStatus { kFound, kNoNewMsg, kNoMatchedMsg, kOffsetIllegal };

// A response body.
struct ConsumerResponse {
  // PULL_MESSAGE.
  std::vector<StoredPtr> msgs;
  int64_t next_begin_offset = 0;
  int64_t min_offset = 0;
  int64_t max_offset = 0;
  // QUERY_CONSUMER_OFFSET, GET_MAX_OFFSET.
  int64_t offset = 0;
  // GET_CONSUMER_LIST_BY_GROUP.
  std::vector<std::string> consumer_ids;
  // LOCK_BATCH_MQ: the queue ids locked for the caller.
  std::vector<std::pair<std::string, int32_t>> locked;
};

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_CONSUMER_PROTOCOL_H_
