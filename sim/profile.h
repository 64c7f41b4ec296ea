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

  ProducerSettings defaults;
};

const std::vector<const Profile*>& AllProfiles();
const Profile* FindProfile(std::string_view name);

// The hard-coded 4.9.0 switch, and the default retryResponseCodes of 4.9.2+.
bool IsRetryableResponseCode(const Profile& p, const ProducerSettings& s, int32_t code);

}  // namespace rmqsim::sim

#endif  // RMQSIM_SIM_PROFILE_H_
