// Client behaviour profiles: one named RocketMQ client release as data.
//
// A Profile is a column of the decision table in ../shared/docs/architecture.md: every point where
// the modelled releases differ is one named field below, with the upstream evidence next to it,
// and the model asks `profile.<decision>` at exactly the place upstream differs. So "where does
// 4.9.3 differ from 4.9.0?" is answered by grepping for a field name, and a new release is a new
// column (plus the code paths only it has).
//
// Defaults of every producer setting live here too (ProducerSettings), as data. A scenario's
// producer `config:` overrides settings, never decisions.
#ifndef RMQSIM_SIM_PROFILE_H_
#define RMQSIM_SIM_PROFILE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/sim_time.h"
#include "sim/consumer_settings.h"

namespace rmqsim::sim {

using core::SimDuration;

// ---- Decisions (rocketmq-behaviour.md §11) -------------------------------------------------------

// What happens when invokeAsync throws synchronously on a send's first attempt (connect refused,
// connect timeout, "invokeAsync call timeout", semaphore) [API sendMessageAsync].
enum class AsyncSyncThrow {
  // 4.9.0: not caught in sendMessageAsync; escapes to sendDefaultImpl, which allows one attempt in
  // async mode: "Send [1] times, still failed" (#3556).
  kEscapesToSendLoop,
  // 4.9.3+ (fix 80bcfbc926): sendMessageAsync's catch-all isolates the broker and calls
  // onExceptionImpl(needRetry=true); sendDefaultImpl then records a success-style fault update (Q3).
  kCaughtAndRetried,
};

// onExceptionImpl's handling of a synchronous throw from the *retry* call [API onExceptionImpl].
enum class AsyncRetryCatch {
  // 4.9.0: per-type catch blocks. Connect / other RemotingException: updateFaultItem(previous
  // broker, 3000, isolation=true) (quirk Q2), retry with needRetry=true; TooMuchRequest and
  // Interrupted: recurse with needRetry=false.
  kPerTypeOnPreviousBroker,
  // 4.9.3: blocks still present but unreachable (sendMessageAsync catches everything itself).
  kCatchAllInSendMessageAsync,
  // 4.9.8, 5.3.3: the blocks are gone; onExceptionImpl calls sendMessageAsync, which never throws
  // [API@rocketmq-all-4.9.8, rocketmq-all-5.3.3 onExceptionImpl].
  kRemoved,
};

// How the sync retry loop decides whether an MQBrokerException code is retryable [DMPI].
enum class RetryCodeSource {
  kHardCodedSwitch,   // 4.9.0: switch {17,14,1,16,204,205}; not configurable
  kConfigurableSet,   // 4.9.2+: DefaultMQProducer.retryResponseCodes
};

// The fault-latency fallback when every broker is unavailable [MFS selectOneMessageQueue].
enum class NotBestBrokerQueue {
  kMutateSharedQueue,  // 4.9.0, 4.9.3 (..4.9.7): rewrites a shared list element in place (Q1)
  kNewQueue,           // 4.9.8: returns a new MessageQueue (f9f5465819)
};

// ThreadLocalIndex.incrementAndGet [TLI].
enum class ThreadIndexOverflow {
  kAbsReverses,  // 4.9.0, 4.9.3: abs(++v): after INT_MAX the round robin counts down
  kMasked,       // 4.9.4+: abs(++v & 0x7FFFFFFF)
};

// How invokeAsync obtains its channel [NRC invokeAsync, rocketmq-behaviour.md §4.1, §4.5].
enum class AsyncConnect {
  // 4.9.x: getAndCreateChannel blocks the calling thread up to connectTimeoutMillis and a failed
  // connect throws RemotingConnectException synchronously.
  kBlocking,
  // 5.3.3: getAndCreateChannelAsync + a listener on the connect future, run on the Netty event
  // loop: a failed connect calls operationFail(RemotingConnectException); a connect that succeeds
  // after the budget ran out calls operationFail(TooMuchRequest) and still sends (quirk Q9).
  kListener,
};

// The callback MQClientAPIImpl hands invokeAsync [API sendMessageAsync].
enum class AsyncCallback {
  // 4.9.x: operationComplete(responseFuture): "send request failed" / "wait response timeout
  // <T>ms" / "unknow reseaon", every one retried; latency from the ResponseFuture's begin.
  kOperationComplete,
  // 5.3.3: operationSucceed(response) / operationFail(throwable): "send request failed",
  // "wait response timeout, cost=N", "unknown reason" with needRetry = !(TooMuchRequest);
  // latency from sendMessageAsync's start; fault flags (…, isolation, reachable=true).
  kSucceedOrFail,
};

// What MQFaultStrategy.selectOneMessageQueue does with sendLatencyFaultEnable [MFS].
enum class FaultSelection {
  // 4.9.x: first available queue (lastBrokerName ignored), else pickOneAtLeast's notBestBroker.
  kAvailableThenNotBestBroker,
  // 5.3.3: optional index reset, then the first queue passing available∧notLast, then
  // reachable∧notLast, then plain round robin; pickOneAtLeast is not used.
  kFilters,
};

// LatencyFaultToleranceImpl.updateFaultItem [LFT].
enum class FaultItemUpdate {
  kOverwrite,                // 4.9.x: latency and startTimestamp overwritten (quirk Q3)
  kExtendOnlyWithReachable,  // 5.3.3: startTimestamp only moves forward; reachableFlag overwritten
};

// MQFaultStrategy latencyMax / notAvailableDuration and the isolation latency [MFS].
enum class LatencyTable {
  k49x,  // {50,100,550,1000,2000,3000,15000} -> {0,0,30s,60s,120s,180s,600s}; isolation = 30000
  k5x,   // {50,100,550,1800,3000,5000,15000} -> {0,0,2s,5s,6s,10s,30s}; isolation = 10000
};

// ThreadLocalIndex's first value on a thread [TLI].
enum class ThreadIndexStart {
  kAbsNextInt,  // 4.9.x: Math.abs(random.nextInt())
  kNextInt,     // 5.3.3: random.nextInt() (may be negative); reset() = abs(nextInt(MAX_VALUE))
};

// The async response-table scanner [NRC start, rocketmq-behaviour.md §4.3].
enum class TimeoutScanner {
  kTimerFixedRate,   // 4.9.x: java.util.Timer, first 3000 ms, fixed rate 1000 ms
  kWheelFixedDelay,  // 5.3.3: HashedWheelTimer (100 ms tick): first ≈3100 ms, then ≈1100 ms apart
};

// How the name-server channel is chosen [NRC getAndCreateNameserverChannel(Async)].
enum class NamesrvChannel {
  // 4.9.x: namesrvIndex = abs(nextInt() % 999) % 999; try each name server in turn, blocking.
  kTryEachBlocking,
  // 5.3.3: namesrvIndex = nextInt(999); choose one and start its connect (no loop).
  kChooseOneAsync,
};

// The name server's scanNotActiveBroker schedule [NSCTL, NSCFG].
enum class NamesrvScan {
  kFirst5sEvery10s,   // 4.9.x
  kFirst5msEvery5s,   // 5.3.3: scanNotActiveBrokerInterval = 5000
};

// ---- Settings ------------------------------------------------------------------------------------

// DefaultMQProducer, ClientConfig and NettyClientConfig fields the model uses, with the profile's
// defaults. Names are the snake_case of the upstream fields; the scenario `config:` key is the
// same name.
struct ProducerSettings {
  SimDuration send_msg_timeout = SimDuration::Millis(3000);           // DMP sendMsgTimeout
  int32_t retry_times_when_send_failed = 2;                           // DMP
  int32_t retry_times_when_send_async_failed = 2;                     // DMP
  bool retry_another_broker_when_not_store_ok = false;                // DMP
  bool send_latency_fault_enable = false;                             // MFS / CC
  SimDuration poll_name_server_interval = SimDuration::Millis(30000); // CC
  SimDuration heartbeat_broker_interval = SimDuration::Millis(30000); // CC
  SimDuration mq_client_api_timeout = SimDuration::Millis(3000);      // CC (4.9.3+; 4.9.0 hard-codes 3000)
  SimDuration connect_timeout = SimDuration::Millis(3000);            // NCC connectTimeoutMillis
  bool client_close_socket_if_timeout = false;                        // NCC (false 4.9.0, true 4.9.3+)
  int32_t client_async_semaphore_value = 65535;                       // NCC
  int32_t client_oneway_semaphore_value = 65535;                      // NCC
  int32_t default_topic_queue_nums = 4;                               // DMP
  // Runtime.availableProcessors() of the simulated client JVM sizes both pools upstream.
  int32_t client_callback_executor_threads = 4;                       // CC / NCC
  int32_t async_sender_executor_threads = 4;                          // DMPI (extension: upstream = CPUs)
  int32_t async_sender_queue_capacity = 50000;                        // DMPI LinkedBlockingQueue
  std::vector<int32_t> retry_response_codes = {17, 14, 1, 16, 204, 205};  // DMP (4.9.2+)
  // 5.3.3 only (the registry refuses them under other profiles).
  bool start_detector_enable = false;                                 // CC
  SimDuration detect_timeout = SimDuration::Millis(200);              // CC
  SimDuration detect_interval = SimDuration::Millis(2000);            // CC
  int64_t send_msg_max_timeout_per_request_ms = -1;                   // DMP (-1: off)
  bool enable_backpressure_for_async_mode = false;                    // DMP
  int32_t back_pressure_for_async_send_num = 10000;                   // DMP (at least 10 used)
  int32_t back_pressure_for_async_send_size = 100 * 1024 * 1024;      // DMP (at least 1 MiB used)
  bool enable_reconnect_for_go_away = true;                           // NCC
};

enum class SettingType { kDuration, kInt, kBool, kCodeList };

using SettingValue = std::variant<SimDuration, int64_t, bool, std::vector<int32_t>>;

// One `config:` key: its type, the profiles that have it, and how it is applied.
struct SettingInfo {
  std::string_view key;          // "send_msg_timeout"
  SettingType type;
  std::string_view upstream;     // "DefaultMQProducer.sendMsgTimeout"
  std::vector<std::string_view> profiles;  // empty: every profile has it
  // Inclusive bounds for kInt and kDuration (duration bounds in ms).
  int64_t min = 0;
  int64_t max = INT32_MAX;
  void (*apply)(ProducerSettings&, const SettingValue&) = nullptr;

