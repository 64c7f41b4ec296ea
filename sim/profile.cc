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
      // 5.3.3 only.
      {"start_detector_enable", T::kBool, "ClientConfig.startDetectorEnable (5.x)", {"5.3.3"}, 0,
       1, [](ProducerSettings& s, const SettingValue& v) { s.start_detector_enable = Bool(v); }},
      {"detect_timeout", T::kDuration, "ClientConfig.detectTimeout (5.x)", {"5.3.3"}, 0, kOneDayMs,
       [](ProducerSettings& s, const SettingValue& v) { s.detect_timeout = Dur(v); }},
      {"detect_interval", T::kDuration, "ClientConfig.detectInterval (5.x)", {"5.3.3"}, 0,
       kOneDayMs,
       [](ProducerSettings& s, const SettingValue& v) { s.detect_interval = Dur(v); }},
      {"send_msg_max_timeout_per_request", T::kDuration,
       "DefaultMQProducer.sendMsgMaxTimeoutPerRequest (5.x; unset = -1, off)", {"5.3.3"}, 0,
       kOneDayMs,
       [](ProducerSettings& s, const SettingValue& v) {
         s.send_msg_max_timeout_per_request_ms = Dur(v).floor_ms();
       }},
      {"enable_backpressure_for_async_mode", T::kBool,
       "DefaultMQProducer.enableBackpressureForAsyncMode (5.x)", {"5.3.3"}, 0, 1,
       [](ProducerSettings& s, const SettingValue& v) {
         s.enable_backpressure_for_async_mode = Bool(v);
       }},
      {"back_pressure_for_async_send_num", T::kInt,
       "DefaultMQProducer.backPressureForAsyncSendNum (5.x; at least 10 is used)", {"5.3.3"}, 1,
       INT32_MAX,
       [](ProducerSettings& s, const SettingValue& v) {
         s.back_pressure_for_async_send_num = Int(v);
       }},
      {"back_pressure_for_async_send_size", T::kInt,
       "DefaultMQProducer.backPressureForAsyncSendSize (5.x; bytes, at least 1 MiB is used)",
       {"5.3.3"}, 1, INT32_MAX,
       [](ProducerSettings& s, const SettingValue& v) {
         s.back_pressure_for_async_send_size = Int(v);
       }},
      {"enable_reconnect_for_go_away", T::kBool, "NettyClientConfig.enableReconnectForGoAway (5.x)",
       {"5.3.3"}, 0, 1,
       [](ProducerSettings& s, const SettingValue& v) {
         s.enable_reconnect_for_go_away = Bool(v);
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
  p.async_connect = AsyncConnect::kBlocking;
  p.async_callback = AsyncCallback::kOperationComplete;
  p.async_retry_requires_budget = false;
  p.client_exception_isolates = true;
  p.fault_item_update = FaultItemUpdate::kOverwrite;
  p.latency_table = LatencyTable::k49x;
  p.fault_selection = FaultSelection::kAvailableThenNotBestBroker;
  p.reset_index_on_retry = false;
  p.thread_index_start = ThreadIndexStart::kAbsNextInt;
  p.close_socket_if_timeout_gated = false;
  p.fail_fast_on_peer_close = false;
  p.timeout_scanner = TimeoutScanner::kTimerFixedRate;
  p.oneway_connect_async = false;
  p.sync_uses_async_semaphore = false;
  p.namesrv_channel = NamesrvChannel::kTryEachBlocking;
  p.tbw102_placeholder = true;
  p.per_request_timeout_cap = false;
  p.async_backpressure = false;
  p.latency_detector = false;
  p.go_away_handling = false;
  p.namesrv_scan = NamesrvScan::kFirst5sEvery10s;
  p.namesrv_answers_unsupported = false;
  p.broker_page_cache_busy_code = 1;  // SYSTEM_ERROR
  p.broker_bad_queue_id_code = 1;     // SYSTEM_ERROR
  p.netty_version = "4.0.42.Final";
  p.defaults.client_close_socket_if_timeout = false;  // NettyClientConfig@4.9.0
  // Consumers (rocketmq-consumer-behaviour.md §8, 4.9.0 column).
  p.consumer.cleaner_dies_on_missing_start_time = true;  // [PQ.cleanExpiredMsg@4.9.0]
  p.consumer.skip_send_back_of_uncached = false;
  p.consumer.send_back_without_master = SendBackWithoutMaster::kNameServerChannel;  // [DPCI@4.9.x]
  p.consumer.cleaner_target = CleanerSendBackTarget::kStoreHost;  // [DPC.sendMessageBack@4.9.x]
  p.consumer.send_back_dlq_clears_delay = false;  // [SMP.asyncConsumerSendMsgBack@4.9.0] (E22)
  p.consumer.retry_send_dlq_rule = RetrySendDlqRule::kAtLeastMaxKeepDelay;  // [SMP@4.9.x]
  p.consumer.retry_send_null_max_rejected = true;  // [SMP.handleRetryAndDLQ@4.9.0]
  p.consumer.dlq_readable = false;                 // PERM_WRITE [SMP@4.9.0]
  p.consumer.orderly_copy_reconsume_time_plus_one = false;  // [CMOS@4.9.x]
  p.consumer.orderly_copy_keeps_origin_msg_id = false;      // [CMOS@4.9.0, 4.9.3]
  p.consumer.schedule_not_due = ScheduleNotDue::kExactTimer;    // [SMS@4.9.0]
  p.consumer.schedule_progress = ScheduleProgress::kPerEntry;   // [SMS@4.9.0]
  p.consumer.rebalance_min_interval = false;                    // [RS@4.9.x]
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
  p.netty_version = "4.1.65.Final";
  p.defaults.client_close_socket_if_timeout = true;  // NettyClientConfig@4.9.3 (property default)
  // Consumers: cleaner null check + catch (e425c097ad, cc478bd425); send-back DLQ DELAY 0
  // (8434658798); null maxReconsumeTimes tolerated (86c1216957); readable DLQ (0a16ff6a5f);
  // 18-thread schedule pool polling every 100 ms (b35f3e4459) whose syncDeliver records the run's
  // start offset + 1 [SMS@4.9.3].
  p.consumer.cleaner_dies_on_missing_start_time = false;
  p.consumer.send_back_dlq_clears_delay = true;
  p.consumer.retry_send_null_max_rejected = false;
  p.consumer.dlq_readable = true;
  p.consumer.schedule_not_due = ScheduleNotDue::kPoll100ms;
  p.consumer.schedule_progress = ScheduleProgress::kRunStartPlusOne;
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
  // Schedule progress per entry again (8cd998829a, #3967, first in 4.9.4); the orderly copy keeps
  // ORIGIN_MESSAGE_ID (45010d9bdf, #4050, first in 4.9.4) [SMS, CMOS @rocketmq-all-4.9.8].
  p.consumer.schedule_progress = ScheduleProgress::kPerEntry;
  p.consumer.orderly_copy_keeps_origin_msg_id = true;
  return p;
}

// rocketmq-all-5.3.3, the current line. Every field below is asked where the 5.3.3 source
// differs from 4.9.8; rocketmq-behaviour.md §11 is the summary.
Profile Make533() {
  Profile p = Make498();
  p.name = "5.3.3";
  p.upstream_tag = "rocketmq-all-5.3.3";
  p.summary = "async connect listener, failFast on FIN, filters + reachable, 10 s isolation, Q9";
  // invokeAsync/invokeOneway attach a listener to getAndCreateChannelAsync's future
  // [NRC@5.3.3 invokeAsync, invokeOneway].
  p.async_connect = AsyncConnect::kListener;
  p.oneway_connect_async = true;
  // operationSucceed / operationFail [API@5.3.3 sendMessageAsync].
  p.async_callback = AsyncCallback::kSucceedOrFail;
  p.async_sync_throw = AsyncSyncThrow::kCaughtAndRetried;  // its own catch-all remains
  // `needRetry && tmp <= timesTotal && timeoutMillis > 0` [API@5.3.3 onExceptionImpl].
  p.async_retry_requires_budget = true;
  // catch (MQClientException e): updateFaultItem(…, false, true) [DMPI@5.3.3 sendDefaultImpl].
  p.client_exception_isolates = false;
  // FaultItem.updateNotAvailableDuration + setReachable [LFT@5.3.3].
  p.fault_item_update = FaultItemUpdate::kExtendOnlyWithReachable;
  p.latency_table = LatencyTable::k5x;                 // [MFS@5.3.3]
  p.fault_selection = FaultSelection::kFilters;        // [MFS@5.3.3 selectOneMessageQueue]
  p.reset_index_on_retry = true;                       // [DMPI@5.3.3, MFS@5.3.3]
  p.thread_index_start = ThreadIndexStart::kNextInt;   // [TLI@5.3.3]
  p.queue_id_by_broker_requires_write_perm = false;    // getQueueIdByBroker is gone (n/a)
  p.close_socket_if_timeout_gated = true;              // [NRC@5.3.3 invokeSync]
  p.fail_fast_on_peer_close = true;                    // [NRC@5.3.3 channelInactive]
  p.timeout_scanner = TimeoutScanner::kWheelFixedDelay;  // [NRC@5.3.3 start]
  p.sync_uses_async_semaphore = true;                  // [NRA@5.3.3 invokeSyncImpl, invoke0]
  p.namesrv_channel = NamesrvChannel::kChooseOneAsync;   // [NRC@5.3.3]
  p.tbw102_placeholder = false;                        // [DMPI@5.3.3 start]
  p.per_request_timeout_cap = true;                    // [DMPI@5.3.3 sendDefaultImpl]
  p.async_backpressure = true;                         // [DMPI@5.3.3 executeAsyncMessageSend]
  p.latency_detector = true;                           // [LFT@5.3.3 startDetector]
  p.go_away_handling = true;                           // [NRC@5.3.3 invokeImpl]
  p.namesrv_scan = NamesrvScan::kFirst5msEvery5s;      // [NSCTL@5.3.3, NSCFG@5.3.3]
  p.namesrv_answers_unsupported = true;                // [namesrv DefaultRequestProcessor@5.3.3]
  p.broker_page_cache_busy_code = 2;                   // SYSTEM_BUSY [SMP@5.3.3]
  p.broker_bad_queue_id_code = 29;                     // INVALID_PARAMETER [ASMP@5.3.3]
  p.netty_version = "4.1.114.Final";
  // DefaultMQProducer.retryResponseCodes adds SYSTEM_BUSY and GO_AWAY [DMP@5.3.3].
  p.defaults.retry_response_codes = {17, 14, 1, 2, 16, 204, 205, 1500};
  // Consumers [CMCS, DPC, DPCI, CMOS, RS @5.3.3; SendMessageProcessor.handleRetryAndDLQ@5.3.3].
  p.consumer.skip_send_back_of_uncached = true;
  p.consumer.send_back_without_master = SendBackWithoutMaster::kThrowImmediately;
  p.consumer.cleaner_target = CleanerSendBackTarget::kPulledBrokerMaster;
  p.consumer.retry_send_dlq_rule = RetrySendDlqRule::kAboveMaxOrLockedImmediate;
  p.consumer.orderly_copy_reconsume_time_plus_one = true;  // 7cfffe7f48, #6163
  p.consumer.rebalance_min_interval = true;
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
  static const Profile* p533 = new Profile(Make533());
  static const std::vector<const Profile*>* all =
      new std::vector<const Profile*>{p490, p493, p498, p533};
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
