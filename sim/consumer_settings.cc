#include "sim/consumer_settings.h"

namespace rmqsim::sim {
namespace {

using core::SimDuration;
using T = ConsumerSettingType;

SimDuration Dur(const ConsumerSettingValue& v) { return std::get<SimDuration>(v); }
int32_t Int(const ConsumerSettingValue& v) { return static_cast<int32_t>(std::get<int64_t>(v)); }

constexpr int64_t kOneDayMs = 24LL * 3600 * 1000;

// Bounds follow DefaultMQPushConsumerImpl.checkConfig@4.9.0 where it checks the field.
std::vector<ConsumerSettingInfo> MakeConsumerSettings() {
  return {
      {"max_reconsume_times", T::kInt,
       "DefaultMQPushConsumer.maxReconsumeTimes (-1: 16 concurrently, Integer.MAX_VALUE orderly)",
       -1, INT32_MAX,
       [](ConsumerSettings& s, const ConsumerSettingValue& v) { s.max_reconsume_times = Int(v); }},
      {"consume_timeout", T::kDuration, "DefaultMQPushConsumer.consumeTimeout (minutes upstream)",
       1, kOneDayMs,
       [](ConsumerSettings& s, const ConsumerSettingValue& v) { s.consume_timeout = Dur(v); }},
      {"consume_thread_min", T::kInt, "DefaultMQPushConsumer.consumeThreadMin", 1, 1000,
       [](ConsumerSettings& s, const ConsumerSettingValue& v) { s.consume_thread_min = Int(v); }},
      {"consume_message_batch_max_size", T::kInt,
       "DefaultMQPushConsumer.consumeMessageBatchMaxSize", 1, 1024,
       [](ConsumerSettings& s, const ConsumerSettingValue& v) {
         s.consume_message_batch_max_size = Int(v);
       }},
      {"pull_batch_size", T::kInt, "DefaultMQPushConsumer.pullBatchSize", 1, 1024,
       [](ConsumerSettings& s, const ConsumerSettingValue& v) { s.pull_batch_size = Int(v); }},
      {"pull_interval", T::kDuration, "DefaultMQPushConsumer.pullInterval", 0, 65535,
       [](ConsumerSettings& s, const ConsumerSettingValue& v) { s.pull_interval = Dur(v); }},
      {"pull_threshold_for_queue", T::kInt, "DefaultMQPushConsumer.pullThresholdForQueue", 1,
       65535,
       [](ConsumerSettings& s, const ConsumerSettingValue& v) {
         s.pull_threshold_for_queue = Int(v);
       }},
      {"consume_concurrently_max_span", T::kInt,
       "DefaultMQPushConsumer.consumeConcurrentlyMaxSpan", 1, 65535,
       [](ConsumerSettings& s, const ConsumerSettingValue& v) {
         s.consume_concurrently_max_span = Int(v);
       }},
      {"suspend_current_queue_time_millis", T::kDuration,
       "DefaultMQPushConsumer.suspendCurrentQueueTimeMillis (used clamped to [10 ms, 30 s])", 0,
       kOneDayMs,
       [](ConsumerSettings& s, const ConsumerSettingValue& v) {
         s.suspend_current_queue_time_millis = Dur(v);
       }},
      {"persist_consumer_offset_interval", T::kDuration,
       "ClientConfig.persistConsumerOffsetInterval", 1, kOneDayMs,
       [](ConsumerSettings& s, const ConsumerSettingValue& v) {
         s.persist_consumer_offset_interval = Dur(v);
       }},
      {"pull_time_delay_mills_when_exception", T::kDuration,
       "ClientConfig.pullTimeDelayMillsWhenException", 0, kOneDayMs,
       [](ConsumerSettings& s, const ConsumerSettingValue& v) {
         s.pull_time_delay_mills_when_exception = Dur(v);
       }},
      {"poll_name_server_interval", T::kDuration, "ClientConfig.pollNameServerInterval", 1,
       kOneDayMs,
       [](ConsumerSettings& s, const ConsumerSettingValue& v) {
         s.poll_name_server_interval = Dur(v);
       }},
      {"heartbeat_broker_interval", T::kDuration, "ClientConfig.heartbeatBrokerInterval", 1,
       kOneDayMs,
       [](ConsumerSettings& s, const ConsumerSettingValue& v) {
         s.heartbeat_broker_interval = Dur(v);
       }},
  };
}

}  // namespace

const std::vector<ConsumerSettingInfo>& AllConsumerSettings() {
  static const std::vector<ConsumerSettingInfo>* settings =
      new std::vector<ConsumerSettingInfo>(MakeConsumerSettings());
  return *settings;
}

const ConsumerSettingInfo* FindConsumerSetting(std::string_view key) {
  for (const ConsumerSettingInfo& s : AllConsumerSettings()) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

}  // namespace rmqsim::sim