  bool AvailableIn(std::string_view profile) const;
};

// Every known setting, in documentation order.
const std::vector<SettingInfo>& AllSettings();
const SettingInfo* FindSetting(std::string_view key);

// ---- Profiles ------------------------------------------------------------------------------------

struct Profile {
  std::string_view name;          // "4.9.0": the value used in `compare:`
  std::string_view upstream_tag;  // "rocketmq-all-4.9.0"
  std::string_view summary;       // one line for `rmqsim list`

  AsyncSyncThrow async_sync_throw;
  AsyncRetryCatch async_retry_catch;
  RetryCodeSource retry_code_source;
  NotBestBrokerQueue not_best_broker_queue;
  // LatencyFaultToleranceImpl.pickOneAtLeast shuffles the fault items before sorting (4.9.0,
  // 4.9.3; removed by 03c5a3d171 in 4.9.4).
  bool pick_one_at_least_shuffles;
  // TopicPublishInfo.getQueueIdByBroker counts only writable QueueData (8d2c6613be, 4.9.8).
  bool queue_id_by_broker_requires_write_perm;
  ThreadIndexOverflow thread_index_overflow;
  // invokeSync/invokeAsync "call timeout" texts carry the address (4.9.3+).
  bool call_timeout_text_has_addr;

  // ---- 5.3.3 (rocketmq-behaviour.md §11; each field is false / the 4.9.x value before) ----
  AsyncConnect async_connect;
  AsyncCallback async_callback;
  // onExceptionImpl retries only while the remaining budget is > 0 [API@5.3.3].
  bool async_retry_requires_budget;
  // sendDefaultImpl's MQClientException handler isolates the broker (4.9.x true; 5.3.3 records
  // (latency, isolation=false, reachable=true)) [DMPI].
  bool client_exception_isolates;
  FaultItemUpdate fault_item_update;
  LatencyTable latency_table;
  FaultSelection fault_selection;
  // selectOneMessageQueue(tp, last, resetIndex=times>0): sync retries restart the round robin at a
  // random position (fault tolerance on) [DMPI@5.3.3 sendDefaultImpl, MFS@5.3.3].
  bool reset_index_on_retry;
  ThreadIndexStart thread_index_start;
  // invokeSync closes the channel on a timeout only if clientCloseSocketIfTimeout and (left > 100
  // or left > timeout/4) [NRC@5.3.3 invokeSync].
  bool close_socket_if_timeout_gated;
  // NettyConnectManageHandler.channelInactive closes a channel the peer closed, which runs failFast
  // for its pending requests [NRC@5.3.3].
  bool fail_fast_on_peer_close;
  TimeoutScanner timeout_scanner;
  // invokeOneway connects asynchronously; a failed connect is dropped silently [NRC@5.3.3].
  bool oneway_connect_async;
  // invokeSync goes through invokeImpl/invoke0: it takes a semaphoreAsync permit, and any
  // exceptional completion surfaces as RemotingSendRequestException [NRA@5.3.3 invokeSyncImpl].
  bool sync_uses_async_semaphore;
  NamesrvChannel namesrv_channel;
  // DefaultMQProducerImpl.start puts an empty TopicPublishInfo for createTopicKey (TBW102), so the
  // periodic route refresh polls it too (4.9.x) [DMPI start].
  bool tbw102_placeholder;
  // sendDefaultImpl caps an attempt's budget at sendMsgMaxTimeoutPerRequest while another attempt
  // remains [DMPI@5.3.3].
  bool per_request_timeout_cap;
  // send(msg, callback) wraps the callback in BackpressureSendCallBack and, with
  // enableBackpressureForAsyncMode, takes the count and size semaphores on the caller thread
  // [DMPI@5.3.3 executeAsyncMessageSend].
  bool async_backpressure;
  // LatencyFaultToleranceImpl's detector (startDetectorEnable, detectTimeout, detectInterval):
  // every 3 s it probes fault items whose checkStamp is due and marks answering brokers
  // reachable [LFT@5.3.3, DMPI@5.3.3 ServiceDetector].
  bool latency_detector;
  // NettyRemotingClient.invokeImpl handles a GO_AWAY (1500) response: reconnect and re-send once
  // (enableReconnectForGoAway), else RemotingSendRequestException [NRC@5.3.3 invokeImpl].
  bool go_away_handling;

