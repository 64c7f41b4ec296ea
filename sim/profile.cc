#include "sim/profile.h"

#include <algorithm>

namespace rmqsim::sim {
namespace {

SimDuration Dur(const SettingValue& v) { return std::get<SimDuration>(v); }
int32_t Int(const SettingValue& v) { return static_cast<int32_t>(std::get<int64_t>(v)); }
bool Bool(const SettingValue& v) { return std::get<bool>(v); }

constexpr int64_t kOneDayMs = 24LL * 3600 * 1000;

std::vector<SettingInfo> MakeSettings() {
  using T = SettingType;
  return {
      {"send_msg_timeout", T::kDuration, "DefaultMQProducer.sendMsgTimeout", {}, 0, kOneDayMs,
       [](ProducerSettings& s, const SettingValue& v) { s.send_msg_timeout = Dur(v); }},
      {"retry_times_when_send_failed", T::kInt, "DefaultMQProducer.retryTimesWhenSendFailed", {}, 0,
       1000, [](ProducerSettings& s, const SettingValue& v) { s.retry_times_when_send_failed = Int(v); }},
      {"retry_times_when_send_async_failed", T::kInt,
       "DefaultMQProducer.retryTimesWhenSendAsyncFailed", {}, 0, 1000,
       [](ProducerSettings& s, const SettingValue& v) {
         s.retry_times_when_send_async_failed = Int(v);
       }},
      {"retry_another_broker_when_not_store_ok", T::kBool,
       "DefaultMQProducer.retryAnotherBrokerWhenNotStoreOK", {}, 0, 1,
       [](ProducerSettings& s, const SettingValue& v) {
         s.retry_another_broker_when_not_store_ok = Bool(v);
       }},
      {"send_latency_fault_enable", T::kBool, "MQFaultStrategy.sendLatencyFaultEnable", {}, 0, 1,
       [](ProducerSettings& s, const SettingValue& v) { s.send_latency_fault_enable = Bool(v); }},
      {"poll_name_server_interval", T::kDuration, "ClientConfig.pollNameServerInterval", {}, 1,
       kOneDayMs,
       [](ProducerSettings& s, const SettingValue& v) { s.poll_name_server_interval = Dur(v); }},
      {"heartbeat_broker_interval", T::kDuration, "ClientConfig.heartbeatBrokerInterval", {}, 1,
       kOneDayMs,
       [](ProducerSettings& s, const SettingValue& v) { s.heartbeat_broker_interval = Dur(v); }},
      {"mq_client_api_timeout", T::kDuration, "ClientConfig.mqClientApiTimeout (4.9.3+)",
       {"4.9.3", "4.9.8", "5.3.3"}, 0, kOneDayMs,
       [](ProducerSettings& s, const SettingValue& v) { s.mq_client_api_timeout = Dur(v); }},
      {"connect_timeout", T::kDuration, "NettyClientConfig.connectTimeoutMillis", {}, 0, kOneDayMs,
       [](ProducerSettings& s, const SettingValue& v) { s.connect_timeout = Dur(v); }},
      {"client_close_socket_if_timeout", T::kBool, "NettyClientConfig.clientCloseSocketIfTimeout",
       {}, 0, 1,
       [](ProducerSettings& s, const SettingValue& v) { s.client_close_socket_if_timeout = Bool(v); }},
      {"client_async_semaphore_value", T::kInt, "NettyClientConfig.clientAsyncSemaphoreValue", {},
       1, INT32_MAX,
       [](ProducerSettings& s, const SettingValue& v) { s.client_async_semaphore_value = Int(v); }},
      {"client_oneway_semaphore_value", T::kInt, "NettyClientConfig.clientOnewaySemaphoreValue", {},
       1, INT32_MAX,
       [](ProducerSettings& s, const SettingValue& v) { s.client_oneway_semaphore_value = Int(v); }},
      {"default_topic_queue_nums", T::kInt, "DefaultMQProducer.defaultTopicQueueNums", {}, 1, 1024,
       [](ProducerSettings& s, const SettingValue& v) { s.default_topic_queue_nums = Int(v); }},
      {"client_callback_executor_threads", T::kInt, "ClientConfig.clientCallbackExecutorThreads",
       {}, 1, 1024,
       [](ProducerSettings& s, const SettingValue& v) {
         s.client_callback_executor_threads = Int(v);
       }},
      {"async_sender_executor_threads", T::kInt,
       "DefaultMQProducerImpl.defaultAsyncSenderExecutor pool size (availableProcessors)", {}, 1,
       1024,
       [](ProducerSettings& s, const SettingValue& v) { s.async_sender_executor_threads = Int(v); }},
      {"async_sender_queue_capacity", T::kInt,
       "DefaultMQProducerImpl.asyncSenderThreadPoolQueue capacity", {}, 1, 10000000,
       [](ProducerSettings& s, const SettingValue& v) { s.async_sender_queue_capacity = Int(v); }},
      {"retry_response_codes", T::kCodeList, "DefaultMQProducer.retryResponseCodes (4.9.2+)",
       {"4.9.3", "4.9.8", "5.3.3"}, 0, 100000,
       [](ProducerSettings& s, const SettingValue& v) {
         s.retry_response_codes = std::get<std::vector<int32_t>>(v);
       }},
  };
}

Profile Make490() {
  Profile p;
  p.name = "4.9.0";
  p.upstream_tag = "rocketmq-all-4.9.0";
  p.summary = "async connect failure not retried (#3556); Q1, Q2; closeSocketIfTimeout off";
  p.async_sync_throw = AsyncSyncThrow::kEscapesToSendLoop;
  p.async_retry_catch = AsyncRetryCatch::kPerTypeOnPreviousBroker;
  p.retry_code_source = RetryCodeSource::kHardCodedSwitch;
  p.not_best_broker_queue = NotBestBrokerQueue::kMutateSharedQueue;
  p.pick_one_at_least_shuffles = true;
  p.queue_id_by_broker_requires_write_perm = false;
  p.thread_index_overflow = ThreadIndexOverflow::kAbsReverses;
  p.call_timeout_text_has_addr = false;
  p.defaults.client_close_socket_if_timeout = false;  // NettyClientConfig@4.9.0
  return p;
}

Profile Make493() {
  Profile p = Make490();
  p.name = "4.9.3";
  p.upstream_tag = "rocketmq-all-4.9.3";
  p.summary = "#3556 fixed (80bcfbc926): async sync-throws caught and retried; Q1, Q3";
  p.async_sync_throw = AsyncSyncThrow::kCaughtAndRetried;
  p.async_retry_catch = AsyncRetryCatch::kCatchAllInSendMessageAsync;
  p.retry_code_source = RetryCodeSource::kConfigurableSet;
  p.call_timeout_text_has_addr = true;
  p.defaults.client_close_socket_if_timeout = true;  // NettyClientConfig@4.9.3 (property default)
  return p;
}

Profile Make498() {
  Profile p = Make493();
  p.name = "4.9.8";
  p.upstream_tag = "rocketmq-all-4.9.8";
  p.summary = "last 4.9.x: no Q1 (new MessageQueue), no shuffle, masked index; Q3 remains";
  // onExceptionImpl's per-type catch blocks were deleted [API@rocketmq-all-4.9.8].
  p.async_retry_catch = AsyncRetryCatch::kRemoved;
  // notBestBroker returns `new MessageQueue(topic, notBestBroker, id)` (f9f5465819, #7779)
  // [MFS@rocketmq-all-4.9.8].
  p.not_best_broker_queue = NotBestBrokerQueue::kNewQueue;
  // Collections.shuffle removed from pickOneAtLeast (03c5a3d171, #3985, first in 4.9.4)
  // [LFT@rocketmq-all-4.9.8].
  p.pick_one_at_least_shuffles = false;
  // getQueueIdByBroker skips QueueData without PermName.PERM_WRITE (8d2c6613be, #7713)
  // [TPI@rocketmq-all-4.9.8].
  p.queue_id_by_broker_requires_write_perm = true;
  // ThreadLocalIndex returns abs(index & 0x7FFFFFFF) (f08c79ff9f, #4349, first in 4.9.4)
  // [TLI@rocketmq-all-4.9.8].
  p.thread_index_overflow = ThreadIndexOverflow::kMasked;
  return p;
}

}  // namespace

bool SettingInfo::AvailableIn(std::string_view profile) const {
  return profiles.empty() || std::find(profiles.begin(), profiles.end(), profile) != profiles.end();
}

const std::vector<SettingInfo>& AllSettings() {
  static const std::vector<SettingInfo>* settings = new std::vector<SettingInfo>(MakeSettings());
  return *settings;
}

const SettingInfo* FindSetting(std::string_view key) {
  for (const SettingInfo& s : AllSettings()) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

const std::vector<const Profile*>& AllProfiles() {
  static const Profile* p490 = new Profile(Make490());
  static const Profile* p493 = new Profile(Make493());
  static const Profile* p498 = new Profile(Make498());
  static const std::vector<const Profile*>* all =
      new std::vector<const Profile*>{p490, p493, p498};
  return *all;
}

const Profile* FindProfile(std::string_view name) {
  for (const Profile* p : AllProfiles()) {
    if (p->name == name) return p;
  }
  return nullptr;
}

bool IsRetryableResponseCode(const Profile& p, const ProducerSettings& s, int32_t code) {
  if (p.retry_code_source == RetryCodeSource::kHardCodedSwitch) {
    switch (code) {
      case 17: case 14: case 1: case 16: case 204: case 205:
        return true;
      default:
        return false;
    }
  }
  return std::find(s.retry_response_codes.begin(), s.retry_response_codes.end(), code) !=
         s.retry_response_codes.end();
}

}  // namespace rmqsim::sim