  // ---- Servers of the same release (a run's brokers and name servers follow its profile) ----
  NamesrvScan namesrv_scan;
  // The name server answers a request code it does not handle (e.g. a SEND_MESSAGE an async retry
  // sent on the name-server channel) with REQUEST_CODE_NOT_SUPPORTED (3); 4.9.x answers nothing
  // [namesrv DefaultRequestProcessor@5.3.3].
  bool namesrv_answers_unsupported;
  // The store's OS_PAGE_CACHE_BUSY result: SYSTEM_ERROR (1) in 4.9.x, SYSTEM_BUSY (2) in 5.3.3
  // [SMP handlePutMessageResult].
  int32_t broker_page_cache_busy_code;
  // A queueId >= max(read, write) queues: SYSTEM_ERROR (1) in 4.9.x, INVALID_PARAMETER (29) in
  // 5.3.3 [ASMP msgCheck].
  int32_t broker_bad_queue_id_code;
  // The Netty release the client ships (root pom); its FIN/RST handling is the same in all of
  // them (§4.4), so it is information only.
  std::string_view netty_version;

  ProducerSettings defaults;

  // ---- Push consumers and the brokers' consumer-facing code (rocketmq-consumer-behaviour.md §8) --
  ConsumerDecisions consumer;
  ConsumerSettings consumer_defaults;
};

const std::vector<const Profile*>& AllProfiles();
const Profile* FindProfile(std::string_view name);

// The hard-coded 4.9.0 switch, and the default retryResponseCodes of 4.9.2+.
bool IsRetryableResponseCode(const Profile& p, const ProducerSettings& s, int32_t code);

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_PROFILE_H_
